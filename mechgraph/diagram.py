"""Render any selection of mechanism statements as an accessible, linked SVG diagram.

One function, :func:`diagram`, turns a figure id, a chapter, an entity's
neighbourhood or an explicit list of statements into a :class:`Diagram`.
Graphviz lays it out (deterministically) twice when one drawing cannot suit both a laptop's
text column and a phone's: a wide drawing and a tall one of the same statements, one shown by a
CSS container query (_static/mechgraph.css), with one text description. Each is fitted to the
column, never wider, and chosen so that its labels stay legible there (:data:`SCREENS`). The SVG
is inlined in the page so its links and tooltips work. Meaning is never carried by colour alone:

* node **shape** gives the kind of entity;
* edge **arrowhead** gives the direction of effect (arrow = raises or drives,
  bar = lowers or blocks, open vee = other relations); only the other relations carry their
  words on the drawing (the arrowhead already says "raises" or "lowers"), every edge names its
  relation in its tooltip and in the text description;
* edge **line style** gives the strongest evidence behind it (bold = human,
  solid = animal, dashed = cell culture, dotted = a review's assertion only);
* a star marks links measured in a cancer or cancer-treatment pain model (``cancer_pain`` is
  ``measured``; ``asserted`` and ``extrapolated`` links carry none).
"""

from __future__ import annotations

import functools
import html
import os
import re
import subprocess
import textwrap
from dataclasses import dataclass, field
from urllib.parse import urlencode

import graphviz
import pandas as pd

from mechgraph.data import BookData
from mechgraph.glossary import term_url
from mechgraph.prose import sentence_case
from mechgraph.text import myst_text

FONT = "DejaVu Sans"

KIND_STYLE = {  # shape first: it carries the meaning, the fill only helps
    "cell": {"shape": "ellipse", "fillcolor": "#dbeafe"},
    "cell_state": {"shape": "ellipse", "fillcolor": "#e0e7ff", "peripheries": "2"},
    "molecule": {"shape": "box", "fillcolor": "#fef3c7", "style": "filled,rounded"},
    "receptor": {"shape": "hexagon", "fillcolor": "#fde68a"},
    "pathway": {"shape": "cds", "fillcolor": "#fce7f3"},
    "process": {"shape": "box", "fillcolor": "#dcfce7"},
    "outcome": {"shape": "doubleoctagon", "fillcolor": "#f3f4f6"},
    "structure": {"shape": "tab", "fillcolor": "#ede9fe"},
    "intervention": {"shape": "component", "fillcolor": "#ccfbf1"},
    "condition": {"shape": "octagon", "fillcolor": "#fee2e2"},
}
#: the line style of each evidence group (vocabulary ``evidence_group``; vocabulary.csv names them
#: and gives each kind of evidence its group, strongest first)
EVIDENCE_STYLE = {
    "human": {"style": "bold", "penwidth": "2.6"},
    "animal": {"style": "solid", "penwidth": "1.4"},
    "in_vitro": {"style": "dashed", "penwidth": "1.4"},
    "review": {"style": "dotted", "penwidth": "1.6"},
}
MEASURED_MARK = "\u2605"  # a star: measured in a cancer or cancer-treatment pain model

#: the arrowhead of each relation group (vocabulary ``relation_group``: raises, lowers, other)
POLARITY_STYLE = {
    "up": {"arrowhead": "normal", "color": "#166534", "fontcolor": "#166534"},
    "down": {"arrowhead": "tee", "color": "#991b1b", "fontcolor": "#991b1b"},
    "other": {"arrowhead": "vee", "color": "#1f2937", "fontcolor": "#1f2937"},
}


def dot_text(text: str, width: int = 0) -> str:
    """Text made safe for a DOT label: backslashes, quotes and HTML-like '<...>' lose their DOT meaning."""
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) if width else [text]
    escaped = "\\n".join(graphviz.escape(line) for line in lines or [""])
    return graphviz.nohtml(escaped)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _md_escape(text: str) -> str:
    return myst_text(text)  # the one escaping path for data text (mechgraph/text.py)


