"""Tables and matplotlib charts computed from the data (used by chapters and figures/).

Each ``*_table`` function returns a pandas DataFrame; each ``plot_*`` function
returns a :class:`Chart` (a matplotlib figure that shows itself in a notebook and in
the book) whose categories are told apart by hatch pattern and text labels as well as colour.

Every chart is drawn once, narrow enough for a phone (:data:`CHART_WIDTH` inches, horizontal bars,
wrapped category names, few ticks, the legend below): fitted to a phone's 342 px column its
smallest text stays at 10 px or more, and a laptop shows it at its natural size (11 pt text).
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import math
import re
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from mechgraph.data import BookData  # noqa: E402

from matplotlib.ticker import MaxNLocator  # noqa: E402

#: stand-in colours for ink and paper; in the book's inline SVG they become the page's own colours,
#: so a chart is drawn for the light or the dark theme alike
INK, PAPER = "#010101", "#fefefe"
TEXT_PT = 11  # every text of a chart: 14.7 px at natural size
plt.rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": TEXT_PT,
        "xtick.labelsize": TEXT_PT,
        "ytick.labelsize": TEXT_PT,
        "legend.fontsize": TEXT_PT,
        "axes.titlesize": TEXT_PT + 0.5,
        "svg.hashsalt": "mechgraph",
        "hatch.linewidth": 0.8,
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "text.color": INK,
        "axes.labelcolor": INK,
        "axes.edgecolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "legend.labelcolor": INK,
        "legend.facecolor": PAPER,
        "legend.edgecolor": INK,
    }
)
#: the width of every chart (inches): with its labels it stays under 5.1 in (490 px), so that fitted to
#: a phone's 342 px column its 11 pt text is still 10 px
CHART_WIDTH = 3.9
WRAP = 17  # characters per line of a category name beside a bar
TITLE_WRAP = 32


_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def _wrap(text: str, width: int = WRAP) -> str:
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


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
            self.figure.savefig(
                buffer, format=fmt, metadata=meta, bbox_inches="tight", transparent=fmt == "svg"
            )
        return buffer.getvalue()

    def svg_html(self) -> str:
        svg = self._file("svg", **{"svg.fonttype": "none"}).decode()
        svg = svg[svg.index("<svg") :]
        svg = svg.replace(INK, "currentColor").replace(PAPER, "var(--pst-color-background, #fff)")
        natural = self.natural_width_px(svg)
        svg = re.sub(
            r'<svg([^>]*?) width="[\d.]+pt" height="[\d.]+pt"',
            rf'<svg\1 style="max-width:{natural:.0f}px" role="img" aria-label="{html.escape(self.title)}"',
            svg,
            count=1,
        )
        svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
        label = html.escape(f"{self.title} (chart)")
        return f'<div class="mechgraph-chart" tabindex="0" role="region" aria-label="{label}">\n{svg.strip()}\n</div>'

    @staticmethod
    def natural_width_px(svg: str) -> float:
        return float(re.search(r'<svg[^>]*?width="([\d.]+)pt"', svg).group(1)) * 4 / 3

    @staticmethod
    def smallest_text_px(svg: str) -> float:
        """The smallest text of the chart's SVG at its natural size (px)."""
        return min(float(x) for x in re.findall(r"font(?:-size)?:[^;\"]*?([\d.]+)px", svg)) * 4 / 3

    def png(self) -> bytes:
        return self._file("png", **{"text.color": "black"})

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": self.svg_html(),
            "image/png": base64.b64encode(self.png()).decode(),
            "text/plain": f"Chart({self.title!r})",
        }


#: colour (Okabe-Ito) and hatch of each evidence group (vocabulary ``evidence_group``), so print and
#: colour-blind readers see the same
GROUP_LOOK = {
    "human": ("#0072B2", "//"),
    "animal": ("#009E73", ""),
    "in_vitro": ("#E69F00", "\\\\"),
    "review": ("#999999", "xx"),
}
#: looks given in turn to the values of a vocabulary (cancer_pain, confidence), in its order
#: ("--", not dots: matplotlib's SVG spells out every dot of a dotted tile, 67 KB a chart)
SCOPE_LOOKS = [("#D55E00", "//"), ("#F0E442", "--"), ("#CCCCCC", ""), ("#56B4E9", "xx")]
CONFIDENCE_LOOKS = [("#0072B2", "//"), ("#E69F00", "\\\\"), ("#CCCCCC", "")]
#: how a relation that raises or lowers tumour growth or spread reads
TUMOUR_DIRECTION = {"up": "pro-tumour", "down": "anti-tumour"}
OTHER_SOURCE = "other cell or molecule"


