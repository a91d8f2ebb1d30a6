"""The data checks: the real data is valid, and each kind of bad input gives one clear line."""
from __future__ import annotations

import subprocess
import sys

import pytest

from mechgraph.data import BIB_PATH, DataError, load, validate
from sitetools import REPO, append_row, drop_column, edit_cell


def test_the_book_data_is_valid():
    assert validate() == []
    data = load()
    assert len(data.statements) > 100 and len(data.entities) > 40


def test_fixture_data_is_valid(data_dir):
    assert validate(data_dir) == []


def _self_loop(d):
    edit_cell(d / "statements.csv", 2, "object", "msc")


def _panel_without_parent(d):
    append_row(d / "figures.csv", {"id": "tlr_core", "title": "The core of the TLR figure",
                                   "caption": "A panel of the TLR figure that its statements forget to name.",
                                   "chapter": "pain-mechanisms", "review_figure": "", "part_of": "tlr_signalling"})
    edit_cell(d / "statements.csv", 2, "figures", "tlr_core")


def _orphan(d):
    append_row(d / "entities.csv", {"id": "lonely", "label": "Lonely", "kind": "cell",
                                    "definition": "An entity that no statement mentions at all."})


def _bad_encoding(d):
    path = d / "entities.csv"
    path.write_bytes(path.read_bytes().replace("A mesenchymal".encode(), "A m\xe9senchymal".encode("latin-1")))


def _duplicate_id(d):
    append_row(d / "statements.csv", {"id": "pain-01", "subject": "msc", "relation": "secretes", "object": "tsg6",
                                      "context": "again", "citations": "yang2020anti", "chapter": "pain-mechanisms",
                                      "figures": "", "evidence": "animal", "setting": "neuropathic_other",
                                      "species": "rat", "cancer_pain": "extrapolated", "erratum": ""})


# (what is broken, how, the file, the row, the column, words the message must contain)
BAD_INPUT = [
    ("missing column", lambda d: drop_column(d / "statements.csv", "relation"),
     "statements.csv", 1, "relation", "missing column"),
    ("unknown entity", lambda d: edit_cell(d / "statements.csv", 3, "object", "tlr99"),
     "statements.csv", 3, "object", "tlr99"),
    ("unknown relation", lambda d: edit_cell(d / "statements.csv", 2, "relation", "upregulates"),
     "statements.csv", 2, "relation", "upregulates"),
    ("unknown citation key", lambda d: edit_cell(d / "statements.csv", 4, "citations", "nobody2099nothing"),
     "statements.csv", 4, "citations", "unknown citation key 'nobody2099nothing'"),
    ("malformed citation key", lambda d: edit_cell(d / "statements.csv", 2, "citations", "Yang et al. 2020"),
     "statements.csv", 2, "citations", "constraint"),
    ("duplicate id", _duplicate_id, "statements.csv", 6, "id", "duplicate id 'pain-01' (first used on row 2)"),
    ("empty label", lambda d: edit_cell(d / "entities.csv", 3, "label", ""),
     "entities.csv", 3, "label", "required"),
    ("wrong type", lambda d: edit_cell(d / "table1.csv", 2, "administrations", "two"),
     "table1.csv", 2, "administrations", "type"),
    ("bad encoding", _bad_encoding, "entities.csv", 2, None, "not valid UTF-8"),
    ("markup in a label", lambda d: edit_cell(d / "entities.csv", 2, "label", "<b>MSC</b>"),
     "entities.csv", 2, "label", "markup"),
    ("DOT syntax in a label", lambda d: edit_cell(d / "entities.csv", 4, "label", 'TLR2" [color=red]'),
     "entities.csv", 4, "label", "markup"),
    ("self-loop", _self_loop, "statements.csv", 2, "object", "self-loop"),
    ("orphan entity", _orphan, "entities.csv", 7, "id", "orphan entity 'lonely'"),
    ("impossible dose", lambda d: edit_cell(d / "table1.csv", 2, "cells_per_dose", "-5"),
     "table1.csv", 2, "cells_per_dose", "constraint"),
    ("unknown figure id", lambda d: edit_cell(d / "statements.csv", 2, "figures", "fig99"),
     "statements.csv", 2, "figures", "unknown figure id 'fig99'"),
    ("panel without its whole figure", _panel_without_parent, "statements.csv", 2, "figures", "must list too"),
    ("unknown erratum id", lambda d: edit_cell(d / "statements.csv", 2, "erratum", "e77"),
     "statements.csv", 2, "erratum", "e77"),
    ("vocabulary value", lambda d: edit_cell(d / "statements.csv", 2, "evidence", "anecdote"),
     "statements.csv", 2, "evidence", "anecdote"),
    ("cells with a vesicle dose", lambda d: edit_cell(d / "table1.csv", 2, "mg_per_kg_per_dose", "5"),
     "table1.csv", 2, "cells_per_dose", "cell product"),
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
    bib.write_text(BIB_PATH.read_text(encoding="utf-8").replace("@article{yang2020anti,", "@article{yang2020other,"),
                   encoding="utf-8")
    problems = validate(data_dir, bib)
    assert any("unknown citation key 'yang2020anti'" in p for p in problems)


def test_cli_validate_exits_nonzero_with_one_line(data_dir):
    """The command the build runs first prints 'error: file, row, column: ...' and exits 1."""
    edit_cell(data_dir / "statements.csv", 3, "object", "tlr99")
    result = subprocess.run([sys.executable, "-m", "mechgraph", "validate", "--data", str(data_dir)],
                            capture_output=True, text=True)
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
            cited |= {k.strip() for cell in frame[column] for k in cell.split(";") if k.strip()}
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
        entry = text[text.index("{" + key + ","):].split("\n}\n", 1)[0]
        assert "No DOI" in entry and "url" in entry, f"{key} has neither a DOI nor a 'No DOI' note with a URL"


def test_every_vocabulary_value_has_a_display_name():
    """Pages and legends name each vocabulary value; a new value in the schema needs a name too."""
    import json

    from mechgraph.diagram import EVIDENCE_GROUP, KIND_STYLE, POLARITY_STYLE, polarity
    from mechgraph.report import KIND_NAMES, SECTION_NAMES

    schema = json.loads((REPO / "data" / "datapackage.json").read_text(encoding="utf-8"))
    enums = {(r["name"], f["name"]): f["constraints"].get("enum", [])
             for r in schema["resources"] for f in r["schema"]["fields"]}
    assert set(enums[("errata", "kind")]) == set(KIND_NAMES)
    assert set(enums[("entities", "kind")]) == set(KIND_STYLE)
    assert set(enums[("statements", "evidence")]) == set(EVIDENCE_GROUP)
    assert {polarity(r) for r in enums[("statements", "relation")]} <= set(POLARITY_STYLE)
    assert {"1", "2", "3", "4", "5", "6", "7", "table1", "refs"} <= set(SECTION_NAMES)
