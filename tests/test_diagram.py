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


def test_labels_never_shrink_below_legibility(fixture_data):
    """The SVG's min-width keeps its smallest text at 11.5 px or more however narrow the page."""
    d = diagram(fixture_data, figure="tlr_signalling")
    natural = float(re.search(r'data-natural-width="(\d+)"', d.svg).group(1))
    least = float(re.search(r"min-width:(\d+)px", d.svg).group(1))
    smallest = min(float(x) for x in re.findall(r'font-size="([\d.]+)"', d.svg))
    assert smallest * 4 / 3 * least / natural >= 11.4


def _shapes(svg: str) -> tuple[int, int]:
    return svg.count(' class="node '), svg.count(' class="edge ')


def _node_text(svg: str, definition: str) -> str:
    """The text drawn in the node whose tooltip ends with `definition`."""
    (node,) = [
        a
        for a in svg_root(svg).iter("{http://www.w3.org/2000/svg}a")
        if (a.get("{http://www.w3.org/1999/xlink}title") or "").endswith(definition)
    ]
    return " ".join("".join(t.itertext()) for t in node.iter("{http://www.w3.org/2000/svg}text"))


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
    definition = fixture_data.entities.loc["tsg6", "definition"]
    assert _node_text(d.svg, definition) == label  # well-formed XML, the label drawn character for character
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
