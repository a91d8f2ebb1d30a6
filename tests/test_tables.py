"""The chapters' tables (mechgraph.tables): display names, no index, no dtype, full text."""

from __future__ import annotations

import html
import re

import pytest

from mechgraph import load, tables

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


@pytest.fixture(scope="module")
def data():
    return load()


def every_table(data):
    chapters = ["intro", "msc-biology", "nerve-repair", "tumours", "pain-mechanisms", "therapy", "conclusion"]
    out = [tables.evidence_counts(data, c) for c in chapters]
    out += [tables.evidence_counts(data, c, by=by) for c in chapters for by in ("species", "cancer_pain")]
    out += [tables.flagged_statements(data, c) for c in ("intro", "pain-mechanisms")]
    out += [
        tables.relation_counts(data, "msc-biology"),
        tables.differentiation_table(data, "msc-biology"),
        tables.tumour_sources(data, "tumours"),
        tables.receptor_table(data, "p2_receptors"),
        tables.scope_by_chapter(data),
        tables.evidence_by_figure(data),
        tables.errata_table(data),
        tables.table1_route_check(data),
    ]
    out += [tables.table1_display(data, part) for part in tables.TABLE1_PARTS]
    return out


def test_no_id_snake_case_index_or_dtype_reaches_the_reader(data):
    ids = set(data.entities.index) | set(data.statements["id"]) | set(data.table1["id"])
    ids -= set(data.entities["label"])  # "neuroma" is both
    for table in every_table(data):
        shown = repr(table)
        assert "dtype" not in shown, f"{table.label}: dtype line\n{shown}"
        cells = [str(v) for v in table.frame.to_numpy().ravel()] + [str(c) for c in table.frame.columns]
        text = [re.sub(r"<[^>]+>", "", c) for c in cells]  # link markup is not shown
        assert not [c for c in text if SNAKE.search(c)], f"{table.label}: snake_case value in {text}"
        assert not ids & set(text), f"{table.label}: ids shown: {ids & set(text)}"
        shown_ids = [c for c in text if re.search(r"\be\d{2}\b|\b[a-z]+-\d{2,}\b", c)]
        assert not shown_ids, f"{table.label}: erratum or statement ids in the text: {shown_ids}"
        page = table.to_html()
        assert "<tbody>" in page and 'class="row_heading' not in page, (
            f"{table.label}: index column in the HTML"
        )
        assert "..." not in page and "\u2026" not in shown, f"{table.label}: truncated cell"


def test_tables_use_the_data_vocabulary(data):
    flagged = tables.flagged_statements(data, "pain-mechanisms").frame
    assert set(flagged["Evidence"]) <= set(data.labels("evidence").values())
    assert flagged["The review says"].str.contains(r'href="08-critical-reading.html#erratum-e\d+"').all()
    pairs = data.statements[
        (data.statements["chapter"] == "pain-mechanisms") & (data.statements["erratum"] != "")
    ]
    quotes = data.errata.loc[pairs["erratum"], "quote"].tolist()
    said = [
        html.unescape(re.sub(r"<[^>]+>", "", c)).split("”")[0].lstrip("“") for c in flagged["The review says"]
    ]
    assert said == quotes
    labels = data.entities["label"]
    assert flagged["In fact"].str[:1].str.isupper().all()
    assert [s.lower() for s in flagged["In fact"]] == [
        f"{labels[r.subject]} {data.labels('relation')[r.relation]} {labels[r.object]}".lower()
        for r in pairs.itertuples()
    ]
    assert "is subtype of" in set(
        tables.relation_counts(data, "msc-biology").frame["What the statement says"]
    )
    assert "cell-culture study" in set(tables.evidence_counts(data, "msc-biology").frame["Kind of evidence"])
    model = tables.table1_display(data, "model").frame
    assert (
        model["Pain model (cause)"]
        .str.startswith(("bone cancer pain: ", "chemotherapy-induced neuropathy: "))
        .all()
    )
    assert model["Study"].str.contains(" et al. ").all()


def test_counts_add_up(data):
    counts = tables.evidence_counts(data, "therapy", by="cancer_pain").frame
    therapy = data.statements[data.statements["chapter"] == "therapy"]
    assert counts.iloc[-1]["Kind of evidence"] == "Total" and counts.iloc[-1]["Total"] == len(therapy)
    assert (
        counts.iloc[:-1]["Total"] == counts.iloc[:-1].drop(columns=["Kind of evidence", "Total"]).sum(axis=1)
    ).all()
    scope = tables.scope_by_chapter(data).frame
    assert scope.iloc[-1]["Total"] == len(data.statements)


def test_table1_cells_are_whole(data):
    dose = tables.table1_display(data, "dose")
    for outcome in data.table1["outcome"]:
        assert outcome in dose.to_html().replace("&#x27;", "'") or outcome in repr(dose)
    assert max(len(line) for line in repr(dose).splitlines()) > 200  # plain text is not cut either


def test_html_is_deterministic_and_scrolls_in_its_own_box(data):
    a, b = tables.errata_table(data).to_html(), tables.errata_table(data).to_html()
    assert a == b
    assert a.startswith('<div class="mechgraph-table-box" role="region" tabindex="0" aria-label="')


def test_bad_arguments_say_what_is_wrong(data):
    with pytest.raises(ValueError, match="unknown chapter 'nope'"):
        tables.evidence_counts(data, "nope")
    with pytest.raises(ValueError, match="by must be"):
        tables.evidence_counts(data, "intro", by="colour")
    with pytest.raises(ValueError, match="part must be one of"):
        tables.table1_display(data, "all")
    with pytest.raises(ValueError, match="unknown column"):
        tables.statement_table(data, data.statements.head(2), ("subject", "colour"))
