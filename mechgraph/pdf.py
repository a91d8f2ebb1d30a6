"""The whole book as one PDF, printed offline by Chromium: ``python -m mechgraph pdf``.

Reads the built pages (_build/html, so ``make book`` first) in the order of _toc.yml and
assembles one HTML document: a title page (version and date), a table of contents, then each
chapter's article with its ids prefixed by the chapter (so cross-references, glossary links
and citations point inside the document), code cells (but a prediction exercise's, printed
with its result), buttons and toggles removed, the
diagrams' text descriptions opened and the exercises' solutions moved to the end of their
chapter. Chromium (driven by Playwright, no request leaves the machine) prints it with page
numbers, a tagged structure and an outline of every chapter and section.
"""

from __future__ import annotations

import html
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from mechgraph.makeutil import copy_file, pdf_problem, replacing
from mechgraph.release import ROOT, book_date, book_timestamp, release_version

CSS = Path(__file__).with_name("pdf.css")
#: pages of the site left out of the PDF: the slide catalogue repeats every diagram as an image
SKIPPED = {
    "chapters/figures",
    "chapters/explorer",
}  # slides repeat every figure; the explorer needs JavaScript
#: interface elements that mean nothing on paper
INTERFACE = (
    "script",
    "noscript",
    "button",
    "input",
    "select",
    "textarea",
    "form",
    "iframe",
    ".headerlink",
    ".cell:not(.mg-predict + .cell) .cell_input",  # a prediction exercise's code is printed
    ".mechgraph-skip",
    ".mechgraph-hint",
    ".mechgraph-zoom",
    ".toggle-details",
    ".copybtn",
    "[role=toolbar]",
    # the full-size, zoomable view of a split figure: its panels are printed already
    "details.mechgraph-whole",
    ".mechgraph-explore",
    "details.mechgraph-table-details > summary",  # a collapsed table is printed open, without its button
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_ID_ATTRS = ("aria-labelledby", "aria-describedby", "aria-controls", "for")
_URL_REF = re.compile(r"url\(#([^)]+)\)")


@dataclass
class Chapter:
    docname: str
    title: str
    html: str


def reading_order(toc: Path) -> list[str]:
    """The docnames of _toc.yml in reading order (root first, then every file, depth first)."""
    import yaml

    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    order = [data["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                order.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in data.get("parts", []):
        walk(part.get("chapters"))
    walk(data.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", name) for name in order]


def prefix_of(docname: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", docname).strip("-")


def new_id(prefix: str, old: str) -> str:
    return f"{prefix}--{re.sub(r'[^A-Za-z0-9_.:-]+', '-', old)}"


def _link_target(docname: str, href: str, included: set[str]) -> str | None:
    """Where an internal link goes in the combined document: '#id', '' to keep it as it is
    (external), or None when its target is not in the PDF (the link is then removed)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("mailto:", "tel:")):
        return ""
    url, fragment = urldefrag(urljoin(f"http://book/{docname}.html", href))
    path = unquote(urlsplit(url).path).lstrip("/")
    target = re.sub(r"\.html$", "", path) or "index"
    if target.endswith("/"):
        target += "index"
    if target not in included:
        return None
    return "#" + (new_id(prefix_of(target), unquote(fragment)) if fragment else prefix_of(target))


def chapter_html(root: Path, docname: str, included: set[str]) -> Chapter:
    """The article of one built page, ready to sit in the combined document."""
    from bs4 import BeautifulSoup

    page = root / f"{docname}.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article")
    if article is None:
        raise ValueError(f"{page}: no <article> element (is this a page built by `make book`?)")
    prefix = prefix_of(docname)
    for selector in INTERFACE:
        for el in article.select(selector):
            el.decompose()
    # myst-nb's "Show code cell" toggles: the input is gone; keep any output they hid
    for details in article.select("details.hide"):
        summary = details.find("summary")
        if summary:
            summary.decompose()
        if details.get_text(strip=True) or details.find(["svg", "img", "table"]):
            details.unwrap()
        else:
            details.decompose()
    for details in article.find_all("details"):
        details["open"] = ""
    _text_descriptions_after_figures(article)
    for heading in article.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):  # printed pre-wrap (pdf.css)
        for text in heading.find_all(string=True):
            text.replace_with(re.sub(r"\s+", " ", text))
        heading.smooth()
    for el in article.find_all(class_="dropdown"):
        el["class"] = [c for c in el["class"] if c != "dropdown"]
    seen: set[str] = set()
    for el in article.find_all(True):
        if el.get("id"):
            if (
                el["id"] in seen
            ):  # sphinx-exercise repeats id="exercise-content" on a page; links use the first
                del el["id"]
            else:
                seen.add(el["id"])
                el["id"] = new_id(prefix, el["id"])
        for attr in _ID_ATTRS:
            if el.get(attr):
                value = el[attr] if isinstance(el[attr], str) else " ".join(el[attr])
                el[attr] = " ".join(new_id(prefix, token) for token in value.split())
        for attr, value in list(el.attrs.items()):
            if isinstance(value, str) and "url(#" in value:
                el[attr] = _URL_REF.sub(lambda m: f"url(#{new_id(prefix, m[1])})", value)
        for attr in ("href", "xlink:href"):
            if el.get(attr) is None:
                continue
            if el.name == "use" or el[attr].startswith("#") and el.name not in ("a",):
                el[attr] = "#" + new_id(prefix, el[attr][1:]) if el[attr].startswith("#") else el[attr]
                continue
            target = _link_target(docname, el[attr], included)
            if target is None:
                if el.name == "a" and attr == "href":
                    el.unwrap()
                else:
                    del el[attr]
            elif target:
                el[attr] = target
        if el.name == "a" and el.get("target") == "_top":
            del el["target"]
    for el in article.find_all(title=True):
        if el.name not in ("svg", "g"):
            del el["title"]  # tooltips (glossary definitions) do not print
    h1 = article.find("h1")
    title = h1.get_text(" ", strip=True) if h1 else docname
    _collect_solutions(soup, article, prefix)
    body = "".join(str(child) for child in article.children)
    return Chapter(docname, title, f'<section class="pdf-chapter" id="{prefix}">{body}</section>')


def _text_descriptions_after_figures(article) -> None:
    """Each diagram's text description (a long list) after its figure, not inside it: a figure is
    kept on one page, and the list may run on to the next."""
    for details in article.select("figure details.mechgraph-text"):
        details.find_parent("figure").insert_after(details.extract())


def _collect_solutions(soup, article, prefix: str) -> None:
    """Move every solution to a "Solutions" section at the end of the chapter, and give each
    exercise a link to its solution."""
    solutions = article.select(".solution")
    if not solutions:
        return
    section = soup.new_tag("section", id=f"{prefix}--solutions", attrs={"class": "pdf-solutions"})
    heading = soup.new_tag("h2")
    heading.string = "Solutions to the exercises"
    section.append(heading)
    for solution in solutions:
        back = solution.select_one(".admonition-title a[href^='#']")
        if back is not None and solution.get("id"):
            exercise = article.find(id=back["href"][1:])
            if exercise is not None:
                note = soup.new_tag("p", attrs={"class": "pdf-solution-link"})
                link = soup.new_tag("a", href=f"#{solution['id']}")
                link.string = "Solution at the end of the chapter"
                note.append(link)
                exercise.append(note)
        section.append(solution.extract())
    top = article.find("section")
    (top or article).append(section)


def title_page(title: str, author: str, version: str, date: str) -> str:
    return (
        f'<section class="pdf-title-page" id="title-page"><h1 class="pdf-book-title">{html.escape(title)}</h1>'
        f'<p class="pdf-author">{html.escape(author)}</p>'
        f'<p class="pdf-version">Version {html.escape(version)} &middot; {html.escape(date)}</p>'
        '<p class="pdf-licence">Text and figures CC BY 4.0; code MIT. Teaches Zhang and Chen (2024), '
        "Front. Pharmacol. 15:1483716 (CC BY 4.0).</p></section>"
    )


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _title_key(text: str) -> str:
    """A title to match a bookmark by: Chromium drops the space where a long heading wraps."""
    return re.sub(r"\s+", "", text)


def contents(chapters: list[Chapter], pages: dict[str, int] | None = None) -> str:
    """The table of contents; with `pages` (chapter title -> page), with page numbers."""
    pages = pages or {}
    items = "".join(
        f'<li><a href="#{prefix_of(c.docname)}">{html.escape(c.title)}</a>'
        f'<span class="pdf-page">{pages.get(_title_key(c.title), "")}</span></li>'
        for c in chapters
    )
    return f'<nav class="pdf-contents" id="contents"><h1>Contents</h1><ul>{items}</ul></nav>'


def assemble(root: Path, toc: Path, config: dict, pages: dict[str, int] | None = None) -> str:
    """The combined HTML document of the whole book."""
    order = [d for d in reading_order(toc) if d not in SKIPPED and (root / f"{d}.html").is_file()]
    missing = [d for d in reading_order(toc) if d not in SKIPPED and d not in order]
    if missing:
        raise FileNotFoundError(f"{root}: no built page for {', '.join(missing)}; run `make book` first")
    included = set(order)
    chapters = [chapter_html(root, d, included) for d in order]
    if chapters and chapters[0].docname == order[0]:
        # the home page's heading is the book's title, which the title page already shows
        chapters[0].html = re.sub(
            r"(<h1[^>]*>).*?(</h1>)", r"\1Introduction\2", chapters[0].html, count=1, flags=re.S
        )
        chapters[0].title = "Introduction"
    version, date = release_version(), book_date()
    head = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(config['title'])}</title>"
        f'<meta name="author" content="{html.escape(config["author"])}">'
        f"<style>{CSS.read_text(encoding='utf-8')}</style></head><body>"
    )
    return (
        head
        + title_page(config["title"], config["author"], version, date)
        + contents(chapters, pages)
        + "".join(c.html for c in chapters)
        + "</body></html>"
    )


FOOTER = (
    "<div style=\"font-family: 'DejaVu Sans', sans-serif; font-size: 8pt; width: 100%; "
    'text-align: center; color: #444;"><span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def launch_chromium(playwright):
    """The system Chromium (CHROMIUM=, default /usr/bin/chromium), headless, started by Playwright;
    never `playwright install`, which downloads a browser."""
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        raise FileNotFoundError(
            f"Chromium not found at {chromium}; run `make browser-deps` (Debian: apt-get install chromium) "
            "or set CHROMIUM=/path/to/chromium"
        )
    from playwright.sync_api import Error

    try:
        return playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
    except Error as err:
        raise ChromiumError(f"Chromium at {chromium} did not start: {launch_error(str(err))}") from None


class ChromiumError(OSError):
    """Chromium is there but could not be started; the message is one line."""


def launch_error(message: str) -> str:
    """The words of a Playwright launch error that say why: the browser's own last line on stderr
    (Playwright's browser log quotes it as ``[pid=N][err] ...``), else how it exited, else the
    error's first line."""
    said = [line.split("[err]", 1)[1].strip() for line in message.splitlines() if "][err]" in line]
    said = [line for line in said if line]
    if said:
        return said[-1][:300]
    exited = re.search(r"process did exit: exitCode=(\w+), signal=(\w+)", message)
    if exited:
        return f"it exited at once (exit code {exited[1]}, signal {exited[2]})"
    first = next((line.strip() for line in message.splitlines() if line.strip()), "no message")
    return re.sub(r"^BrowserType\.launch:\s*", "", first)[:300]


def print_pdf(document: Path, out: Path, browser=None) -> None:
    """Print `document` (a local HTML file) to `out` with the system Chromium (or with `browser`,
    a Playwright browser already running it); every request that is not a local file is refused."""
    if browser is not None:
        _print_page(browser, document, out)
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            _print_page(browser, document, out)
        finally:
            browser.close()


def _print_page(browser, document: Path, out: Path) -> None:
    page = browser.new_page(java_script_enabled=False)
    blocked = []

    def route(r):
        if r.request.url.startswith(("file:", "data:", "about:")):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    try:
        page.route("**/*", route)
        page.goto(document.resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        page.pdf(
            path=str(out),
            format="A4",
            print_background=True,
            outline=True,
            tagged=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER,
            margin={"top": "18mm", "bottom": "18mm", "left": "18mm", "right": "18mm"},
        )
    finally:
        page.close()
    if blocked:
        print(f"note: refused {len(blocked)} request(s) to other hosts, e.g. {blocked[0]}")


#: the dates Chromium writes into the PDF's information dictionary: the time of printing
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[+-]\d\d'\d\d'\)")


def stamp_dates(pdf: Path, epoch: int) -> int:
    """Replace the printing time in `pdf` by `epoch` (the commit's time), so that printing the
    same commit twice gives the same bytes; the new dates have the same length, so the
    cross-reference offsets stay right. Returns how many dates were replaced."""
    stamp = time.strftime("D:%Y%m%d%H%M%S+00'00'", time.gmtime(epoch)).encode()
    data, count = _PDF_DATE.subn(lambda m: b"/" + m[1] + b" (" + stamp + b")", pdf.read_bytes())
    pdf.write_bytes(data)
    return count


def chapter_pages(pdf: Path) -> dict[str, int]:
    """Title -> page number (from 1) of every top-level bookmark of a printed PDF."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    return {
        _title_key(item.title): reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if not isinstance(item, list)
    }


def book_config(root: Path = ROOT) -> dict:
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return {"title": config.get("title", "Book"), "author": config.get("author", "")}


def build(
    html_dir: Path = ROOT / "_build" / "html",
    out_dir: Path = ROOT / "_build" / "pdf",
    copy_to_site: bool = True,
    browser=None,
) -> Path:
    """Write out_dir/book.html and out_dir/book.pdf, and copy the PDF into the site (book.pdf)."""
    if not (html_dir / "index.html").is_file():
        raise FileNotFoundError(f"{html_dir}/index.html is missing: run `make book` first")
    start = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    document, pdf = out_dir / "book.html", out_dir / "book.pdf"
    epoch = book_timestamp()  # before printing: a bad SOURCE_DATE_EPOCH stops it at once
    # each PDF is written beside its place and renamed into it: a reader (or `make pack`) never
    # gets half of one, and an interrupted run leaves the last whole one
    with replacing(pdf) as printing:
        document.write_text(assemble(html_dir, ROOT / "_toc.yml", book_config()), encoding="utf-8")
        print_pdf(document, printing, browser)
        # a second pass puts the chapters' page numbers (read from the first's bookmarks) in the contents
        document.write_text(
            assemble(html_dir, ROOT / "_toc.yml", book_config(), chapter_pages(printing)), encoding="utf-8"
        )
        print_pdf(document, printing, browser)
        stamp_dates(printing, epoch)
        problem = pdf_problem(printing)
        if problem:
            raise ValueError(problem)
    if copy_to_site:
        copy_file(pdf, html_dir / "book.pdf")
    print(
        f"wrote {pdf.relative_to(ROOT) if pdf.is_relative_to(ROOT) else pdf} "
        f"({pdf.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - start:.0f} s)"
        + (f"; copied to {html_dir.name}/book.pdf" if copy_to_site else "")
    )
    return pdf
