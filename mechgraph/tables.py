"""Tables for readers: the chapters' tables, computed from the data and written in words.

Every function returns a :class:`Table`: a DataFrame whose cells and column headings use the
display names of the data's vocabulary (``"is subtype of"``, ``"cell-culture study"``,
``"bone cancer pain"``, entity labels instead of ids), shown in the page without pandas' index
column or ``dtype`` line, inside a box that scrolls sideways when the table is wider than the
text column (``_static/tables.css``). ``Table.frame`` holds the plain DataFrame for analysis.
"""

from __future__ import annotations

import hashlib
import html

import pandas as pd

from mechgraph.data import BookData
from mechgraph.plots import OTHER_SOURCE, tumour_effects

ERRATA_PAGE = "08-critical-reading.html"


def capital(text: str) -> str:
    """Text with its first letter capitalised, the rest left alone (``MSC biology`` stays so)."""
    return text[:1].upper() + text[1:]


def entity_labels(data: BookData) -> pd.Series:
    """Entity id -> label."""
    return data.entities["label"]


class Table:
    """A display-ready table: shown in the page as HTML without an index column, and as plain
    text (no index, no dtype line, no truncated cells) where HTML is not available."""

    def __init__(
        self,
        frame: pd.DataFrame,
        label: str,
        html_columns: tuple[str, ...] = (),
        prose_columns: tuple[str, ...] = (),
        summary: str = "",
    ):
        self.frame = frame.reset_index(drop=True)
        self.summary = summary  # if given, the table is shown collapsed under this line (<details>)
        self.label = label  # names the scrolling box for screen readers
        self.html_columns = set(html_columns)  # columns whose cells are HTML already (links)
        self.prose_columns = set(prose_columns)  # columns of sentences, given room to wrap (tables.css)

    def __len__(self) -> int:
        return len(self.frame)

    def _cell(self, column: str, value) -> str:
        if column in self.html_columns:
            return "" if value is None else str(value)
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return html.escape(
            f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
        )

    def to_html(self) -> str:
        cells = pd.DataFrame(
            {c: [self._cell(c, v) for v in self.frame[c]] for c in self.frame.columns}, index=self.frame.index
        )
        cells.columns = [html.escape(str(c)) for c in self.frame.columns]
        numeric = [
            html.escape(str(c))
            for c in self.frame.columns
            if pd.api.types.is_numeric_dtype(self.frame[c]) and not pd.api.types.is_bool_dtype(self.frame[c])
        ]
        uuid = hashlib.sha1(self.label.encode("utf-8")).hexdigest()[:8]  # stable ids: builds are reproducible
        styler = (
            cells.style.hide(axis="index")
            .set_uuid(uuid)
            .set_table_attributes('class="dataframe mechgraph-table"')
        )
        if self.prose_columns:
            classes = pd.DataFrame(
                {
                    html.escape(str(c)): ["prose" if c in self.prose_columns else ""] * len(cells)
                    for c in self.frame.columns
                },
                index=cells.index,
            )
            styler = styler.set_td_classes(classes)
        if numeric:  # counts line up on the right
            styler = styler.set_table_styles(
                {c: [{"selector": "td", "props": "text-align: right"}] for c in numeric}, overwrite=False
            )
        body = styler.to_html()
        box = (
            f'<div class="mechgraph-table-box" role="region" tabindex="0" '
            f'aria-label="{html.escape(self.label, quote=True)}">{body}</div>'
        )
        if not self.summary:
            return box
        return f'<details class="mechgraph-table-details"><summary>{html.escape(self.summary)}</summary>{box}</details>'

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        plain = self.frame.copy()
        for column in self.html_columns:
            plain[column] = plain[column].str.replace(r"<[^>]+>", "", regex=True)
        with pd.option_context("display.max_colwidth", None, "display.width", 10_000):
            return plain.to_string(index=False, na_rep="")


def _ordered_evidence(data: BookData, values) -> list[str]:
    present = set(values)
    return [e for e in data.labels("evidence") if e in present]


def _with_total_row(frame: pd.DataFrame, first: str, name: str = "Total") -> pd.DataFrame:
    numbers = frame.drop(columns=[first])
    total = pd.DataFrame([{first: name, **numbers.sum().to_dict()}])
    return pd.concat([frame, total], ignore_index=True)


