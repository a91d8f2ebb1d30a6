"""The mechanism explorer's data: every entity and statement group as a ready DOT fragment.

The explorer page (chapters/explorer.md, script explorer/explorer.js) draws selections of the
statements. Styling and escaping stay in Python: :func:`export` gives, for every entity, its DOT
node statement and, for every (subject, relation, object) group of statements and every subset
of that group a filter can leave, its DOT edge statement, built with the helpers of
:mod:`mechgraph.diagram` exactly as :func:`mechgraph.diagram` builds them. :func:`write` lays out
at build time the views a reader opens most (every entity one step out, cut to :data:`LIMIT`
entities; every figure; every chapter), so the page shows them without Graphviz; any other view
the browser lays out by joining fragments with Graphviz compiled to WebAssembly, loaded then.
Everything is written as classic scripts, which a page opened as a file (an unzipped pack) loads.

:func:`mechgraph.diagram.explorer_url` gives the link that opens a view (``explorer.html?figure=fig1``).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import operator
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import graphviz

from mechgraph.data import BookData
from mechgraph.diagram import GRAPH_ATTRS, MEASURED_MARK, edge_spec, legend_html, node_spec

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
            "aliases": list(e.aliases),
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


#: the most entities a view around an entity draws before the reader asks for all of them
LIMIT = 30


def capped(rows: list[dict], centre: str, limit: int = LIMIT) -> list[dict]:
    """The statements of a neighbourhood that stay when it is cut to `limit` entities, as the
    page cuts it (explorer.js, ``cap``): the centre, then entities by their distance from it,
    those with more statements to nearer ones first (then by id), each kept only if a statement
    links it to one already kept."""
    nodes = list(dict.fromkeys([r["subject"] for r in rows] + [r["object"] for r in rows]))
    if len(nodes) <= limit:
        return rows
    layer, frontier = {centre: 0}, [centre]
    while frontier:
        nxt = []
        for r in rows:
            for a, b in ((r["subject"], r["object"]), (r["object"], r["subject"])):
                if a in frontier and b not in layer:
                    layer[b] = layer[a] + 1
                    nxt.append(b)
        frontier = nxt
    far = len(nodes)

    def links(n: str, to) -> int:
        return sum(
            1 for r in rows if n in (r["subject"], r["object"]) and ({r["subject"], r["object"]} - {n}) & to
        )

    lower = {n: {m for m in layer if layer[m] < layer.get(n, far)} for n in nodes}
    order = sorted(
        (n for n in nodes if n != centre), key=lambda n: (layer.get(n, far), -links(n, lower[n]), n)
    )
    kept = {centre}
    for n in order:
        if len(kept) == limit:
            break
        if links(n, kept):
            kept.add(n)
    return [r for r in rows if r["subject"] in kept and r["object"] in kept]


def views(exported: dict) -> dict[str, list[dict]]:
    """The views drawn at build time, so that the page draws them without Graphviz: every entity
    one step out (cut to LIMIT entities), every figure and every chapter, with no filter."""
    edges = exported["edges"]
    rows = [
        {**r, "subject": edges[r["edge"]]["subject"], "object": edges[r["edge"]]["object"]}
        for r in exported["statements"]
    ]
    out = {}
    for e in exported["entities"]:
        near = (
            {e}
            | {r["object"] for r in rows if r["subject"] == e}
            | {r["subject"] for r in rows if r["object"] == e}
        )
        out[f"around-{e}"] = capped([r for r in rows if r["subject"] in near and r["object"] in near], e)
    for f in exported["figures"]:
        out[f"figure-{f}"] = [r for r in rows if f in r.get("figures", ())]
    for c in exported["chapters"]:
        out[f"chapter-{c}"] = [r for r in rows if r.get("chapter") == c]
    return {k: v for k, v in out.items() if v}


def dot_source(exported: dict, rows: list[dict], rankdir: str) -> tuple[str, list[str], list[int]]:
    """The DOT source the page joins for these statements (explorer.js, ``dotSource``), its nodes
    and its edge groups in the order they are declared."""
    nodes = list(dict.fromkeys([r["subject"] for r in rows] + [r["object"] for r in rows]))
    groups = list(dict.fromkeys(r["edge"] for r in rows))
    ids = {r["id"] for r in rows}
    lines = ["digraph explorer {", "\t" + exported["graph"], f"\tgraph [rankdir={rankdir}]"]
    lines += ["\t" + exported["entities"][n]["dot"] for n in nodes]
    for g in groups:
        edge = exported["edges"][g]
        lines.append("\t" + edge["dot"][",".join(i for i in edge["statements"] if i in ids)])
    return "\n".join([*lines, "}"]), nodes, groups


_SVG_NOISE = re.compile(r"<\?xml[^>]*>|<!DOCTYPE[^>]*>|<!--.*?-->", re.S)


def render(sources: list[str], timeout: float = 300) -> list[str]:
    """SVG drawings of DOT graphs, laid out by one run of Graphviz's `dot` for all of them."""
    try:
        done = subprocess.run(
            ["dot", "-Tsvg"],
            input="\n".join(sources),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"Graphviz `dot` did not finish the explorer's {len(sources)} views in {timeout:.0f} s"
        ) from None
    except subprocess.CalledProcessError as err:
        raise RuntimeError(
            f"Graphviz `dot` failed on the explorer's views: {err.stderr.strip()[:300]}"
        ) from None
    svgs = [_SVG_NOISE.sub("", s).strip() + "</svg>" for s in done.stdout.split("</svg>")[:-1]]
    if len(svgs) != len(sources):
        raise RuntimeError(f"Graphviz `dot` drew {len(svgs)} of the explorer's {len(sources)} views")
    return svgs


