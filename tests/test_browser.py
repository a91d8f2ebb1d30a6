"""The built site in a real browser (headless Chromium through Playwright).

For every page: no console errors, no failed or 4xx/5xx requests, no request to any host
but the local server; every mechanism diagram (div.mechgraph svg) is visible and its
links resolve; every internal link and anchor resolves. Plus: the light/dark switch and
search. (Screenshots for people to look at: `make screenshots`, tests/screenshots.py.)

Needs `make book` first (skips otherwise) and Chromium (`make browser-deps`).
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin

import pytest

from sitetools import (
    BUILD,
    broken_link,
    is_local,
    offline_context,
    page_links,
    settle,
    site_pages,
)

PAGES = site_pages() or ["index.html"]
SEARCH_TERM = "microglia"  # appears in several chapters and in the glossary


class PageLog:
    """Everything worth complaining about while a page loads."""

    def __init__(self, page, base: str):
        self.errors: list[str] = []
        self.requested: list[str] = []  # every URL the page asked for
        self.foreign: list[str] = []
        self.failed: list[str] = []
        page.on(
            "console",
            lambda m: (
                self.errors.append(f"console.{m.type}: {m.text} ({m.location.get('url')})")
                if m.type in ("error", "assert")
                else None
            ),
        )
        page.on("pageerror", lambda e: self.errors.append(f"uncaught exception: {e}"))
        page.on("request", lambda r: self.requested.append(r.url))
        page.on("request", lambda r: None if is_local(r.url) else self.foreign.append(r.url))
        page.on(
            "requestfailed",
            lambda r: self.failed.append(f"{r.url}: {r.failure}") if is_local(r.url) else None,
        )
        page.on(
            "response", lambda r: self.failed.append(f"{r.url}: HTTP {r.status}") if r.status >= 400 else None
        )


def open_page(browser, base: str, path: str, idle: bool = False, **context_args):
    """A fresh context's page at `path`, loaded and drawn, and the log of its problems; with `idle`,
    also every request made after the load event (until the network is idle for 500 ms)."""
    # a request to another host must never leave the machine, even if the page asks for one
    context = offline_context(browser, **context_args)
    page = context.new_page()
    log = PageLog(page, base)
    page.goto(base + path, wait_until="load")
    if idle:
        page.wait_for_load_state("networkidle")
    settle(page)
    return context, page, log


@pytest.mark.parametrize("path", PAGES)
def test_page_in_the_browser(browser, base_url, path):
    """One load of each page, three checks (a load costs more than all of them): it loads cleanly,
    its icons come from the webfont subsets, and its diagrams are shown and their links resolve."""
    context, page, log = open_page(browser, base_url, path, idle=True)
    try:
        page_loads_cleanly(page, log, path)
        icons_drawn_with_webfont(page, log, path)
        diagrams_visible_and_linked(page, path)
    finally:
        context.close()


def page_loads_cleanly(page, log: PageLog, path: str) -> None:
    """No console error, no failed request, no request to another host, and a favicon."""
    assert not log.errors, f"{path}: console errors:\n" + "\n".join(log.errors)
    assert not log.failed, f"{path}: failed requests:\n" + "\n".join(log.failed)
    assert not log.foreign, f"{path}: requests to other hosts:\n" + "\n".join(log.foreign)
    # without <link rel="icon"> every browser asks for /favicon.ico, a 404 (headless Chromium
    # under Playwright does not always show that request, so check the declaration itself)
    icon = page.evaluate("(document.querySelector('link[rel~=icon]') || {}).href || ''")
    assert icon, f"{path}: no <link rel=icon>: browsers will request /favicon.ico and get a 404"
    assert page.request.get(icon).status == 200, f"{path}: favicon {icon} does not load"


def icons_drawn_with_webfont(page, log: PageLog, path: str) -> None:
    """Font Awesome icons come from webfont subsets (_static/fa-icons.css, fonts cut at build time
    by mechgraph.theme), not from the 1.49 MB fontawesome.js (_templates/static/webpack-macros.html
    no longer loads it) nor the full 274 KB fonts. Each icon
    must have a glyph in a Font Awesome font, and empty alternative text (content: "..." / ""),
    so that it stays out of accessible names as the SVG build's aria-hidden <svg> did."""
    requested = log.requested
    assert not [u for u in requested if "fontawesome.js" in u], f"{path}: fontawesome.js is loaded again"
    full_fonts = [u for u in requested if "vendor/fontawesome/webfonts/" in u]
    assert not full_fonts, f"{path}: the full icon fonts are fetched instead of the subsets: {full_fonts}"
    assert not [u for u in requested if "searchindex.js" in u] or path.endswith("search.html"), (
        f"{path}: the search index is loaded outside the search page"
    )
    icons = page.evaluate("""() => [...document.querySelectorAll('i[class*="fa-"], span[class*="fa-"]')]
        .map(e => { const cs = getComputedStyle(e, '::before');
                    return [e.getAttribute('class').replace(/\\s+/g, ' '), cs.content, cs.fontFamily]; })""")
    assert icons, f"{path}: no Font Awesome icon found (the header has several)"
    problems = [
        f"{cls}: ::before content {content!r}, font {font!r}"
        for cls, content, font in icons
        if not re.fullmatch(r'"[\ue000-\uf8ff]" / ""', content) or "Font Awesome 6" not in font
    ]
    assert not problems, (
        f"{path}: icons without a glyph or with a glyph screen readers read "
        "(add them to _static/fa-icons.css):\n" + "\n".join(problems)
    )
    faces = page.evaluate(
        "() => [...document.fonts].filter(f => f.family.includes('Font Awesome'))"
        ".map(f => f.family + ' ' + f.weight + ': ' + f.status)"
    )
    assert "Font Awesome 6 Free 900: loaded" in faces, f"{path}: the solid icon font did not load: {faces}"


