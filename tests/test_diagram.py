"""The diagram engine: selections, escaping, determinism and accessibility hooks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from mechgraph import diagram, load
from mechgraph.diagram import dot_text
from mechgraph.glossary import term_anchor

from mechgraph.data import BookData
from sitetools import copy_fixture_data


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> BookData:
    return load(copy_fixture_data(tmp_path_factory.mktemp("fixture") / "data"))


@pytest.fixture
def fixture_data(loaded) -> BookData:
    """The fixture data, loaded once; each test gets its own copy of the tables to change."""
    return BookData(**{f: getattr(loaded, f).copy() for f in BookData.__dataclass_fields__})


def svg_root(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_figure_diagram_is_wellformed_titled_and_linked(fixture_data):
    d = diagram(fixture_data, figure="tlr_signalling")
    root = svg_root(d.svg)
    ns = {"s": "http://www.w3.org/2000/svg", "x": "http://www.w3.org/1999/xlink"}
    assert root.find("s:title", ns).text == "Toll-like receptors and TSG-6"
    assert "3 statements" in root.find("s:desc", ns).text
    assert root.get("aria-labelledby") == f"{d.slug}-title"
    hrefs = {a.get("{http://www.w3.org/1999/xlink}href") for a in root.iter("{http://www.w3.org/2000/svg}a")}
    assert "glossary.html#term-MSC" in hrefs and "glossary.html#term-TSG-6" in hrefs
    assert "https://doi.org/10.1186/s12974-020-1731-x" in hrefs  # the edge links its source
    titles = [
        a.get("{http://www.w3.org/1999/xlink}title") or "" for a in root.iter("{http://www.w3.org/2000/svg}a")
    ]
    assert any("Sources: Yang et al. 2020" in t for t in titles)


def test_ids_are_prefixed_so_two_diagrams_can_share_a_page(fixture_data):
    a = diagram(fixture_data, figure="tlr_signalling")
    b = diagram(fixture_data, around="msc")
    ids_a = set(re.findall(r' id="([^"]+)"', a.svg + a.legend_html))
    ids_b = set(re.findall(r' id="([^"]+)"', b.svg + b.legend_html))
    assert ids_a and ids_b and not ids_a & ids_b
    assert all(i.startswith(a.slug) for i in ids_a)


def test_rendering_is_deterministic(fixture_data):
    first = diagram(fixture_data, figure="tlr_signalling")
    second = diagram(fixture_data, figure="tlr_signalling")
    assert first._repr_html_() == second._repr_html_()
    assert first.png() == second.png()


def test_text_alternative_lists_every_statement_with_citations(fixture_data):
    d = diagram(fixture_data, figure="tlr_signalling")
    md = d._repr_markdown_()
    assert md.count("{cite:p}`yang2020anti`") == 3
    assert "inhibits {term}`TLR2`" in md
    assert md.count("{term}`TLR2`") == 1  # each entity linked on its first mention only
    assert "<details" in md and "<summary>" in md
    html = d._repr_html_()
    text = html[html.index('<details class="mechgraph-text"') :]
    assert text.count("<li>") == 3 and "https://doi.org/" in text


def test_legend_shows_only_what_is_used_and_never_colour_alone(fixture_data):
    d = diagram(fixture_data, figure="tlr_signalling")
    key = d.legend_html
    assert "lowers or blocks" in key and "animal study" in key
    assert "human data" not in key
    assert re.search(r"stroke-dasharray", key) is None  # only solid lines are used here
    assert "<ellipse" in key and "<polygon" in key  # kinds differ by shape
    # every channel is named, so the key can be read without the home page
    for heading in (
        "Shape: kind of entity",
        "Arrowhead and colour: effect",
        "Line style: strongest evidence",
    ):
        assert heading in key


def _shown_label_px(svg: str, column_px: float) -> float:
    """The smallest label of an inline diagram fitted to a column: font size * shown / natural width."""
    natural = float(re.search(r'data-natural-width="(\d+)"', svg).group(1))
    smallest = min(float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)) * 4 / 3
    return smallest * min(1.0, column_px / natural)


def test_each_drawing_fits_its_column_at_a_legible_size(fixture_data):
    """No drawing is wider than its column (no min-width, no scrolling) and each is legible where it
    is shown: the wide one in a laptop's column, the tall one (or the wide one) in a phone's."""
    from mechgraph.diagram import LAPTOP, PHONE

    for figure in fixture_data.figures.index:
        d = diagram(fixture_data, figure=figure)
        assert "min-width" not in d.svg + d.svg_tall
        assert _shown_label_px(d.svg, LAPTOP.column_px) >= 11, figure
        assert _shown_label_px(d.svg_tall or d.svg, PHONE.column_px) >= 10, figure


def test_a_wide_hub_gets_a_tall_drawing_for_the_phone(fixture_data):
    """One entity acting on many others is a wide row top to bottom and too small on a phone left to
    right; the diagram then carries a second, narrower drawing of the same statements."""
    from mechgraph.diagram import PHONE

    hub = fixture_data.statements["subject"].value_counts().index[0]
    d = diagram(fixture_data, around=hub)
    wide_px = _shown_label_px(d.svg, PHONE.column_px)
    if wide_px >= 10:
        assert d.svg_tall == ""  # legible on a phone as it is: one drawing only
    else:
        assert d.svg_tall and _shown_label_px(d.svg_tall, PHONE.column_px) >= 10
        assert _shapes(d.svg) == _shapes(d.svg_tall)  # the same entities and statements
        html = d._repr_markdown_()
        assert html.count('class="mechgraph-tall"') == 1 and html.count("<details") == 1  # one text list


def test_edges_say_in_words_only_what_their_arrowhead_does_not(fixture_data):
    """Raises and lowers are told by the arrowhead and colour (and the key); other relations keep
    their words on the drawing; every edge keeps its words in its tooltip."""
    d = diagram(fixture_data, figure="tlr_signalling")
    root = svg_root(d.svg)
    ns = "{http://www.w3.org/2000/svg}"
    for edge in root.iter(f"{ns}g"):
        if "edge" not in (edge.get("class") or "").split():
            continue
        drawn = " ".join("".join(t.itertext()) for t in edge.iter(f"{ns}text")).replace("\u2605", "").strip()
        if " pol-other " in f" {edge.get('class')} ".replace("&#45;", "-"):
            assert drawn, "an 'other' relation lost its words"
        else:
            assert not drawn, f"a raising or lowering edge spells out its relation: {drawn!r}"


def _shapes(svg: str) -> tuple[int, int]:
    return svg.count(' class="node '), svg.count(' class="edge ')


def _node_text(svg: str, title: str) -> str:
    """The text drawn in the node titled `title` (its <title>, for screen readers and on hover)."""
    ns = "{http://www.w3.org/2000/svg}"
    (node,) = [
        g
        for g in svg_root(svg).iter(f"{ns}g")
        if "node" in (g.get("class") or "").split() and g.findtext(f"{ns}title") == title
    ]
    return " ".join("".join(t.itertext()) for t in node.iter(f"{ns}text"))


@pytest.mark.parametrize(
    "label",
    [
        'Say "hi"',
        "a <b> & c",
        "x -> y [color=red]",
        "back\\lslash",
        "brace {x}",
        "semi; colon",
        "<html>",
        "<b>bold</b>",
        "node \\N",
        "graph \\G",
        "a\\nb",
    ],
)
def test_labels_with_markup_or_dot_syntax_are_escaped(fixture_data, label):
    """Even if such a label got past validation, the engine draws it literally: the same
    nodes and edges, no attribute taken from the label, and the label's own characters."""
    fixture_data.entities.loc["tsg6", "label"] = label
    d = diagram(fixture_data, figure="tlr_signalling")
    assert _node_text(d.svg, label) == label  # well-formed XML, the label drawn character for character
    assert _shapes(d.svg) == (4, 3)  # the figure's four entities and three statements, nothing added
    assert not re.search(r'(stroke|fill)="red"', d.svg)


