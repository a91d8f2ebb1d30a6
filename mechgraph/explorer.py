"""The mechanism explorer's data: every entity and statement group as a ready DOT fragment.

The explorer page (chapters/explorer.md, script explorer/explorer.js) lays out selections of
the statements in the reader's browser with Graphviz compiled to WebAssembly. Styling and
escaping stay in Python: :func:`export` gives, for every entity, its DOT node statement and,
for every (subject, relation, object) group of statements and every subset of that group a
filter can leave, its DOT edge statement, built with the helpers of :mod:`mechgraph.diagram`
exactly as :func:`mechgraph.diagram` builds them. The browser only picks fragments, joins
them and lays them out; it adds no style of its own.

:func:`mechgraph.diagram.explorer_url` gives the link that opens a view (``explorer.html?figure=fig1``).
"""

from __future__ import annotations

import functools
import itertools
import json
import operator
from pathlib import Path

import graphviz

from mechgraph.data import BookData
from mechgraph.diagram import GRAPH_ATTRS, MEASURED_MARK, edge_spec, legend_html, node_spec

PAGE_ASPECT = 1.6  # width / height the page prefers when it picks a layout direction

ERRATA_PAGE = "08-critical-reading.html"
BIBLIOGRAPHY_PAGE = "bibliography.html"


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


def legend_svg(data: BookData) -> str:
    """The book diagrams' legend with every entity kind, arrowhead and line style (drawn by the engine)."""
    return legend_html(
        data,
        list(data.labels("entity_kind")),
        list(data.labels("relation_group")),
        list(data.labels("evidence_group")),
        True,
    )


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
    return {
        "short": ref.short,
        "doi": ref.doi,
        "url": ref.url,
        "bib": f"{BIBLIOGRAPHY_PAGE}#{anchor}" if anchor else "",
    }


def reachable_subsets(data: BookData, group) -> list[tuple[str, ...]]:
    """Every non-empty subset of a group of statements that the explorer's filters can leave
    (evidence kinds, species, setting, chapter, figure, measured only), in the group's order."""
    rows = list(group.itertuples())
    evidence_group = data.groups("evidence")
    measured_of = dict(zip(group["id"], data.measured(group)))

    def mask(keep) -> int:  # the rows a filter setting keeps, one bit each
        return sum(1 << i for i, r in enumerate(rows) if keep(r))

    kinds = sorted({evidence_group[e] for e in group["evidence"]})
    evidence_choices = [set(c) for n in range(1, len(kinds) + 1) for c in itertools.combinations(kinds, n)]
    masks = [[mask(lambda r, ev=ev: evidence_group[r.evidence] in ev) for ev in evidence_choices]]
    for column in ("species", "setting", "chapter"):
        masks.append(
            [
                mask(lambda r, v=v, c=column: v in (None, getattr(r, c)))
                for v in [None, *sorted(set(group[column]))]
            ]
        )
    figures = [None, *sorted({f for cell in group["figures"] for f in cell})]
    masks.append([mask(lambda r, f=f: f is None or f in r.figures) for f in figures])
    masks.append([mask(lambda r: True), mask(lambda r: measured_of[r.id])])
    found = {}
    for combination in itertools.product(*masks):
        kept = functools.reduce(operator.and_, combination)
        if kept:
            found[kept] = True
    return [tuple(r.id for i, r in enumerate(rows) if kept >> i & 1) for kept in found]


