"""Every diagram and plot of the book as files in figures/, for instructors' slides.

``python -m mechgraph figures`` (``make figures``) writes them, and with them
``figures/manifest.json``: for each figure, a hash of what it is drawn from (its data
rows, the code that draws it, the Graphviz and matplotlib versions) and a hash of each
file. ``--check`` reports files that are missing or differ from what the data gives
now; it renders only the figures whose inputs or files no longer match the manifest,
so the check the test suite runs is cheap and a stale figure still fails.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import graphviz
import matplotlib
import pandas as pd

from mechgraph import plots
from mechgraph.data import BookData, find_data, load
from mechgraph.diagram import diagram

FIGURES_DIR = Path("figures")  # in the book's folder, where `make figures` runs
MANIFEST = "manifest.json"
PACKAGE = Path(__file__).resolve().parent
#: tables no diagram reads (a diagram's inputs leave them out; a plot's include every table)
NOT_IN_DIAGRAMS = ("table1", "errata", "questions", "table1_appraisal")


@dataclass(frozen=True)
class SlideFigure:
    name: str  # stable file stem in figures/
    title: str
    caption: str
    sources: str  # what it is computed from
    render: Callable[[], dict[str, bytes]]  # suffix -> file content
    inputs: Callable[[], dict]  # everything in the data the drawing depends on


def _diagram_files(data: BookData, figure_id: str) -> dict[str, bytes]:
    d = diagram(data, figure=figure_id)
    return {".svg": d.standalone_svg().encode(), ".png": d.png()}


def _plot_files(make) -> dict[str, bytes]:
    fig = make().figure
    out = {}
    for suffix, fmt, meta in ((".svg", "svg", {"Date": None}), (".png", "png", {"Software": None})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=meta, bbox_inches="tight")
        out[suffix] = buffer.getvalue()
    plots.plt.close(fig)
    return out


PLOTS = [
    (
        "plot-evidence-by-chapter",
        plots.plot_evidence_by_chapter,
        "Evidence behind each chapter",
        "Statements per chapter by the strongest kind of evidence behind them.",
        "data/statements.csv",
    ),
    (
        "plot-scope-by-chapter",
        plots.plot_scope_by_chapter,
        "Measured in cancer pain, asserted, or extrapolated",
        "Statements per chapter measured in cancer or cancer-treatment pain models, asserted for cancer pain by a review, or carried over from other settings.",
        "data/statements.csv",
    ),
    (
        "plot-literature-timeline",
        plots.plot_literature_timeline,
        "The cited literature over time",
        "Papers cited in the data per publication year, by the kind of evidence they contribute.",
        "data/statements.csv and references.bib",
    ),
    (
        "plot-table1-doses",
        plots.plot_table1_doses,
        "Table 1 doses and routes",
        "Dose per administration in the five preclinical studies of MSCs in cancer-related pain.",
        "data/table1.csv",
    ),
    (
        "plot-errata",
        plots.plot_errata,
        "Problems found in the review",
        "Entries of the critical-reading chapter by kind of problem and our confidence.",
        "data/errata.csv",
    ),
]


#: the charts a chapter can offer for slides (column ``chart`` of chapters.csv, vocabulary ``chart``):
#: the plot function, called with the chapter id, and the caption, given the chapter's title
CHARTS = {
    "evidence_counts": (
        plots.plot_evidence_counts,
        "{title}: statements by the kind of evidence behind them.",
    ),
    "tumour_effects": (
        plots.plot_tumour_effects,
        "{title}: statements about tumour growth or spread, by direction and kind of evidence.",
    ),
    "msc_settings": (
        plots.plot_msc_settings,
        "{title}: statements in which an MSC product acts, by setting and by whether it was measured in cancer pain "
        "evidence.",
    ),
}


def _table(frame: pd.DataFrame) -> str:
    return frame.to_json(orient="split", default_handler=str)


def _book_inputs(data: BookData) -> dict:
    """Every table and reference of the data, and the data package's schema (its vocabulary)."""
    out = {f.name: getattr(data, f.name) for f in dataclasses.fields(data)}
    out = {name: _table(value) if isinstance(value, pd.DataFrame) else value for name, value in out.items()}
    out["references"] = {key: repr(ref) for key, ref in sorted(data.references.items())}
    out["datapackage.json"] = (find_data() / "datapackage.json").read_text(encoding="utf-8")
    return out


def _diagram_inputs(data: BookData, figure_id: str) -> dict:
    """What a figure's diagram is drawn from: its row of figures.csv, its statements, their
    entities and references, and every other table the diagram engine could read."""
    rows = data.figure_statements(figure_id)
    entities = list(dict.fromkeys([*rows["subject"], *rows["object"]]))
    keys = sorted({k for c in rows["citations"] for k in c})
    out = {name: value for name, value in _book_inputs(data).items() if name not in NOT_IN_DIAGRAMS}
    out |= {
        "figures": _table(data.figures.loc[[figure_id]]),
        "statements": _table(rows),
        "entities": _table(data.entities.loc[entities]),
        "references": {k: repr(data.references[k]) for k in keys},
    }
    return out