def _chapter(data: BookData, chapter: str) -> str:
    return f"chapter {data.chapter_title(chapter)}"


def chapter_statements(data: BookData, chapter: str) -> pd.DataFrame:
    rows = data.chapter_statements(chapter)
    if rows.empty:
        raise ValueError(f"no statement in data/statements.csv has chapter '{chapter}'")
    return rows


#: the statement columns evidence_counts can split by (each has a vocabulary of the same name)
BY_COLUMNS = ("species", "setting", "cancer_pain")


def evidence_counts(data: BookData, chapter: str, by: str | None = None) -> Table:
    """A chapter's statements counted by kind of evidence (strongest first); with ``by`` ("species"
    or "cancer_pain") one column per value and a total column and row."""
    rows = chapter_statements(data, chapter)
    order = _ordered_evidence(data, rows["evidence"])
    evidence = data.labels("evidence")
    if by is None:
        counts = rows["evidence"].value_counts().reindex(order)
        frame = pd.DataFrame(
            {"Kind of evidence": [evidence[e] for e in order], "Statements": counts.astype(int).tolist()}
        )
        return Table(
            _with_total_row(frame, "Kind of evidence"),
            f"Statements by kind of evidence, {_chapter(data, chapter)}",
        )
    if by not in BY_COLUMNS:
        raise ValueError(f"evidence_counts: by must be one of {BY_COLUMNS}, not {by!r}")
    names = data.labels(by)
    counts = pd.crosstab(rows["evidence"], rows[by]).reindex(order)
    counts = counts[[c for c in names if c in counts.columns]]
    frame = pd.DataFrame({"Kind of evidence": [evidence[e] for e in order]})
    for column in counts.columns:
        frame[capital(names[column])] = counts[column].astype(int).tolist()
    frame["Total"] = counts.sum(axis=1).astype(int).tolist()
    return Table(
        _with_total_row(frame, "Kind of evidence"),
        f"Statements by kind of evidence and {by.replace('_', ' ')}, {_chapter(data, chapter)}",
    )


def erratum_link(erratum_id: str, link_base: str = "", text: str = "the correction") -> str:
    """HTML link to a critical-reading entry (for pages in the chapters/ folder), named by what it
    is, not by its id."""
    if not erratum_id:
        return ""
    return (
        f'<a href="{link_base}{ERRATA_PAGE}#erratum-{html.escape(erratum_id, quote=True)}">'
        f"{html.escape(text)}</a>"
    )


def statement_sentence(data: BookData, statement) -> str:
    """A statement in words: 'DRG sensory neuron secretes glutamate'."""
    labels = entity_labels(data)
    relation = data.labels("relation")[statement.relation]
    return f"{labels.get(statement.subject, statement.subject)} {relation} {labels.get(statement.object, statement.object)}"


STATEMENT_COLUMNS = {
    "subject": "Subject",
    "relation": "Relation",
    "object": "Object",
    "evidence": "Evidence",
    "species": "Species",
    "setting": "Setting studied",
    "cancer_pain": "Cancer pain",
    "erratum": "The review says",
    "sentence": "In fact",
}


