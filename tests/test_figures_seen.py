"""What a reader sees of the diagrams and charts, measured in Chromium at laptop and phone widths,
in light and dark mode (issue "What the reader sees").

* every chart cell of a chapter shows its chart;
* on every page but the explorer, no drawing a reader sees (diagram, chart, slide image) is wider
  than its column, on a 1366 px wide window or a 390 px one, and no diagram or chart text (node and
  edge labels, legend, chart ticks) renders below 11 px or 10 px there (font size times the
  on-screen scale), without sideways scrolling;
* every diagram and chart sits in a numbered figure with a written caption, never one made of ids;
* no chapter diagram has more than 25 entities, and none appears twice on a page;
* the whole figure of a split one opens with one click and zooms;
* in dark mode the drawings are drawn for the dark background, not on a white card.

Screenshots of every chapter at both widths and in both modes: `make screenshots`.
"""

from __future__ import annotations

import re

import pytest

from sitetools import chapter_pages, offline_context, settle

CHAPTERS = [
    p for p in chapter_pages() if re.match(r"chapters/(0\d-|pain-primer|measuring-pain|clinical-picture)", p)
] or ["chapters/01-why-cancer-pain.html"]
#: every page with drawings a reader meets (the explorer has its own tests: test_explorer.py)
FIT_PAGES = [p for p in chapter_pages() if p != "chapters/explorer.html"] or [
    "chapters/01-why-cancer-pain.html"
]
WIDTHS = {"laptop": (1366, 11.0), "phone": (390, 10.0)}
MAX_NODES = 25
DRAWINGS = "div.mechgraph, figure.mechgraph"  # figure.mechgraph: the markup before this change

#: the smallest on-screen text of every diagram and chart on the page, with where it is (the
#: drawing shown: a diagram's tall drawing on a phone, its wide one on a laptop)
SMALLEST_TEXT = """(sel) => {
  const out = [];
  document.querySelectorAll('details').forEach(d => { if (d.querySelector(sel) || d.querySelector('.mechgraph-chart')) d.open = true; });
  const measure = (root, what) => {
    let least = Infinity, text = '';
    const svg = root.querySelector('svg');
    if (!svg) return;
    root.querySelectorAll('svg text').forEach(t => {
      if (t.closest('.mechgraph-legend') || !t.getClientRects().length) return;
      const m = t.getScreenCTM(); if (!m || !t.textContent.trim()) return;
      const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
      if (px < least) { least = px; text = t.textContent.trim(); }
    });
    root.querySelectorAll('.mechgraph-legend li span, .mechgraph-legend .key-heading').forEach(t => {
      const px = parseFloat(getComputedStyle(t).fontSize);
      if (px < least) { least = px; text = 'legend: ' + t.textContent.trim(); }
    });
    out.push({what, id: root.id || svg.id || '', least, text});
  };
  document.querySelectorAll(sel).forEach(d => measure(d, 'diagram'));
  document.querySelectorAll('.mechgraph-chart').forEach(d => measure(d, 'chart'));
  return out;
}"""