@dataclass
class Diagram:
    """A rendered diagram: SVG, key and the statements it shows (its text alternative).

    In the book the diagram is wrapped in a numbered figure whose caption the chapter gives
    (cell metadata ``mystnb.figure``); in JupyterLab its title is shown above it.
    """

    slug: str
    title: str
    caption: str
    svg: str
    legend_html: str
    dot_source: str = field(repr=False)
    rows: pd.DataFrame = field(repr=False)
    data: BookData = field(repr=False)
    whole: bool = False  # shown as the zoomable view of a whole figure, fitted to the screen when opened
    svg_tall: str = ""  # the tall drawing for a narrow column, when the wide one would be too small there
    explore: str = ""  # the link that opens this selection in the explorer (chapters/explorer.html)

    # -- text alternative -------------------------------------------------
    def _sentence(self, row, markdown: bool, linked: set[str] | None = None) -> str:
        ent = self.data.entities
        subj, obj = ent.loc[row.subject, "label"], ent.loc[row.object, "label"]
        labels = self.data.labels
        relation = labels("relation")[row.relation]
        evidence = labels("evidence")[row.evidence]
        species = "" if row.species == "none" else f", {row.species}"
        scope = labels("cancer_pain")[row.cancer_pain]
        keys = row.citations
        if markdown:  # a list item: capitalised like a sentence; each entity linked on its first mention only
            linked = set() if linked is None else linked

            def term(label: str, text: str) -> str:
                if label in linked:
                    return _md_escape(text)
                linked.add(label)
                return f"{{term}}`{text} <{label}>`" if text != label else f"{{term}}`{label}`"

            cite = f" {{cite:p}}`{','.join(keys)}`"
            return (
                f"{term(subj, sentence_case(subj))} {relation} {term(obj, obj)} ({_md_escape(row.context)}; "
                f"{evidence}{species}; {scope}){cite}"
            )
        refs = "; ".join(
            f'<a href="{html.escape(self.data.references[k].url)}">{html.escape(self.data.references[k].short)}</a>'
            if self.data.references[k].url
            else html.escape(self.data.references[k].short)
            for k in keys
        )
        return (
            f"<strong>{html.escape(subj)}</strong> {relation} <strong>{html.escape(obj)}</strong> "
            f"({html.escape(row.context)}; {evidence}{species}; {scope}). {refs}"
        )

    def _drawing_html(self, heading: bool) -> str:
        svg = "\n".join(line for line in self.svg.splitlines() if line.strip())
        title = (
            f'<p class="mechgraph-title"><strong>{html.escape(self.title)}</strong></p>\n' if heading else ""
        )
        text_link = (
            f'<p class="mechgraph-skip"><a href="#{self.slug}-text">Text description of this diagram</a>'
            f' <span aria-hidden="true">&#8595;</span></p>\n'
        )
        tall = "\n".join(line for line in self.svg_tall.splitlines() if line.strip())
        box = (
            f'<div class="mechgraph-scroll{" has-tall" if tall else ""}" role="region" '
            f'aria-label="{html.escape(self.title)} (diagram)">\n{svg}\n</div>\n'
        )
        if tall:  # shown instead of the wide drawing in a narrow column (mechgraph.css)
            box += (
                f'<div class="mechgraph-tall" role="region" aria-label="{html.escape(self.title)} (diagram)">'
                f"\n{tall}\n</div>\n"
            )
        if self.whole and not self.svg:  # the whole figure as a link into the explorer
            return (
                f'<div class="mechgraph-whole-link" id="{self.slug}">\n<p><strong>The whole figure:</strong> '
                f'<a href="{html.escape(self.explore)}">{html.escape(self.title)}, all its panels together, '
                "in the explorer</a> (fitted to the screen; zoom and follow its links there)</p>\n"
            )
        if self.whole:
            zoom = (
                '<div class="mechgraph-zoom" role="toolbar" aria-label="Zoom">'
                '<button type="button" data-zoom="out" aria-label="Zoom out">&#8722;</button>'
                '<button type="button" data-zoom="fit">Fit to page</button>'
                '<button type="button" data-zoom="in" aria-label="Zoom in">+</button>'
                '<button type="button" data-zoom="reset">Full size</button></div>\n'
            )
            return (
                f'<details class="mechgraph-whole" id="{self.slug}">\n<summary>The whole figure: '
                f"{html.escape(self.title)} (opens fitted to the screen; zoom in with +)</summary>\n"
                f"{zoom}{box}{self.legend_html}\n{self._explore_html()}"
            )
        explore = self._explore_html() if not heading else ""
        return (
            f'<div class="mechgraph" id="{self.slug}">\n{title}{text_link}{box}{self.legend_html}\n{explore}'
        )

    def _explore_html(self) -> str:
        if not self.explore:
            return ""
        return (
            f'<p class="mechgraph-explore"><a href="{html.escape(self.explore)}">Open this diagram in the '
            f"explorer</a> to search, filter and follow its links</p>\n"
        )

    def _summary(self) -> str:
        return f"Text description: the {len(self.rows)} statements in this diagram"

    def _text_html(self, items: str, markdown: bool) -> str:
        gap = "\n\n" if markdown else ""
        return (
            f'<details class="mechgraph-text" id="{self.slug}-text">\n<summary>{self._summary()}</summary>'
            f"{gap}{items}{gap}</details>"
        )

    def _close(self) -> str:
        return "</details>" if self.whole and self.svg else "</div>"

    def _repr_html_(self) -> str:
        items = (
            "<ul>\n"
            + "\n".join(f"<li>{self._sentence(r, False)}</li>" for r in self.rows.itertuples())
            + "\n</ul>"
        )
        return f"{self._drawing_html(heading=True)}{self._text_html(items, False)}\n{self._close()}"

    def _repr_markdown_(self) -> str:
        if self.whole:  # the statements are listed under the panels already
            return f"{self._drawing_html(heading=False)}{self._close()}\n"
        linked: set[str] = set()
        items = "\n".join(f"- {self._sentence(r, True, linked)}" for r in self.rows.itertuples())
        return f"{self._drawing_html(heading=False)}{self._text_html(items, True)}\n\n{self._close()}\n"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": self._repr_html_(),
            "text/markdown": self._repr_markdown_(),
            "text/plain": f"Diagram({self.title!r}, {len(self.rows)} statements)",
        }

    # -- files for slides ----------------------------------------------------
    def standalone_svg(self) -> str:
        """The diagram as a stand-alone SVG file, for slides."""
        svg = re.sub(r' style="[^"]*"', "", self.svg, count=1)  # natural size, not the page's sizing
        return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + svg + "\n"

    def png(self, dpi: int = 150) -> bytes:
        """The diagram as a PNG image, for slides (on white)."""
        source = self.dot_source.replace("bgcolor=transparent", "bgcolor=white")
        return run_dot(source.replace("{", f"{{dpi={dpi};", 1), "png")


