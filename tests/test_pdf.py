"""The whole-book PDF (`make pdf`, mechgraph/pdf.py), read back with pypdf: pages, outline,
vector diagrams, no interface, embedded fonts, internal links, the title page's version."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

from sitetools import BUILD, REPO

pypdf = pytest.importorskip("pypdf")

from mechgraph.pdf import SKIPPED, _link_target, new_id, reading_order  # noqa: E402
from mechgraph.release import book_version  # noqa: E402

PDF = REPO / "_build" / "pdf" / "book.pdf"
CHAPTERS = [d for d in reading_order(REPO / "_toc.yml") if d not in SKIPPED]


@pytest.fixture(scope="session")
def book_pdf(site, tmp_path_factory, browser) -> Path:
    """The PDF `make pdf` wrote (make test builds it first), or a fresh one when it is missing
    or older than the site."""
    if (
        BUILD == (REPO / "_build" / "html").resolve()
        and PDF.is_file()
        and PDF.stat().st_mtime >= (site / "index.html").stat().st_mtime
    ):
        return PDF
    from mechgraph.pdf import build

    return build(site, tmp_path_factory.mktemp("pdf"), copy_to_site=False, browser=browser)


@pytest.fixture(scope="session")
def reader(book_pdf):
    return pypdf.PdfReader(str(book_pdf))


@pytest.fixture(scope="session")
def text(reader, book_pdf, tmp_path_factory) -> str:
    """The PDF's text, in one line. Reading it takes half a minute, so under pytest-xdist (make test)
    the first worker to need it leaves it for the others of the same run (pytest-xdist's recipe
    for a session fixture made once: a file in the folder all the run's workers share, and a lock)."""

    def extract() -> str:
        # NFKC: Chromium sets "fi", "ff" as ligatures, which pypdf reads back as one character
        return re.sub(
            r"\s+", " ", unicodedata.normalize("NFKC", " ".join(p.extract_text() or "" for p in reader.pages))
        )

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")  # the same in every worker of one run
    if not run:
        return extract()
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / f"pdf-text-{run}-{book_pdf.stat().st_mtime_ns}.txt"
    with FileLock(f"{shared}.lock"):
        if not shared.is_file():
            shared.write_text(extract(), encoding="utf-8")
        return shared.read_text(encoding="utf-8")


def _outline(reader, items=None, depth=0):
    out = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out[-1][2].extend(_outline(reader, item, depth + 1))
        else:
            out.append((item.title, reader.get_destination_page_number(item), []))
    return out


def _chapter_titles(site: Path) -> list[str]:
    from bs4 import BeautifulSoup

    titles = []
    for doc in CHAPTERS[1:]:  # the home page is retitled "Introduction"
        h1 = (
            BeautifulSoup((site / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")
            .find("article")
            .find("h1")
        )
        titles.append(h1.get_text(" ", strip=True).rstrip("#").strip())
    return titles


def test_page_count(reader):
    # 13 chapters with 38 diagrams and charts, a glossary and a bibliography: about 130 pages
    assert 60 <= len(reader.pages) <= 400, len(reader.pages)


def test_outline_has_every_chapter_and_its_sections(reader, site):
    top = _outline(reader)
    titles = [re.sub(r"\s+", " ", t) for t, _, _ in top]
    squeezed = {re.sub(r"\s+", "", t) for t in titles}  # Chromium drops the space where a long title wraps
    for title in ["Contents", "Introduction"] + _chapter_titles(site):
        assert re.sub(r"\s+", "", title) in squeezed, f"no bookmark for {title!r}; bookmarks: {titles}"
    pages = [p for _, p, _ in top]
    assert pages == sorted(pages), "bookmarks out of reading order"
    chapters = [entry for entry in top if re.match(r"\d\. ", entry[0])]
    assert len(chapters) == 8 and all(children for _, _, children in chapters), (
        "chapters without section bookmarks"
    )


def test_diagram_labels_are_text(text, site):
    """The diagrams are vector: the labels of their nodes can be found in the PDF's text."""
    from bs4 import BeautifulSoup

    labels = set()
    for doc in CHAPTERS:
        article = BeautifulSoup((site / f"{doc}.html").read_text(encoding="utf-8"), "html.parser").find(
            "article"
        )
        for svg in article.select("figure svg"):
            if svg.find_parent(class_="mechgraph-legend"):
                continue
            labels |= {
                t.get_text(" ", strip=True) for t in svg.find_all("text") if len(t.get_text(strip=True)) > 3
            }
    assert len(labels) > 100, "expected the diagrams' labels in the built pages"
    missing = sorted(label for label in labels if re.sub(r"\s+", " ", label) not in text)
    assert len(missing) <= len(labels) // 50, (
        f"{len(missing)} of {len(labels)} labels not in the PDF's text: {missing[:10]}"
    )


def test_every_figure_has_a_numbered_caption(text, site):
    """Every figure of a chapter keeps its caption's number (per chapter: "Figure 6.2") in the PDF."""
    from bs4 import BeautifulSoup

    captions = []
    for doc in CHAPTERS:
        article = BeautifulSoup((site / f"{doc}.html").read_text(encoding="utf-8"), "html.parser").find(
            "article"
        )
        captions += [
            f.find(class_="caption-number").get_text(" ", strip=True).rstrip(".")
            for f in article.find_all("figure")
            if f.find("svg") and f.find("figcaption") and f.find(class_="caption-number")
        ]
    assert len(captions) >= 10
    flat = " ".join(text.split())
    missing = [c for c in captions if not re.search(rf"{re.escape(c)}\.? ", flat)]
    assert not missing, f"{len(captions)} figures, but no caption in the PDF for {missing}"


@pytest.mark.parametrize(
    "interface",
    [
        "Show code cell",
        "Hide code cell",
        "Copy to clipboard",
        "Click to show",
        "Scroll sideways",
        "Fit to page",
        "Toggle",
    ],
)
def test_no_interface_text(text, interface):
    assert interface not in text


def test_prediction_exercises_are_followed_by_their_code(site, text):
    """On paper a "Predict, then run" exercise is followed by the code it asks about (and its
    result), since no cell can be run there."""
    from bs4 import BeautifulSoup

    cells = [
        cell
        for page in sorted((site / "chapters").glob("*.html"))
        for cell in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(
            ".mg-predict + div.cell"
        )
    ]
    assert len(cells) >= 10, "no prediction exercises found"
    for cell in cells:
        code = cell.select_one(".cell_input").get_text().strip().splitlines()[0][:40]
        assert " ".join(code.split()) in text, f"not printed: {code}"


def test_solutions_at_the_end_of_each_chapter(reader, text):
    top = _outline(reader)
    for title, _, children in top:
        if re.match(r"\d\. ", title):
            assert children[-1][0] == "Solutions to the exercises", (
                f"{title}: last section is {children[-1][0]!r}"
            )
    assert "Solution at the end of the chapter" in text


def test_fonts_embedded(reader):
    fonts = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for name, ref in (resources.get("/Font") or {}).items():
            font = ref.get_object()
            fonts[(font.get("/BaseFont"), font.get("/Subtype"))] = font
    assert fonts
    for (base, subtype), font in fonts.items():
        if subtype == "/Type3":
            continue  # drawn glyphs, nothing to embed
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant.get("/FontDescriptor")
        assert descriptor is not None, f"{base}: no font descriptor"
        descriptor = descriptor.get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), (
            f"{base} is not embedded"
        )


def test_internal_links_point_inside_the_pdf(reader):
    internal = external = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            if "/Dest" in annot or (action and action.get_object().get("/S") == "/GoTo"):
                internal += 1
            elif action and action.get_object().get("/S") == "/URI":
                uri = str(action.get_object()["/URI"])
                assert not uri.startswith("file:"), f"link to a local file: {uri}"
                external += 1
    assert internal > 500, f"only {internal} internal links (citations, glossary terms, cross-references)"


def test_title_page_has_version_and_date(reader):
    first = reader.pages[0].extract_text()
    assert f"Version {book_version()}" in first
    assert re.search(r"\d{4}-\d{2}-\d{2}", first)


def test_every_internal_link_of_the_combined_document_has_a_target(site, tmp_path):
    """Ids prefixed per chapter, links rewritten to match: no '#x' without an element 'x'."""
    from bs4 import BeautifulSoup

    from mechgraph.pdf import assemble, book_config

    soup = BeautifulSoup(assemble(site, REPO / "_toc.yml", book_config()), "html.parser")
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "repeated ids"
    refs = [
        t.get("href") or t.get("xlink:href")
        for t in soup.find_all(True)
        if (t.get("href") or t.get("xlink:href") or "").startswith("#")
    ]
    assert len(refs) > 1000
    missing = sorted({r for r in refs if r[1:] not in set(ids)})
    assert not missing, f"{len(missing)} links without a target: {missing[:10]}"
    leftover = [
        t["href"] for t in soup.find_all("a", href=True) if not t["href"].startswith(("#", "http", "mailto:"))
    ]
    assert not leftover, f"links to files outside the PDF: {leftover[:10]}"


def test_link_rewriting():
    included = {"index", "chapters/glossary", "chapters/02-msc-biology"}
    assert (
        _link_target("chapters/02-msc-biology", "glossary.html#term-MSC", included)
        == "#chapters-glossary--term-MSC"
    )
    assert _link_target("chapters/02-msc-biology", "#why", included) == "#chapters-02-msc-biology--why"
    assert _link_target("index", "chapters/02-msc-biology.html", included) == "#chapters-02-msc-biology"
    assert _link_target("chapters/02-msc-biology", "../index.html", included) == "#index"
    assert _link_target("chapters/02-msc-biology", "https://doi.org/10.1/x", included) == ""
    assert _link_target("chapters/02-msc-biology", "figures.html#a", included) is None
    assert new_id("p", "chapters/x-solution-1") == "p--chapters-x-solution-1"


def test_contents_gives_each_chapter_its_page(reader):
    # each entry ends with its page number (alone on a line, or after the title where text extraction joins them)
    printed = [int(n) for n in re.findall(r"(?:^|\s)(\d+)$", reader.pages[1].extract_text(), flags=re.M)]
    chapters = [page + 1 for title, page, _ in _outline(reader) if title not in ("Contents",) and page > 1]
    assert printed[: len(chapters)] == chapters, f"contents say {printed}, bookmarks {chapters}"


def test_the_pdf_is_dated_by_the_commit_not_by_the_printing(reader):
    """Chromium stamps the time of printing; the PDF carries the commit's time instead, so
    printing the same commit twice gives the same file."""
    from datetime import datetime, timezone

    from mechgraph.release import book_timestamp

    committed = datetime.fromtimestamp(book_timestamp(REPO), tz=timezone.utc)
    assert reader.metadata.creation_date == committed
    assert reader.metadata.modification_date == committed


def test_printing_twice_gives_the_same_bytes(tmp_path, browser):
    from mechgraph.pdf import print_pdf, stamp_dates

    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><h1>Title</h1><p>Text <a href='#s'>link</a></p><h2 id='s'>Section</h2>"
        "<svg width='80' height='30'><text x='4' y='20'>Label</text></svg></body></html>"
    )
    printed = []
    for name in ("one.pdf", "two.pdf"):
        print_pdf(page, tmp_path / name, browser)
        assert stamp_dates(tmp_path / name, 1_700_000_000) == 2
        printed.append((tmp_path / name).read_bytes())
    assert printed[0] == printed[1]
    assert pypdf.PdfReader(str(tmp_path / "one.pdf")).pages[0].extract_text().startswith("Title")


