"""The two Sphinx extensions on a tiny book (tests/roots/test-book), built with sphinx.testing's
SphinxTestApp, without Jupyter Book and without the book's chapters:

* mechgraph.sphinxext (the data extension): bad data stops the build before any page is read,
  naming file, row and column; the directives render the data (the questions of a chapter); the build writes the question
  exports; a directive given a chapter without questions names the page and line.
* mechgraph.theme (the theme fixes): it refuses a theme version it was not written for, names
  the versions it expects, and these are the ones requirements.txt pins; with sphinx-book-theme,
  every page's header links the whole-book PDF at the site root, whatever the page's depth.
"""

from __future__ import annotations

import csv
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from sphinx.errors import ConfigError, ExtensionError
from sphinx.testing.util import SphinxTestApp

import mechgraph.sphinxext
import mechgraph.theme

ROOTS = Path(__file__).resolve().parent / "roots"
REPO = Path(__file__).resolve().parents[1]
REQUIREMENTS = REPO / "requirements.txt"
THEMED = {"extensions": ["myst_nb", "sphinxcontrib.bibtex", "mechgraph.sphinxext", "mechgraph.theme"]}


def copy_book(dest: Path) -> Path:
    """A fresh copy of the tiny book in `dest` (each build writes into its own source folder's
    _build), with the book's data and bibliography."""
    copy = Path(shutil.copytree(ROOTS / "test-book", dest))
    shutil.copytree(REPO / "data", copy / "data")
    shutil.copy(REPO / "references.bib", copy / "references.bib")
    return copy


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_book(tmp_path / "book")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str, list[str]]:
    """The tiny book built once with its own settings, read by the tests that do not change it:
    (its source folder, with the site in _build/html, the build's warnings, and the name of each
    plugin pybtex searched the installed packages' entry points for during the build)."""
    import pybtex.plugin

    book = copy_book(tmp_path_factory.mktemp("built") / "book")
    searched: list[str] = []
    search = pybtex.plugin.entry_points
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            pybtex.plugin, "entry_points", lambda **kw: searched.append(kw.get("name")) or search(**kw)
        )
        _, warnings = build(book)
    return book, warnings, searched


def build(srcdir: Path, **confoverrides) -> tuple[SphinxTestApp, str]:
    """Build the tiny book as HTML; return the app and its warnings."""
    app = SphinxTestApp(
        "html", srcdir=srcdir, confoverrides=confoverrides, status=StringIO(), warning=StringIO()
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return app, app.warning.getvalue()


def stopped_at_start(srcdir: Path, **confoverrides) -> Exception:
    """The error that stops the tiny book's build before any page is read (fails if none does)."""
    try:
        app = SphinxTestApp(
            "html", srcdir=srcdir, confoverrides=confoverrides, status=StringIO(), warning=StringIO()
        )
    except (ConfigError, ExtensionError) as err:
        return err
    app.cleanup()
    pytest.fail("the build started")


def test_bad_data_stops_the_build_naming_file_row_and_column(book, data_dir):
    path = data_dir / "statements.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["evidence"] = "hearsay"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    # the extension reads the folder its config value names instead of the book's data/
    stopped = stopped_at_start(book, mechgraph_data_dir=str(data_dir))
    assert isinstance(stopped, ConfigError)
    message = str(stopped)
    assert "not fit to build from" in message
    assert re.search(r"data/statements\.csv, row 2, column 'evidence': .*'hearsay'", message), message
    assert not (book / "_build" / "html" / "index.html").exists(), "a page was written from bad data"


def test_the_data_renders_into_pages_and_exports(built):
    book, warnings, _ = built
    assert not warnings, warnings
    out = book / "_build" / "html"
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "{{" not in home and "Mesenchymal stem cell transplantation" in home  # review_title substituted
    questions = (out / "chapters" / "questions.html").read_text(encoding="utf-8")
    assert questions.count('class="mg-question-block') >= 3, "the chapter's questions were not rendered"
    assert 'href="../_downloads/questions/questions-moodle.xml"' in questions
    assert (out / "_downloads" / "questions" / "questions-moodle.xml").stat().st_size > 0
    assert (out / "_downloads" / "questions" / "questions.gift").stat().st_size > 0


def test_questions_of_an_unknown_chapter_name_the_page_and_line(book):
    page = book / "chapters" / "questions.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace(":chapter: pain-mechanisms", ":chapter: nowhere"),
        encoding="utf-8",
    )
    _, warnings = build(book)
    assert re.search(r"chapters/questions\.md:3: ERROR: .*chapter 'nowhere'", warnings), warnings