#: how long one Graphviz layout may take (seconds; MECHGRAPH_DOT_TIMEOUT= to change): the book's
#: take well under one
DOT_TIMEOUT = float(os.environ.get("MECHGRAPH_DOT_TIMEOUT") or 60)


class DotError(RuntimeError):
    """Graphviz's ``dot`` failed or did not finish in time; the message is one line."""


def run_dot(source: str, fmt: str) -> bytes:
    """``dot -T<fmt>`` on a DOT source, with a time limit: the output, or :class:`DotError`."""
    try:
        done = subprocess.run(
            ["dot", f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=DOT_TIMEOUT
        )
    except FileNotFoundError:
        raise graphviz.ExecutableNotFound(["dot"]) from None
    except subprocess.TimeoutExpired:
        raise DotError(
            f"Graphviz's dot did not finish within {DOT_TIMEOUT:g} s (MECHGRAPH_DOT_TIMEOUT=); it was stopped"
        ) from None
    if done.returncode:
        said = next(iter(done.stderr.decode("utf-8", "replace").strip().splitlines()), "no message")
        raise DotError(f"Graphviz's dot failed (exit code {done.returncode}): {said}")
    return done.stdout


def _select(data: BookData, figure, chapter, around, depth, statements) -> tuple[pd.DataFrame, str, str, str]:
    st = data.statements
    chosen = [x is not None for x in (figure, chapter, around, statements)]
    if sum(chosen) != 1:
        raise ValueError("give exactly one of figure=, chapter=, around= or statements=")
    if figure is not None:
        if figure not in data.figures.index:
            raise ValueError(f"unknown figure '{figure}'; known: {', '.join(data.figures.index)}")
        meta = data.figures.loc[figure]
        rows = data.figure_statements(figure)
        return rows, f"figure-{figure}", meta["title"], meta["caption"]
    if chapter is not None:
        rows = data.chapter_statements(chapter)
        if rows.empty:
            raise ValueError(f"no statements for chapter '{chapter}'")
        return (
            rows,
            f"chapter-{chapter}",
            "The mechanisms of this chapter",
            "Every statement this chapter makes about a mechanism.",
        )
    if around is not None:
        if around not in data.entities.index:
            raise ValueError(f"unknown entity '{around}'")
        reached, frontier = {around}, {around}
        for _ in range(depth):
            touching = st[st["subject"].isin(frontier) | st["object"].isin(frontier)]
            frontier = (set(touching["subject"]) | set(touching["object"])) - reached
            reached |= frontier
        rows = st[st["subject"].isin(reached) & st["object"].isin(reached)]
        label = data.entities.loc[around, "label"]
        steps = {1: "directly", 2: "within two steps", 3: "within three steps"}.get(
            depth, f"within {depth} steps"
        )
        return (
            rows,
            f"around-{around}-{depth}",
            f"Everything linked to {label}",
            f"Every statement that links {label} {steps} to other entities.",
        )
    missing = [s for s in statements if s not in st.index]
    if missing:
        raise ValueError(f"unknown statement id(s): {', '.join(missing)}")
    rows = st.loc[list(statements)]
    return (
        rows,
        "statements-" + _slug("-".join(statements))[:40],
        "A selection of statements",
        f"A selection of {len(rows)} statements from the book's data.",
    )


NODE_FONT_SIZE = 12  # points in the SVG: 16 px at natural size
EDGE_FONT_SIZE = 10  # 13.3 px at natural size


@dataclass(frozen=True)
class Screen:
    """A text column a drawing must fit, and the smallest label size it may show there."""

    name: str
    column_px: float  # the width of the book's text column (sphinx-book-theme), measured in Chromium
    label_px: float  # the smallest label on screen: font size * shown width / natural width


#: a laptop (1366 px window: a 741 px column) and a phone (390 px window: a 342 px column); the
#: labels get a little more than the 11 and 10 px the book promises, for rounding
LAPTOP = Screen("laptop", 741, 11.2)
PHONE = Screen("phone", 342, 10.2)
SCREENS = (LAPTOP, PHONE)
#: below this width of its box a diagram shows its tall drawing (the rule in _static/mechgraph.css)
TALL_BELOW_PX = 640


def _node_attrs(kind: str) -> dict[str, str]:
    attrs = {
        "style": "filled",
        "fontname": FONT,
        "fontsize": str(NODE_FONT_SIZE),
        "color": "#1f2937",
        "class": f"kind-{kind}",
    }
    attrs.update(KIND_STYLE[kind])
    return attrs


def _edge_attrs(polarity: str, evidence_group: str) -> dict[str, str]:
    attrs = {
        "fontname": FONT,
        "fontsize": str(EDGE_FONT_SIZE),
        "class": f"pol-{polarity} ev-{evidence_group}",
    }
    attrs.update(POLARITY_STYLE[polarity])
    attrs.update(EVIDENCE_STYLE[evidence_group])
    return attrs


def strongest(data: BookData, evidence) -> str:
    """The strongest of some kinds of evidence (the first in vocabulary.csv)."""
    rank = list(data.labels("evidence"))
    return min(evidence, key=rank.index)


def _smallest_font_px(svg: str) -> float:
    """The smallest label of a Graphviz SVG at its natural size, in px (one SVG unit is one point)."""
    sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
    return min(sizes, default=NODE_FONT_SIZE) * 4 / 3


_GEOMETRY = re.compile(r'( (?:points|x|y|cx|cy|rx|ry|transform|viewBox)=")([^"]*)"')
_DECIMALS = re.compile(r"(?<=\d)\.(\d)\d+")  # 123.456 -> 123.4
#: curves, shapes and text positions in whole units (0.75 px at natural size: no visible change)
_WHOLE_UNITS = re.compile(r'( (?:d|points|x|y)=")([^"]*)"')
_NUMBER = re.compile(r"-?\d+\.\d+")
_SAME_TOOLTIP = re.compile(r'(<title>([^<]*)</title>\n<g><a xlink:href="[^"]*") xlink:title="\2"')


def _slim(svg: str, tooltips: bool) -> str:
    """Fewer bytes, the same drawing: no element ids (nothing refers to them), coordinates in whole
    units or to one decimal, attributes every element repeats said once on the root (_finish_svg),
    and (for the second drawing of a pair) no hover tooltips, which the first one has."""
    svg = re.sub(r' id="[^"]+"', "", svg)
    svg = _GEOMETRY.sub(lambda m: m[1] + _DECIMALS.sub(r".\1", m[2]) + '"', svg)  # never in text
    svg = _WHOLE_UNITS.sub(lambda m: m[1] + _NUMBER.sub(lambda n: str(round(float(n[0]))), m[2]) + '"', svg)
    svg = svg.replace(f' font-family="{FONT}"', "").replace(' text-anchor="middle"', "")
    svg = svg.replace("&#45;", "-").replace(f' font-size="{NODE_FONT_SIZE:.2f}"', "")
    svg = svg.replace(' target="_top"', "")  # an inline SVG's links open in the page anyway
    svg = svg.replace("scale(1 1) rotate(0) ", "")  # the identity, spelt out
    svg = re.sub(
        r'<polygon fill="transparent" stroke="transparent" points="[^"]*"/>\n?', "", svg
    )  # no background
    if not tooltips:  # the second drawing: no hover texts, and its arrows are no links (tapping one
        # on a phone would be a miss more often than not); its nodes still link to the glossary
        svg = re.sub(r' xlink:title="[^"]*"', "", svg)
        svg = re.sub(r"<title>[^<]*</title>\n?", "", svg)
        svg = re.sub(r'<a xlink:href="https?://[^"]*">\n?((?:(?!</a>).)*?)</a>', r"\1", svg, flags=re.S)
    return svg


def _finish_svg(
    svg: str,
    slug: str,
    title: str,
    desc: str,
    titles: dict[str, str],
    tooltips: bool = True,
    named: bool = True,
) -> str:
    """Inline-ready SVG: no prolog, as wide as its column but never wider than its natural size,
    <title>/<desc> for screen readers (with `named=False`, those of the diagram's first drawing,
    which it is shown instead of, by their ids)."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
    svg = _slim(svg, tooltips)
    natural = _width_px(svg)
    svg = re.sub(
        r'<svg width="[\d.]+pt" height="[\d.]+pt"',
        f'<svg width="100%" style="max-width:{natural:.0f}px;height:auto" '
        f'data-natural-width="{natural:.0f}" font-family="{FONT}" font-size="{NODE_FONT_SIZE}" '
        'text-anchor="middle" role="group" '
        f'aria-labelledby="{slug}-title" aria-describedby="{slug}-desc"',
        svg,
        count=1,
    )
    if named:
        svg = re.sub(
            r"(<svg[^>]*>)",
            lambda m: (
                f'{m.group(1)}\n<title id="{slug}-title">{html.escape(title)}</title>'
                f'\n<desc id="{slug}-desc">{html.escape(desc)}</desc>'
            ),
            svg,
            count=1,
        )

    # graphviz titles each node and edge with its DOT name; show the readable label instead
    def readable(match: re.Match) -> str:
        name = html.unescape(match.group(1))
        return f"<title>{html.escape(titles.get(name, name))}</title>"

    svg = re.sub(r"<title>([^<]*)</title>", readable, svg)
    return _SAME_TOOLTIP.sub(r"\1", svg).strip()  # a node's hover text that only repeats its title


LEGEND_HEADINGS = {
    "shape": "Shape: kind of entity",
    "arrow": "Arrowhead and colour: effect",
    "line": "Line style: strongest evidence",
    "star": "Star: measured in cancer pain",
}
_DASH = {"human": "", "animal": "", "in_vitro": "5,2", "review": "1,3"}


def _edge_sample(polarity_name: str, group: str, with_head: bool) -> str:
    """A small inline SVG of one edge style, drawn with the classes the diagram's edges carry."""
    colour = POLARITY_STYLE[polarity_name]["color"]
    dash = f' stroke-dasharray="{_DASH[group]}"' if _DASH[group] else ""
    head = ""
    if with_head:
        head = {
            "up": f'<polygon points="36,3 46,8 36,13" fill="{colour}" stroke="{colour}" />',
            "down": f'<polygon points="44,2 46,2 46,14 44,14" fill="{colour}" stroke="{colour}" />',
            "other": f'<polyline points="37,3 46,8 37,13" fill="none" stroke="{colour}" stroke-width="1.4" />',
        }[polarity_name]
    return (
        f'<svg class="key-sample pol-{polarity_name} ev-{group}" width="48" height="16" viewBox="0 0 48 16" '
        f'aria-hidden="true" focusable="false"><path d="M2,8 L{36 if with_head else 46},8" fill="none" '
        f'stroke="{colour}" stroke-width="{EVIDENCE_STYLE[group]["penwidth"]}"{dash} />{head}</svg>'
    )


@functools.lru_cache(maxsize=None)
def _shape_sample(kind: str) -> str:
    """A small inline SVG of the node shape of one kind of entity, drawn by Graphviz."""
    g = graphviz.Digraph("k", graph_attr={"bgcolor": "transparent", "pad": "0", "margin": "0"})
    g.node("n", "", **{**_node_attrs(kind), "width": "0.45", "height": "0.26", "fixedsize": "true"})
    svg = run_dot(g.source, "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
    svg = re.sub(r"<title>[^<]*</title>\n?", "", svg)
    svg = re.sub(r' id="[^"]+"', "", svg)
    svg = svg.replace("<svg ", '<svg class="key-sample" aria-hidden="true" focusable="false" ', 1)
    svg = re.sub(r' xmlns(?::xlink)?="[^"]*"', "", svg).replace("&#45;", "-")  # inline in HTML: no namespaces
    svg = svg.replace("scale(1 1) rotate(0) ", "")
    svg = _WHOLE_UNITS.sub(lambda m: m[1] + _NUMBER.sub(lambda n: str(round(float(n[0]))), m[2]) + '"', svg)
    return "\n".join(line for line in svg.splitlines() if line.strip())


def legend_html(
    data: BookData, kinds: list[str], polarities: list[str], groups: list[str], measured: bool
) -> str:
    """The diagram's key as HTML text (so it reads at the page's own size), one heading per channel,
    listing only what the diagram uses; each sample is drawn with the diagram's own styles."""
    kind_names, polarity_names = data.labels("entity_kind"), data.labels("relation_group")
    group_names = data.labels("evidence_group")

    def block(heading: str, items: list[tuple[str, str]]) -> str:
        entries = "".join(f"<li>{sample}<span>{html.escape(text)}</span></li>" for sample, text in items)
        return f'<div class="key-group"><p class="key-heading">{html.escape(heading)}</p><ul>{entries}</ul></div>'

    parts = [
        block(LEGEND_HEADINGS["shape"], [(_shape_sample(k), kind_names[k]) for k in kinds]),
        block(
            LEGEND_HEADINGS["arrow"],
            [(_edge_sample(p, "animal", True), polarity_names[p]) for p in polarities],
        ),
        block(LEGEND_HEADINGS["line"], [(_edge_sample("other", g, False), group_names[g]) for g in groups]),
    ]
    if measured:
        parts.append(
            block(
                LEGEND_HEADINGS["star"],
                [
                    (
                        f'<span class="key-star" aria-hidden="true">{MEASURED_MARK}</span>',
                        "on an arrow: shown in a cancer or cancer-treatment pain model",
                    )
                ],
            )
        )
    return (
        '<div class="mechgraph-legend" role="group" aria-label="Key to the diagram">'
        + "".join(parts)
        + "</div>"
    )


NODESEP, RANKSEP, LABEL_WRAP = "0.15", "0.3", 14  # compact: more fits a column at a legible size
#: the graph attributes of every mechanism diagram (the book's and the explorer's drawings)
GRAPH_ATTRS = {
    "bgcolor": "transparent",
    "fontname": FONT,
    "nodesep": NODESEP,
    "ranksep": RANKSEP,
    "pad": "0.1",
    "newrank": "true",
}


def _width_px(svg: str) -> float:
    return float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1)) * 4 / 3


