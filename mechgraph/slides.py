"""Every diagram and plot of the book as files in figures/, for instructors' slides.

``python -m mechgraph figures`` (``make figures``) writes them; ``--check`` only
reports files that are missing or differ from what the data gives now, and the
test suite runs that check so a stale figure fails the build.
"""
from __future__ import annotations

import io
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from mechgraph import plots
from mechgraph.data import BookData, load
from mechgraph.diagram import diagram

FIGURES_DIR = Path("figures")  # in the book's folder, where `make figures` runs


@dataclass(frozen=True)
class SlideFigure:
    name: str          # stable file stem in figures/
    title: str
    caption: str
    sources: str       # what it is computed from
    render: Callable[[], dict[str, bytes]]  # suffix -> file content


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
    ("plot-evidence-by-chapter", plots.plot_evidence_by_chapter, "Evidence behind each chapter",
     "Statements per chapter by the strongest kind of evidence behind them.", "data/statements.csv"),
    ("plot-scope-by-chapter", plots.plot_scope_by_chapter, "Measured in cancer pain, asserted, or extrapolated",
     "Statements per chapter measured in cancer or cancer-treatment pain models, asserted for cancer pain by a review, or carried over from other settings.",
     "data/statements.csv"),
    ("plot-literature-timeline", plots.plot_literature_timeline, "The cited literature over time",
     "Papers cited in the data per publication year, by the kind of evidence they contribute.",
     "data/statements.csv and references.bib"),
    ("plot-table1-doses", plots.plot_table1_doses, "Table 1 doses and routes",
     "Dose per administration in the five preclinical studies of MSCs in cancer-related pain.", "data/table1.csv"),
    ("plot-errata", plots.plot_errata, "Problems found in the review",
     "Entries of the critical-reading chapter by kind of problem and our confidence.", "data/errata.csv"),
]


#: the charts a chapter can offer for slides (column ``chart`` of chapters.csv, vocabulary ``chart``):
#: the plot function, called with the chapter id, and the caption, given the chapter's title
CHARTS = {
    "evidence_counts": (plots.plot_evidence_counts, "{title}: statements by the kind of evidence behind them."),
    "tumour_effects": (plots.plot_tumour_effects,
                       "{title}: statements about tumour growth or spread, by direction and kind of evidence."),
    "msc_settings": (plots.plot_msc_settings,
                     "{title}: statements in which an MSC product acts, by setting and by whether it was measured in cancer pain "
                     "evidence."),
}


def catalogue(data: BookData) -> list[SlideFigure]:
    """All figures, in book order: the named diagrams, the book-wide plots, then each chapter's chart."""
    items = []
    for fig in data.figures.itertuples():
        rows = data.figure_statements(fig.id)
        keys = sorted({k for c in rows["citations"] for k in c})
        items.append(SlideFigure(f"diagram-{fig.id}", fig.title, fig.caption,
                                 f"{len(rows)} statements citing {len(keys)} papers",
                                 lambda f=fig.id: _diagram_files(data, f)))
    for name, make, title, caption, source in PLOTS:
        items.append(SlideFigure(name, title, caption, source, lambda m=make: _plot_files(lambda: m(data))))
    names = data.labels("chart")
    for chapter in data.chapters[data.chapters["chart"] != ""].itertuples():
        make, caption = CHARTS[chapter.chart]
        items.append(SlideFigure(f"plot-{chapter.id}-{chapter.chart}".replace("_", "-"),
                                 f"{names[chapter.chart]}: {chapter.title}", caption.format(title=chapter.title),
                                 "data/statements.csv",
                                 lambda m=make, c=chapter.id: _plot_files(lambda: m(data, c))))
    return items


def write_figures(check: bool = False, out_dir: Path = FIGURES_DIR) -> int:
    """Write (or, with check, compare) every file; return a shell exit status."""
    data = load()
    stale = []
    wanted = set()
    out_dir.mkdir(exist_ok=True)
    for item in catalogue(data):
        for suffix, content in item.render().items():
            path = out_dir / f"{item.name}{suffix}"
            wanted.add(path.name)
            if check:
                if not path.exists() or path.read_bytes() != content:
                    stale.append(path.name)
            else:
                path.write_bytes(content)
    extra = sorted(p.name for p in out_dir.glob("*") if p.name not in wanted and p.suffix in (".svg", ".png"))
    if check:
        for name in stale + extra:
            print(f"error: figures/{name} is {'stale or missing' if name in stale else 'not made by any figure'}; "
                  "run 'make figures'", file=sys.stderr)
        return 1 if stale or extra else 0
    for name in extra:
        (out_dir / name).unlink()
    print(f"wrote {len(wanted)} files to {out_dir}")
    return 0
