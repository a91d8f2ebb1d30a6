"""Every build whole: whatever happened before (a failed build, the preview, an interrupted build),
a successful `make book` gives a site byte-identical to a clean build, and a failed or interrupted
build never leaves a partial _build/html.

The copy starts with the book's executed notebooks (_build/.jupyter_cache), as a reader's checkout
has them, and its builds are compared with the book's _build/html, which test_reproducible.py
compares with a clean build. Slow (four builds of a copy and a preview, notebooks mostly from the cache): marked
`slow`; `make test` runs it, `make test-unit` does not.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from sitetools import LATER_FILES, REPO, build_env, copy_repo, site_differences, site_files
from sitetools import run_make as make

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

BAD_CELL = "\n```{code-cell} ipython3\nanswer = 1 / 0\n```\n"


def same_as_the_site(site: Path, built: Path) -> list[str]:
    """How `built` differs from the book's own build (which test_reproducible.py checks against
    a clean, offline build of a copy); book.pdf is added later by `make pdf`."""
    return site_differences(site, built, leave_out=frozenset(LATER_FILES))


def test_failed_then_fixed_preview_then_book_and_interrupted_builds_match_a_clean_build(site, tmp_path):
    copy = copy_repo(tmp_path / "book", jupyter_cache=True)  # a reader's checkout after a first build
    chapter = copy / "chapters" / "07-conclusion.md"
    good = chapter.read_text(encoding="utf-8")

    # 1. a notebook cell fails: the build stops, names chapter, line, cell and exception, keeps the log
    chapter.write_text(good + BAD_CELL, encoding="utf-8")
    failed = make(copy, "book")
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0
    line = good.count("\n") + 3
    assert (
        f"chapters/07-conclusion.md, line {line}: the code cell starting 'answer = 1 / 0' raised "
        "ZeroDivisionError: division by zero (traceback in _build/reports/chapters/07-conclusion.err.log)"
    ) in output
    assert (
        "ZeroDivisionError"
        in (copy / "_build" / "reports" / "chapters" / "07-conclusion.err.log").read_text()
    )
    assert not (copy / "_build" / "html").exists(), "a failed build left a site"

    # 2. fixed, then the preview (its own folder): the next `make book` gives the same site as a clean build
    chapter.write_text(good, encoding="utf-8")
    subprocess.run(
        [str(REPO / ".venv" / "bin" / "jupyter-book"), "config", "sphinx", "."],
        cwd=copy,
        env=build_env(copy),
        capture_output=True,
        check=True,
    )
    preview = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "sphinx-build"),
            "-b",
            "html",
            ".",
            "_build/preview",
            "-W",
            "--keep-going",
            "-q",
        ],
        cwd=copy,
        env={**build_env(copy), "MECHGRAPH_PREVIEW": "1"},
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert preview.returncode == 0, preview.stderr[-3000:]
    assert make(copy, "book").returncode == 0
    assert same_as_the_site(site, copy / "_build" / "html") == []

    # 3. a build interrupted by a closed terminal (SIGHUP) leaves the last good site untouched
    before = {n: p.read_bytes() for n, p in site_files(copy / "_build" / "html").items()}
    (copy / "data" / "figures.csv").touch()  # a data edit: the build has work to do
    job = subprocess.Popen(
        ["make", "-o", ".venv/.installed", "book"],
        cwd=copy,
        env=build_env(copy),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    staging = copy / "_build" / "staging"
    deadline = time.monotonic() + 300
    while job.poll() is None and not any(staging.rglob("*.doctree")) and time.monotonic() < deadline:
        time.sleep(0.2)  # until the build has read its first page
    assert job.poll() is None, "the build ended before it could be interrupted"
    os.killpg(job.pid, signal.SIGHUP)
    job.wait(timeout=60)
    after = {n: p.read_bytes() for n, p in site_files(copy / "_build" / "html").items()}
    assert after == before, "an interrupted build changed _build/html"
    assert make(copy, "book").returncode == 0
    assert same_as_the_site(site, copy / "_build" / "html") == []


def test_the_preview_shows_a_data_error_in_the_browser(tmp_path):
    copy = copy_repo(tmp_path / "book")
    (copy / "_build" / "preview" / "chapters").mkdir(parents=True)
    (copy / "_build" / "preview" / "chapters" / "glossary.html").write_text("<p>stale page</p>")
    path = copy / "data" / "entities.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace(",", " ,", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    subprocess.run(
        [str(REPO / ".venv" / "bin" / "jupyter-book"), "config", "sphinx", "."],
        cwd=copy,
        env=build_env(copy),
        capture_output=True,
        check=True,
    )
    result = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "sphinx-build"),
            "-b",
            "html",
            ".",
            "_build/preview",
            "-W",
            "--keep-going",
            "-q",
        ],
        cwd=copy,
        env={**build_env(copy), "MECHGRAPH_PREVIEW": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0
    for page in ("index.html", "chapters/glossary.html"):
        text = (copy / "_build" / "preview" / page).read_text(encoding="utf-8")
        assert "data/entities.csv, row 3, column &#x27;id&#x27;" in text, text