def _looks(values, palette: list[tuple[str, str]]) -> dict:
    return dict(zip(values, itertools.cycle(palette)))


def _by_chapter(data: BookData, table: pd.DataFrame) -> pd.DataFrame:
    """Rows in reading order (chapters.csv), named by the chapters' titles."""
    table = table.reindex([c for c in data.chapters.index if c in table.index])
    return table.rename(index=data.chapters["title"].to_dict())


#: the shortest segment of a stacked bar, as a share of the longest bar, that holds its number
NUMBER_FITS = 0.045


def _stacked_barh(table: pd.DataFrame, looks: dict, names: dict, title: str, xlabel: str):
    table = table.rename(index=_wrap)
    tall = sum(name.count("\n") + 1 for name in table.index)
    fig, ax = plt.subplots(figsize=(CHART_WIDTH, 0.3 * tall + 0.25 * len(table) + 2.2), layout="constrained")
    left = pd.Series(0, index=table.index, dtype=float)
    # a number fits inside a segment at least this long; a bar with a shorter one gets all its
    # numbers, zeros too, after its end instead, in the legend's order ("0 + 4 + 2")
    fits = NUMBER_FITS * table.sum(axis=1).max()
    crowded = ((table > 0) & (table < fits)).any(axis=1)
    for column in table.columns:
        colour, hatch = looks[column]
        bars = ax.barh(
            table.index,
            table[column],
            left=left,
            color=colour,
            hatch=hatch,
            edgecolor="black",
            linewidth=0.6,
            label=_wrap(names.get(column, column), 26),
        )
        ax.bar_label(
            bars,
            labels=[str(v) if v and not crowded[row] else "" for row, v in table[column].items()],
            label_type="center",
            fontsize=TEXT_PT,
            bbox={"boxstyle": "round,pad=0.15", "fc": PAPER, "ec": "none", "alpha": 0.85},
        )
        left += table[column]
    if crowded.any():  # room for the numbers after the longest bar
        ax.set_xlim(0, table.sum(axis=1).max() * 1.25)
    for row in table.index[crowded]:
        ax.text(left[row], row, " " + "+".join(str(v) for v in table.loc[row]), va="center", fontsize=TEXT_PT)
    ax.invert_yaxis()
    ax.set_xlabel(
        _wrap(xlabel, 34)
        + (
            "\n" + _wrap("(numbers after a bar: each kind, in the legend's order)", 34)
            if crowded.any()
            else ""
        )
    )
    ax.set_title(_wrap(title, TITLE_WRAP), loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    fig.legend(loc="outside lower center", ncol=1, frameon=False)
    return Chart(fig, title)


def evidence_by_chapter(data: BookData) -> pd.DataFrame:
    """Statements per chapter by the kind of evidence behind them (human, animal, cell culture, review)."""
    groups = data.statements["evidence"].map(data.groups("evidence"))
    table = pd.crosstab(data.statements["chapter"], groups)
    table = table.reindex(
        columns=[g for g in data.labels("evidence_group") if g in table.columns], fill_value=0
    )
    return _by_chapter(data, table).rename_axis(index="chapter", columns="evidence")


def scope_by_chapter(data: BookData) -> pd.DataFrame:
    """Statements per chapter measured in cancer pain, asserted for it by a review, or extrapolated from elsewhere."""
    table = pd.crosstab(data.statements["chapter"], data.statements["cancer_pain"])
    table = table.reindex(columns=[c for c in data.labels("cancer_pain") if c in table.columns], fill_value=0)
    return _by_chapter(data, table).rename_axis(index="chapter", columns="cancer pain")


def evidence_by_figure(data: BookData) -> pd.DataFrame:
    """For each named diagram: statements by evidence kind, and how many were measured in cancer-pain models."""
    rows = []
    for fig in data.figures.itertuples():
        part = data.figure_statements(fig.id)
        groups = part["evidence"].map(data.groups("evidence")).value_counts()
        rows.append(
            {
                "diagram": fig.title,
                **{name: int(groups.get(g, 0)) for g, name in data.labels("evidence_group").items()},
                "measured in cancer pain": int(data.measured(part).sum()),
                "total": len(part),
            }
        )
    table = pd.DataFrame(rows).set_index("diagram")
    table["% measured"] = (100 * table["measured in cancer pain"] / table["total"]).round().astype(int)
    return table


def plot_evidence_by_chapter(data: BookData):
    return _stacked_barh(
        evidence_by_chapter(data),
        GROUP_LOOK,
        data.labels("evidence_group"),
        "What kind of evidence stands behind each chapter's statements",
        "statements",
    )


def plot_scope_by_chapter(data: BookData):
    return _stacked_barh(
        scope_by_chapter(data),
        _looks(data.labels("cancer_pain"), SCOPE_LOOKS),
        data.labels("cancer_pain"),
        "How much of each chapter was measured in cancer pain itself",
        "statements",
    )


def literature_table(data: BookData) -> pd.DataFrame:
    """One row per cited paper: year and the strongest evidence among the statements citing it."""
    rows = []
    rank = list(data.labels("evidence"))
    for st in data.statements.itertuples():
        for key in st.citations:
            rows.append({"key": key, "evidence": st.evidence})
    frame = pd.DataFrame(rows)
    best = frame.groupby("key").agg(evidence=("evidence", lambda s: min(s, key=rank.index)))
    best["year"] = [int(data.references[k].year) for k in best.index]
    best["group"] = best["evidence"].map(data.groups("evidence"))
    return best.sort_values(["year", "group"])


def plot_literature_timeline(data: BookData):
    """Cited papers per year (a bar each, the years down the side), stacked by the kind of evidence."""
    lit = literature_table(data)
    groups = data.labels("evidence_group")
    table = pd.crosstab(lit["year"], lit["group"]).reindex(
        columns=[g for g in groups if g in set(lit["group"])], fill_value=0
    )
    years = range(int(table.index.min()), int(table.index.max()) + 1)
    table = table.reindex(years, fill_value=0)
    fig, ax = plt.subplots(figsize=(CHART_WIDTH, 0.22 * len(table) + 2.4), layout="constrained")
    left = pd.Series(0, index=table.index)
    for column in table.columns:
        colour, hatch = GROUP_LOOK[column]
        ax.barh(
            table.index,
            table[column],
            left=left,
            color=colour,
            hatch=hatch,
            edgecolor="black",
            linewidth=0.5,
            label=groups[column],
        )
        left += table[column]
    for year, total in left.items():
        if total:
            ax.text(total + 0.2, year, str(total), va="center", fontsize=TEXT_PT)
    ax.set_ylabel("publication year")
    ax.set_xlabel("papers cited in the data")
    title = "When the cited evidence was published, and what kind it is"
    ax.set_title(_wrap(title, TITLE_WRAP), loc="left")
    ax.invert_yaxis()
    ax.yaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.set_xlim(0, left.max() * 1.15 + 0.5)
    fig.legend(loc="outside lower center", ncol=1, frameon=False)
    return Chart(fig, title)


def plot_table1_doses(data: BookData):
    """Dose per administration for each Table 1 study (log scale); doses, route and animal written on each bar."""
    t = data.table1
    fig, ax = plt.subplots(figsize=(CHART_WIDTH, 1.05 * len(t) + 1.4), layout="constrained")
    for i, r in enumerate(t.itertuples()):
        if pd.notna(r.cells_per_dose):
            ax.barh(i, r.cells_per_dose, color="#56B4E9", edgecolor="black", hatch="//")
            note, x = f"{r.cells_per_dose:,.0f} cells x {r.administrations:g}", r.cells_per_dose
        else:
            note, x = f"no cell count: vesicles {r.mg_per_kg_per_dose:g} mg/kg x {r.administrations:g}", 1e5
        ax.text(x * 1.25, i, _wrap(f"{note}; {r.route}, {r.animal}", 22), va="center", fontsize=TEXT_PT)
    ax.set_xscale("log")
    counts = t["cells_per_dose"].dropna()
    ax.set_xlim(10 ** math.floor(math.log10(counts.min()) - 1), 10 ** math.ceil(math.log10(counts.max()) + 3))
    ax.set_yticks(range(len(t)), [_wrap(data.references[k].short, 12) for k in t["citation"]])
    ax.set_ylim(len(t) - 0.5, -0.8)
    ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(numticks=4))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.xaxis.set_major_formatter(  # 10⁵, not mathtext, whose small exponent would be the smallest text
        matplotlib.ticker.FuncFormatter(lambda v, _: "10" + str(round(math.log10(v))).translate(_SUPERSCRIPT))
    )
    ax.set_xlabel("cells per administration (log scale)")
    title = "Table 1: dose, number of doses, route and species"
    ax.set_title(_wrap(title, TITLE_WRAP), loc="left")
    return Chart(fig, title)


