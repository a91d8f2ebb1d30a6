"""Every build whole: whatever happened before (a failed build, the preview, an interrupted build),
a successful `make book` gives a site byte-identical to a clean build, and a failed or interrupted
build never leaves a partial _build/html.

The copy starts with the book's executed notebooks (_build/.jupyter_cache), as a reader's checkout
has them, and its builds are compared with the book's _build/html, which test_reproducible.py
compares with a clean build. Slow (four builds of a copy, and `make preview` with three rebuilds;
notebooks mostly from the cache): marked `slow`; `make test` runs it, `make test-unit` does not.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from sitetools import (
    LATER_FILES,
    build_env,
    copy_repo,
    running_preview,
    site_differences,
    site_files,
    wait_for_text,
)
from sitetools import run_make as make

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

BAD_CELL = "\n```{code-cell} ipython3\nanswer = 1 / 0\n```\n"


def git_checkout(copy: Path) -> None:
    """Make the copy a git checkout with one commit, as a contributor's clone is (make book asks
    git which files the site is built from)."""
    run = functools.partial(subprocess.run, cwd=copy, check=True, capture_output=True)
    run(["git", "init", "-q"])
    (copy / ".git" / "info" / "exclude").write_text(".venv\nexplorer/node_modules\n")  # links to the repo's
    run(["git", "add", "-A"])
    run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "copy"])


def same_as_the_site(site: Path, built: Path) -> list[str]:
    """How `built` differs from the book's own build (which test_reproducible.py checks against
    a clean, offline build of a copy); book.pdf is added later by `make pdf`."""
    return site_differences(site, built, leave_out=frozenset(LATER_FILES))


def test_failed_then_fixed_preview_then_book_and_interrupted_builds_match_a_clean_build(site, tmp_path):
    copy = copy_repo(tmp_path / "book", jupyter_cache=True)  # a reader's checkout after a first build
    git_checkout(copy)
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

    # 2. fixed, then `make preview` (its own folder): a prose edit is served; a broken data row puts
    #    an error page naming file, row and column in place of every page; the fix brings the
    #    pages back. Then `make book` gives the same site.
    chapter.write_text(good, encoding="utf-8")
    entities = copy / "data" / "entities.csv"
    rows = entities.read_text(encoding="utf-8")
    log = tmp_path / "preview.log"
    with running_preview(copy, log) as base:
        try:
            page = f"{base}chapters/07-conclusion.html"
            wait_for_text(page, "</html>", 900)  # the first build
            chapter.write_text(good + "\nA sentence only the preview has seen.\n", encoding="utf-8")
            wait_for_text(page, "A sentence only the preview has seen.", 120)
            lines = rows.split("\n")
            lines[2] = lines[2].replace(",", " ,", 1)
            entities.write_text("\n".join(lines), encoding="utf-8")
            problem = "data/entities.csv, row 3, column &#x27;id&#x27;"
            for name in ("index.html", "chapters/glossary.html", "chapters/07-conclusion.html"):
                wait_for_text(base + name, problem, 120)
            entities.write_text(rows, encoding="utf-8")
            wait_for_text(page, "A sentence only the preview has seen.", 300)
        except TimeoutError as err:
            raise AssertionError(f"{err}; the preview printed:\n{log.read_text()[-3000:]}") from None
    chapter.write_text(good, encoding="utf-8")
    assert make(copy, "book").returncode == 0
    assert same_as_the_site(site, copy / "_build" / "html") == []
    # and again, with nothing changed: nothing is built, the site is left as it is
    index = copy / "_build" / "html" / "index.html"
    built_at = index.stat().st_mtime_ns
    again = make(copy, "book")
    assert again.returncode == 0 and "Running Jupyter-Book" not in again.stdout + again.stderr
    assert "the site is in _build/html" in again.stdout
    assert index.stat().st_mtime_ns == built_at, "make book rebuilt a site nothing had changed"

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


def test_two_builds_at_once_publish_one_executed_site_and_both_tell_the_truth(site, tmp_path):
    """The issue's case: `make book` started while another runs (after an edit). Before the
    lock, the second failed or reported a site that was not there, and notebooks were published
    without outputs; now it waits, says for which run, and finds the first one's site."""
    from mechgraph.makeutil import site_problems

    copy = copy_repo(tmp_path / "book", jupyter_cache=True)
    git_checkout(copy)
    (copy / "index.md").touch()
    log = tmp_path / "first.log"
    with log.open("w", encoding="utf-8") as out:  # a file: a pipe nobody reads would fill and stop it
        first = subprocess.Popen(
            ["make", "-o", ".venv/.installed", "book"],
            cwd=copy,
            env=build_env(copy),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while not (copy / "_build" / "staging").exists() and time.monotonic() < deadline:
        time.sleep(0.2)  # until the first is building
    second = make(copy, "book")
    assert first.wait(timeout=1500) == 0, log.read_text(encoding="utf-8")[-3000:]
    assert second.returncode == 0, (second.stdout + second.stderr)[-3000:]
    assert "waiting: `make book` (process" in second.stderr, second.stderr[-2000:]
    assert "Running Jupyter-Book" not in second.stdout + second.stderr, "the second built the site again"
    assert "the site is in _build/html" in second.stdout
    assert site_problems(copy / "_build" / "html") == []
    assert same_as_the_site(site, copy / "_build" / "html") == []