def statement_table(
    data: BookData,
    rows: pd.DataFrame,
    columns: tuple[str, ...] = ("subject", "relation", "object", "evidence"),
) -> Table:
    """Statements as readable rows: entity labels, relations in words, evidence and settings by name;
    ``sentence`` gives the whole statement in words; ``erratum`` what the review says instead, the
    kind of problem and a link to its critical-reading entry."""
    unknown = [c for c in columns if c not in STATEMENT_COLUMNS]
    if unknown:
        raise ValueError(
            f"statement_table: unknown column(s) {unknown}; choose from {list(STATEMENT_COLUMNS)}"
        )
    labels = entity_labels(data)
    kinds = data.errata["kind"].map(data.labels("erratum_kind"))
    show = {
        "subject": lambda r: labels.get(r.subject, r.subject),
        "object": lambda r: labels.get(r.object, r.object),
        "sentence": lambda r: capital(statement_sentence(data, r)),
        "erratum": lambda r: (
            f"“{html.escape(data.errata.loc[r.erratum, 'quote'])}” ({html.escape(kinds[r.erratum])}; "
            f"{erratum_link(r.erratum)})"
            if r.erratum
            else ""
        ),
        **{
            column: lambda r, c=column: data.labels(c)[getattr(r, c)]
            for column in ("relation", "evidence", "species", "setting", "cancer_pain")
        },
    }
    frame = pd.DataFrame(
        [{STATEMENT_COLUMNS[c]: show[c](r) for c in columns} for r in rows.itertuples()],
        columns=[STATEMENT_COLUMNS[c] for c in columns],
    )
    html_columns = (STATEMENT_COLUMNS["erratum"],) if "erratum" in columns else ()
    prose = tuple(STATEMENT_COLUMNS[c] for c in ("erratum", "sentence") if c in columns)
    return Table(frame, "Statements from the book's data", html_columns, prose)


def flagged_statements(data: BookData, chapter: str) -> Table:
    """A chapter's statements that correct the review: what the review says, what is in fact the
    case, and the evidence for it."""
    rows = chapter_statements(data, chapter)
    rows = rows[rows["erratum"].fillna("") != ""]
    table = statement_table(data, rows, ("erratum", "sentence", "evidence"))
    table.label = f"Statements where the review errs, {_chapter(data, chapter)}"
    table.summary = f"Show the {len(table)} statements where the review errs, with the corrections"
    return table


def relation_counts(data: BookData, chapter: str) -> Table:
    """A chapter's statements by what they say (relation) and the kind of evidence behind them."""
    rows = chapter_statements(data, chapter)
    order = _ordered_evidence(data, rows["evidence"])
    counts = pd.crosstab(rows["relation"], rows["evidence"]).reindex(columns=order, fill_value=0)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    frame = pd.DataFrame({"What the statement says": [data.labels("relation")[r] for r in counts.index]})
    for e in order:
        frame[capital(data.labels("evidence")[e])] = counts[e].astype(int).tolist()
    frame["Total"] = counts.sum(axis=1).astype(int).tolist()
    return Table(
        _with_total_row(frame, "What the statement says"),
        f"Statements by relation, {_chapter(data, chapter)}",
    )


def differentiation_table(data: BookData, chapter: str) -> Table:
    """Each cell fate MSCs are said to take, which cells take it and on what evidence."""
    rows = chapter_statements(data, chapter)
    rows = rows[rows["relation"] == "differentiates_into"]
    labels, evidence = entity_labels(data), data.labels("evidence")
    rank = list(evidence)
    out = []
    for fate, part in rows.groupby("object", sort=False):
        out.append(
            {
                "Becomes": labels[fate],
                "Starting cells": ", ".join(dict.fromkeys(labels[s] for s in part["subject"])),
                "Evidence": ", ".join(evidence[e] for e in _ordered_evidence(data, part["evidence"])),
                "_rank": min(rank.index(e) for e in part["evidence"]),
            }
        )
    frame = pd.DataFrame(out).sort_values("_rank", kind="stable").drop(columns="_rank")
    return Table(frame, "Differentiation fates of MSCs and the evidence for each")


def tumour_sources(data: BookData, chapter: str) -> Table:
    """A chapter's statements about tumour growth or spread, by MSC source and direction."""
    effects = tumour_effects(data, chapter)
    counts = pd.crosstab(effects["source"], effects["direction"])
    sources = data.terms("category")
    msc = sources[sources["group"] == "msc_product"]["label"]
    order = list(dict.fromkeys(msc)) + [OTHER_SOURCE]
    counts = counts.reindex([s for s in order if s in counts.index])
    counts = counts.reindex(
        columns=[c for c in ("pro-tumour", "anti-tumour") if c in counts.columns], fill_value=0
    )
    frame = pd.DataFrame({"Source of the cells": counts.index.tolist()})
    for column in counts.columns:
        frame[capital(column)] = counts[column].astype(int).tolist()
    frame["Total"] = counts.sum(axis=1).astype(int).tolist()
    return Table(
        _with_total_row(frame, "Source of the cells"),
        "Pro- and anti-tumour statements by source of the cells",
    )


