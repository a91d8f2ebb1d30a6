"""Tables and matplotlib charts computed from the data (used by chapters and figures/).

Each ``*_table`` function returns a pandas DataFrame; each ``plot_*`` function
returns a :class:`Chart` (a matplotlib figure that shows itself in a notebook and in
the book) whose categories are told apart by hatch pattern and text labels as well as colour.
"""
from __future__ import annotations

import base64
import html
import io
import math
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from mechgraph.data import BookData, _keys  # noqa: E402
from mechgraph.diagram import EVIDENCE_GROUP, EVIDENCE_NAMES, EVIDENCE_RANK, EVIDENCE_TEXT  # noqa: E402

from matplotlib.ticker import MaxNLocator  # noqa: E402

#: stand-in colours for ink and paper; in the book's inline SVG they become the page's own colours,
#: so a chart is drawn for the light or the dark theme alike
INK, PAPER = "#010101", "#fefefe"
plt.rcParams.update({
    "font.family": "DejaVu Sans", "font.size": 11, "xtick.labelsize": 10.5, "ytick.labelsize": 10.5,
    "legend.fontsize": 10, "axes.titlesize": 12, "svg.hashsalt": "mechgraph", "hatch.linewidth": 0.8,
    "figure.dpi": 100, "savefig.dpi": 150, "axes.spines.top": False, "axes.spines.right": False,
    "text.color": INK, "axes.labelcolor": INK, "axes.edgecolor": INK, "xtick.color": INK, "ytick.color": INK,
    "legend.labelcolor": INK, "legend.facecolor": PAPER, "legend.edgecolor": INK,
})
MIN_TEXT_PX = 11.5  # as for the diagrams: no chart text is drawn smaller than this on screen


class Chart:
    """A chart made by a ``plot_*`` function: inline SVG in the book (text stays text and follows the
    page's colours, including dark mode), PNG elsewhere, ``.figure`` for saving files."""

    def __init__(self, figure, title: str):
        self.figure, self.title = figure, title
        plt.close(figure)  # shown through this object only, never by pyplot

    def _file(self, fmt: str, **style) -> bytes:
        buffer = io.BytesIO()
        meta = {"Date": None} if fmt == "svg" else {"Software": None}
        with plt.rc_context(style):
            self.figure.savefig(buffer, format=fmt, metadata=meta, bbox_inches="tight", transparent=fmt == "svg")
        return buffer.getvalue()

    def svg_html(self) -> str:
        svg = self._file("svg", **{"svg.fonttype": "none"}).decode()
        svg = svg[svg.index("<svg"):]
        svg = svg.replace(INK, "currentColor").replace(PAPER, "var(--pst-color-background, #fff)")
        width = float(re.search(r'<svg[^>]*?width="([\d.]+)pt"', svg).group(1))
        sizes = [float(x) for x in re.findall(r"font:[^;\"]*?([\d.]+)px", svg)]
        natural = width * 4 / 3
        least = natural * min(1.0, MIN_TEXT_PX / (min(sizes, default=11) * 4 / 3))
        svg = re.sub(r'<svg([^>]*?) width="[\d.]+pt" height="[\d.]+pt"',
                     rf'<svg\1 style="max-width:{natural:.0f}px;min-width:{least:.0f}px" role="img" '
                     rf'aria-label="{html.escape(self.title)}"', svg, count=1)
        svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
        label = html.escape(f"{self.title} (chart; scroll sideways if it is wider than the page)")
        return f'<div class="mechgraph-chart" tabindex="0" role="region" aria-label="{label}">\n{svg.strip()}\n</div>'

    def png(self) -> bytes:
        return self._file("png", **{"text.color": "black"})

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.svg_html(), "image/png": base64.b64encode(self.png()).decode(),
                "text/plain": f"Chart({self.title!r})"}

CHAPTER_ORDER = ["intro", "msc-biology", "nerve-repair", "tumours", "pain-primer", "pain-mechanisms", "measuring-pain",
                 "therapy", "clinical", "conclusion"]
