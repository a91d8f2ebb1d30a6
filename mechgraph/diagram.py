"""Render any selection of mechanism statements as an accessible, linked SVG diagram.

One function, :func:`diagram`, turns a figure id, a chapter, an entity's
neighbourhood or an explicit list of statements into a :class:`Diagram`.
Graphviz lays it out (deterministically); the SVG is inlined in the page so its
links and tooltips work. Meaning is never carried by colour alone:

* node **shape** gives the kind of entity;
* edge **arrowhead** gives the direction of effect (arrow = raises or drives,
  bar = lowers or blocks, open vee = other relations) and every edge is labelled;
* edge **line style** gives the strongest evidence behind it (bold = human,
  solid = animal, dashed = cell culture, dotted = a review's assertion only);
* a star marks links measured directly in cancer or cancer-treatment pain.
"""
from __future__ import annotations

import html
import math
import re
import textwrap
from dataclasses import dataclass, field

import graphviz
import pandas as pd

from mechgraph.data import NEGATIVE, POSITIVE, BookData, _keys
from mechgraph.glossary import term_url
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
KIND_NAMES = {
    "cell": "cell", "cell_state": "cell state", "molecule": "molecule", "receptor": "receptor",
    "pathway": "signalling pathway", "process": "process", "outcome": "outcome",
    "structure": "tissue or structure", "intervention": "treatment or product", "condition": "condition",
}
#: evidence kinds from strongest to weakest, with the line style that shows them
EVIDENCE_RANK = ["human_trial", "human_case", "human_tissue", "animal", "in_vitro", "review_article", "review_assertion"]
EVIDENCE_STYLE = {
    "human": {"style": "bold", "penwidth": "2.6"},
    "animal": {"style": "solid", "penwidth": "1.4"},
    "in_vitro": {"style": "dashed", "penwidth": "1.4"},
    "review": {"style": "dotted", "penwidth": "1.6"},
}
EVIDENCE_GROUP = {
    "human_trial": "human", "human_case": "human", "human_tissue": "human", "animal": "animal",
    "in_vitro": "in_vitro", "review_article": "review", "review_assertion": "review",
}
EVIDENCE_NAMES = {
    "human": "human data", "animal": "animal study", "in_vitro": "cell culture", "review": "review only",
}
EVIDENCE_TEXT = {
    "human_trial": "human trial", "human_case": "human case report", "human_tissue": "human tissue study",
    "animal": "animal study", "in_vitro": "cell-culture study", "review_article": "stated by a review",
    "review_assertion": "asserted by the review without primary evidence",
}
DIRECT_MARK = "\u2605"  # a star: measured directly in cancer or cancer-treatment pain


def polarity(relation: str) -> str:
    return "up" if relation in POSITIVE else "down" if relation in NEGATIVE else "other"


POLARITY_STYLE = {
    "up": {"arrowhead": "normal", "color": "#166534", "fontcolor": "#166534"},
    "down": {"arrowhead": "tee", "color": "#991b1b", "fontcolor": "#991b1b"},
    "other": {"arrowhead": "vee", "color": "#1f2937", "fontcolor": "#1f2937"},
}
POLARITY_NAMES = {"up": "raises or drives", "down": "lowers or blocks", "other": "other relation"}


def dot_text(text: str, width: int = 0) -> str:
    """Text made safe for a DOT label: backslashes, quotes and HTML-like '<...>' lose their DOT meaning."""
    lines = textwrap.wrap(text, width) if width else [text]
    escaped = "\\n".join(graphviz.escape(line) for line in lines or [""])
    return graphviz.nohtml(escaped)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _md_escape(text: str) -> str:
    return myst_text(text)  # the one escaping path for data text (mechgraph/text.py)


