"""Pages and tables generated from the critical-reading data (data/errata.csv)."""
from __future__ import annotations

from mechgraph.data import BookData, _keys
from mechgraph.text import myst_text

KIND_NAMES = {
    "wrong_fact": "wrong fact", "reversed_direction": "reversed direction of effect",
    "garbled_term": "garbled term", "misattributed_citation": "misattributed citation",
    "duplicate_reference": "duplicate reference", "self_contradiction": "self-contradiction",
    "overclaim": "claim beyond its source", "table_mismatch": "table disagrees with source",
    "uncited_reference": "reference never cited",
}
SECTION_NAMES = {
    "1": "Section 1 (Introduction)", "2": "Section 2 (MSC biology)", "3": "Section 3 (nerve repair)",
    "4": "Section 4 (MSCs and tumours)", "5": "Section 5 (pain mechanisms)", "6": "Section 6 (therapy)",
    "7": "Section 7 (conclusion)", "table1": "Table 1", "fig1": "Figure 1", "fig2": "Figure 2 caption",
    "fig3": "Figure 3 caption", "fig4": "Figure 4", "refs": "Reference list",
}
CHAPTER_DOCS = {
    "intro": "01-why-cancer-pain", "msc-biology": "02-msc-biology", "nerve-repair": "03-nerve-repair",
    "tumours": "04-msc-and-tumours", "pain-mechanisms": "05-pain-mechanisms", "therapy": "06-therapy-prospects",
    "conclusion": "07-conclusion", "pain-primer": "pain-primer", "measuring-pain": "measuring-pain",
    "clinical": "clinical-picture",
}


def errata_myst(data: BookData) -> str:
    """One labelled entry per erratum, with the statements and Table 1 rows it corrects."""
    out = []
    linked = data.statements[data.statements["erratum"] != ""]
    for e in data.errata.itertuples():
        cites = ",".join(_keys(e.citations))
        affected = linked[linked["erratum"] == e.id]
        chapters = sorted({CHAPTER_DOCS[c] for c in affected["chapter"]})
        rows = data.table1[data.table1["erratum"] == e.id]
        out += [f"(erratum-{e.id})=", f"### {e.id}: {KIND_NAMES[e.kind]} ({SECTION_NAMES[e.section]})", "",
                f"*Where:* the words “{myst_text(e.quote)}”. *How sure we are:* {e.confidence}.", "",
                f"*What is wrong.* {myst_text(e.problem)}", "",
                f"*What is right.* {myst_text(e.correction)} {{cite:p}}`{cites}`", ""]
        if len(affected) or len(rows):
            where = [f"{{doc}}`{doc}`" for doc in chapters]
            where += [f"Table 1 row {{cite:p}}`{r.citation}`" for r in rows.itertuples()]
            out += [f"*Corrected in the book:* {', '.join(where)} "
                    f"(statements {', '.join(affected['id']) or 'none'}).", ""]
    return "\n".join(out)



APPRAISAL_CRITERIA = {
    "randomisation": "Random allocation", "blinding": "Blinded assessment", "sample_size": "Sample size justified",
    "sex": "Sex reported", "controls": "Right controls", "ongoing_pain": "Ongoing pain measured",
    "tumour_or_drug_effect": "Effect on tumour or chemotherapy tested", "dose_response": "Dose-response",
    "durability": "Durability", "safety": "Safety",
}

