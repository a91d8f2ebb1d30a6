"""What every built page must contain (runs on _build/html; `make test` builds it first)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from mechgraph import load
from mechgraph.glossary import term_anchor

_chapters = load().chapters
#: every chapter page (data/chapters.csv, in reading order), as named in chapters/
CHAPTERS = [doc.removeprefix("chapters/") for doc in _chapters["document"] if doc.startswith("chapters/")]
#: the chapters that read a section of the review
SECTIONS = [
    doc.removeprefix("chapters/") for doc in _chapters.loc[_chapters["review_section"] != "", "document"]
]
SECTION_FIGURES = {
    "02-msc-biology": ["msc_profile"],
    "03-nerve-repair": ["fig1"],
    "04-msc-and-tumours": ["fig2"],
    "05-pain-mechanisms": ["fig3", "fig4", "p2_receptors", "tlr_signalling"],
    "06-therapy-prospects": ["msc_therapy"],
}


def page(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site / "chapters" / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def glossary_ids(site):
    return {tag["id"] for tag in page(site, "glossary").find_all(id=True)}


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_has_linked_titled_inline_diagram(site, name, glossary_ids):
    soup = page(site, name)
    figures = soup.select("div.mechgraph")
    assert figures, "no mechanism diagram on the page"
    for fig in figures:
        svg = fig.find("svg")
        assert svg is not None and svg.find("title") and svg.find("desc"), (
            "diagram is not an inline, titled SVG"
        )
        assert svg["aria-labelledby"].endswith("-title")
        links = [a.get("xlink:href") for a in svg.find_all("a") if a.get("xlink:href")]
        node_links = [h for h in links if h.startswith("glossary.html#")]
        assert node_links, "diagram nodes do not link to the glossary"
        missing = [h for h in node_links if h.split("#", 1)[1] not in glossary_ids]
        assert not missing, f"diagram links to glossary entries that do not exist: {missing[:5]}"
        assert any("Sources:" in (a.get("xlink:title") or "") for a in svg.find_all("a")), (
            "edges lack source tooltips"
        )
        details = fig.find("details", class_="mechgraph-text")
        assert details is not None and "Text description" in details.summary.get_text()
        assert details.find("a", href=re.compile(r"bibliography\.html#")), (
            "text alternative has no resolved citations"
        )


@pytest.mark.parametrize("name, figures", SECTION_FIGURES.items())
def test_review_figures_are_rebuilt_where_they_belong(site, name, figures):
    soup = page(site, name)
    for figure in figures:
        assert soup.find(id=f"figure-{figure}"), f"figure {figure} missing from {name}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_teaching_structure(site, name):
    soup = page(site, name)
    text = soup.get_text(" ")
    assert "Reading time" in text and "By the end you should be able to" in text, "no objectives/reading time"
    assert len(soup.select("div.exercise, .exercise")) >= 3, "fewer than three exercises"
    assert soup.select(".solution"), "no worked solutions"
    if name != "08-critical-reading":
        assert soup.find(["h2", "h3"], string=re.compile("take-aways", re.I)) or "take-aways" in text.lower()
    assert "Next" in text


@pytest.mark.parametrize("name", CHAPTERS)
def test_citations_resolve_and_no_cell_failed(site, name):
    soup = page(site, name)
    cites = soup.select('a[href^="bibliography.html#"]')
    assert len(cites) >= 5, "citations did not resolve into the bibliography"
    assert not soup.select(".output.stderr, .output.traceback, .cell_output .stderr"), (
        "a cell wrote to stderr"
    )
    assert "Traceback (most recent call last)" not in soup.get_text()
    assert "??" not in soup.get_text(), "an unresolved reference"


@pytest.mark.parametrize("name", SECTIONS)
def test_chapter_has_an_analysis_output(site, name):
    soup = page(site, name)
    outputs = soup.select(".cell_output table, .cell_output img")
    assert outputs, "no pandas table or matplotlib figure from the data"


def test_glossary_is_built_from_the_data(site):
    data = load()
    soup = page(site, "glossary")
    terms = soup.select("dl.glossary dt")
    assert len(terms) == len(data.entities) >= 40
    ids = {t.get("id") for t in terms}
    assert {term_anchor(label) for label in data.entities["label"]} <= ids


def test_glossary_links_carry_definitions_as_tooltips(site):
    soup = page(site, "02-msc-biology")
    term_links = [a for a in soup.select("a.reference.internal") if a.find(class_="std-term")]
    assert term_links and all(":" in (a.get("title") or "") for a in term_links)


def test_critical_reading_lists_every_erratum(site):
    data = load()
    soup = page(site, "08-critical-reading")
    for erratum in data.errata.itertuples():
        assert soup.find(id=f"erratum-{erratum.id}"), f"{erratum.id} is not on the page"
    assert len(data.errata) >= 15


def test_about_page_attributes_the_review(site):
    text = page(site, "about").get_text(" ")
    assert "CC BY 4.0" in text and "10.3389/fphar.2024.1483716" in text and "Zhang" in text


def test_bibliography_lists_every_entry_with_doi(site):
    data = load()
    soup = page(site, "bibliography")
    entries = soup.select("div.citation")
    assert len(entries) == len(data.references)  # every entry of references.bib, each once
    shown = sorted(a["href"] for entry in entries for a in entry.select('a[href^="https://doi.org/"]'))
    assert shown == sorted(f"https://doi.org/{r.doi}" for r in data.references.values() if r.doi)


def test_chapters_are_in_the_navigation_in_reading_order(site):
    links = [a["href"] for a in page(site, "01-why-cancer-pain").select("nav.bd-links a.reference.internal")]
    names = [h.rpartition("/")[2].removesuffix(".html") for h in links]
    assert [n for n in names if n in CHAPTERS] == [c for c in CHAPTERS if c != "01-why-cancer-pain"]


def test_table1_appraisal_is_shown_in_chapter_6(site):
    soup = page(site, "06-therapy-prospects")
    section = soup.find("section", id="appraising-the-five-table-1-studies")
    assert section is not None, "no appraisal section"
    table = section.select_one(".cell_output table")
    assert (
        table is not None and "Blinded assessment" in table.get_text() and "Boukelmoune" in table.get_text()
    )