def test_references_are_formatted_once_for_each_change(built, tmp_path, monkeypatch):
    """sphinxcontrib-bibtex formats every reference at every build; the book's style keeps what it
    formatted in the build's cache folder, so a second clean build formats none and writes the same."""
    first, warnings, _ = built
    assert not warnings, warnings
    page = (first / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    book = Path(shutil.copytree(first, tmp_path / "book"))  # with its _build/.jupyter_cache
    shutil.rmtree(book / "_build" / "html")
    shutil.rmtree(book / "_build" / "doctrees")
    assert (book / "_build" / ".jupyter_cache").is_dir()
    calls = []
    original = mechgraph.sphinxext.PlainStyle.format_entry
    monkeypatch.setattr(
        mechgraph.sphinxext.PlainStyle,
        "format_entry",
        lambda self, *args, **kwargs: calls.append(args[1].key) or original(self, *args, **kwargs),
    )
    second, _ = build(book)
    assert calls == [], f"formatted again: {calls}"
    assert (Path(second.outdir) / "index.html").read_text(encoding="utf-8") == page
    assert 'role="doc-biblioentry"' in page or "citation" in page  # the page has its reference list


def test_theme_fixes_refuse_a_theme_version_they_were_not_written_for(book, monkeypatch):
    installed = {"sphinx-book-theme": "1.3.0", "pydata-sphinx-theme": "0.16.1"}
    monkeypatch.setattr(mechgraph.theme, "version", installed.__getitem__)
    stopped = stopped_at_start(book, **THEMED)
    assert isinstance(stopped, ExtensionError)
    message = str(stopped)
    assert "written for sphinx-book-theme 1.3.0 and pydata-sphinx-theme 0.17.1" in message, message
    assert "but installed: pydata-sphinx-theme 0.16.1." in message, message  # only the one that differs


def test_theme_versions_are_the_pinned_ones():
    pins = dict(re.findall(r"^([\w.-]+)==(\S+)", REQUIREMENTS.read_text(encoding="utf-8"), flags=re.M))
    assert {name: pins.get(name) for name in mechgraph.theme.THEME_VERSIONS} == mechgraph.theme.THEME_VERSIONS


def test_header_links_the_book_pdf_at_every_depth(book):
    app, warnings = build(book, **THEMED)
    assert not warnings, warnings
    for page, href in (("index.html", "book.pdf"), ("chapters/questions.html", "../book.pdf")):
        html = (Path(app.outdir) / page).read_text(encoding="utf-8")
        header = html[html.index('class="article-header-buttons"') :]
        links = re.findall(r'<a href="([^"]*)"[^>]*class="[^"]*btn-book-pdf-button', header)
        assert links == [href], f"{page}: PDF buttons {links}"


def test_citations_are_resolved_without_searching_the_installed_packages(built):
    """sphinxcontrib-bibtex asks pybtex for its plain-text backend once for every citation, and
    pybtex searched the entry points of every installed package each time (17 ms on two cores; a
    build of the book resolves over 1,000 citations). The extension registers the backend at run
    time, where pybtex looks first: the search happens once, at that registration, at most."""
    book, warnings, searched = built
    assert not warnings, warnings
    page = (book / "_build" / "html" / "chapters" / "questions.html").read_text(encoding="utf-8")
    citations = page.count('href="../index.html#id')  # the questions cite their sources
    assert citations >= 3, f"the tiny book's questions page has {citations} citations"
    assert searched.count("plaintext") <= 1, (
        f"the plain-text backend was searched {searched.count('plaintext')} times"
    )