def receptor_table(data: BookData, figure: str) -> Table:
    """Which cell type expresses which receptor, from a figure's 'expresses' statements."""
    st = data.figure_statements(figure)
    kinds, labels = data.entities["kind"], entity_labels(data)
    rows = st[(st["relation"] == "expresses") & (st["object"].map(kinds) == "receptor")]
    cells = list(dict.fromkeys(rows["subject"]))
    receptors = sorted(dict.fromkeys(rows["object"]), key=lambda r: labels[r])
    pairs = set(zip(rows["subject"], rows["object"]))
    frame = pd.DataFrame(
        {
            "Cell type": [labels[c] for c in cells],
            **{labels[r]: ["yes" if (c, r) in pairs else "" for c in cells] for r in receptors},
        }
    )
    return Table(
        frame.sort_values("Cell type", key=lambda s: s.str.lower()), "Receptors expressed by each cell type"
    )


def scope_by_chapter(data: BookData) -> Table:
    """Statements per chapter, measured in cancer pain, asserted for it or extrapolated, with totals."""
    from mechgraph.plots import scope_by_chapter as counts_by_chapter

    counts = counts_by_chapter(data)
    frame = pd.DataFrame({"Chapter": counts.index.tolist()})
    for column in counts.columns:
        frame[capital(data.labels("cancer_pain")[column])] = counts[column].astype(int).tolist()
    frame["Total"] = counts.sum(axis=1).astype(int).tolist()
    return Table(
        _with_total_row(frame, "Chapter", "All chapters"),
        "Measured, asserted and extrapolated statements by chapter",
    )


def evidence_by_figure(data: BookData) -> Table:
    """For each named diagram: statements by kind of evidence, and the share measured in cancer pain."""
    from mechgraph.plots import evidence_by_figure as counts_by_figure

    counts = counts_by_figure(data)
    frame = counts.reset_index().rename(
        columns={
            "diagram": "Diagram",
            **{name: capital(name) for name in data.labels("evidence_group").values()},
            "measured in cancer pain": "Measured in cancer pain",
            "total": "Total",
            "% measured": "Measured (%)",
        }
    )
    return Table(frame, "Evidence behind each diagram")


def errata_table(data: BookData) -> Table:
    """Problems found in the review, by kind and by how sure we are."""
    kinds = data.errata["kind"]
    counts = pd.crosstab(kinds, data.errata["confidence"])
    confidence = data.labels("confidence")
    counts = counts.reindex(columns=[c for c in confidence if c in counts.columns], fill_value=0)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    frame = pd.DataFrame({"Kind of problem": [data.labels("erratum_kind")[k] for k in counts.index]})
    for column in counts.columns:
        frame[f"{capital(confidence[column])} confidence"] = counts[column].astype(int).tolist()
    frame["Total"] = counts.sum(axis=1).astype(int).tolist()
    return Table(_with_total_row(frame, "Kind of problem"), "Problems found in the review, by kind")


# -- Table 1 of the review, checked ----------------------------------------------------


def study_names(data: BookData) -> list[str]:
    """'Kalvala et al. 2023', ... for the rows of Table 1."""
    return [data.references[k].short for k in data.table1["citation"]]


def _dose(cells, mg_per_kg) -> str:
    if pd.notna(cells):
        return f"{cells:,.0f} cells"
    return f"{mg_per_kg:g} mg/kg of vesicles"


TABLE1_PARTS = ("model", "dose")