CHAPTER_NAMES = {
    "intro": "1 Why cancer pain", "msc-biology": "2 MSC biology", "nerve-repair": "3 Nerve repair",
    "tumours": "4 Tumours", "pain-mechanisms": "5 Pain mechanisms", "therapy": "6 Therapy",
    "conclusion": "7 Conclusion", "pain-primer": "Pain primer", "measuring-pain": "Measuring pain",
    "clinical": "Clinical picture",
}
GROUP_ORDER = ["human", "animal", "in_vitro", "review"]
GROUP_LOOK = {  # colour (Okabe-Ito) and hatch, so print and colour-blind readers see the same
    "human": ("#0072B2", "//"), "animal": ("#009E73", ""), "in_vitro": ("#E69F00", "\\\\"),
    "review": ("#999999", "xx"),
}
SCOPE_LOOK = {"measured": ("#D55E00", "//"), "asserted": ("#F0E442", ".."), "extrapolated": ("#CCCCCC", "")}
SETTING_NAMES = {
    "bone_cancer_pain": "bone cancer pain", "cipn": "chemotherapy-induced neuropathy",
    "cancer_other_pain": "other cancer pain", "tumour_biology": "tumour biology", "nerve_injury": "nerve injury",
    "spinal_cord_injury": "spinal cord injury", "neuropathic_other": "other neuropathic pain",
    "osteoarthritis": "osteoarthritis", "msc_biology": "MSC biology", "general": "general",
}
SCOPE_NAMES = {"measured": "measured in a cancer-pain model", "asserted": "asserted by a review, no primary data",
               "extrapolated": "extrapolated from another setting"}


def _stacked_barh(table: pd.DataFrame, looks: dict, names: dict, title: str, xlabel: str):
    fig, ax = plt.subplots(figsize=(6.6, 0.5 * len(table) + 2.0), layout="constrained")
    left = pd.Series(0, index=table.index, dtype=float)
    for column in table.columns:
        colour, hatch = looks[column]
        bars = ax.barh(table.index, table[column], left=left, color=colour, hatch=hatch,
                       edgecolor="black", linewidth=0.6, label=names.get(column, column))
        ax.bar_label(bars, labels=[str(v) if v else "" for v in table[column]], label_type="center", fontsize=10,
                     bbox={"boxstyle": "round,pad=0.15", "fc": PAPER, "ec": "none", "alpha": 0.85})
        left += table[column]
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.legend(loc="outside lower center", ncol=2, frameon=False)
    return Chart(fig, title)


def evidence_by_chapter(data: BookData) -> pd.DataFrame:
    """Statements per chapter by the kind of evidence behind them (human, animal, cell culture, review)."""
    groups = data.statements["evidence"].map(EVIDENCE_GROUP)
    table = pd.crosstab(data.statements["chapter"], groups)
    table = table.reindex(index=[c for c in CHAPTER_ORDER if c in table.index],
                          columns=[g for g in GROUP_ORDER if g in table.columns], fill_value=0)
    return table.rename(index=CHAPTER_NAMES).rename_axis(index="chapter", columns="evidence")


def scope_by_chapter(data: BookData) -> pd.DataFrame:
    """Statements per chapter measured in cancer pain, asserted for it by a review, or extrapolated from elsewhere."""
    table = pd.crosstab(data.statements["chapter"], data.statements["cancer_pain"])
    table = table.reindex(index=[c for c in CHAPTER_ORDER if c in table.index],
                          columns=[c for c in SCOPE_LOOK if c in table.columns], fill_value=0)
    return table.rename(index=CHAPTER_NAMES).rename_axis(index="chapter", columns="cancer pain")


def evidence_by_figure(data: BookData) -> pd.DataFrame:
    """For each named diagram: statements by evidence kind, and how many were measured in cancer-pain models."""
    rows = []
    for fig in data.figures.itertuples():
        part = data.figure_statements(fig.id)
        groups = part["evidence"].map(EVIDENCE_GROUP).value_counts()
        rows.append({"diagram": fig.title, **{EVIDENCE_NAMES[g]: int(groups.get(g, 0)) for g in GROUP_ORDER},
                     "measured in cancer pain": int((part["cancer_pain"] == "measured").sum()), "total": len(part)})
    table = pd.DataFrame(rows).set_index("diagram")
    table["% measured"] = (100 * table["measured in cancer pain"] / table["total"]).round().astype(int)
    return table


def plot_evidence_by_chapter(data: BookData):
    return _stacked_barh(evidence_by_chapter(data), GROUP_LOOK, EVIDENCE_NAMES,
                         "What kind of evidence stands behind each chapter's statements", "statements")


def plot_scope_by_chapter(data: BookData):
    return _stacked_barh(scope_by_chapter(data), SCOPE_LOOK, SCOPE_NAMES,
                         "How much of each chapter was measured in cancer pain itself", "statements")


