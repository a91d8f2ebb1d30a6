"""Bad data stops the build before any page is written, with a one-line reason; and the build
guards of the Makefile (mechgraph/makeutil.py): one build at a time in a folder, a site put in
place whole, and a "nothing changed" shortcut that looks at what it published before it trusts
its stamps. The Makefile tests run `make -n` in a copy of the repository (no build)."""

from __future__ import annotations

import functools
import os
import subprocess
import time
from pathlib import Path

import pytest

from mechgraph import makeutil
from sitetools import copy_repo, edit_cell, jupyter_book
from sitetools import run_make as make


@pytest.mark.slow
def test_unknown_citation_key_stops_the_build_before_pages_are_written(tmp_path):
    repo = copy_repo(tmp_path / "book")
    edit_cell(repo / "data" / "statements.csv", 12, "citations", "nobody2099nothing")
    result = jupyter_book(repo)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "data/statements.csv, row 12, column 'citations': "
        "unknown citation key 'nobody2099nothing' (not in references.bib)"
    ) in output
    assert not list((repo / "_build").rglob("*.html")), "pages were written from bad data"


# --- the Makefile's guards, with `make -n` in a git checkout of a copy -----------------------


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A copy of the repository as a git checkout with one commit (make book asks git which files
    the site is built from)."""
    copy = copy_repo(tmp_path / "book")
    run = functools.partial(subprocess.run, cwd=copy, check=True, capture_output=True)
    run(["git", "init", "-q"])
    (copy / ".git" / "info" / "exclude").write_text(".venv\nexplorer/node_modules\n")
    run(["git", "add", "-A"])
    run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "copy"])
    return copy


def _whole_pdf(path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        writer.write(f)


def _built(copy: Path) -> None:
    """Pretend a build: a site with an executed notebook and the PDF, and the stamps newer than
    every input (the list of inputs written by a first `make -n`)."""
    site = copy / "_build" / "html"
    (site / "_sources" / "chapters").mkdir(parents=True)
    (site / "index.html").write_text("<html></html>", encoding="utf-8")
    notebook = '{"cells": [{"cell_type": "code", "execution_count": 1, "outputs": [], "source": "1"}]}'
    (site / "_sources" / "chapters" / "x.ipynb").write_text(notebook, encoding="utf-8")
    _whole_pdf(copy / "_build" / "pdf" / "book.pdf")
    _whole_pdf(site / "book.pdf")
    assert make(copy, "-n", "book").returncode == 0  # writes _build/.site-inputs
    now = time.time()
    stamps = (".site-inputs", ".data-valid", ".site-built", "pdf/book.pdf")
    for back, stamp in zip((3, 2, 1, 0), stamps, strict=True):  # in this order, after every input
        target = copy / "_build" / stamp
        target.touch()
        os.utime(target, (now - back, now - back))


def test_a_second_build_waits_for_the_one_that_holds_the_lock_and_says_which(checkout):
    fd = makeutil.acquire(checkout / "_build" / ".lock", "make pdf")  # as a running `make pdf` does
    try:
        second = subprocess.Popen(
            ["make", "-n", "-o", ".venv/.installed", "book"],
            cwd=checkout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        said = second.stderr.readline()
        assert "waiting: `make pdf` (process" in said and str(checkout / "_build" / ".lock") in said, said
        time.sleep(1)
        assert second.poll() is None, "the second run did not wait for the lock"
    finally:
        os.close(fd)
    assert second.wait(timeout=60) == 0


def test_a_site_left_as_html_old_by_a_killed_publish_is_put_back(checkout):
    old = checkout / "_build" / "html.old"
    old.mkdir(parents=True)
    (old / "index.html").write_text("the last good site", encoding="utf-8")
    result = make(checkout, "-n", "book")
    assert result.returncode == 0, result.stderr
    assert (checkout / "_build" / "html" / "index.html").read_text(encoding="utf-8") == "the last good site"
    assert not old.exists()


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_publish_puts_the_new_site_in_place(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(makeutil, "exchange", lambda a, b: False)
    new, dest = tmp_path / "staging" / "html", tmp_path / "html"
    for folder, text in ((new, "new"), (dest, "old")):
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(text, encoding="utf-8")
    makeutil.publish(new, dest)
    assert (dest / "index.html").read_text(encoding="utf-8") == "new"
    assert not new.exists() and not (tmp_path / "html.old").exists()


def test_the_shortcut_reprints_a_pdf_cut_short(checkout):
    _built(checkout)
    assert "-m mechgraph pdf" not in make(checkout, "-n", "pdf").stdout, "a whole, current PDF was reprinted"
    (checkout / "_build" / "html" / "book.pdf").write_bytes(b"")  # what an interrupted copy left
    assert "-m mechgraph pdf" in make(checkout, "-n", "pdf").stdout


def test_the_shortcut_rebuilds_a_site_whose_notebooks_were_not_executed(checkout):
    _built(checkout)
    assert "jupyter-book build" not in make(checkout, "-n", "book").stdout
    notebook = checkout / "_build" / "html" / "_sources" / "chapters" / "x.ipynb"
    notebook.write_text(
        '{"cells": [{"cell_type": "code", "execution_count": null, "outputs": [], "source": "1"}]}',
        encoding="utf-8",
    )
    result = make(checkout, "-n", "book")
    assert "jupyter-book build" in result.stdout
    assert "x.ipynb: its 1 code cell(s) have no outputs" in result.stderr


def test_files_with_spaces_and_odd_names_do_not_break_make(checkout):
    (checkout / "data" / "Copy of entities.csv").write_bytes(
        (checkout / "data" / "entities.csv").read_bytes()
    )
    (checkout / "notes draft.txt").write_text("to do", encoding="utf-8")
    (checkout / "chapters" / "50% done: $HOME.md").write_text("draft", encoding="utf-8")
    (checkout / "a=b, c.txt").write_text("x=1", encoding="utf-8")
    result = make(checkout, "-n", "book")
    assert result.returncode == 0, result.stderr
    assert "No rule to make target" not in result.stderr


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"", "does not start with %PDF-"),
        (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "no startxref and %%EOF"),
        (b"%PDF-1.4\nxref\n0 1\ntrailer<<>>\nstartxref\n3\n%%EOF\n", "does not point at a cross-reference"),
    ],
    ids=["empty", "cut-short", "bad-offset"],
)
def test_a_pdf_that_is_not_whole_is_named(tmp_path, data, problem):
    path = tmp_path / "book.pdf"
    _whole_pdf(path)
    assert makeutil.pdf_problem(path) is None
    path.write_bytes(data)
    assert problem in (makeutil.pdf_problem(path) or "")


def test_an_interrupted_pdf_leaves_the_last_whole_one_in_place(tmp_path, monkeypatch):
    from mechgraph import pdf

    site, out = tmp_path / "html", tmp_path / "pdf"
    site.mkdir()
    (site / "index.html").write_text("<html></html>", encoding="utf-8")
    _whole_pdf(out / "book.pdf")
    _whole_pdf(site / "book.pdf")
    before = (out / "book.pdf").read_bytes()
    monkeypatch.setattr(pdf, "assemble", lambda *args, **kwargs: "<html></html>")

    def killed_while_printing(document, target, browser=None):
        Path(target).write_bytes(b"%PDF-1.7\n")  # the first bytes of a PDF, then the kill
        raise KeyboardInterrupt

    monkeypatch.setattr(pdf, "print_pdf", killed_while_printing)
    with pytest.raises(KeyboardInterrupt):
        pdf.build(site, out)
    assert (out / "book.pdf").read_bytes() == before and (site / "book.pdf").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["book.html", "book.pdf"], "a half-written file was left"


def test_the_lock_is_released_when_the_make_holding_it_has_ended(tmp_path):
    """The process holding the lock for a make lets go once that make has ended, even while its
    exit status is not yet collected (a zombie: a test's `Popen` not yet waited for)."""
    import fcntl
    import sys

    lock = tmp_path / "_build" / ".lock"
    ended = subprocess.Popen(["sleep", "0.3"])
    subprocess.run(
        [sys.executable, str(Path(makeutil.__file__)), "hold", str(lock), str(ended.pid), "make book"],
        check=True,
        timeout=30,
    )
    time.sleep(1)  # `sleep` has ended; nobody has waited for it
    fd = os.open(lock, os.O_RDWR)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert time.monotonic() < deadline, "the lock is still held for a make that has ended"
                time.sleep(0.1)
    finally:
        os.close(fd)
        ended.wait()