def plot_evidence_counts(data: BookData, chapter: str):
    """One chapter's statements by the kind of evidence behind them, with counts on the bars."""
    rows = data.chapter_statements(chapter)
    names, groups = data.labels("evidence"), data.groups("evidence")
    counts = rows["evidence"].value_counts().reindex([e for e in names if e in set(rows["evidence"])])
    fig, ax = plt.subplots(figsize=(CHART_WIDTH, 0.55 * len(counts) + 1.6), layout="constrained")
    looks = [GROUP_LOOK[groups[e]] for e in counts.index]
    bars = ax.barh(
        [_wrap(names[e], 18) for e in counts.index],
        counts.values,
        color=[c for c, _ in looks],
        hatch=None,
        edgecolor="black",
    )
    for bar, (_, hatch) in zip(bars, looks):
        bar.set_hatch(hatch)
    ax.bar_label(bars, padding=3, fontsize=TEXT_PT)
    ax.invert_yaxis()
    ax.set_xlabel("number of statements")
    ax.set_xlim(0, counts.max() * 1.15 + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    title = f"{data.chapter_title(chapter)}: the evidence behind its statements"
    ax.set_title(_wrap(title, TITLE_WRAP), loc="left")
    return Chart(fig, title)


def _category_group(data: BookData, entities: pd.Series) -> pd.Series:
    """The group of each entity's category (vocabulary ``category_group``), or "" if it has none."""
    return entities.map(data.entities["category"]).map(data.groups("category")).fillna("")


def tumour_effects(data: BookData, chapter: str) -> pd.DataFrame:
    """A chapter's statements about tumour growth or spread (entities of the category group
    ``tumour_outcome``), labelled pro- or anti-tumour and by the MSC source of the subject."""
    st = data.chapter_statements(chapter)
    rows = st[_category_group(data, st["object"]) == "tumour_outcome"].copy()
    rows["direction"] = rows["relation"].map(data.groups("relation")).map(TUMOUR_DIRECTION)
    msc = _category_group(data, rows["subject"]) == "msc_product"
    source = rows["subject"].map(data.entities["category"]).map(data.labels("category"))
    rows["source"] = source.where(msc, OTHER_SOURCE)
    return rows


def plot_tumour_effects(data: BookData, chapter: str):
    """Pro- versus anti-tumour statements, split by the kind of evidence behind them."""
    effects = tumour_effects(data, chapter)
    counts = pd.crosstab(effects["evidence"], effects["direction"])
    counts = counts.reindex(columns=[c for c in ("pro-tumour", "anti-tumour") if c in counts.columns])
    fig, ax = plt.subplots(figsize=(CHART_WIDTH, 0.8 * len(counts) + 2.2), layout="constrained")
    height = 0.38
    for j, (column, colour, hatch) in enumerate(
        (("pro-tumour", "#D55E00", "//"), ("anti-tumour", "#0072B2", ""))
    ):
        if column not in counts:
            continue
        ys = [i + (j - 0.5) * height for i in range(len(counts))]
        bars = ax.barh(
            ys, counts[column], height=height, color=colour, hatch=hatch, edgecolor="black", label=column
        )
        ax.bar_label(bars, labels=[str(v) if v else "" for v in counts[column]], padding=3, fontsize=TEXT_PT)
    ax.set_yticks(range(len(counts)), [_wrap(data.labels("evidence")[e], 18) for e in counts.index])
    ax.invert_yaxis()
    ax.set_xlim(0, counts.values.max() * 1.2 + 1)
    ax.set_xlabel(_wrap("statements about tumour growth or metastasis", 34))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    title = "MSCs and tumours: findings in each direction, by evidence"
    ax.set_title(_wrap(title, TITLE_WRAP), loc="left")
    fig.legend(loc="outside lower center", ncol=2, frameon=False)
    return Chart(fig, title)


def plot_msc_settings(data: BookData, chapter: str):
    """A chapter's statements in which an MSC product acts (category group ``msc_product``), by the
    setting studied and whether measured in cancer pain."""
    st = data.chapter_statements(chapter)
    rows = st[_category_group(data, st["subject"]) == "msc_product"]
    counts = pd.crosstab(rows["setting"].map(data.labels("setting")), rows["cancer_pain"])
    scope = data.labels("cancer_pain")
    counts = counts.reindex(columns=[c for c in scope if c in counts.columns], fill_value=0)
    return _stacked_barh(
        counts,
        _looks(scope, SCOPE_LOOKS),
        scope,
        "What MSC products did, by the setting studied",
        "statements with an MSC product as subject",
    )


def errata_table(data: BookData) -> pd.DataFrame:
    table = pd.crosstab(data.errata["kind"].map(data.labels("erratum_kind")), data.errata["confidence"])
    return table.reindex(columns=[c for c in data.labels("confidence") if c in table.columns], fill_value=0)


def plot_errata(data: BookData):
    table = errata_table(data)
    table = table.sort_values(by=list(table.columns), ascending=False)
    confidence = data.labels("confidence")
    return _stacked_barh(
        table,
        _looks(confidence, CONFIDENCE_LOOKS),
        {c: f"{name} confidence" for c, name in confidence.items()},
        "Problems found in the review, by kind",
        "entries",
    )