def _headings(site: Path) -> set[str]:
    """Every heading of the printed pages, as a reader sees it (single spaces, no '#' link)."""
    from bs4 import BeautifulSoup

    from mechgraph.pdf import book_config

    found = {"Contents", "Introduction", "Solutions to the exercises", book_config()["title"]}
    for doc in CHAPTERS:
        article = BeautifulSoup((site / f"{doc}.html").read_text(encoding="utf-8"), "html.parser").find(
            "article"
        )
        for h in article.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
            for link in h.select(".headerlink"):
                link.decompose()
            found.add(re.sub(r"\s+", " ", h.get_text(" ", strip=True)).strip())
    return found


def test_bookmarks_read_exactly_as_the_headings(reader, site):
    """Each bookmark is a heading's text, spaces and all (Chromium used to drop the space where a
    long heading wraps: "criticalreading", "whereMSCs")."""
    headings = _headings(site)

    def titles(items):
        for title, _, children in items:
            yield title
            yield from titles(children)

    wrong = [t for t in titles(_outline(reader)) if t not in headings]
    assert not wrong, f"{len(wrong)} bookmark(s) that are no heading: {wrong[:8]}"


#: A4 less the 18 mm margins, in CSS px: the width the PDF's pages are laid out at
PRINT_WIDTH_PX = round((210 - 2 * 18) / 25.4 * 96)
#: each diagram's and chart's labels between these sizes on paper (points)
LABEL_PT = (7.0, 12.0)


