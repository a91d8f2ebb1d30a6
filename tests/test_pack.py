"""The offline classroom pack (`make pack`, mechgraph/pack.py): one zip that opens, holds the
site, the PDF, the executed notebooks and the data, and whose index.html loads in Chromium
from file:// with no console error and no request to another host."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sitetools import BUILD, REPO

PACKS = REPO / "_build" / "pack"


@pytest.fixture(scope="session")
def pack(site, tmp_path_factory) -> Path:
    """The zip `make pack` wrote, or a fresh one (the site must hold book.pdf: `make pdf`)."""
    from mechgraph.pack import NAME, build

    made = sorted(PACKS.glob(f"{NAME}-*.zip"))
    if (
        BUILD == (REPO / "_build" / "html").resolve()
        and made
        and made[-1].stat().st_mtime >= (site / "index.html").stat().st_mtime
    ):
        return made[-1]
    if not (site / "book.pdf").is_file():
        pytest.fail(f"{site / 'book.pdf'} is missing: run `make pdf` (make test does it for you)")
    return build(site, out_dir=tmp_path_factory.mktemp("pack"))


@pytest.fixture(scope="session")
def unpacked(pack, tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(pack) as zf:
        assert zf.testzip() is None, "a corrupt member in the zip"
        zf.extractall(where)
    (top,) = where.iterdir()
    return top


def test_pack_holds_site_pdf_notebooks_and_data(unpacked):
    assert (unpacked / "READ-ME.txt").is_file()
    assert (unpacked / "site" / "index.html").is_file()
    assert (unpacked / "site" / "book.pdf").read_bytes()[:5] == b"%PDF-"
    notebooks = sorted(p.name for p in (unpacked / "chapters").glob("*.ipynb"))
    assert len(notebooks) >= 8, notebooks
    assert (unpacked / "data" / "datapackage.json").is_file() and (
        unpacked / "data" / "statements.csv"
    ).is_file()
    assert (unpacked / "requirements.txt").is_file() and (unpacked / "mechgraph" / "__init__.py").is_file()
    readme = (unpacked / "READ-ME.txt").read_text(encoding="utf-8")
    assert "site/index.html" in readme and "requirements.txt" in readme


@pytest.mark.parametrize("page", ["index.html", "chapters/02-msc-biology.html"])
def test_pack_opens_from_file_url_without_errors(unpacked, page, browser):
    errors, remote = [], []
    context = browser.new_context()  # the session's Chromium (tests/conftest.py): one Playwright per process
    try:
        tab = context.new_page()
        tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        tab.on("pageerror", lambda exc: errors.append(str(exc)))

        def route(r):
            if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
                return r.continue_()
            remote.append(r.request.url)
            return r.abort()

        tab.route("**/*", route)
        tab.goto((unpacked / "site" / page).as_uri(), wait_until="load")
        tab.wait_for_timeout(500)
        assert tab.locator("article h1").count() == 1
    finally:
        context.close()
    assert not remote, f"{page} asked another host for {remote[:3]}"
    assert not errors, f"{page} from file://: {errors[:5]}"


# --- what goes into the pack and the wheel: the files git tracks, with +dirty when changed ---------


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A copy of the repository as a git checkout with one commit, with a pretend build (a home
    page and a whole PDF in _build/html, which git ignores)."""
    import functools
    import subprocess

    from pypdf import PdfWriter

    from sitetools import copy_repo

    copy = copy_repo(tmp_path / "book")
    run = functools.partial(subprocess.run, cwd=copy, check=True, capture_output=True)
    run(["git", "init", "-q"])
    (copy / ".git" / "info" / "exclude").write_text(".venv\nexplorer/node_modules\n")
    run(["git", "add", "-A"])
    run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "copy"])
    site = copy / "_build" / "html"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<html></html>", encoding="utf-8")
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    with (site / "book.pdf").open("wb") as f:
        writer.write(f)
    return copy


def _pack(copy: Path, **env):
    import os
    import subprocess

    return subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-m", "mechgraph", "pack"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


UNTRACKED = ["data/.~lock.entities.csv#", "data/notes.env", "mechgraph/scratch.py"]


def _untracked_files(copy: Path) -> None:
    for name in UNTRACKED:
        (copy / name).write_text("user=someone host=somewhere home=/home/someone\n", encoding="utf-8")


def test_a_pack_of_a_modified_checkout_says_dirty_and_holds_only_tracked_files(checkout):
    from mechgraph.pack import NAME

    clean = _pack(checkout)
    assert clean.returncode == 0, clean.stderr
    assert [p.name for p in (checkout / "_build" / "pack").iterdir()] == [f"{NAME}-1.0.0.zip"]
    _untracked_files(checkout)
    chapter = checkout / "chapters" / "07-conclusion.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nAn edit not committed.\n", encoding="utf-8")
    dirty = _pack(checkout)
    assert dirty.returncode == 0, dirty.stderr
    assert "uncommitted changes" in dirty.stdout
    (pack,) = (checkout / "_build" / "pack").iterdir()
    assert pack.name == f"{NAME}-1.0.0+dirty.zip"
    with zipfile.ZipFile(pack) as zf:
        names = {name.split("/", 1)[1] for name in zf.namelist()}
        assert "Version 1.0.0+dirty," in zf.read(f"{NAME}-1.0.0+dirty/READ-ME.txt").decode()
    assert "data/entities.csv" in names and "mechgraph/pack.py" in names
    assert not names & set(UNTRACKED), names & set(UNTRACKED)


def test_a_bad_source_date_epoch_stops_the_pack_with_one_line(checkout):
    result = _pack(checkout, SOURCE_DATE_EPOCH="1767225600000")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: SOURCE_DATE_EPOCH=1767225600000 is after the year 2100; it looks like milliseconds: "
        "give seconds, SOURCE_DATE_EPOCH=1767225600"
    ]


@pytest.mark.package
def test_the_wheel_holds_only_tracked_files_and_leaves_nothing_unignored(checkout, tmp_path):
    import subprocess
    import sys

    _untracked_files(checkout)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(tmp_path / "dist"),
            ".",
        ],
        cwd=checkout,
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("mechgraph-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert "mechgraph/bundled/data/entities.csv" in names and "mechgraph/pack.py" in names
    leaked = {n for n in names if n.endswith(("notes.env", "scratch.py", ".~lock.entities.csv#"))}
    assert not leaked, leaked
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=checkout, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert sorted(status) == sorted(f"?? {n}" if " " not in n else f'?? "{n}"' for n in UNTRACKED), status


def test_a_pdf_cut_short_is_never_packed(checkout):
    (checkout / "_build" / "html" / "book.pdf").write_bytes(b"")  # what an interrupted `make pdf` left
    result = _pack(checkout)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {checkout}/_build/html/book.pdf: not a PDF (it is 0 bytes and does not start with %PDF-): "
        "run `make pdf` again"
    ]
    assert not (checkout / "_build" / "pack").exists() or not list((checkout / "_build" / "pack").iterdir())