def diagrams_visible_and_linked(page, path: str) -> None:
    """Every mechanism diagram is shown (those in a collapsed cell or behind a prediction once opened, as a reader does)
    with a size on screen, and each of its links resolves, on disk and through the server."""
    page.eval_on_selector_all(
        "details:has(div.mechgraph), details.mechgraph-whole", "els => els.forEach(d => d.open = true)"
    )
    # a prediction exercise's diagram is shown once the reader has predicted (questions.js)
    page.eval_on_selector_all(".cell_output[hidden]", "els => els.forEach(e => e.hidden = false)")
    svgs = page.locator(".mechgraph-scroll > svg")
    problems = []
    for i in range(svgs.count()):
        svg = svgs.nth(i)
        svg.scroll_into_view_if_needed()
        box = svg.bounding_box()
        if not svg.is_visible() or not box or box["width"] <= 0 or box["height"] <= 0:
            problems.append(f"diagram svg #{i} is not visible (box {box})")
    hrefs = page.eval_on_selector_all(
        ".mechgraph-scroll > svg a",
        "els => els.map(a => a.getAttribute('href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href'))",
    )
    for href in filter(None, hrefs):
        why = broken_link(BUILD, path, href)
        if why:
            problems.append(f"diagram link {why}")
        elif not re.match(r"^[a-z]+:", href):  # fetch the internal target through the server too
            status = page.request.get(urldefrag(urljoin(page.url, href))[0]).status
            if status != 200:
                problems.append(f"diagram link {href}: HTTP {status}")
    assert not problems, f"{path}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", PAGES)
def test_internal_links_resolve(base_url, path):
    broken = sorted({why for _, href in page_links(BUILD, path) if (why := broken_link(BUILD, path, href))})
    assert not broken, f"{path}: {len(broken)} broken internal link(s):\n" + "\n".join(broken)


