"""The data checks: the real data is valid, and each kind of bad input gives one clear line."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

import mechgraph.data
from mechgraph.data import DataError, load, validate
from sitetools import REPO, append_row, drop_column, edit_cell

ROOT = REPO
BIB_PATH = REPO / "references.bib"


def test_the_book_data_is_valid():
    assert validate() == []
    data = load()
    assert len(data.statements) > 100 and len(data.entities) > 40


def test_fixture_data_is_valid(data_dir):
    assert validate(data_dir) == []


def test_data_once_checked_are_not_checked_again_until_a_file_changes(data_dir, monkeypatch):
    """load() checks what validate() just checked (the build runs both): the checks run once for
    each content of the files, and any edit, to the data or the bibliography, is checked anew."""
    runs = []
    checks = mechgraph.data._validate
    monkeypatch.setattr(mechgraph.data, "_validate", lambda *args: runs.append(args) or checks(*args))
    statements = data_dir / "statements.csv"
    good = statements.read_bytes()
    assert validate(data_dir) == []
    load(data_dir)
    assert validate(data_dir) == [] and len(runs) == 1
    edit_cell(statements, 3, "object", "tlr99")
    assert validate(data_dir) != [] and len(runs) == 2
    statements.write_bytes(good)
    assert validate(data_dir) == [] and len(runs) == 2  # this content was checked already
    bib = data_dir.parent / "references.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8").replace("{zhang2024mesenchymal,", "{zhang2024renamed,"),
        encoding="utf-8",
    )
    assert validate(data_dir) != [] and len(runs) == 3


def _self_loop(d):
    edit_cell(d / "statements.csv", 2, "object", "msc")


def _panel_without_parent(d):
    append_row(
        d / "figures.csv",
        {
            "id": "tlr_core",
            "title": "The core of the TLR figure",
            "caption": "A panel of the TLR figure that its statements forget to name.",
            "chapter": "pain-mechanisms",
            "review_figure": "",
            "part_of": "tlr_signalling",
        },
    )
    edit_cell(d / "statements.csv", 2, "figures", "tlr_core")


def _orphan(d):
    append_row(
        d / "entities.csv",
        {
            "id": "lonely",
            "label": "Lonely",
            "kind": "cell",
            "definition": "An entity that no statement mentions at all.",
        },
    )


def _bad_encoding(d):
    path = d / "entities.csv"
    path.write_bytes(
        path.read_bytes().replace("A mesenchymal".encode(), "A m\xe9senchymal".encode("latin-1"))
    )


def _duplicate_id(d):
    append_row(
        d / "statements.csv",
        {
            "id": "pain-01",
            "subject": "msc",
            "relation": "secretes",
            "object": "tsg6",
            "context": "again",
            "citations": "yang2020anti",
            "chapter": "pain-mechanisms",
            "figures": "",
            "evidence": "animal",
            "setting": "neuropathic_other",
            "species": "rat",
            "cancer_pain": "extrapolated",
            "erratum": "",
        },
    )


# (what is broken, how, the file, the row, the column, words the message must contain)
BAD_INPUT = [
    (
        "missing column",
        lambda d: drop_column(d / "statements.csv", "relation"),
        "statements.csv",
        1,
        "relation",
        "missing column",
    ),
    (
        "unknown entity",
        lambda d: edit_cell(d / "statements.csv", 3, "object", "tlr99"),
        "statements.csv",
        3,
        "object",
        "tlr99",
    ),
    (
        "unknown relation",
        lambda d: edit_cell(d / "statements.csv", 2, "relation", "upregulates"),
        "statements.csv",
        2,
        "relation",
        "upregulates",
    ),
    (
        "unknown citation key",
        lambda d: edit_cell(d / "statements.csv", 4, "citations", "nobody2099nothing"),
        "statements.csv",
        4,
        "citations",
        "unknown citation key 'nobody2099nothing'",
    ),
    (
        "malformed citation key",
        lambda d: edit_cell(d / "statements.csv", 2, "citations", "Yang et al. 2020"),
        "statements.csv",
        2,
        "citations",
        "constraint",
    ),
    (
        "duplicate id",
        _duplicate_id,
        "statements.csv",
        6,
        "id",
        "duplicate id 'pain-01' (first used on row 2)",
    ),
    (
        "empty label",
        lambda d: edit_cell(d / "entities.csv", 3, "label", ""),
        "entities.csv",
        3,
        "label",
        "required",
    ),
    (
        "wrong type",
        lambda d: edit_cell(d / "table1.csv", 2, "administrations", "two"),
        "table1.csv",
        2,
        "administrations",
        "type",
    ),
    ("bad encoding", _bad_encoding, "entities.csv", 2, None, "not valid UTF-8"),
    (
        "markup in a label",
        lambda d: edit_cell(d / "entities.csv", 2, "label", "<b>MSC</b>"),
        "entities.csv",
        2,
        "label",
        "markup",
    ),
    (
        "DOT syntax in a label",
        lambda d: edit_cell(d / "entities.csv", 4, "label", 'TLR2" [color=red]'),
        "entities.csv",
        4,
        "label",
        "markup",
    ),
    ("self-loop", _self_loop, "statements.csv", 2, "object", "self-loop"),
    ("orphan entity", _orphan, "entities.csv", 7, "id", "orphan entity 'lonely'"),
    (
        "impossible dose",
        lambda d: edit_cell(d / "table1.csv", 2, "cells_per_dose", "-5"),
        "table1.csv",
        2,
        "cells_per_dose",
        "constraint",
    ),
    (
        "unknown figure id",
        lambda d: edit_cell(d / "statements.csv", 2, "figures", "fig99"),
        "statements.csv",
        2,
        "figures",
        "unknown figure id 'fig99'",
    ),
    (
        "panel without its whole figure",
        _panel_without_parent,
        "statements.csv",
        2,
        "figures",
        "must list too",
    ),
    (
        "unknown erratum id",
        lambda d: edit_cell(d / "statements.csv", 2, "erratum", "e77"),
        "statements.csv",
        2,
        "erratum",
        "e77",
    ),
    (
        "vocabulary value",
        lambda d: edit_cell(d / "statements.csv", 2, "evidence", "anecdote"),
        "statements.csv",
        2,
        "evidence",
        "anecdote",
    ),
    (
        "cells with a vesicle dose",
        lambda d: edit_cell(d / "table1.csv", 2, "mg_per_kg_per_dose", "5"),
        "table1.csv",
        2,
        "cells_per_dose",
        "cell product",
    ),
    (
        "measured, but from a review",
        lambda d: edit_cell(d / "statements.csv", 5, "evidence", "review_article"),
        "statements.csv",
        5,
        "cancer_pain",
        "'measured' needs primary data from a pain model, but the evidence is 'review_article'",
    ),
    (
        "measured, but in cell culture",
        lambda d: edit_cell(d / "statements.csv", 5, "evidence", "in_vitro"),
        "statements.csv",
        5,
        "cancer_pain",
        "but the evidence is 'in_vitro'",
    ),
    (
        "measured, but outside cancer pain",
        lambda d: edit_cell(d / "statements.csv", 5, "setting", "nerve_injury"),
        "statements.csv",
        5,
        "cancer_pain",
        "'measured' needs a cancer or cancer-treatment pain setting, not 'nerve_injury'",
    ),
    (
        "measured in no species",
        lambda d: edit_cell(d / "statements.csv", 5, "species", "none"),
        "statements.csv",
        5,
        "cancer_pain",
        "needs the species measured",
    ),
    (
        "asserted, but primary data",
        lambda d: edit_cell(d / "statements.csv", 2, "cancer_pain", "asserted"),
        "statements.csv",
        2,
        "cancer_pain",
        "'asserted' is for a review's statement without primary data, but the evidence is 'animal'",
    ),
    (
        "the old value direct",
        lambda d: edit_cell(d / "statements.csv", 5, "cancer_pain", "direct"),
        "statements.csv",
        5,
        "cancer_pain",
        "direct",
    ),
    (
        "ongoing pain judged absent although a non-evoked readout is recorded",
        lambda d: append_row(
            d / "table1_appraisal.csv",
            {
                "id": "boukelmoune2021-ongoing_pain",
                "study": "boukelmoune2021",
                "criterion": "ongoing_pain",
                "judgement": "no",
                "evidence": "Only evoked tests, we thought.",
                "citations": "boukelmoune2021nasal",
            },
        ),
        "table1_appraisal.csv",
        4,
        "judgement",
        "records a non-evoked readout for 'boukelmoune2021': spontaneous_pain",
    ),
    (
        "ongoing pain judged measured although only evoked readouts are recorded",
        lambda d: (
            edit_cell(d / "table1.csv", 2, "readouts", "mechanical_withdrawal"),
            append_row(
                d / "table1_appraisal.csv",
                {
                    "id": "boukelmoune2021-ongoing_pain",
                    "study": "boukelmoune2021",
                    "criterion": "ongoing_pain",
                    "judgement": "yes",
                    "evidence": "Spontaneous pain, we thought.",
                    "citations": "boukelmoune2021nasal",
                },
            ),
        ),
        "table1_appraisal.csv",
        4,
        "judgement",
        "records only evoked readouts for 'boukelmoune2021'",
    ),
    (
        "a readout missing from the vocabulary, in a list cell",
        lambda d: edit_cell(d / "table1.csv", 2, "readouts", "mechanical_withdrawal;grimace"),
        "table1.csv",
        2,
        "readouts",
        "'grimace' is not in vocabulary 'readout'",
    ),
]


@pytest.mark.parametrize("case", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_gives_one_line_naming_file_row_and_column(data_dir, case):
    _, breaker, filename, row, column, words = case
    breaker(data_dir)
    problems = validate(data_dir)
    assert len(problems) == 1, problems
    line = problems[0]
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(f"data/{filename}")
    if row is not None:
        assert f"row {row}" in line
    if column is not None:
        assert f"column '{column}'" in line
    assert words in line


def test_load_raises_with_every_problem(data_dir):
    edit_cell(data_dir / "statements.csv", 2, "citations", "nobody2099nothing")
    with pytest.raises(DataError) as err:
        load(data_dir)
    assert err.value.problems == validate(data_dir)


def test_unknown_key_in_bib_is_reported(tmp_path, data_dir):
    bib = tmp_path / "refs.bib"
    bib.write_text(
        BIB_PATH.read_text(encoding="utf-8").replace("@article{yang2020anti,", "@article{yang2020other,"),
        encoding="utf-8",
    )
    problems = validate(data_dir, bib)
    assert any("unknown citation key 'yang2020anti'" in p for p in problems)


def test_cli_validate_exits_nonzero_with_one_line(data_dir):
    """The command the build runs first prints 'error: file, row, column: ...' and exits 1; and the
    check imports jsonschema without rfc3987_syntax, whose import alone compiles 38 Lark grammars
    (1.5 s in every process that checks the data: mechgraph.data.import_jsonschema)."""
    edit_cell(data_dir / "statements.csv", 3, "object", "tlr99")
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mechgraph", "validate", "--data", str(data_dir)],
        capture_output=True,
        text=True,
    )
    imported = {
        line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
    }
    assert "jsonschema" in imported and "lark" not in imported, (
        "jsonschema imported rfc3987_syntax's grammars"
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith("error: data/statements.csv, row 3, column 'object': ")
    assert "tlr99" in errors[0] and "Traceback" not in result.stderr


def test_every_statement_cites_and_every_reference_is_cited():
    data = load()
    assert (data.statements["citations"].str.len() > 0).all()
    cited = set()
    for column in ("citations",):
        for frame in (data.statements, data.entities, data.errata):
            cited |= {k for cell in frame[column] for k in cell}
    cited |= set(data.table1["citation"])
    text = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "chapters").glob("*.md"))
    text += (REPO / "index.md").read_text(encoding="utf-8")
    uncited = [k for k in data.references if k not in cited and k not in text]
    assert uncited == [], f"bib entries cited nowhere: {uncited}"


def test_every_reference_has_a_doi_or_a_reason():
    text = BIB_PATH.read_text(encoding="utf-8")
    data = load()
    missing = [k for k, r in data.references.items() if not r.doi]
    for key in missing:
        entry = text[text.index("{" + key + ",") :].split("\n}\n", 1)[0]
        assert "No DOI" in entry and "url" in entry, f"{key} has neither a DOI nor a 'No DOI' note with a URL"


def test_the_vocabularies_the_code_draws_are_those_of_the_data():
    """Shapes, arrowheads, line styles and slide charts are drawn by code for a closed set of values;
    everything else about a value (its words, order and group) is one row of vocabulary.csv."""
    from mechgraph.diagram import EVIDENCE_STYLE, KIND_STYLE, POLARITY_STYLE
    from mechgraph.plots import GROUP_LOOK
    from mechgraph.slides import CHARTS

    data = load()
    assert list(data.labels("entity_kind")) == list(KIND_STYLE)
    assert list(data.labels("evidence_group")) == list(EVIDENCE_STYLE) == list(GROUP_LOOK)
    assert list(data.labels("relation_group")) == list(POLARITY_STYLE)
    assert list(data.labels("chart")) == list(CHARTS)
    assert set(data.groups("cancer_pain").values()) <= {"measured", "unmeasured"}


def test_list_cells_are_tuples_after_loading(data_dir):
    data = load(data_dir)
    row = data.statements.iloc[0]
    assert (
        isinstance(row["citations"], tuple)
        and row["citations"]
        and all(" " not in k for k in row["citations"])
    )
    assert data.statements["figures"].map(lambda cell: isinstance(cell, tuple)).all()
    assert data.questions["correct"].map(lambda cell: isinstance(cell, tuple) and len(cell) >= 1).all()
    edit_cell(data_dir / "statements.csv", 2, "citations", "yang2020anti ; zhang2024mesenchymal")
    assert load(data_dir).statements.iloc[0]["citations"] == ("yang2020anti", "zhang2024mesenchymal")
    fig = data.figures.index[0]
    assert all(fig in cell for cell in data.figure_statements(fig)["figures"])


def test_chapters_are_in_the_order_of_the_table_of_contents():
    from mechgraph.pdf import reading_order

    documents = list(load().chapters["document"])
    assert [d for d in reading_order(ROOT / "_toc.yml") if d in documents] == documents


def test_a_new_vocabulary_value_is_one_row_of_data(data_dir):
    """A fourth value of cancer_pain needs its row in vocabulary.csv and nothing in code: diagrams,
    charts, tables and the explorer take it."""
    from mechgraph import diagram, explorer, plots, tables

    with (data_dir / "vocabulary.csv").open("a", encoding="utf-8") as f:
        f.write("cancer_pain,surmised,surmised for cancer pain by analogy,unmeasured\n")
    edit_cell(data_dir / "statements.csv", 2, "cancer_pain", "surmised")
    assert validate(data_dir) == []
    data = load(data_dir)
    row = data.statements.iloc[0]
    chapter = row["chapter"]
    d = diagram(data, statements=[row["id"]])
    assert "surmised for cancer pain by analogy" in d._repr_markdown_()
    assert "Surmised for cancer pain by analogy" in repr(
        tables.evidence_counts(data, chapter, by="cancer_pain")
    )
    assert "surmised" in plots.scope_by_chapter(data).columns
    plots.plot_scope_by_chapter(data)
    assert not data.measured(data.statements.iloc[:1]).any()
    assert explorer.export(data)["statements"][0]["cancer_pain"] == "surmised"


def test_a_value_missing_from_the_vocabulary_is_one_line(data_dir):
    edit_cell(data_dir / "entities.csv", 3, "kind", "protein")
    problems = validate(data_dir)
    assert len(problems) == 1 and problems[0].startswith(
        "data/entities.csv, row 3, column 'kind': value 'protein' is not in vocabulary 'entity_kind' (vocabulary.csv): cell, "
    )


@pytest.mark.parametrize(
    "row, expected",
    [
        (
            "relation,lowers,lowers,down\nrelation,lowers,lowers,down",
            "column 'value': 'lowers' is listed twice in vocabulary 'relation'",
        ),
        (
            "relation,lowers,lowers,downwards",
            "column 'group': 'downwards' is not a value of vocabulary 'relation_group': up, down, other",
        ),
        (
            "relation,lowers,lowers,",
            "column 'group': an empty cell is not a value of vocabulary 'relation_group'",
        ),
        (
            "species,zebrafish,zebrafish,fish",
            "column 'group': 'fish' is a group, but there is no vocabulary 'species_group'",
        ),
        (
            "specie,zebrafish,zebrafish,",
            "column 'vocabulary': no column of datapackage.json uses vocabulary 'specie'",
        ),
        ("species,zebrafish,<i>Danio</i>,", "column 'label': '<i>Danio</i>' contains markup characters"),
    ],
)
def test_a_bad_vocabulary_row_is_named(data_dir, row, expected):
    path = data_dir / "vocabulary.csv"
    lines = path.read_text(encoding="utf-8").count("\n")
    path.write_text(path.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")
    problems = validate(data_dir)
    assert len(problems) == 1 and problems[0].startswith(
        f"data/vocabulary.csv, row {lines + row.count(chr(10)) + 1}, "
    )
    assert expected in problems[0], problems


def test_an_unknown_chapter_is_a_foreign_key_error(data_dir):
    edit_cell(data_dir / "statements.csv", 2, "chapter", "epilogue")
    assert validate(data_dir) == [
        "data/statements.csv, row 2, column 'chapter': foreign-key: 'epilogue' is not an id in chapters.csv"
    ]


def _imports(module: str) -> set[str]:
    """The modules one module of mechgraph imports, at the top or inside a function ('sphinx.util', 'mechgraph.bib')."""
    names = {p.stem for p in (ROOT / "mechgraph").glob("*.py")}
    out = set()
    for node in ast.walk(ast.parse((ROOT / "mechgraph" / f"{module}.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "mechgraph":  # a module, or a name of __init__
            out |= {f"mechgraph.{a.name}" if a.name in names else "mechgraph.__init__" for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def test_the_package_has_no_import_cycle():
    """Every import between mechgraph's modules, at the top or inside a function, goes one way."""
    from graphlib import CycleError, TopologicalSorter

    modules = [p.stem for p in (ROOT / "mechgraph").glob("*.py")]
    graph = {m: {i.split(".")[1] for i in _imports(m) if i.startswith("mechgraph.")} - {m} for m in modules}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as err:
        pytest.fail("import cycle: " + " -> ".join(err.args[1]))


def test_data_validation_uses_no_sphinx():
    """Checking the data needs no Sphinx (and so none of its private API): data.py and what it imports."""
    seen, todo = set(), ["data"]
    while todo:
        module = todo.pop()
        seen.add(module)
        imports = _imports(module)
        assert not [i for i in imports if i.split(".")[0] == "sphinx"], (
            f"mechgraph/{module}.py imports Sphinx"
        )
        todo += [
            i.split(".")[1] for i in imports if i.startswith("mechgraph.") and i.split(".")[1] not in seen
        ]