def _imports(path: Path) -> set[str]:
    """The names of the mechgraph modules one module imports (anywhere in it, lazy imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {
                a.name.partition(".")[2] or "__init__"
                for a in node.names
                if a.name.split(".")[0] == "mechgraph"
            }
        elif isinstance(node, ast.ImportFrom) and (
            node.level or (node.module or "").split(".")[0] == "mechgraph"
        ):
            module = (node.module or "").removeprefix("mechgraph").lstrip(".")
            if module:
                found.add(module.split(".")[0])
            else:  # from mechgraph import x: a module if there is one, else a name from __init__
                found |= {a.name if (PACKAGE / f"{a.name}.py").is_file() else "__init__" for a in node.names}
    return found


def code_version() -> str:
    """A hash of the code the figures are drawn with: this module and every mechgraph module it
    imports, directly or not, and the versions of Graphviz and matplotlib."""
    seen, todo = set(), {"__init__", "slides"}
    while todo:
        name = todo.pop()
        seen.add(name)
        todo |= _imports(PACKAGE / f"{name}.py") - seen
    digest = hashlib.sha256()
    for name in sorted(seen):
        digest.update(name.encode() + b"\0" + (PACKAGE / f"{name}.py").read_bytes() + b"\0")
    digest.update(f"graphviz {graphviz.version()} matplotlib {matplotlib.__version__}".encode())
    return digest.hexdigest()


def catalogue(data: BookData) -> list[SlideFigure]:
    """All figures, in book order: the named diagrams, the book-wide plots, then each chapter's chart."""
    items = []
    for fig in data.figures.itertuples():
        rows = data.figure_statements(fig.id)
        keys = sorted({k for c in rows["citations"] for k in c})
        items.append(
            SlideFigure(
                f"diagram-{fig.id}",
                fig.title,
                fig.caption,
                f"{len(rows)} statements citing {len(keys)} papers",
                lambda f=fig.id: _diagram_files(data, f),
                lambda f=fig.id: _diagram_inputs(data, f),
            )
        )
    for name, make, title, caption, source in PLOTS:
        items.append(
            SlideFigure(
                name,
                title,
                caption,
                source,
                lambda m=make: _plot_files(lambda: m(data)),
                lambda: _book_inputs(data),
            )
        )
    names = data.labels("chart")
    for chapter in data.chapters[data.chapters["chart"] != ""].itertuples():
        make, caption = CHARTS[chapter.chart]
        items.append(
            SlideFigure(
                f"plot-{chapter.id}-{chapter.chart}".replace("_", "-"),
                f"{names[chapter.chart]}: {chapter.title}",
                caption.format(title=chapter.title),
                "data/statements.csv",
                lambda m=make, c=chapter.id: _plot_files(lambda: m(data, c)),
                lambda: _book_inputs(data),
            )
        )
    return items


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def write_figures(check: bool = False, out_dir: Path = FIGURES_DIR, data: BookData | None = None) -> int:
    """Write every file and the manifest, or, with check, compare them with what the data gives
    now, rendering only the figures whose inputs or files differ from the manifest; return a
    shell exit status."""
    data = load() if data is None else data
    manifest_path = out_dir / MANIFEST
    try:
        recorded = json.loads(manifest_path.read_text(encoding="utf-8"))["figures"]
    except (OSError, ValueError, KeyError, TypeError):
        recorded = {}
    code = code_version()
    manifest, stale, changed = {}, [], []
    out_dir.mkdir(exist_ok=True)
    for item in catalogue(data):
        inputs = hashlib.sha256(json.dumps([code, item.inputs()], sort_keys=True).encode()).hexdigest()
        entry = recorded.get(item.name)
        if (
            check
            and entry
            and entry["inputs"] == inputs
            and all(
                (out_dir / name).is_file() and _sha256((out_dir / name).read_bytes()) == digest
                for name, digest in entry["files"].items()
            )
        ):
            manifest[item.name] = entry  # drawn from the same inputs as the files on disk: fresh
            continue
        files = {f"{item.name}{suffix}": content for suffix, content in item.render().items()}
        manifest[item.name] = {
            "inputs": inputs,
            "files": {name: _sha256(c) for name, c in sorted(files.items())},
        }
        differ = [
            name
            for name, content in files.items()
            if not (out_dir / name).is_file() or (out_dir / name).read_bytes() != content
        ]
        if not check:
            for name in differ:
                (out_dir / name).write_bytes(files[name])
        elif differ:
            stale += differ
        elif manifest[item.name] != entry:  # the same files from new inputs: only the manifest is behind
            changed.append(item.name)
    wanted = {name for entry in manifest.values() for name in entry["files"]}
    extra = sorted(p.name for p in out_dir.glob("*") if p.name not in wanted and p.suffix in (".svg", ".png"))
    if check:
        for name in stale + extra:
            print(
                f"error: figures/{name} is {'stale or missing' if name in stale else 'not made by any figure'}; "
                "run 'make figures'",
                file=sys.stderr,
            )
        gone = sorted(recorded.keys() - manifest.keys())
        if changed or gone:
            print(
                f"error: figures/{MANIFEST} is out of date for {', '.join(changed + gone)}; run 'make figures'",
                file=sys.stderr,
            )
        return 1 if stale or extra or changed or gone else 0
    for name in extra:
        (out_dir / name).unlink()
    manifest_path.write_text(
        json.dumps(
            {
                "about": "Written by 'make figures': for each figure, a hash of its inputs (data, code, Graphviz and "
                "matplotlib versions) and of its files; 'python -m mechgraph figures --check' renders only what changed.",
                "figures": manifest,
            },
            indent=1,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(wanted)} files and {MANIFEST} to {out_dir}")
    return 0