def open_chapter(browser, base_url, path, width, dark=False):
    context = offline_context(browser, "dark" if dark else None, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(base_url + path, wait_until="load")
    # a prediction exercise's result (a diagram, in some chapters) shown, as a reader shows it
    page.eval_on_selector_all(".cell_output[hidden]", "els => els.forEach(e => e.hidden = false)")
    settle(page)
    return context, page


@pytest.mark.parametrize("path", CHAPTERS)
def test_drawings_at_laptop_width(browser, base_url, path):
    """One load of a chapter at 1366 px, three checks (the load costs more than they do)."""
    context, page = open_chapter(browser, base_url, path, WIDTHS["laptop"][0])
    try:
        drawings_are_numbered_captioned_small_and_shown_once(page, path)
        every_chart_cell_shows_its_chart(page, path)
        no_text_below_legible_size(page, path, *WIDTHS["laptop"])
    finally:
        context.close()


@pytest.mark.parametrize("path", CHAPTERS)
def test_drawings_at_phone_width(browser, base_url, path):
    context, page = open_chapter(browser, base_url, path, WIDTHS["phone"][0])
    try:
        no_text_below_legible_size(page, path, *WIDTHS["phone"])
    finally:
        context.close()


#: every drawing a reader sees on the page as it loads (nothing opened): its rendered width, its
#: column's, and its smallest label (font size * rendered width / viewBox width, through the CTM)
DRAWINGS_SEEN = """() => {
  const shown = el => el.getClientRects().length > 0 && !el.closest('details:not([open])');
  const column = el => { const a = el.closest('article') || document.body; const s = getComputedStyle(a);
    const box = a.getBoundingClientRect();
    return {left: box.left + parseFloat(s.paddingLeft), right: box.right - parseFloat(s.paddingRight)}; };
  return [...document.querySelectorAll('div.mechgraph svg, .mechgraph-chart svg, article img')]
    .filter(s => !s.closest('.mechgraph-legend') && !(s.parentElement && s.parentElement.closest('svg')) && shown(s))
    .map(svg => {
      const box = svg.getBoundingClientRect(), col = column(svg);
      let least = Infinity, text = '';
      svg.querySelectorAll('text').forEach(t => {
        const m = t.getScreenCTM(); if (!m || !t.textContent.trim()) return;
        const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
        if (px < least) { least = px; text = t.textContent.trim(); } });
      const host = svg.closest('div.mechgraph, .mechgraph-chart, figure');
      return {id: (host && host.id) || svg.id || svg.getAttribute('src') || svg.getAttribute('aria-label') || '',
              kind: svg.tagName.toLowerCase() === 'img' ? 'image' : 'drawing',
              width: box.width, column: col.right - col.left,
              over: Math.max(box.right - col.right, col.left - box.left, 0), least, text}; });
}"""


@pytest.mark.parametrize("width", [w for w, _ in WIDTHS.values()])
@pytest.mark.parametrize("path", FIT_PAGES)
def test_every_drawing_fits_its_column(browser, base_url, path, width):
    """As a page loads (nothing opened), every drawing on it lies within the text column (no
    sideways scrolling: a diagram that grows past its column fails here) and its labels are at
    least 11 px on a laptop, 10 px on a phone."""
    bound = dict(WIDTHS.values())[width]
    context, page = open_chapter(browser, base_url, path, width)
    try:
        found = page.evaluate(DRAWINGS_SEEN)
    finally:
        context.close()
    wide = [
        f"{f['id']}: {f['width']:.0f} px in a {f['column']:.0f} px column" for f in found if f["over"] > 1
    ]
    small = [
        f"{f['id']}: {f['least']:.1f} px ('{f['text']}')"
        for f in found
        if f["kind"] == "drawing" and f["least"] < bound
    ]
    assert not wide, f"{path} at {width} px: {len(wide)} drawing(s) wider than the column:\n" + "\n".join(
        wide
    )
    assert not small, f"{path} at {width} px: labels below {bound} px:\n" + "\n".join(small)


def every_chart_cell_shows_its_chart(page, path: str) -> None:
    """Every code cell that calls a plot function shows its chart, at a readable size."""
    cells = page.evaluate("""() => [...document.querySelectorAll('div.cell')]
        .filter(c => /plots\\.plot_/.test((c.querySelector('.cell_input') || {}).textContent || ''))
        .map(c => { c.querySelectorAll('details').forEach(d => d.open = true);
                    const svg = c.querySelector('.cell_output .mechgraph-chart svg, .cell_output img');
                    const box = svg && svg.getBoundingClientRect();
                    return {code: c.querySelector('.cell_input').textContent.trim().split('\\n').pop(),
                            shown: !!box && box.width > 200 && box.height > 100}; })""")
    missing = [c["code"] for c in cells if not c["shown"]]
    assert not missing, f"{path}: chart cells that show no chart: {missing}"


def no_text_below_legible_size(page, path: str, width: int, bound: float) -> None:
    """No diagram or chart text smaller than `bound` px on screen, and no sideways page scroll."""
    found = page.evaluate(SMALLEST_TEXT, DRAWINGS)
    small = [
        f"{f['what']} {f['id']}: {f['least']:.1f} px ('{f['text']}')" for f in found if f["least"] < bound
    ]
    assert not small, f"{path} at {width} px: text below {bound} px:\n" + "\n".join(small)
    # the page itself never scrolls sideways: wide drawings scroll inside their own box
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path} at {width} px: the page scrolls sideways by {overflow} px"


