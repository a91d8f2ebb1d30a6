"""The mechanism explorer's data: every entity and statement group as a ready DOT fragment.

The explorer page (chapters/explorer.md, script explorer/explorer.js) lays out selections of
the statements in the reader's browser with Graphviz compiled to WebAssembly. Styling and
escaping stay in Python: :func:`export` gives, for every entity, its DOT node statement and,
for every (subject, relation, object) group of statements and every subset of that group a
filter can leave, its DOT edge statement, built with the helpers of :mod:`mechgraph.diagram`
exactly as :func:`mechgraph.diagram` builds them. The browser only picks fragments, joins
them and lays them out; it adds no style of its own.

:func:`explorer_url` gives the link that opens a view (``explorer.html?figure=fig1``).
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path
from urllib.parse import urlencode

import graphviz

from mechgraph.data import BookData, _keys
from mechgraph.diagram import (DIRECT_MARK, EVIDENCE_GROUP, EVIDENCE_TEXT, FONT, KIND_NAMES, KIND_STYLE, NODESEP,
                               RANKSEP, EVIDENCE_STYLE, POLARITY_NAMES, edge_spec, legend_html, node_spec)

PAGE_ASPECT = 1.6  # width / height the page prefers when it picks a layout direction

EXPLORER_PAGE = "explorer.html"
ERRATA_PAGE = "08-critical-reading.html"
BIBLIOGRAPHY_PAGE = "bibliography.html"
#: the graph statement of every explorer drawing: the attributes :func:`mechgraph.diagram` gives its graphs
GRAPH_ATTRS = {"bgcolor": "transparent", "fontname": FONT, "nodesep": NODESEP, "ranksep": RANKSEP, "pad": "0.1",
               "newrank": "true"}
#: evidence kinds a reader can filter on (the line-style groups of the diagrams)
EVIDENCE_FILTERS = {"human": "human", "animal": "animal", "in_vitro": "cell culture", "review": "review"}


def explorer_url(*, figure: str | None = None, chapter: str | None = None, around: str | None = None,
                 depth: int | None = None, direct: bool = False, link_base: str = "") -> str:
    """The relative link that opens one view of the explorer, e.g. ``explorer.html?figure=fig1``."""
    params = [("around", around), ("depth", depth), ("figure", figure), ("chapter", chapter),
              ("direct", 1 if direct else None)]
    query = urlencode([(k, v) for k, v in params if v is not None])
    return f"{link_base}{EXPLORER_PAGE}" + (f"?{query}" if query else "")


def _statement(g: graphviz.Digraph) -> str:
    """The one statement just added to a throwaway graph, as graphviz wrote it."""
    return g.body[-1].strip()


def node_statement(data: BookData, node: str, link_base: str = "") -> str:
    """The DOT node statement :func:`mechgraph.diagram` writes for one entity."""
    g = graphviz.Digraph()
    g.node(node, **node_spec(data, node, link_base))
    return _statement(g)


def edge_statement(data: BookData, group) -> str:
    """The DOT edge statement :func:`mechgraph.diagram` writes for one group of statements
    sharing subject, relation and object (a DataFrame of statement rows)."""
    subj, obj = group.iloc[0][["subject", "object"]]
    g = graphviz.Digraph()
    g.edge(subj, obj, **edge_spec(data, group))
    return _statement(g)


def graph_statement() -> str:
    """The DOT graph attribute statement shared by every explorer drawing (rankdir is set in the page)."""
    g = graphviz.Digraph(graph_attr=GRAPH_ATTRS)
    return g.source.splitlines()[1].strip()


def legend_svg() -> str:
    """The book diagrams' legend with every entity kind, arrowhead and line style (drawn by the engine)."""
    return legend_html(list(KIND_STYLE), list(POLARITY_NAMES), list(EVIDENCE_STYLE), True)


def synonyms(label: str, definition: str, entity_id: str) -> list[str]:
    """Other names a reader may type: the spelled-out name that opens a definition
    ('Interleukin-1 beta: a cytokine ...') and the entity id with spaces for underscores."""
    out = []
    head, sep, _ = definition.partition(":")
    if sep and len(head) <= 60 and "." not in head:
        out.append(head.strip())
    spaced = entity_id.replace("_", " ")
    if spaced.lower() != label.lower():
        out.append(spaced)
    return [s for s in dict.fromkeys(out) if s.lower() != label.lower()]


def _citation(data: BookData, key: str, anchors: dict[str, str]) -> dict:
    ref = data.references[key]
    anchor = anchors.get(key, "")
    return {"short": ref.short, "doi": ref.doi, "url": ref.url, "bib": f"{BIBLIOGRAPHY_PAGE}#{anchor}" if anchor else ""}