def _script(variable: str, value) -> str:
    """A classic script that sets one global: it loads from a page opened as a file, as fetch() cannot."""
    return f"self.{variable} = {json.dumps(value, ensure_ascii=False, separators=(',', ':'))};\n"


def write(outdir: Path, data: BookData, anchors: dict[str, str]) -> Path:
    """Write the explorer's data under `outdir` (the site's _static/explorer/): graph.js (what the
    page selects and lists from), dot.js (the DOT fragments, loaded with Graphviz when a view was
    not drawn at build time) and views/*.js (the views drawn at build time, both directions)."""
    exported = export(data, anchors)
    drawn = views(exported)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "views").mkdir(exist_ok=True)
    laid = {}
    for key, rows in drawn.items():
        for rankdir in ("LR", "TB"):
            laid[key, rankdir] = dot_source(exported, rows, rankdir)
    svgs = dict(zip(laid, render([source for source, _, _ in laid.values()])))
    for key, rows in drawn.items():
        _, nodes, groups = laid[key, "LR"]
        view = {
            "statements": [r["id"] for r in rows],
            "nodes": nodes,
            "groups": groups,
            "svg": {d: svgs[key, d] for d in ("LR", "TB")},
        }
        (outdir / "views" / f"{key}.js").write_text(
            f"(self.MECHGRAPH_VIEWS ||= {{}})[{json.dumps(key)}] = "
            + json.dumps(view, ensure_ascii=False, separators=(",", ":"))
            + ";\n",
            encoding="utf-8",
        )
    dot = {
        "graph": exported["graph"],
        "entities": {k: e.pop("dot") for k, e in exported["entities"].items()},
        "edges": [e.pop("dot") for e in exported["edges"]],
    }
    del exported["graph"]
    exported["views"] = sorted(drawn)
    exported["limit"] = LIMIT
    (outdir / "dot.js").write_text(_script("MECHGRAPH_DOT", dot), encoding="utf-8")
    path = outdir / "graph.js"
    path.write_text(_script("MECHGRAPH_GRAPH", exported), encoding="utf-8")
    return path


def publish(target: Path, data: Callable[[], BookData], anchors: dict[str, str], cache: Path) -> None:
    """Put the explorer's data into `target`, computed once for each data, package and bibliography
    (the cache folder's name holds the first two; the anchors are hashed here) and kept in `cache`."""
    key = hashlib.sha256(json.dumps(anchors, sort_keys=True).encode()).hexdigest()[:12]
    kept = cache / f"explorer-{key}"
    if not kept.is_dir():
        fresh = cache / f"explorer-{key}.{os.getpid()}.tmp"
        shutil.rmtree(fresh, ignore_errors=True)
        write(fresh, data(), anchors)
        try:
            fresh.rename(kept)  # whole or not at all
        except OSError:  # another build kept it first
            shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(target / "views", ignore_errors=True)
    shutil.copytree(kept, target, dirs_exist_ok=True)


VIZ_JS = Path(
    "node_modules", "@viz-js", "viz", "dist", "viz-global.js"
)  # a classic script: it loads from file://


def copy_scripts(outdir: Path, source: Path) -> None:
    """Copy the page's script and the pinned Graphviz-WebAssembly module from `source` (the book's
    explorer/ folder) into `outdir`."""
    if not (source / VIZ_JS).is_file():
        raise FileNotFoundError(
            f"{source / VIZ_JS} is missing: run `npm ci --prefix explorer` (make book does it)"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / VIZ_JS, outdir / "viz.js")
    shutil.copyfile(source / "explorer.js", outdir / "explorer.js")
    shutil.copyfile(source / "explorer.css", outdir / "explorer.css")