def test_theme_switch(browser, base_url):
    """The colour-mode button cycles light -> auto (system, light here) -> dark; the theme
    attribute must reach both light and dark, and the choice must survive a reload."""
    context, page, log = open_page(browser, base_url, "index.html", color_scheme="light")
    try:
        state = "[document.documentElement.dataset.mode, document.documentElement.dataset.theme]"
        mode, theme = page.evaluate(state)
        assert mode in ("light", "dark", "auto") and theme in ("light", "dark"), (
            f"invalid colour mode on load: mode={mode!r} theme={theme!r}"
        )
        modes, themes = [mode], {theme}
        button = page.locator(".theme-switch-button:visible").first
        for _ in range(3):
            button.click()
            page.wait_for_function(f"document.documentElement.dataset.mode !== {modes[-1]!r}", timeout=5000)
            mode, theme = page.evaluate(state)
            modes.append(mode)
            themes.add(theme)
        assert set(modes) == {"light", "dark", "auto"}, f"modes seen: {modes}"
        assert themes == {"light", "dark"}, f"data-theme never changed: {themes}"
        button.click()
        page.wait_for_function(f"document.documentElement.dataset.mode !== {modes[-1]!r}", timeout=5000)
        chosen = page.evaluate(state)
        page.reload(wait_until="load")
        assert page.evaluate(state) == chosen, "the chosen mode was not kept after a reload"
        assert not log.errors, "\n".join(log.errors)
    finally:
        context.close()


def test_search_finds_known_term(browser, base_url):
    context, page, log = open_page(browser, base_url, f"search.html?q={SEARCH_TERM}")
    try:
        results = page.locator("#search-results ul.search li")
        results.first.wait_for(timeout=15000)
        assert results.count() > 0
        texts = " ".join(results.all_inner_texts()).lower()
        assert SEARCH_TERM in texts, f"results do not mention {SEARCH_TERM!r}: {texts[:500]}"
        assert not log.errors, "\n".join(log.errors)
    finally:
        context.close()


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("path", ["index.html", "chapters/05-pain-mechanisms.html"])
def test_header_links_the_whole_book_pdf(browser, base_url, path, width, mode):
    """Every page's header has a button to the whole-book PDF (book.pdf at the site root, written
    by `make pdf`): shown, at least 24 px square (WCAG 2.5.8), named, reached with the keyboard,
    its icon drawn with enough contrast (3:1, WCAG 1.4.11) in light and dark mode, at laptop and
    phone width, and its link right at every depth of the site."""
    context = offline_context(browser, mode, viewport={"width": width, "height": 900}, color_scheme=mode)
    page = context.new_page()
    try:
        page.goto(base_url + path, wait_until="load")
        settle(page)
        buttons = page.locator(".bd-header-article a.btn-book-pdf-button")
        assert buttons.count() == 1, f"{path}: {buttons.count()} PDF buttons in the article header"
        button = buttons.first
        assert button.is_visible(), f"{path} at {width} px ({mode}): the PDF button is not shown"
        box = button.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, f"{path} at {width} px: the PDF button is {box}"
        assert 0 <= box["x"] and box["x"] + box["width"] <= width, f"{path} at {width} px: off screen {box}"
        href = button.get_attribute("href")
        assert urljoin(page.url, href) == base_url + "book.pdf", f"{path}: the PDF button links to {href}"
        if (BUILD / "book.pdf").is_file():  # written by `make pdf` (make test runs it first)
            response = page.request.get(urljoin(page.url, href))
            assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        name = page.evaluate(
            "el => el.getAttribute('aria-label') || el.title || el.textContent.trim()",
            button.element_handle(),
        )
        assert "PDF" in name, f"{path}: the PDF button's accessible name is {name!r}"
        button.focus()
        assert page.evaluate("document.activeElement.classList.contains('btn-book-pdf-button')")
        ratio = page.evaluate(
            """el => {
          const rgb = c => c.match(/[\\d.]+/g).map(Number);
          const lum = ([r, g, b]) => { const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                                       return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          const icon = el.querySelector('i');
          let bg = el;
          while (bg && rgb(getComputedStyle(bg).backgroundColor)[3] === 0) bg = bg.parentElement;
          const [a, b] = [lum(rgb(getComputedStyle(icon).color)),
                          lum(rgb(bg ? getComputedStyle(bg).backgroundColor : 'rgb(255, 255, 255)'))];
          return getComputedStyle(icon, '::before').content === 'none' ? 0
                 : (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }""",
            button.element_handle(),
        )
        assert ratio >= 3, f"{path} at {width} px ({mode}): the PDF icon's contrast is {ratio:.2f}:1"
    finally:
        context.close()