def export(data: BookData, anchors: dict[str, str] | None = None, link_base: str = "") -> dict:
    """Everything the explorer page needs, as one JSON-ready dict.

    `anchors` maps citation keys to the ids of their entries in the bibliography page."""
    anchors = anchors or {}
    st, ent = data.statements, data.entities
    entities = {}
    for e in ent.itertuples():
        entities[e.id] = {
            "label": e.label,
            "kind_name": data.labels("entity_kind")[e.kind],
            "synonyms": synonyms(e.label, e.definition, e.id),
            "dot": node_statement(data, e.id, link_base),
        }
    # the erratum's text stays in the critical-reading chapter (the page's weight); the explorer links to it
    errata = {r.id: f"{link_base}{ERRATA_PAGE}#erratum-{r.id}" for r in data.errata.itertuples()}
    group_of = {
        key: i for i, key in enumerate(dict.fromkeys(zip(st["subject"], st["relation"], st["object"])))
    }
    statements = []
    for r in st.itertuples():  # subject, relation and object are the edge's; empty fields left out
        row = {
            "id": r.id,
            "edge": group_of[(r.subject, r.relation, r.object)],
            "context": r.context,
            "evidence": r.evidence,
            "species": r.species,
            "setting": r.setting,
            "chapter": r.chapter,
            "citations": list(r.citations),
            "figures": list(r.figures),
            "cancer_pain": r.cancer_pain,
            "erratum": r.erratum,
        }
        statements.append({k: v for k, v in row.items() if v or k == "edge"})
    edges = []
    for (subj, rel, obj), group in st.groupby(["subject", "relation", "object"], sort=False):
        ids = list(group["id"])
        variants = {
            ",".join(subset): edge_statement(data, group.loc[list(subset)])
            for subset in reachable_subsets(data, group)
        }
        edges.append({"subject": subj, "relation": rel, "object": obj, "statements": ids, "dot": variants})
    cited = dict.fromkeys(k for r in statements for k in r["citations"])
    references = {k: _citation(data, k, anchors) for k in cited}
    figures = {f.id: {"title": f.title, "chapter": f.chapter} for f in data.figures.itertuples()}
    return {
        "graph": graph_statement(),
        "entities": entities,
        "statements": statements,
        "edges": edges,
        "references": references,
        "errata": errata,
        "figures": figures,
        "chapters": [c for c in data.chapters.index if c in set(st["chapter"])],
        "names": {
            "chapter": data.chapters["title"].to_dict(),
            "species": data.labels("species"),
            "setting": data.labels("setting"),
            "relation": data.labels("relation"),
        },
        "evidence": data.labels("evidence_group"),
        "species": sorted(set(st["species"])),
        "settings": sorted(set(st["setting"])),
        "relations": sorted(set(st["relation"])),
        "evidence_text": data.labels("evidence"),
        "evidence_group": data.groups("evidence"),
        "measured_mark": MEASURED_MARK,
        "scope_text": data.labels("cancer_pain"),
        "legend": legend_svg(data),
        "page_aspect": PAGE_ASPECT,
    }


def citation_anchors(env) -> dict[str, str]:
    """Citation key -> id of its entry in the bibliography page, from sphinxcontrib-bibtex's domain."""
    try:
        domain = env.get_domain("cite")
    except Exception:  # noqa: BLE001 - no bibtex extension: no anchors
        return {}
    return {
        c.key: c.citation_id for c in domain.citations if c.bibliography_key.docname.endswith("bibliography")
    }


def write(outdir: Path, data: BookData, anchors: dict[str, str]) -> Path:
    """Write graph.json under `outdir` (the site's _static/explorer/)."""
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / "graph.json"
    path.write_text(
        json.dumps(export(data, anchors), ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    return path


VIZ_JS = Path("node_modules", "@viz-js", "viz", "dist", "viz.js")


def copy_scripts(outdir: Path, source: Path) -> None:
    """Copy the page's script and the pinned Graphviz-WebAssembly module from `source` (the book's
    explorer/ folder) into `outdir`."""
    import shutil

    if not (source / VIZ_JS).is_file():
        raise FileNotFoundError(
            f"{source / VIZ_JS} is missing: run `npm ci --prefix explorer` (make book does it)"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / VIZ_JS, outdir / "viz.js")
    shutil.copyfile(source / "explorer.js", outdir / "explorer.js")
    shutil.copyfile(source / "explorer.css", outdir / "explorer.css")