@dataclass
class Diagram:
    """A rendered diagram: SVG, legend and the statements it shows (its text alternative)."""

    slug: str
    title: str
    caption: str
    svg: str
    legend_svg: str
    dot_source: str = field(repr=False)
    rows: pd.DataFrame = field(repr=False)
    data: BookData = field(repr=False)

    # -- text alternative -------------------------------------------------
    def _sentence(self, row, markdown: bool) -> str:
        ent = self.data.entities
        subj, obj = ent.loc[row.subject, "label"], ent.loc[row.object, "label"]
        relation = row.relation.replace("_", " ")
        evidence = EVIDENCE_TEXT[row.evidence]
        species = "" if row.species == "none" else f", {row.species}"
        scope = "direct cancer-pain evidence" if row.cancer_pain == "direct" else "extrapolated to cancer pain"
        keys = _keys(row.citations)
        if markdown:
            cite = f" {{cite:p}}`{','.join(keys)}`"
            return (f"{{term}}`{subj}` {relation} {{term}}`{obj}` ({_md_escape(row.context)}; "
                    f"{evidence}{species}; {scope}){cite}")
        refs = "; ".join(
            f'<a href="{html.escape(self.data.references[k].url)}">{html.escape(self.data.references[k].short)}</a>'
            if self.data.references[k].url else html.escape(self.data.references[k].short) for k in keys)
        return (f"<strong>{html.escape(subj)}</strong> {relation} <strong>{html.escape(obj)}</strong> "
                f"({html.escape(row.context)}; {evidence}{species}; {scope}). {refs}")

    def _figure_html(self) -> str:
        svg = "\n".join(line for line in self.svg.splitlines() if line.strip())
        legend = "\n".join(line for line in self.legend_svg.splitlines() if line.strip())
        return (f'<figure class="mechgraph" id="{self.slug}">\n{svg}\n'
                f'<figcaption><strong>{html.escape(self.title)}.</strong> {html.escape(self.caption)}</figcaption>\n'
                f'<div class="mechgraph-legend" aria-label="Legend">\n{legend}\n</div>\n</figure>')

    def _summary(self) -> str:
        return f"Text description: the {len(self.rows)} statements in this diagram"

    def _repr_html_(self) -> str:
        items = "\n".join(f"<li>{self._sentence(r, False)}</li>" for r in self.rows.itertuples())
        return (f"{self._figure_html()}\n<details class=\"mechgraph-text\"><summary>{self._summary()}</summary>"
                f"<ul>\n{items}\n</ul></details>")

    def _repr_markdown_(self) -> str:
        items = "\n".join(f"- {self._sentence(r, True)}" for r in self.rows.itertuples())
        return (f"{self._figure_html()}\n\n<details class=\"mechgraph-text\">\n"
                f"<summary>{self._summary()}</summary>\n\n{items}\n\n</details>\n")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self._repr_html_(), "text/markdown": self._repr_markdown_(),
                "text/plain": f"Diagram({self.title!r}, {len(self.rows)} statements)"}

    # -- files for slides ----------------------------------------------------
    def standalone_svg(self) -> str:
        """The diagram as a stand-alone SVG file, for slides."""
        return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + self.svg + "\n"

    def png(self, dpi: int = 150) -> bytes:
        """The diagram as a PNG image, for slides."""
        return graphviz.pipe("dot", "png", self.dot_source.replace("{", f"{{dpi={dpi};", 1).encode())


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
        rows = st[st["chapter"] == chapter]
        if rows.empty:
            raise ValueError(f"no statements for chapter '{chapter}'")
        return rows, f"chapter-{chapter}", f"Every mechanism in the chapter '{chapter}'", \
            "All statements the data records for this chapter."
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
        return rows, f"around-{around}-{depth}", f"Everything linked to {label}", \
            f"Statements within {depth} step(s) of {label}."
    missing = [s for s in statements if s not in st.index]
    if missing:
        raise ValueError(f"unknown statement id(s): {', '.join(missing)}")
    rows = st.loc[list(statements)]
    return rows, "statements-" + _slug("-".join(statements))[:40], "Selected statements", \
        f"Statements {', '.join(statements)}."


def _node_attrs(kind: str) -> dict[str, str]:
    attrs = {"style": "filled", "fontname": FONT, "fontsize": "11", "color": "#1f2937"}
    attrs.update(KIND_STYLE[kind])
    return attrs


