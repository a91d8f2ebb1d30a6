"""The mechanism explorer (chapters/explorer.md, explorer/explorer.js, mechgraph/explorer.py).

Python side: the DOT fragments exported for the page are exactly the statements
`mechgraph.diagram` writes. Browser side (headless Chromium on the built site): deep links
restore their views, each filter changes the drawing, an edge shows its citations, the page
works from the keyboard alone, a bad link gives one clear message, nothing is requested from
another host, the explorer and the Python engine draw the same nodes and edges, labels stay
legible, and axe finds no serious or critical violation (light and dark).
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from mechgraph import diagram, load
from mechgraph.diagram import explorer_url
from mechgraph.explorer import export
from sitetools import ARTIFACTS, AXE, BUILD, broken_link, is_local, offline_context

PAGE = "chapters/explorer.html"


# -- Python: one engine ------------------------------------------------------------------


@pytest.fixture(scope="module")
def data():
    return load()


@pytest.fixture(scope="module")
def exported(data):
    return export(data)


def _picked(exported: dict, rows) -> set[str]:
    """The fragments the page picks for a set of statement rows (the rules of explorer.js)."""
    ids = set(rows["id"])
    picked = {exported["entities"][n]["dot"] for n in set(rows["subject"]) | set(rows["object"])}
    for edge in exported["edges"]:
        subset = [i for i in edge["statements"] if i in ids]
        if subset:
            picked.add(edge["dot"][",".join(subset)])
    return picked


@pytest.mark.parametrize(
    "selection",
    [{"figure": f} for f in load().figures.index]
    + [
        {"around": "p2x7"},
        {"around": "p2x7", "measured_only": True},
        {"around": "tsg6", "depth": 2},
        {"chapter": "pain-mechanisms", "measured_only": True},
    ],
)
def test_fragments_are_the_engines_statements(data, exported, selection):
    drawn = diagram(data, **selection)
    body = {line.strip() for line in drawn.dot_source.splitlines()[2:-1]}
    assert _picked(exported, drawn.rows) == body


def test_explorer_url():
    assert explorer_url(figure="fig1") == "explorer.html?figure=fig1"
    assert (
        explorer_url(around="p2x7", depth=2, measured=True) == "explorer.html?around=p2x7&depth=2&measured=1"
    )
    assert explorer_url(chapter="therapy", link_base="chapters/") == "chapters/explorer.html?chapter=therapy"
    assert explorer_url() == "explorer.html"


# -- the browser -------------------------------------------------------------------------


@pytest.fixture
def opened(browser, base_url):
    """open(query, **context options) -> (page, log); every context closed afterwards."""
    contexts = []

    def open_(query: str = "", **options):
        context = offline_context(browser, **options)
        contexts.append(context)
        page = context.new_page()
        log = {"errors": [], "foreign": []}
        page.on("console", lambda m: log["errors"].append(m.text) if m.type in ("error", "assert") else None)
        page.on("pageerror", lambda e: log["errors"].append(str(e)))
        page.on("request", lambda r: None if is_local(r.url) else log["foreign"].append(r.url))
        page.goto(base_url + PAGE + query, wait_until="load")
        wait_drawn(page, 1)
        return page, log

    yield open_
    for context in contexts:
        context.close()


def wait_drawn(page, n: int) -> None:
    """Until the n-th drawing is on screen and its second layout (top-to-bottom) has been tried."""
    page.wait_for_function(
        f"Number(document.documentElement.dataset.explorerReady || 0) >= {n}"
        " && !document.documentElement.dataset.explorerPending",
        timeout=15000,
    )


def redrawn(page, action) -> None:
    n = int(page.evaluate("Number(document.documentElement.dataset.explorerReady || 0)"))
    action()
    wait_drawn(page, n + 1)


def drawn(page) -> tuple[set[str], set[str]]:
    """Node ids and 'subject->object' edge ids of the current drawing."""
    nodes = set(page.eval_on_selector_all("#ex-drawing g.node", "gs => gs.map(g => g.dataset.id)"))
    edges = set(page.eval_on_selector_all("#ex-drawing g.edge", "gs => gs.map(g => g.dataset.id)"))
    return nodes, edges


def listed(page) -> int:
    return page.eval_on_selector_all("#ex-list > li", "lis => lis.length")


def engine(data, **selection) -> tuple[set[str], set[str]]:
    rows = diagram(data, **selection).rows
    return set(rows["subject"]) | set(rows["object"]), {
        f"{s}->{o}" for s, o in zip(rows["subject"], rows["object"])
    }


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.mark.parametrize(
    "query, selection",
    [
        ("?figure=fig1", {"figure": "fig1"}),
        ("?figure=p2_receptors", {"figure": "p2_receptors"}),
        ("?around=p2x7", {"around": "p2x7"}),
        ("?around=tsg6&depth=2", {"around": "tsg6", "depth": 2}),
        ("?around=p2x7&measured=1", {"around": "p2x7", "measured_only": True}),
        ("?chapter=tumours", {"chapter": "tumours"}),
    ],
)
def test_same_nodes_and_edges_as_the_engine(opened, data, query, selection):
    page, log = opened(query)
    assert drawn(page) == engine(data, **selection)
    assert listed(page) == len(diagram(data, **selection).rows)
    # the SVG titles a reader's tooltip and screen reader get are the engine's too
    python_titles = set(
        re.findall(
            r'<g id="[^"]*node\d+" class="node[^"]*">\s*<title>([^<]*)</title>',
            diagram(data, **selection).svg,
        )
    )
    page_titles = set(
        page.eval_on_selector_all("#ex-drawing g.node > title", "ts => ts.map(t => t.textContent)")
    )
    assert page_titles == {html.unescape(t) for t in python_titles}
    assert not log["errors"]


def test_deep_links_restore_views_and_measured_is_never_larger(opened):
    page, _ = opened("?around=p2x7")
    nodes, edges = drawn(page)
    assert "p2x7" in nodes and edges
    all_count = listed(page)
    page2, _ = opened("?around=p2x7&measured=1")
    nodes2, edges2 = drawn(page2)
    assert nodes2 <= nodes and edges2 <= edges and listed(page2) <= all_count
    assert page2.is_checked("#ex-measured")
    assert page2.input_value("#ex-search") == "P2X7"


FILTERS = [  # control, how to set it, query parameter, value, a check on every statement listed
    ("#ex-evidence-boxes input[value=animal]", "check", "evidence", "animal", "animal"),
    ("#ex-species", "select", "species", "rat", "rat"),
    ("#ex-setting", "select", "setting", "nerve_injury", None),
    ("#ex-chapter", "select", "chapter", "pain-mechanisms", None),
    ("#ex-figure", "select", "figure", "fig1", None),
    ("#ex-relation", "select", "relation", "inhibits", " inhibits "),
    ("#ex-measured", "check", "measured", "1", "measured in a cancer-pain model"),
]


@pytest.mark.parametrize("control, how, param, value, text", FILTERS, ids=[f[2] for f in FILTERS])
def test_each_filter_changes_the_drawing(opened, data, control, how, param, value, text):
    page, log = opened("?around=tsg6&depth=2")  # 57 entities, 140 statements
    before_nodes, before_edges = drawn(page)
    before = listed(page)
    redrawn(page, lambda: page.check(control) if how == "check" else page.select_option(control, value))
    after_nodes, after_edges = drawn(page)
    assert 0 < listed(page) < before, f"{param}={value} should leave fewer statements"
    assert after_edges <= before_edges and after_edges != before_edges
    assert query_of(page)[param] == [value]
    if text:
        items = page.eval_on_selector_all("#ex-list > li", "lis => lis.map(li => li.textContent)")
        assert all(text in item for item in items), items[:3]
    assert "filtered out" in page.text_content("#ex-count")
    assert not log["errors"]


def test_edge_click_shows_statement_with_citation_and_doi(opened):
    page, log = opened("?figure=fig1")
    page.click("#ex-drawing g.edge a text")
    detail = page.locator("#ex-detail")
    assert detail.is_visible()
    hrefs = detail.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    bib = [h for h in hrefs if h.startswith("bibliography.html#")]
    assert bib and any(h.startswith("https://doi.org/10.") for h in hrefs)
    assert broken_link(BUILD, PAGE, bib[0]) is None  # the anchor is the entry's id in the bibliography page
    assert page.url.endswith("?figure=fig1")  # the edge's link was not followed
    assert not log["errors"]


def test_erratum_is_linked(opened, data):
    row = data.statements[data.statements["erratum"] != ""].iloc[0]
    page, _ = opened(f"?around={row.subject}")
    link = page.locator(f"#ex-list a[href$='#erratum-{row.erratum}']").first
    assert link.count() == 1
    assert broken_link(BUILD, PAGE, link.get_attribute("href")) is None


def test_node_click_recentres_and_back_button_steps_back(opened):
    page, _ = opened("?around=p2x7")
    target = page.eval_on_selector_all(
        "#ex-drawing g.node", "gs => gs.map(g => g.dataset.id).find(i => i !== 'p2x7')"
    )
    redrawn(page, lambda: page.click(f"#ex-drawing g.node[data-id='{target}'] a"))
    assert query_of(page)["around"] == [target]
    redrawn(page, page.go_back)
    assert query_of(page)["around"] == ["p2x7"]
    assert "p2x7" in drawn(page)[0] and page.input_value("#ex-search") == "P2X7"


def test_keyboard_only(opened):
    page, _ = opened("?around=p2x7")
    for _ in range(60):  # Tab from the top of the page to the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "ex-search":
            break
    else:
        pytest.fail("the search box cannot be reached with Tab")
    page.keyboard.type("Interleukin-1 beta")  # a synonym: the spelled-out name of IL-1beta
    redrawn(page, lambda: page.keyboard.press("Enter"))
    assert query_of(page)["around"] == ["il1b"]
    for _ in range(80):  # on to the first link of the drawing
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#ex-drawing g.edge')"):
            break
    else:
        pytest.fail("no edge of the drawing can be reached with Tab")
    page.keyboard.press("Enter")
    assert page.locator("#ex-detail").is_visible()
    assert page.evaluate("document.activeElement.id") == "ex-detail-title"
    assert page.text_content("#ex-status").startswith("Evidence for")


@pytest.mark.parametrize(
    "query, param, suggestion",
    [
        ("?around=p2x8", "around", "p2x7"),
        ("?depth=7&around=p2x7", "depth", "1, 2 or 3"),
        ("?figure=fig9", "figure", "fig1"),
        ("?evidence=humans", "evidence", "human"),
        ("?zoom=2", "zoom", "around"),
    ],
)
def test_bad_parameter_gives_one_clear_message(opened, query, param, suggestion):
    page, log = opened(query)
    message = page.locator("#ex-message")
    assert message.is_visible()
    text = message.text_content()
    assert f"“{param}”" in text and suggestion in text
    assert drawn(page)[0], "a fallback view is drawn"
    assert not log["errors"]


def test_nothing_leaves_the_machine(opened):
    page, log = opened("?around=tsg6&depth=2")
    page.click("#ex-drawing g.edge a text")
    page.wait_for_load_state("networkidle")
    assert not log["foreign"] and not log["errors"]


@pytest.mark.parametrize("width, least", [(1366, 11), (390, 10)])
def test_labels_legible(opened, width, least):
    page, _ = opened("?figure=fig1", viewport={"width": width, "height": 900})
    smallest = page.evaluate("""() => {
        const svg = document.querySelector('#ex-drawing svg');
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return Math.min(...[...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale));
    }""")
    assert smallest >= least
    page.click("#ex-zoom-in")
    assert page.text_content("#ex-zoom-level") == "125 %"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"explorer-{width}.png"), full_page=False)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_axe_after_drawing(opened, mode):
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `make browser-deps`")
    page, _ = opened("?figure=fig1", color_scheme=mode)
    page.evaluate(f"document.documentElement.dataset.theme = '{mode}'")
    page.click("#ex-drawing g.edge a text")  # the detail panel open too
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    if mode == "dark":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "explorer-dark.png"), full_page=False)
    assert not blocking, blocking