def literature_table(data: BookData) -> pd.DataFrame:
    """One row per cited paper: year and the strongest evidence among the statements citing it."""
    rows = []
    for st in data.statements.itertuples():
        for key in _keys(st.citations):
            rows.append({"key": key, "evidence": st.evidence})
    frame = pd.DataFrame(rows)
    best = frame.groupby("key").agg(evidence=("evidence", lambda s: min(s, key=EVIDENCE_RANK.index)))
    best["year"] = [int(data.references[k].year) for k in best.index]
    best["group"] = best["evidence"].map(EVIDENCE_GROUP)
    return best.sort_values(["year", "group"])


def plot_literature_timeline(data: BookData):
    """Cited papers per year, stacked by the kind of evidence they contribute."""
    lit = literature_table(data)
    table = pd.crosstab(lit["year"], lit["group"]).reindex(columns=[g for g in GROUP_ORDER if g in set(lit["group"])],
                                                           fill_value=0)
    years = range(int(table.index.min()), int(table.index.max()) + 1)
    table = table.reindex(years, fill_value=0)
    fig, ax = plt.subplots(figsize=(6.8, 3.8))
    bottom = pd.Series(0, index=table.index)
    for column in table.columns:
        colour, hatch = GROUP_LOOK[column]
        ax.bar(table.index, table[column], bottom=bottom, color=colour, hatch=hatch, edgecolor="black",
               linewidth=0.5, label=EVIDENCE_NAMES[column])
        bottom += table[column]
    for year, total in bottom.items():
        if total:
            ax.text(year, total + 0.2, str(total), ha="center", fontsize=10)
    ax.set_xlabel("publication year")
    ax.set_ylabel("papers cited in the data")
    title = "When the cited evidence was published, and what kind it is"
    ax.set_title(title, loc="left")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return Chart(fig, title)


def table1_display(data: BookData) -> pd.DataFrame:
    """Table 1 with readable column names and doses written out."""
    t = data.table1
    dose = [f"{c:,.0f} cells" if pd.notna(c) else f"{m:g} mg/kg" for c, m in zip(t["cells_per_dose"], t["mg_per_kg_per_dose"])]
    return pd.DataFrame({
        "study": [data.references[k].short for k in t["citation"]],
        "product": t["product"].str.replace("_", " "), "MSC source": t["cell_source"].str.replace("_", " "),
        "modification": t["modification"], "pain model": t["pain_model"].str.replace("_", " "),
        "inducer": t["inducer"], "animal": t["animal"] + " (" + t["strain"] + ")", "route": t["route"],
        "route in the review": t["route_in_review"], "dose per administration": dose,
        "administrations": t["administrations"], "outcome": t["outcome"],
    }).set_index("study")


def plot_table1_doses(data: BookData):
    """Dose per administration for each Table 1 study (log scale); doses, route and animal written on each bar."""
    t = data.table1
    fig, ax = plt.subplots(figsize=(6.8, 0.75 * len(t) + 1.6))
    for i, r in enumerate(t.itertuples()):
        if pd.notna(r.cells_per_dose):
            ax.barh(i, r.cells_per_dose, color="#56B4E9", edgecolor="black", hatch="//")
            note, x = f"{r.cells_per_dose:,.0f} cells x {r.administrations:g}", r.cells_per_dose
        else:
            note, x = f"no cell count: vesicles {r.mg_per_kg_per_dose:g} mg/kg x {r.administrations:g}", 1e5
        ax.text(x * 1.25, i, f"{note}\n{r.route}, {r.animal}", va="center", fontsize=10)
    ax.set_xscale("log")
    counts = t["cells_per_dose"].dropna()
    ax.set_xlim(10 ** math.floor(math.log10(counts.min()) - 1), 10 ** math.ceil(math.log10(counts.max()) + 2.5))
    ax.set_yticks(range(len(t)), [data.references[k].short for k in t["citation"]])
    ax.set_ylim(len(t) - 0.5, -0.8)
    ax.set_xlabel("cells per administration (log scale)")
    title = "Table 1: dose, number of doses, route and species"
    ax.set_title(title, loc="left")
    fig.tight_layout()
    return Chart(fig, title)


def plot_evidence_counts(data: BookData, chapter: str):
    """One chapter's statements by the kind of evidence behind them, with counts on the bars."""
    rows = data.statements[data.statements["chapter"] == chapter]
    counts = rows["evidence"].value_counts().reindex([e for e in EVIDENCE_RANK if e in set(rows["evidence"])])
    fig, ax = plt.subplots(figsize=(6.6, 0.5 * len(counts) + 1.5))
    looks = [GROUP_LOOK[EVIDENCE_GROUP[e]] for e in counts.index]
    bars = ax.barh([EVIDENCE_TEXT[e] for e in counts.index], counts.values,
                   color=[c for c, _ in looks], hatch=None, edgecolor="black")
    for bar, (_, hatch) in zip(bars, looks):
        bar.set_hatch(hatch)
    ax.bar_label(bars, padding=3, fontsize=10)
    ax.invert_yaxis()
    ax.set_xlabel("number of statements")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    title = f"Chapter {CHAPTER_NAMES[chapter]}: the evidence behind its statements"
    ax.set_title(title, loc="left")
    fig.tight_layout()
    return Chart(fig, title)