def reachable_subsets(group) -> list[tuple[str, ...]]:
    """Every non-empty subset of a group of statements that the explorer's filters can leave
    (evidence kinds, species, setting, chapter, figure, direct only), in the group's order."""
    kinds = sorted({EVIDENCE_GROUP[e] for e in group["evidence"]})
    evidence_choices = [set(c) for n in range(1, len(kinds) + 1) for c in itertools.combinations(kinds, n)]
    choices = {column: [None, *sorted(set(group[column]))] for column in ("species", "setting", "chapter")}
    figures = [None, *sorted({f for cell in group["figures"] for f in _keys(cell)})]
    found, rows = {}, list(group.itertuples())  # read once: itertuples is slow, the loop long
    for ev, species, setting, chapter, figure, direct in itertools.product(
            evidence_choices, choices["species"], choices["setting"], choices["chapter"], figures, (False, True)):
        subset = tuple(r.id for r in rows
                       if EVIDENCE_GROUP[r.evidence] in ev and species in (None, r.species)
                       and setting in (None, r.setting) and chapter in (None, r.chapter)
                       and (figure is None or figure in _keys(r.figures)) and (not direct or r.cancer_pain == "direct"))
        if subset:
            found[subset] = True
    return list(found)


def export(data: BookData, anchors: dict[str, str] | None = None, link_base: str = "") -> dict:
    """Everything the explorer page needs, as one JSON-ready dict.

    `anchors` maps citation keys to the ids of their entries in the bibliography page."""
    anchors = anchors or {}
    st, ent = data.statements, data.entities
    entities = {}
    for e in ent.itertuples():
        entities[e.id] = {"label": e.label, "kind_name": KIND_NAMES[e.kind],
                          "synonyms": synonyms(e.label, e.definition, e.id),
                          "dot": node_statement(data, e.id, link_base)}
    # the erratum's text stays in the critical-reading chapter (the page's weight); the explorer links to it
    errata = {r.id: f"{link_base}{ERRATA_PAGE}#erratum-{r.id}" for r in data.errata.itertuples()}
    group_of = {key: i for i, key in enumerate(dict.fromkeys(zip(st["subject"], st["relation"], st["object"])))}
    statements = []
    for r in st.itertuples():  # subject, relation and object are the edge's; empty fields left out
        row = {"id": r.id, "edge": group_of[(r.subject, r.relation, r.object)], "context": r.context,
               "evidence": r.evidence, "species": r.species, "setting": r.setting, "chapter": r.chapter,
               "citations": _keys(r.citations), "figures": _keys(r.figures), "direct": r.cancer_pain == "direct",
               "erratum": r.erratum}
        statements.append({k: v for k, v in row.items() if v or k == "edge"})
    edges = []
    for (subj, rel, obj), group in st.groupby(["subject", "relation", "object"], sort=False):
        ids = list(group["id"])
        variants = {",".join(subset): edge_statement(data, group.loc[list(subset)])
                    for subset in reachable_subsets(group)}
        edges.append({"subject": subj, "relation": rel, "object": obj, "statements": ids, "dot": variants})
    cited = dict.fromkeys(k for r in statements for k in r["citations"])
    references = {k: _citation(data, k, anchors) for k in cited}
    figures = {f.id: {"title": f.title, "chapter": f.chapter} for f in data.figures.itertuples()}
    return {"graph": graph_statement(), "entities": entities, "statements": statements, "edges": edges,
            "references": references,
            "errata": errata, "figures": figures, "chapters": sorted(set(st["chapter"])),
            "evidence": EVIDENCE_FILTERS, "species": sorted(set(st["species"])),
            "settings": sorted(set(st["setting"])), "relations": sorted(set(st["relation"])),
            "evidence_text": EVIDENCE_TEXT, "evidence_group": EVIDENCE_GROUP, "direct_mark": DIRECT_MARK, "legend": legend_svg(), "page_aspect": PAGE_ASPECT}


def citation_anchors(env) -> dict[str, str]:
    """Citation key -> id of its entry in the bibliography page, from sphinxcontrib-bibtex's domain."""
    try:
        domain = env.get_domain("cite")
    except Exception:  # noqa: BLE001 - no bibtex extension: no anchors
        return {}
    return {c.key: c.citation_id for c in domain.citations
            if c.bibliography_key.docname.endswith("bibliography")}


def write(outdir: Path, data: BookData, anchors: dict[str, str]) -> Path:
    """Write graph.json under `outdir` (the site's _static/explorer/)."""
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / "graph.json"
    path.write_text(json.dumps(export(data, anchors), ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")
    return path


JS_ROOT = Path(__file__).resolve().parent.parent / "explorer"
VIZ_JS = JS_ROOT / "node_modules" / "@viz-js" / "viz" / "dist" / "viz.js"


def copy_scripts(outdir: Path) -> None:
    """Copy the page's script and the pinned Graphviz-WebAssembly module into `outdir`."""
    import shutil

    if not VIZ_JS.is_file():
        raise FileNotFoundError(f"{VIZ_JS} is missing: run `npm ci --prefix explorer` (make book does it)")
    outdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(VIZ_JS, outdir / "viz.js")
    shutil.copyfile(JS_ROOT / "explorer.js", outdir / "explorer.js")
    shutil.copyfile(JS_ROOT / "explorer.css", outdir / "explorer.css")

