"""Pages and tables generated from the critical-reading data (data/errata.csv)."""

from __future__ import annotations

from mechgraph.data import BookData
from mechgraph.text import myst_text


def errata_order(data: BookData):
    """The errata grouped by kind, the kinds that change what a reader learns first (the kind's
    group in vocabulary.csv), then in the vocabulary's order, then by section of the review."""
    kinds = list(data.labels("erratum_kind"))
    severity = list(data.labels("erratum_kind_group"))
    groups = data.groups("erratum_kind")
    return sorted(
        data.errata.itertuples(),
        key=lambda e: (
            severity.index(groups[e.kind]) if groups.get(e.kind) in severity else 0,
            kinds.index(e.kind),
            str(e.section),
            e.id,
        ),
    )


def errata_myst(data: BookData) -> str:
    """One table of every erratum, grouped by kind: the kind and how much it matters, what the
    review says, what is in fact the case (and where the book teaches it), the source and how sure
    we are. The rows are given their ids (``erratum-<id>``) by mechgraph.sphinxext."""
    from mechgraph.tables import statement_sentence

    kinds, sections, documents = (
        data.labels("erratum_kind"),
        data.labels("section"),
        data.chapters["document"],
    )
    severity, groups = data.labels("erratum_kind_group"), data.groups("erratum_kind")
    linked = data.statements[data.statements["erratum"] != ""]
    out = [
        ":::{list-table} Problems found in the review, grouped by kind",
        ":header-rows: 1",
        ":widths: 13 35 35 17",
        ":class: mg-errata",
        "",
        "* - Kind of problem",
        "  - The review says",
        "  - In fact",
        "  - Source",
    ]
    for e in errata_order(data):
        affected = linked[linked["erratum"] == e.id]
        rows = data.table1[data.table1["erratum"] == e.id]
        where = [f"{{doc}}`/{doc}`" for doc in sorted({documents[c] for c in affected["chapter"]})]
        where += [f"Table 1 row {{cite:p}}`{r.citation}`" for r in rows.itertuples()]
        taught = ""
        if where:
            said = "; ".join(f"“{myst_text(statement_sentence(data, s))}”" for s in affected.itertuples())
            taught = f" *Taught in:* {', '.join(where)}" + (f" ({said})" if said else "") + "."
        matters = severity.get(groups.get(e.kind, ""), "")
        out += [
            f"* - **{myst_text(kinds[e.kind])}**" + (f" (*{myst_text(matters)}*)" if matters else ""),
            f"  - “{myst_text(e.quote)}” ({myst_text(sections[e.section])}). {myst_text(e.problem)}",
            f"  - {myst_text(e.correction)}{taught}",
            f"  - {{cite:p}}`{','.join(e.citations)}`. *How sure we are:* {myst_text(e.confidence)}.",
        ]
    out.append(":::")
    return "\n".join(out)