def table1_display(data: BookData, part: str = "model") -> Table:
    """Table 1 in two readable parts: ``"model"`` (what was given to which animals, how) and
    ``"dose"`` (how much, how often, and what happened), with full text in every cell."""
    t = data.table1
    study = study_names(data)
    if part == "model":
        products, sources, models = (
            data.labels("product"),
            data.labels("cell_source"),
            data.labels("pain_model"),
        )
        product = [
            f"{products[p]} from {sources[s]}, {d} donor"
            if s != "unspecified"
            else f"{products[p]} (tissue not specified), {d} donor"
            for p, s, d in zip(t["product"], t["cell_source"], t["donor_species"])
        ]
        frame = pd.DataFrame(
            {
                "Study": study,
                "Product": product,
                "Modification": t["modification"].tolist(),
                "Pain model (cause)": [f"{models[m]}: {i}" for m, i in zip(t["pain_model"], t["inducer"])],
                "Animal (strain)": [
                    f"{a} (strain {s})" if s.startswith("not ") else f"{a} ({s})"
                    for a, s in zip(t["animal"], t["strain"])
                ],
                "Route": t["route"].tolist(),
            }
        )
        return Table(frame, "Table 1 checked: products, models and routes")
    if part == "dose":
        frame = pd.DataFrame(
            {
                "Study": study,
                "Dose per administration": [
                    _dose(c, m) for c, m in zip(t["cells_per_dose"], t["mg_per_kg_per_dose"])
                ],
                "Number of doses": t["administrations"].astype(int).tolist(),
                "Schedule": t["schedule"].tolist(),
                "Main findings": t["outcome"].tolist(),
            }
        )
        return Table(
            frame,
            "Table 1 checked: doses, schedules and findings",
            prose_columns=("Schedule", "Main findings"),
        )
    raise ValueError(f"table1_display: part must be one of {TABLE1_PARTS}, not {part!r}")


def table1_route_check(data: BookData) -> Table:
    """The review's Table 1 routes against the primary papers, with the critical-reading entry."""
    t = data.table1
    frame = pd.DataFrame(
        {
            "Study": study_names(data),
            "Route in the review": t["route_in_review"].tolist(),
            "Route in the paper": t["route"].tolist(),
            "Same route?": ["yes" if a == b else "no" for a, b in zip(t["route_in_review"], t["route"])],
            "Modification in the paper": t["modification"].tolist(),
            "Correction": [erratum_link(e) for e in t["erratum"].fillna("")],
        }
    )
    return Table(frame, "Routes in the review's Table 1 and in the papers", ("Correction",))


def appraisal_table(data: BookData) -> Table:
    """The Table 1 appraisal: one row per study, one column per criterion, the judgement in each cell."""
    rows = data.table1_appraisal
    criteria = data.labels("criterion")
    studies = {s.id: data.references[s.citation].short for s in data.table1.itertuples()}
    table = rows.pivot(index="study", columns="criterion", values="judgement")
    order = [c for c in criteria if c in table.columns]
    table = table.reindex(index=[s for s in data.table1["id"] if s in table.index], columns=order)
    table = table.rename(columns=criteria).rename_axis(columns=None)
    table.insert(0, "Study", [studies[s] for s in table.index])
    return Table(table, "Appraisal of the five Table 1 studies")


def appraisal_evidence(data: BookData) -> Table:
    """The judgements that are not 'unclear', with the evidence each rests on."""
    rows = data.table1_appraisal[data.table1_appraisal["judgement"] != "unclear"]
    studies = {s.id: data.references[s.citation].short for s in data.table1.itertuples()}
    frame = pd.DataFrame(
        {
            "Study": rows["study"].map(studies),
            "Criterion": rows["criterion"].map(data.labels("criterion")),
            "Judgement": rows["judgement"].map(data.labels("judgement")),
            "What it rests on": rows["evidence"],
        }
    )
    return Table(
        frame, "The judgements that could be made, and their evidence", prose_columns=("What it rests on",)
    )


def appraisal_criterion(data: BookData, criterion: str) -> Table:
    """How each Table 1 study fares on one criterion of the appraisal, with the evidence."""
    criteria = data.labels("criterion")
    if criterion not in criteria:
        raise ValueError(
            f"appraisal_criterion: unknown criterion {criterion!r}; choose from {list(criteria)}"
        )
    rows = data.table1_appraisal[data.table1_appraisal["criterion"] == criterion]
    studies = {s.id: data.references[s.citation].short for s in data.table1.itertuples()}
    frame = pd.DataFrame(
        {
            "Study": rows["study"].map(studies),
            "Judgement": rows["judgement"].map(data.labels("judgement")),
            "What it rests on": rows["evidence"],
        }
    )
    return Table(
        frame, f"The five Table 1 studies on {criteria[criterion]}", prose_columns=("What it rests on",)
    )