def _height_px(svg: str) -> float:
    return float(re.search(r'<svg width="[\d.]+pt" height="([\d.]+)pt"', svg).group(1)) * 4 / 3


@dataclass(frozen=True)
class Layout:
    """One Graphviz layout of a diagram: its SVG and its natural size."""

    rankdir: str
    wrap: int
    packed: float  # rows packed to this share of a phone's legible width (_pack_ranks); 0: Graphviz's ranks
    svg: str = field(repr=False)
    width: float  # px at natural size
    height: float
    font_px: float  # the smallest label at natural size

    def scale(self, screen: Screen) -> float:
        return min(1.0, screen.column_px / self.width)

    def label_px(self, screen: Screen) -> float:
        """The smallest label on `screen`, the drawing fitted to its column."""
        return self.font_px * self.scale(screen)

    def fits(self, screen: Screen) -> bool:
        return self.label_px(screen) >= screen.label_px

    def shown_height(self, screen: Screen) -> float:
        return self.height * self.scale(screen)


#: the layouts tried for each diagram (rank direction, node labels wrapped at so many characters):
#: left to right and top to bottom, with label lines of 14 characters or, narrower, of 9
LAYOUTS = (("LR", LABEL_WRAP), ("LR", 9), ("TB", LABEL_WRAP), ("TB", 9))
#: a phone's drawing, top to bottom, with no more entities side by side than fit in this share of
#: the width at which the smallest label is still legible on a phone (tried in turn)
PACKED_SHARES = (0.95, 0.88, 0.8, 0.72, 0.65, 0.5, 0.35)