def _edge_attrs(relation: str, evidence_group: str) -> dict[str, str]:
    attrs = {"fontname": FONT, "fontsize": "9"}
    attrs.update(POLARITY_STYLE[polarity(relation)])
    attrs.update(EVIDENCE_STYLE[evidence_group])
    return attrs


def _strongest(evidence: pd.Series) -> str:
    return min(evidence, key=EVIDENCE_RANK.index)


def _finish_svg(svg: str, slug: str, title: str, desc: str, titles: dict[str, str]) -> str:
    """Inline-ready SVG: no prolog, unique ids, responsive width, <title>/<desc> for screen readers."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
    svg = re.sub(r' id="([^"]+)"', lambda m: f' id="{slug}-{html.unescape(m.group(1)).replace("-", "_")}"', svg)
    match = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    width = match.group(1) if match else "600"
    svg = re.sub(r'<svg width="[\d.]+pt" height="[\d.]+pt"',
                 f'<svg width="100%" style="max-width:{width}pt;min-width:min({width}pt, 36em);height:auto" role="group" '
                 f'aria-labelledby="{slug}-title" aria-describedby="{slug}-desc"', svg, count=1)
    svg = re.sub(r'(<svg[^>]*>)', lambda m: (f'{m.group(1)}\n<title id="{slug}-title">{html.escape(title)}</title>'
                                             f'\n<desc id="{slug}-desc">{html.escape(desc)}</desc>'), svg, count=1)
    # graphviz titles each node and edge with its DOT name; show the readable label instead
    def readable(match: re.Match) -> str:
        name = html.unescape(match.group(1))
        return f"<title>{html.escape(titles.get(name, name))}</title>"

    svg = re.sub(r"<title>([^<]*)</title>", readable, svg)
    return svg.strip()


def _legend(slug: str, kinds: list[str], relations: list[str], groups: list[str], direct: bool) -> str:
    """A compact legend in two rows (node kinds; edge styles), drawn with the same styles as the diagram."""
    g = graphviz.Digraph(f"{slug}-legend", graph_attr={"rankdir": "LR", "bgcolor": "white", "nodesep": "0.1",
                                                       "ranksep": "0.15", "fontname": FONT, "margin": "0.05"})
    row1 = [f"k_{kind}" for kind in kinds]
    for kind in kinds:
        g.node(f"k_{kind}", dot_text(KIND_NAMES[kind]), **{**_node_attrs(kind), "fontsize": "9", "height": "0.3"})
    used = {polarity(r) for r in relations}
    samples = [(POLARITY_NAMES[p], _edge_attrs({"up": "activates", "down": "inhibits", "other": "secretes"}[p], "animal"))
               for p in ("up", "down", "other") if p in used]
    samples += [(EVIDENCE_NAMES[grp], _edge_attrs("secretes", grp) | {"arrowhead": "none", "color": "#1f2937"})
                for grp in EVIDENCE_STYLE if grp in groups]  # evidence samples: line style only
    row2 = []
    for i, (text, attrs) in enumerate(samples):
        g.node(f"s{i}a", "", shape="point", width="0.04")
        g.node(f"s{i}b", dot_text(text), shape="plaintext", fontname=FONT, fontsize="9")
        attrs = attrs | {"minlen": "2"}
        g.edge(f"s{i}a", f"s{i}b", **attrs)
        row2 += [f"s{i}a", f"s{i}b"]
    if direct:
        g.node("direct", dot_text(f"{DIRECT_MARK} measured in cancer pain"), shape="plaintext", fontname=FONT, fontsize="9")
        row2.append("direct")
    rows = [row1[i:i + 5] for i in range(0, len(row1), 5)] + [row2[i:i + 6] for i in range(0, len(row2), 6)]
    for row in rows:  # chain each row with invisible edges so it lies on one line
        for a, b in zip(row, row[1:]):
            if not (a.endswith("a") and b == a[:-1] + "b"):
                g.edge(a, b, style="invis")
    svg = g.pipe(format="svg", encoding="utf-8")
    return _finish_svg(svg, f"{slug}-legend", "Legend",
                       "Shapes give the kind of entity; arrowheads the direction of effect; "
                       "line styles the strongest evidence; a star marks direct cancer-pain evidence.", {})


PAGE_ASPECT = 1.6  # width / height that reads best in the book's text column


def _aspect(svg: str) -> float:
    width, height = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    return float(width) / float(height)


def _best_layout(g: graphviz.Digraph) -> str:
    """Lay out left-to-right and top-to-bottom; keep the one whose shape suits the page best."""
    candidates = []
    for rankdir in ("LR", "TB"):
        g.graph_attr["rankdir"] = rankdir
        svg = g.pipe(format="svg", encoding="utf-8")
        candidates.append((abs(math.log(_aspect(svg) / PAGE_ASPECT)), rankdir, svg))
    _, rankdir, svg = min(candidates)
    g.graph_attr["rankdir"] = rankdir  # so g.source (used for PNG files) matches the SVG
    return svg


def diagram(data: BookData, *, figure: str | None = None, chapter: str | None = None,
            around: str | None = None, depth: int = 1, statements: list[str] | None = None,
            direct_only: bool = False, title: str | None = None, caption: str | None = None,
            link_base: str = "") -> Diagram:
    """Render one selection of statements (exactly one of figure/chapter/around/statements)."""
    rows, slug, auto_title, auto_caption = _select(data, figure, chapter, around, depth, statements)
    if direct_only:
        rows = rows[rows["cancer_pain"] == "direct"]
        slug += "-direct"
    if rows.empty:
        raise ValueError(f"the selection '{slug}' has no statements to draw")
    title, caption = title or auto_title, caption or auto_caption
    ent, refs = data.entities, data.references
    g = graphviz.Digraph(slug, graph_attr={
        "rankdir": "LR", "bgcolor": "white", "fontname": FONT, "nodesep": "0.25", "ranksep": "0.45",
        "pad": "0.1", "newrank": "true", "tooltip": title})
    nodes = list(dict.fromkeys(list(rows["subject"]) + list(rows["object"])))
    for node in nodes:
        e = ent.loc[node]
        g.node(node, dot_text(e["label"], 18), **_node_attrs(e["kind"]), URL=term_url(e["label"], link_base),
               tooltip=dot_text(f"{e['label']}: {e['definition']}"), target="_top")
    for (subj, rel, obj), group in rows.groupby(["subject", "relation", "object"], sort=False):
        grp = EVIDENCE_GROUP[_strongest(group["evidence"])]
        keys = list(dict.fromkeys(k for cell in group["citations"] for k in _keys(cell)))
        sources = "; ".join(refs[k].short for k in keys)
        direct = bool((group["cancer_pain"] == "direct").any())
        label = f"{DIRECT_MARK} " * direct + rel.replace("_", " ")
        tip = (f"{ent.loc[subj, 'label']} {rel.replace('_', ' ')} {ent.loc[obj, 'label']}. "
               f"Evidence: {EVIDENCE_NAMES[grp]}. Sources: {sources}")
        doi = next((refs[k].url for k in keys if refs[k].url), "")
        attrs = _edge_attrs(rel, grp)
        if doi:
            attrs.update(URL=doi, target="_top")
        g.edge(subj, obj, label=dot_text(label), tooltip=dot_text(tip), labeltooltip=dot_text(tip), **attrs)
    desc = (f"{caption} Diagram of {len(nodes)} entities and {len(rows)} statements; "
            "the full list follows the figure as text.")
    titles = {n: ent.loc[n, "label"] for n in nodes} | {slug: title}
    titles |= {f"{s}->{o}": f"{ent.loc[s, 'label']} {r.replace('_', ' ')} {ent.loc[o, 'label']}"
               for s, r, o in zip(rows["subject"], rows["relation"], rows["object"])}
    svg = _finish_svg(_best_layout(g), slug, title, desc, titles)
    legend = _legend(slug, sorted({ent.loc[n, "kind"] for n in nodes}, key=list(KIND_STYLE).index),
                     list(rows["relation"]), sorted({EVIDENCE_GROUP[e] for e in rows["evidence"]}),
                     bool((rows["cancer_pain"] == "direct").any()))
    return Diagram(slug, title, caption, svg, legend, g.source, rows, data)