def test_dot_text_neutralises_dot_escapes_and_html_labels():
    assert str(dot_text("a\\lb")) == "a\\\\lb"
    assert str(dot_text("<b>")) == "<b>"  # plain string, not an HTML-like label
    assert dot_text("<b>").__class__.__name__ == "NoHtml"


def test_selections(fixture_data):
    assert len(diagram(fixture_data, chapter="pain-mechanisms").rows) == 3
    assert len(diagram(fixture_data, around="tlr2", depth=1).rows) == 2
    assert len(diagram(fixture_data, around="tlr2", depth=2).rows) == 3
    assert list(diagram(fixture_data, statements=["pain-02"]).rows.index) == ["pain-02"]
    assert list(diagram(fixture_data, around="msc", measured_only=True).rows.index) == ["therapy-01"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"figure": "fig99"}, "unknown figure"),
        ({"around": "nobody"}, "unknown entity"),
        ({"statements": ["pain-99"]}, "unknown statement"),
        ({"chapter": "nowhere"}, "unknown chapter 'nowhere'"),
        ({}, "exactly one"),
        ({"figure": "tlr_signalling", "measured_only": True}, "no statements to draw"),
    ],
)
def test_bad_selections_say_what_is_wrong(fixture_data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        diagram(fixture_data, **kwargs)


def test_node_links_match_sphinx_glossary_anchors():
    assert term_anchor("MSC") == "term-MSC"
    assert term_anchor("IL-1beta") == "term-IL-1beta"
    assert term_anchor("Bone marrow MSC") == "term-Bone-marrow-MSC"