TUMOUR_DIRECTION = {"promotes": "pro-tumour", "increases": "pro-tumour", "causes": "pro-tumour",
                    "inhibits": "anti-tumour", "decreases": "anti-tumour"}
MSC_SOURCE = {"msc": "MSC, source not specified", "bmsc": "bone marrow", "ucmsc": "umbilical cord",
              "cd90_low_adsc": "adipose", "msc1": "primed MSC (MSC1/MSC2)", "msc2": "primed MSC (MSC1/MSC2)",
              "msc_exosome": "MSC vesicles", "msc_microvesicle": "MSC vesicles"}


def tumour_effects(data: BookData) -> pd.DataFrame:
    """Chapter 4 statements about tumour growth or metastasis, labelled pro- or anti-tumour and by MSC source."""
    st = data.statements
    rows = st[(st["chapter"] == "tumours") & st["object"].isin(["tumour_growth", "metastasis"])].copy()
    rows["direction"] = rows["relation"].map(TUMOUR_DIRECTION)
    rows["source"] = rows["subject"].map(MSC_SOURCE).fillna("other cell or molecule")
    return rows


def plot_tumour_effects(data: BookData):
    """Pro- versus anti-tumour statements, split by the kind of evidence behind them."""
    effects = tumour_effects(data)
    counts = pd.crosstab(effects["evidence"], effects["direction"])
    counts = counts.reindex(columns=[c for c in ("pro-tumour", "anti-tumour") if c in counts.columns])
    fig, ax = plt.subplots(figsize=(6.6, 0.75 * len(counts) + 1.8))
    height = 0.38
    for j, (column, colour, hatch) in enumerate((("pro-tumour", "#D55E00", "//"), ("anti-tumour", "#0072B2", ""))):
        if column not in counts:
            continue
        ys = [i + (j - 0.5) * height for i in range(len(counts))]
        bars = ax.barh(ys, counts[column], height=height, color=colour, hatch=hatch, edgecolor="black", label=column)
        ax.bar_label(bars, labels=[f"{column}: {v}" if v else "" for v in counts[column]], padding=3, fontsize=10)
    ax.set_yticks(range(len(counts)), [EVIDENCE_TEXT[e] for e in counts.index])
    ax.invert_yaxis()
    ax.set_xlim(0, counts.values.max() * 1.45 + 2)
    ax.set_xlabel("statements about tumour growth or metastasis")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    title = "MSCs and tumours: findings in each direction, by evidence"
    ax.set_title(title, loc="left")
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    return Chart(fig, title)


MSC_PRODUCTS = ["msc", "bmsc", "adsc", "ucmsc", "msc_exosome", "msc_conditioned_medium"]


def plot_msc_settings(data: BookData):
    """Chapter 5 statements in which an MSC product acts, by the setting studied and whether measured in cancer pain."""
    st = data.statements
    rows = st[(st["chapter"] == "pain-mechanisms") & st["subject"].isin(MSC_PRODUCTS)]
    counts = pd.crosstab(rows["setting"].map(SETTING_NAMES), rows["cancer_pain"])
    counts = counts.reindex(columns=[c for c in SCOPE_LOOK if c in counts.columns], fill_value=0)
    return _stacked_barh(counts, SCOPE_LOOK, SCOPE_NAMES, "What MSC products did, by the setting studied",
                         "statements with an MSC product as subject")


def errata_table(data: BookData) -> pd.DataFrame:
    from mechgraph.report import KIND_NAMES
    table = pd.crosstab(data.errata["kind"].map(KIND_NAMES), data.errata["confidence"])
    return table.reindex(columns=[c for c in ("high", "medium", "low") if c in table.columns], fill_value=0)


def plot_errata(data: BookData):
    table = errata_table(data)
    table = table.sort_values(by=list(table.columns), ascending=False)
    looks = {"high": ("#0072B2", "//"), "medium": ("#E69F00", "\\\\"), "low": ("#CCCCCC", "")}
    return _stacked_barh(table, looks, {c: f"{c} confidence" for c in looks},
                         "Problems found in the review, by kind", "entries")