def _layout(g, rankdir: str, wrap: int, packed: float = 0.0) -> Layout:
    svg = run_dot(g.source, "svg").decode("utf-8")
    return Layout(rankdir, wrap, packed, svg, _width_px(svg), _height_px(svg), _smallest_font_px(svg))


def layouts(build) -> list[Layout]:
    """Every layout of LAYOUTS of the graph `build(rankdir, wrap)` returns, and the packed ones."""
    out = [_layout(build(rankdir, wrap), rankdir, wrap) for rankdir, wrap in LAYOUTS]
    tall = out[-1]
    if tall.fits(PHONE):
        return out
    widths = _node_widths(build("TB", 9))
    for share in PACKED_SHARES:
        budget = share * PHONE.column_px * tall.font_px / PHONE.label_px
        g = build("TB", 9)
        _pack_ranks(g, widths, budget)
        out.append(_layout(g, "TB", 9, share))
        if out[-1].fits(PHONE):
            break
    return out


def _node_widths(g: graphviz.Digraph) -> dict[str, float]:
    """The natural width (px) of each node of `g`, from Graphviz's plain output."""
    widths = {}
    for line in run_dot(g.source, "plain").decode("utf-8").splitlines():
        parts = line.split(" ", 5)
        if parts[0] == "node":
            widths[parts[1].strip('"')] = float(parts[4]) * 96
    return widths