_CONTRAST_JS = """el => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => { const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  let bg = el;
  while (bg && (rgb(getComputedStyle(bg).backgroundColor)[3] ?? 1) === 0) bg = bg.parentElement;
  const [a, b] = [lum(rgb(getComputedStyle(el).color)),
                  lum(rgb(bg ? getComputedStyle(bg).backgroundColor : 'rgb(255, 255, 255)'))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("width", [1366, 390])
def test_one_search_box_and_one_whole_book_pdf(browser, base_url, width, mode):
    """One search control shown at each width, and the download menu offers the page's files but no
    "print this page" PDF beside the header's whole-book PDF."""
    context = offline_context(browser, mode, viewport={"width": width, "height": 900}, color_scheme=mode)
    page = context.new_page()
    try:
        page.goto(base_url + "chapters/06-therapy-prospects.html", wait_until="load")
        settle(page)
        searches = page.locator(".search-button__button:visible, #searchbox input:visible").count()
        assert searches == 1, f"{searches} search boxes at {width} px"
        menu = page.locator(".dropdown-download-buttons .dropdown-item")
        entries = [t.strip() for t in menu.all_text_contents()]
        assert ".ipynb" in entries and not [e for e in entries if "pdf" in e.lower()], entries
        assert page.locator(".bd-header-article .btn-book-pdf-button").count() == 1
    finally:
        context.close()


def test_errata_filter(browser, base_url):
    """Chapter 8 lists the problems in one table grouped by kind, with a filter by kind; a link to
    one problem shows it whatever the filter."""
    context = offline_context(browser, "light", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(base_url + "chapters/08-critical-reading.html", wait_until="load")
        settle(page)
        assert page.locator("h3[id^='erratum-'], section[id^='erratum-']").count() == 0, (
            "a heading per erratum"
        )
        rows = page.locator("table.mg-errata tbody tr")
        total = rows.count()
        assert total >= 15
        kinds = page.locator("form.mg-errata-filter select[name=kind] option")
        value = kinds.nth(1).get_attribute("value")
        expected = page.locator(f"table.mg-errata tbody tr.{value}").count()
        page.select_option("form.mg-errata-filter select[name=kind]", value)
        assert page.locator("table.mg-errata tbody tr:visible").count() == expected < total
        assert f"{expected} of {total}" in page.locator(".mg-errata-count").inner_text()
        headers = page.locator("table.mg-errata thead th").all_inner_texts()
        assert [h.strip() for h in headers][1:4] == ["The review says", "In fact", "Source"], headers
        hidden = page.locator(f"table.mg-errata tbody tr:not(.{value})").first.get_attribute("id")
        page.evaluate(f"location.hash = '#{hidden}'")
        page.wait_for_function(f"!document.getElementById('{hidden}').hidden", timeout=5000)
    finally:
        context.close()


def test_instructor_downloads(browser, base_url):
    """The instructor guide links the classroom pack and the question exports as downloads (saved,
    not opened in the tab)."""
    context = offline_context(browser, "light", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(base_url + "chapters/instructor-guide.html", wait_until="load")
        links = page.evaluate(
            "() => [...document.querySelectorAll('main a[href]')].map(a => [a.getAttribute('href'), a.hasAttribute('download')])"
        )
    finally:
        context.close()
    exports = [
        (href, download)
        for href, download in links
        if href.endswith(("questions-moodle.xml", "questions.gift"))
    ]
    assert len(exports) == 2 and all(download for _, download in exports), exports
    packs = [
        href
        for href, download in links
        if href.endswith(".zip") and "msc-cancer-pain-book" in href and download
    ]
    assert packs, "no download link to the classroom pack"