def test_diagram_labels_print_at_one_scale(book_pdf, browser):
    """Every diagram and chart prints with its labels between 7 and 12 pt: measured in the combined
    document (book.html, beside the PDF) laid out as Chromium prints it, at the page's width."""
    document = book_pdf.with_name("book.html")
    page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1000}, java_script_enabled=True)
    try:
        page.goto(document.resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        found = page.evaluate(
            """() => [...document.querySelectorAll('figure svg, .mechgraph svg')]
            .filter(s => !s.closest('.mechgraph-legend') && s.getClientRects().length)
            .map(svg => { let least = Infinity, most = 0;
              svg.querySelectorAll('text').forEach(t => {
                const m = t.getScreenCTM(); if (!m || !t.textContent.trim()) return;
                const pt = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b) * 0.75;
                least = Math.min(least, pt); most = Math.max(most, pt); });
              const fig = svg.closest('figure');
              const cap = fig && fig.querySelector('figcaption');
              return {what: (cap ? cap.textContent : svg.getAttribute('aria-label') || '').trim().slice(0, 60),
                      least, most}; })
            .filter(f => f.most > 0)"""
        )
    finally:
        page.close()
    assert len(found) >= 30, f"only {len(found)} drawings found in {document}"
    low, high = LABEL_PT
    off = [
        f"{f['what']!r}: {f['least']:.1f}-{f['most']:.1f} pt"
        for f in found
        if f["least"] < low - 0.05 or f["most"] > high + 0.05  # 0.05 pt: rounding of the layout
    ]
    assert not off, f"{len(off)} of {len(found)} drawings print outside {low}-{high} pt:\n" + "\n".join(off)


def _lowest_text(page) -> float | None:
    """The lowest baseline of the text in a page's body (PDF points from the bottom), the footer's
    page number left out."""
    lows = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            lows.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    margin = 18 / 25.4 * 72
    body = [y for y in lows if y > margin]
    return min(body) if body else None


def test_no_page_in_mid_chapter_is_less_than_a_quarter_full(reader):
    """Pages break before chapters, and before a figure that would otherwise be split: a page whose
    next page continues the same chapter is at least a quarter full."""
    starts = {page for _, page, _ in _outline(reader)}  # 0-based pages where a chapter starts
    height = float(reader.pages[0].mediabox.height)
    margin = 18 / 25.4 * 72
    sparse = []
    for i, page in enumerate(reader.pages[:-1]):
        if i + 1 in starts or i in (0, 1) or i + 1 == len(reader.pages):
            continue  # the page before a chapter, the title page and the contents may end early
        low = _lowest_text(page)
        full = 0.0 if low is None else (height - margin - low) / (height - 2 * margin)
        if full < 0.25:
            sparse.append(f"page {i + 1}: {full:.0%} full")
    assert not sparse, f"{len(sparse)} page(s) in mid-chapter less than a quarter full: {sparse}"