def _pack_ranks(g: graphviz.Digraph, widths: dict[str, float], budget: float) -> None:
    """Lay `g` out top to bottom in rows no wider than `budget` px: each entity in the row of its
    longest path from a source (so arrows point down), a row too wide split into several; the rows
    are kept in order by invisible edges, and the statements' edges no longer set the ranks."""
    order = list(widths)
    heads: dict[str, list[str]] = {n: [] for n in order}
    for line in g.body:
        m = re.match(r'\t"?([^"\s]+)"? -> "?([^"\s]+)"?', line)
        if m and m[1] != m[2]:
            heads[m[1]].append(m[2])
    depth: dict[str, int] = {}
    visiting: set[str] = set()

    def level(n: str) -> int:  # longest path from a source, ignoring the edges that close a cycle
        if n in depth:
            return depth[n]
        visiting.add(n)
        tails = [t for t in order if n in heads[t] and t not in visiting]
        depth[n] = max((level(t) + 1 for t in tails), default=0)
        visiting.discard(n)
        return depth[n]

    rows: list[list[str]] = []
    gap = float(NODESEP) * 96
    for d in sorted({level(n) for n in order}):
        row, used = [], 0.0
        for n in (n for n in order if depth[n] == d):
            if row and used + gap + widths[n] > budget:
                rows.append(row)
                row, used = [], 0.0
            row.append(n)
            used += widths[n] + (gap if used else 0)
        rows.append(row)
    g.edge_attr["constraint"] = "false"
    for row in rows:
        g.body.append("\t{rank=same; " + " ".join(f'"{n}"' for n in row) + "}")
    for upper, lower in zip(rows, rows[1:]):
        g.edge(upper[0], lower[0], style="invis", constraint="true")


