"""Pages and tables generated from the critical-reading data (data/errata.csv)."""

from __future__ import annotations

from mechgraph.data import BookData
from mechgraph.text import myst_text


def errata_myst(data: BookData) -> str:
    """One labelled entry per erratum, with the statements and Table 1 rows it corrects."""
    out = []
    kinds, sections, documents = (
        data.labels("erratum_kind"),
        data.labels("section"),
        data.chapters["document"],
    )
    linked = data.statements[data.statements["erratum"] != ""]
    for e in data.errata.itertuples():
        cites = ",".join(e.citations)
        affected = linked[linked["erratum"] == e.id]
        chapters = sorted({documents[c] for c in affected["chapter"]})
        rows = data.table1[data.table1["erratum"] == e.id]
        out += [
            f"(erratum-{e.id})=",
            f"### {e.id}: {kinds[e.kind]} ({sections[e.section]})",
            "",
            f"*Where:* the words “{myst_text(e.quote)}”. *How sure we are:* {e.confidence}.",
            "",
            f"*What is wrong.* {myst_text(e.problem)}",
            "",
            f"*What is right.* {myst_text(e.correction)} {{cite:p}}`{cites}`",
            "",
        ]
        if len(affected) or len(rows):
            where = [f"{{doc}}`/{doc}`" for doc in chapters]
            where += [f"Table 1 row {{cite:p}}`{r.citation}`" for r in rows.itertuples()]
            out += [
                f"*Corrected in the book:* {', '.join(where)} "
                f"(statements {', '.join(affected['id']) or 'none'}).",
                "",
            ]
    return "\n".join(out)
