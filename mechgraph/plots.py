"""Tables and matplotlib figures computed from the data (used by chapters and figures/).

Each ``*_table`` function returns a pandas DataFrame; each ``plot_*`` function
returns a matplotlib Figure whose categories are told apart by hatch pattern and
text labels as well as colour.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from mechgraph.data import BookData, _keys  # noqa: E402
from mechgraph.diagram import EVIDENCE_GROUP, EVIDENCE_NAMES, EVIDENCE_RANK  # noqa: E402

plt.rcParams.update({
    "font.family": "DejaVu Sans", "font.size": 10, "svg.hashsalt": "mechgraph", "hatch.linewidth": 0.8,
    "figure.dpi": 100, "savefig.dpi": 150, "axes.spines.top": False, "axes.spines.right": False,
})

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
    "human": ("#0072B2", "////"), "animal": ("#009E73", ""), "in_vitro": ("#E69F00", "...."),
    "review": ("#999999", "xx"),
}
SCOPE_LOOK = {"direct": ("#D55E00", "////"), "extrapolated": ("#CCCCCC", "")}
SCOPE_NAMES = {"direct": "direct cancer-pain evidence", "extrapolated": "extrapolated from another setting"}


def _stacked_barh(table: pd.DataFrame, looks: dict, names: dict, title: str, xlabel: str):
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(table) + 1.6))
    left = pd.Series(0, index=table.index, dtype=float)
    for column in table.columns:
        colour, hatch = looks[column]
        bars = ax.barh(table.index, table[column], left=left, color=colour, hatch=hatch,
                       edgecolor="black", linewidth=0.6, label=names.get(column, column))
        ax.bar_label(bars, labels=[str(v) if v else "" for v in table[column]], label_type="center", fontsize=8,
                     bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
        left += table[column]
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left", fontsize=11)
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    fig.tight_layout()
    return fig


def evidence_by_chapter(data: BookData) -> pd.DataFrame:
    """Statements per chapter by the kind of evidence behind them (human, animal, cell culture, review)."""
    groups = data.statements["evidence"].map(EVIDENCE_GROUP)
    table = pd.crosstab(data.statements["chapter"], groups)
    table = table.reindex(index=[c for c in CHAPTER_ORDER if c in table.index],
                          columns=[g for g in GROUP_ORDER if g in table.columns], fill_value=0)
    return table.rename(index=CHAPTER_NAMES).rename_axis(index="chapter", columns="evidence")


def scope_by_chapter(data: BookData) -> pd.DataFrame:
    """Statements per chapter measured directly in cancer pain versus extrapolated from elsewhere."""
    table = pd.crosstab(data.statements["chapter"], data.statements["cancer_pain"])
    table = table.reindex(index=[c for c in CHAPTER_ORDER if c in table.index],
                          columns=[c for c in ("direct", "extrapolated") if c in table.columns], fill_value=0)
    return table.rename(index=CHAPTER_NAMES).rename_axis(index="chapter", columns="cancer pain")


def evidence_by_figure(data: BookData) -> pd.DataFrame:
    """For each named diagram: statements by evidence kind, and how many are direct cancer-pain evidence."""
    rows = []
    for fig in data.figures.itertuples():
        part = data.figure_statements(fig.id)
        groups = part["evidence"].map(EVIDENCE_GROUP).value_counts()
        rows.append({"diagram": fig.title, **{EVIDENCE_NAMES[g]: int(groups.get(g, 0)) for g in GROUP_ORDER},
                     "direct cancer pain": int((part["cancer_pain"] == "direct").sum()), "total": len(part)})
    table = pd.DataFrame(rows).set_index("diagram")
    table["% direct"] = (100 * table["direct cancer pain"] / table["total"]).round().astype(int)
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
    fig, ax = plt.subplots(figsize=(8, 3.6))
    bottom = pd.Series(0, index=table.index)
    for column in table.columns:
        colour, hatch = GROUP_LOOK[column]
        ax.bar(table.index, table[column], bottom=bottom, color=colour, hatch=hatch, edgecolor="black",
               linewidth=0.5, label=EVIDENCE_NAMES[column])
        bottom += table[column]
    for year, total in bottom.items():
        if total:
            ax.text(year, total + 0.2, str(total), ha="center", fontsize=7)
    ax.set_xlabel("publication year")
    ax.set_ylabel("papers cited in the data")
    ax.set_title("When the cited evidence was published, and what kind it is", loc="left", fontsize=11)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


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
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(t) + 1.4))
    for i, r in enumerate(t.itertuples()):
        if pd.notna(r.cells_per_dose):
            ax.barh(i, r.cells_per_dose, color="#56B4E9", edgecolor="black", hatch="//")
            note, x = f"{r.cells_per_dose:,.0f} cells x {r.administrations:g}", r.cells_per_dose
        else:
            note, x = f"no cell count: vesicles {r.mg_per_kg_per_dose:g} mg/kg x {r.administrations:g}", 1e5
        ax.text(x * 1.2, i, f"{note}, {r.route}, {r.animal}", va="center", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(1e5, 1e10)
    ax.set_yticks(range(len(t)), [data.references[k].short for k in t["citation"]])
    ax.set_ylim(len(t) - 0.5, -0.8)
    ax.set_xlabel("cells per administration (log scale)")
    ax.set_title("Table 1: dose, number of doses, route and species", loc="left", fontsize=11)
    fig.tight_layout()
    return fig


def plot_evidence_counts(data: BookData, chapter: str):
    """One chapter's statements by the kind of evidence behind them, with counts on the bars."""
    rows = data.statements[data.statements["chapter"] == chapter]
    counts = rows["evidence"].value_counts().reindex([e for e in EVIDENCE_RANK if e in set(rows["evidence"])])
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(counts) + 1.4))
    looks = [GROUP_LOOK[EVIDENCE_GROUP[e]] for e in counts.index]
    bars = ax.barh([e.replace("_", " ") for e in counts.index], counts.values,
                   color=[c for c, _ in looks], hatch=None, edgecolor="black")
    for bar, (_, hatch) in zip(bars, looks):
        bar.set_hatch(hatch)
    ax.bar_label(bars, padding=3)
    ax.invert_yaxis()
    ax.set_xlabel("number of statements")
    ax.set_title(f"{CHAPTER_NAMES[chapter]}: kind of evidence behind each statement", loc="left", fontsize=11)
    fig.tight_layout()
    return fig


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
    fig, ax = plt.subplots(figsize=(7.5, 0.6 * len(counts) + 1.6))
    height = 0.38
    for j, (column, colour, hatch) in enumerate((("pro-tumour", "#D55E00", "//"), ("anti-tumour", "#0072B2", ""))):
        if column not in counts:
            continue
        ys = [i + (j - 0.5) * height for i in range(len(counts))]
        bars = ax.barh(ys, counts[column], height=height, color=colour, hatch=hatch, edgecolor="black", label=column)
        ax.bar_label(bars, labels=[f"{column}: {v}" if v else "" for v in counts[column]], padding=3, fontsize=8)
    ax.set_yticks(range(len(counts)), [e.replace("_", " ") for e in counts.index])
    ax.invert_yaxis()
    ax.set_xlim(0, counts.values.max() + 4)
    ax.set_xlabel("statements about tumour growth or metastasis")
    ax.set_title("MSCs and tumours: findings in each direction, by evidence", loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


MSC_PRODUCTS = ["msc", "bmsc", "adsc", "ucmsc", "msc_exosome", "msc_conditioned_medium"]


def plot_msc_settings(data: BookData):
    """Chapter 5 statements in which an MSC product acts, by the setting studied and direct versus extrapolated."""
    st = data.statements
    rows = st[(st["chapter"] == "pain-mechanisms") & st["subject"].isin(MSC_PRODUCTS)]
    counts = pd.crosstab(rows["setting"].str.replace("_", " "), rows["cancer_pain"])
    counts = counts.reindex(columns=[c for c in ("direct", "extrapolated") if c in counts.columns], fill_value=0)
    return _stacked_barh(counts, SCOPE_LOOK, SCOPE_NAMES, "What MSC products did, by the setting studied",
                         "statements with an MSC product as subject")


def errata_table(data: BookData) -> pd.DataFrame:
    from mechgraph.report import KIND_NAMES
    table = pd.crosstab(data.errata["kind"].map(KIND_NAMES), data.errata["confidence"])
    return table.reindex(columns=[c for c in ("high", "medium", "low") if c in table.columns], fill_value=0)


def plot_errata(data: BookData):
    table = errata_table(data)
    table = table.sort_values(by=list(table.columns), ascending=False)
    looks = {"high": ("#0072B2", "////"), "medium": ("#E69F00", "...."), "low": ("#CCCCCC", "")}
    return _stacked_barh(table, looks, {c: f"{c} confidence" for c in looks},
                         "Problems found in the review, by kind", "entries")