def choose(candidates: list[Layout], screen: Screen) -> Layout:
    """The layout for one screen: of those legible there, the shortest on screen; if none is,
    the one with the largest labels (the diagram is then too big to teach from: the book's
    tests say which)."""
    legible = [c for c in candidates if c.fits(screen)]
    if legible:
        return min(legible, key=lambda c: (c.shown_height(screen), c.rankdir, -c.wrap, c.packed))
    return max(candidates, key=lambda c: c.label_px(screen))


#: one drawing for both screens when the phone's is legible on a laptop too and not much taller
#: there than the laptop's own (a second drawing costs page weight): at most this many times as
#: tall, and at most ONE_DRAWING_MAX_PX, which also prints within 150 mm (mechgraph/pdf.css)
ONE_DRAWING_TALLER, ONE_DRAWING_MAX_PX = 3.0, 560


def pick_layouts(candidates: list[Layout]) -> tuple[Layout, Layout | None]:
    """The wide drawing (a laptop's column) and, if it is not legible on a phone too, the tall one;
    or the tall one alone, when it serves a laptop nearly as well."""
    wide = choose(candidates, LAPTOP)
    if wide.fits(PHONE):
        return wide, None
    tall = choose(candidates, PHONE)
    if tall is wide:
        return wide, None
    on_laptop = tall.shown_height(LAPTOP)
    if (
        tall.fits(LAPTOP)
        and on_laptop <= ONE_DRAWING_TALLER * wide.shown_height(LAPTOP)
        and on_laptop <= ONE_DRAWING_MAX_PX
    ):
        return tall, None
    return wide, tall


def node_spec(data: BookData, node: str, link_base: str = "", wrap: int = LABEL_WRAP) -> dict[str, str]:
    """Label and attributes of one entity's node (shared with the explorer's export)."""
    e = data.entities.loc[node]
    return {
        "label": dot_text(e["label"], wrap),
        **_node_attrs(e["kind"]),
        "URL": term_url(e["label"], link_base),
        "tooltip": dot_text(f"{e['label']}: {e['definition']}"),
        "target": "_top",
    }


def edge_spec(data: BookData, group: pd.DataFrame, words_drawn: str = "all", wrap: int = 0) -> dict[str, str]:
    """Label and attributes of the edge for a group of statements sharing subject, relation and object.

    `words_drawn`: "all" labels every edge with its relation; "other" only the relations whose
    arrowhead does not say it (neither raises nor lowers); a star is drawn either way. `wrap`: the
    words broken into lines of at most so many characters (0: one line)."""
    ent, refs = data.entities, data.references
    subj, rel, obj = group.iloc[0][["subject", "relation", "object"]]
    grp = data.groups("evidence")[strongest(data, group["evidence"])]
    keys = list(dict.fromkeys(k for cell in group["citations"] for k in cell))
    sources = "; ".join(refs[k].short for k in keys)
    measured = bool(data.measured(group).any())
    words = data.labels("relation")[rel]
    polarity = data.groups("relation")[rel]
    drawn = words if words_drawn == "all" or polarity == "other" else ""
    label = " ".join(filter(None, [MEASURED_MARK * measured, drawn]))
    tip = (
        f"{ent.loc[subj, 'label']} {words} {ent.loc[obj, 'label']}. "
        f"Evidence: {data.labels('evidence_group')[grp]}. Sources: {sources}"
    )
    attrs = {
        "label": dot_text(label, wrap),
        "tooltip": dot_text(tip),
        **({"labeltooltip": dot_text(tip)} if label else {}),
        **_edge_attrs(polarity, grp),
    }
    doi = next((refs[k].url for k in keys if refs[k].url), "")
    if doi:
        attrs.update(URL=doi, target="_top")
    return attrs