def drawings_are_numbered_captioned_small_and_shown_once(page, path: str) -> None:
    """Each drawing in a numbered figure with a written caption (not ids), at most MAX_NODES
    entities in a chapter diagram, and no diagram twice on a page."""
    found = page.evaluate(
        """(sel) => [...document.querySelectorAll(sel + ', .mechgraph-chart')].map(d => {
        const fig = d.closest('figure:not(.mechgraph)');
        const cap = fig && fig.querySelector('figcaption');
        const edges = [...d.querySelectorAll('.mechgraph-scroll g.edge > title')].map(t => t.textContent).sort();
        // the entities of the drawing shown (the wide one at this width), not of both drawings
        return {id: d.id || (d.querySelector('svg') || {}).id || 'chart',
                caption: cap ? cap.textContent.trim() : '',
                numbered: !!(cap && cap.querySelector('.caption-number')),
                nodes: d.querySelectorAll('.mechgraph-scroll g.node').length, edges: edges.join('|')}; })""",
        DRAWINGS,
    )
    assert found, f"{path}: no diagram or chart found"
    problems = []
    for f in found:
        if not f["numbered"] or len(f["caption"]) < 40:
            problems.append(f"{f['id']}: not in a numbered figure with a written caption ({f['caption']!r})")
        if re.search(r"\b[a-z]+-\d{2,3}\b|\b[a-z]+_[a-z_]+\b|step\(s\)|'[a-z-]+'", f["caption"]):
            problems.append(f"{f['id']}: caption made of ids or code: {f['caption']!r}")
        if f["nodes"] > MAX_NODES:
            problems.append(f"{f['id']}: {f['nodes']} entities (at most {MAX_NODES} in a chapter diagram)")
    drawn = [f["edges"] for f in found if f["edges"]]
    twice = {e for e in drawn if drawn.count(e) > 1}
    problems += [f"the same diagram appears {drawn.count(e)} times" for e in twice]
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_whole_figure_opens_with_one_click_and_zooms(browser, base_url):
    context, page = open_chapter(browser, base_url, "chapters/04-msc-and-tumours.html", 1366)
    try:
        viewer = page.locator("details.mechgraph-whole").first
        svg = viewer.locator("svg").first
        assert not svg.is_visible()
        viewer.locator("summary").click()
        assert svg.is_visible()
        # it opens fitted to its box: the whole drawing in view, zoom in from there
        box = viewer.locator(".mechgraph-scroll").bounding_box()
        assert svg.bounding_box()["width"] <= box["width"] + 1
        nodes = page.evaluate("el => el.querySelectorAll('g.node').length", viewer.element_handle())
        assert nodes > MAX_NODES  # the whole of the review's Figure 2, beyond the panels
        before = svg.bounding_box()["width"]
        viewer.locator("button[data-zoom=in]").click()
        assert svg.bounding_box()["width"] > before * 1.2
        viewer.locator("button[data-zoom=fit]").focus()  # keyboard: the buttons take focus and Enter
        page.keyboard.press("Enter")
        box = viewer.locator(".mechgraph-scroll").bounding_box()
        assert abs(svg.bounding_box()["width"] - box["width"]) < 4
    finally:
        context.close()


def _luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"[\d.]+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize("path", CHAPTERS)
def test_drawings_are_dark_in_dark_mode(browser, base_url, path):
    context, page = open_chapter(browser, base_url, path, 1366, dark=True)
    try:
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        found = page.evaluate(
            """(sel) => {
            document.querySelectorAll('details').forEach(d => d.open = true);
            const colour = (el, prop) => el ? getComputedStyle(el)[prop] : '';
            return [...document.querySelectorAll(sel + ', .mechgraph-chart')].map(d => {
                const svg = d.querySelector('svg');
                let bg = 'rgba(0, 0, 0, 0)';  // what the drawing is painted on: the nearest background
                for (let e = svg; e && e.tagName !== 'ARTICLE'; e = e.parentElement) {
                    const c = colour(e, 'backgroundColor');
                    if (c && c !== 'rgba(0, 0, 0, 0)') { bg = c; break; }
                }
                const text = svg.querySelector('g.node text, text');
                const card = svg.querySelector('g.graph > polygon');
                return {id: d.id || 'chart', bg, text: colour(text, 'fill'),
                        card: card ? colour(card, 'fill') : 'none'}; }); }""",
            DRAWINGS,
        )
        problems = []
        for f in found:
            if f["bg"] != "rgba(0, 0, 0, 0)" and _luminance(f["bg"]) > 0.2:
                problems.append(f"{f['id']}: light background {f['bg']}")
            if f["card"].startswith("rgb(255, 255, 255)"):
                problems.append(f"{f['id']}: drawn on a white card")
            if f["text"] and _luminance(f["text"]) < 0.4:
                problems.append(f"{f['id']}: dark text {f['text']} on the dark page")
        assert not problems, f"{path} in dark mode:\n" + "\n".join(problems)
    finally:
        context.close()