def diagram(
    data: BookData,
    *,
    figure: str | None = None,
    chapter: str | None = None,
    around: str | None = None,
    depth: int = 1,
    statements: list[str] | None = None,
    measured_only: bool = False,
    title: str | None = None,
    caption: str | None = None,
    link_base: str = "",
) -> Diagram:
    """Render one selection of statements (exactly one of figure/chapter/around/statements)."""
    rows, slug, auto_title, auto_caption = _select(data, figure, chapter, around, depth, statements)
    if measured_only:
        rows = rows[data.measured(rows)]
        slug += "-measured"
        auto_title += ": measured in cancer-pain models only"
    if rows.empty:
        raise ValueError(f"the selection '{slug}' has no statements to draw")
    title, caption = title or auto_title, caption or auto_caption
    ent = data.entities
    nodes = list(dict.fromkeys(list(rows["subject"]) + list(rows["object"])))
    edges = list(rows.groupby(["subject", "relation", "object"], sort=False))

    def build(rankdir: str, wrap: int) -> graphviz.Digraph:
        g = graphviz.Digraph(slug, graph_attr={"rankdir": rankdir, **GRAPH_ATTRS, "tooltip": title})
        for node in nodes:  # no hover definition (its glossary link and the text description give it)
            g.node(
                node,
                **{**node_spec(data, node, link_base, wrap), "tooltip": dot_text(ent.loc[node, "label"])},
            )
        for _, group in edges:
            # the few words left on edges are set as large as the nodes' labels: on a phone the
            # smallest label sets how far a drawing may shrink
            attrs = {
                **edge_spec(data, group, words_drawn="other", wrap=wrap),
                "fontsize": str(NODE_FONT_SIZE),
            }
            g.edge(*group.iloc[0][["subject", "object"]], **attrs)
        return g

    desc = (
        f"{caption} Diagram of {len(nodes)} entities and {len(rows)} statements; "
        "the full list follows the figure as text."
    )
    titles = {n: ent.loc[n, "label"] for n in nodes} | {slug: title}
    words = data.labels("relation")
    titles |= {
        f"{s}->{o}": f"{ent.loc[s, 'label']} {words[r]} {ent.loc[o, 'label']}"
        for s, r, o in zip(rows["subject"], rows["relation"], rows["object"])
    }
    wide, tall = pick_layouts(layouts(build))
    svg = _finish_svg(wide.svg, slug, title, desc, titles)
    svg_tall = _finish_svg(tall.svg, slug, title, desc, titles, tooltips=False, named=False) if tall else ""
    g = build(wide.rankdir, wide.wrap)  # its source makes the PNG files, the same drawing
    polarities, groups = (
        set(rows["relation"].map(data.groups("relation"))),
        set(rows["evidence"].map(data.groups("evidence"))),
    )
    legend = legend_html(
        data,
        [k for k in data.labels("entity_kind") if k in set(ent.loc[nodes, "kind"])],
        [p for p in data.labels("relation_group") if p in polarities],
        [g for g in data.labels("evidence_group") if g in groups],
        bool(data.measured(rows).any()),
    )
    return Diagram(
        slug,
        title,
        caption,
        svg,
        legend,
        g.source,
        rows,
        data,
        explore=_explorer_link(rows, figure, chapter, around, depth, measured_only, link_base),
        svg_tall=svg_tall,
    )


def _explorer_link(
    rows: pd.DataFrame, figure, chapter, around, depth, measured_only: bool, link_base: str
) -> str:
    """The explorer view of a selection: the same figure, chapter or neighbourhood; for a list of
    statements, the chapter they come from (the explorer selects by figure, chapter or entity)."""
    if around is not None:
        return explorer_url(around=around, depth=depth, measured=measured_only, link_base=link_base)
    if figure is None and chapter is None:
        chapters = rows["chapter"].unique()
        chapter = chapters[0] if len(chapters) == 1 else None
        if chapter is None:
            return ""
    return explorer_url(
        figure=figure,
        chapter=chapter if figure is None else None,
        measured=measured_only,
        link_base=link_base,
    )


EXPLORER_PAGE = "explorer.html"


def explorer_url(
    *,
    figure: str | None = None,
    chapter: str | None = None,
    around: str | None = None,
    depth: int | None = None,
    measured: bool = False,
    link_base: str = "",
) -> str:
    """The relative link that opens one view of the explorer, e.g. ``explorer.html?figure=fig1``."""
    params = [
        ("around", around),
        ("depth", depth),
        ("figure", figure),
        ("chapter", chapter),
        ("measured", 1 if measured else None),
    ]
    query = urlencode([(k, v) for k, v in params if v is not None])
    return f"{link_base}{EXPLORER_PAGE}" + (f"?{query}" if query else "")


def whole_figure(data: BookData, figure: str, link_base: str = "", inline: bool = True) -> Diagram:
    """A figure that the chapter shows as panels, whole: collapsed until opened, then fitted to the
    screen and zoomable; one drawing (the wide one, without hover tooltips: the panels have them),
    since it is zoomed rather than read at a glance. With `inline=False`, a link that opens it in
    the explorer instead (for a page that would grow too heavy with one more drawing)."""
    if not data.panels(figure):
        raise ValueError(f"figure '{figure}' has no panels; draw it with diagram(data, figure='{figure}')")
    d = diagram(data, figure=figure, link_base=link_base)
    d.whole, d.svg_tall = True, ""
    d.svg = re.sub(r' xlink:title="[^"]*"', "", d.svg) if inline else ""
    return d
