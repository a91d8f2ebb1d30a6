"""Bad input, case by case: the checker (`python -m mechgraph validate`, run first by `make book`
and the preview) gives exactly the expected lines, one per problem, naming file, row (the file's
line) and column, and never raises. A Hypothesis fuzz test mutates the fixture files at random.

Each case: an id, a function that breaks a copy of the fixture data (``d``, the data folder)
and of references.bib (``b``), and the exact lines ``validate`` must return ([] = accepted).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mechgraph.data import load, validate
from sitetools import REPO, append_row, edit_cell

BIB_PATH = REPO / "references.bib"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="")


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = _text(path)
    assert old in text, f"{old!r} not in {path.name}"
    _write(path, text.replace(old, new, count))


def _insert_line(path: Path, line: int, text: str) -> None:
    lines = _text(path).split("\n")
    lines.insert(line - 1, text)
    _write(path, "\n".join(lines))


def _package(d: Path, change) -> None:
    package = json.loads(_text(d / "datapackage.json"))
    change(package)
    _write(d / "datapackage.json", json.dumps(package, indent=2))


def _resources(d: Path, keep) -> None:
    _package(d, lambda p: p.update(resources=[r for r in p["resources"] if keep(r["name"])]))


def _field(d: Path, table: str, name: str, **changes) -> None:
    def change(p):
        resource = next(r for r in p["resources"] if r["name"] == table)
        next(f for f in resource["schema"]["fields"] if f["name"] == name).update(changes)

    _package(d, change)


def _many_bad_rows(d: Path, n: int) -> None:
    path = d / "statements.csv"
    rows = _text(path).rstrip("\n").split("\n")
    bad = rows[1].replace("pain-01,msc,secretes", "{id},msc,upregulates")
    ids = [f"p{chr(97 + i // 1000)}-{i % 1000:03d}" for i in range(n)]
    _write(path, "\n".join(rows + [bad.replace("{id}", i) for i in ids]) + "\n")


D, B = "data", "references.bib"
FK = "foreign-key"
BIB = BIB_PATH.read_text(encoding="utf-8")
DUPLICATE = "\n@article{yang2020anti,\n  title = {Again},\n}\n"


def bib_line(needle: str, text: str = BIB, last: bool = False) -> int:
    """The line of references.bib (or of `text`) on which `needle` first (or last) occurs."""
    return text[: text.rindex(needle) if last else text.index(needle)].count("\n") + 1


CASES = [
    # -- files that cannot be read -------------------------------------------------------------
    (
        "data: missing file",
        lambda d, b: (d / "errata.csv").unlink(),
        ["data/errata.csv: the file is missing"],
    ),
    (
        "data: empty file",
        lambda d, b: _write(d / "entities.csv", ""),
        ["data/entities.csv: the file is empty"],
    ),
    (
        "data: only blank lines",
        lambda d, b: _write(d / "figures.csv", "\n \n\n"),
        ["data/figures.csv: the file is empty"],
    ),
    (
        "data: header but no rows",
        lambda d, b: _write(d / "table1.csv", _text(d / "table1.csv").split("\n")[0] + "\n"),
        ["data/table1.csv: the file has a header but no rows"],
    ),
    (
        "data: not UTF-8",
        lambda d, b: (d / "entities.csv").write_bytes(
            _text(d / "entities.csv").replace("Resident", "R\xe9sident").encode("latin-1")
        ),
        ["data/entities.csv, row 5: not valid UTF-8 (byte 0xe9); save the file as UTF-8"],
    ),
    (
        "data: binary file",
        lambda d, b: (d / "figures.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00"),
        ["data/figures.csv, row 1: not valid UTF-8 (byte 0x89); save the file as UTF-8"],
    ),
    # -- what spreadsheets and editors write: accepted ---------------------------------------------
    (
        "data: UTF-8 byte-order mark",
        lambda d, b: (d / "entities.csv").write_bytes(b"\xef\xbb\xbf" + (d / "entities.csv").read_bytes()),
        [],
    ),
    ("data: blank line between rows", lambda d, b: _insert_line(d / "statements.csv", 3, ""), []),
    (
        "data: blank lines at the end",
        lambda d, b: _write(d / "entities.csv", _text(d / "entities.csv") + "\n\n"),
        [],
    ),
    (
        "data: Windows line ends",
        lambda d, b: _write(d / "statements.csv", _text(d / "statements.csv").replace("\n", "\r\n")),
        [],
    ),
    (
        "data: markup in a definition (escaped, not refused)",
        lambda d, b: edit_cell(
            d / "entities.csv",
            3,
            "definition",
            "<script>alert(1)</script> **bold** {{x}} $x$ [a](javascript:x)",
        ),
        [],
    ),
    # -- the shape of a file -------------------------------------------------------------------
    (
        "data: missing column",
        lambda d, b: _replace(d / "errata.csv", "id,section,", "id,"),
        ["data/errata.csv, row 1, column 'section': the header is missing column 'section'"],
    ),
    (
        "data: no header row",
        lambda d, b: _write(d / "figures.csv", "\n".join(_text(d / "figures.csv").split("\n")[1:])),
        [
            "data/figures.csv, row 1: the header does not match datapackage.json (missing 'id', 'title', 'caption', "
            "'chapter', 'review_figure', 'part_of'; unexpected 'tlr_signalling', 'Toll-like receptors and TSG-6', "
            "'How MSC-secreted TSG-6 interrupts TLR2 signalling in spinal microglia.', 'pain-mechanisms', '', ''; "
            "repeated ''); it must be: "
            "id,title,caption,chapter,review_figure,part_of"
        ],
    ),
    (
        "data: unexpected column",
        lambda d, b: _replace(d / "figures.csv", "review_figure", "review_figure,notes"),
        ["data/figures.csv, row 1, column 'notes': unexpected column 'notes' (not in datapackage.json)"],
    ),
    (
        "data: columns out of order",
        lambda d, b: _replace(d / "figures.csv", "id,title,caption", "id,caption,title"),
        [
            "data/figures.csv, row 1: columns must be in the order id, title, caption, chapter, review_figure, part_of"
        ],
    ),
    (
        "data: repeated column",
        lambda d, b: _replace(d / "figures.csv", "id,title,", "id,id,"),
        [
            "data/figures.csv, row 1: the header does not match datapackage.json (missing 'title'; repeated 'id'); "
            "it must be: id,title,caption,chapter,review_figure,part_of"
        ],
    ),
    (
        "data: a cell too many",
        lambda d, b: _replace(d / "statements.csv", 'tlr2,"spinal cord"', 'tlr2,extra,"spinal cord"'),
        [
            "data/statements.csv, row 4: 14 cells where the header has 13 (a comma too many or too few, or a missing quote)"
        ],
    ),
    (
        "data: unclosed quote",
        lambda d, b: _replace(
            d / "statements.csv", '"intranasal MSCs after cisplatin"', '"intranasal MSCs after cisplatin'
        ),
        ["data/statements.csv, row 5: not valid CSV (unexpected end of data); check the quotes on this row"],
    ),
    (
        "data: text after a closing quote",
        lambda d, b: _replace(d / "statements.csv", '"spinal cord"', '"spinal" cord'),
        ["data/statements.csv, row 4: not valid CSV (',' expected after '\"'); check the quotes on this row"],
    ),
    # -- cells ---------------------------------------------------------------------------------
    (
        "data: NUL byte in a label",
        lambda d, b: edit_cell(d / "entities.csv", 4, "label", "TLR\x002"),
        ["data/entities.csv, row 4, column 'label': control character U+0000 (NUL); delete it"],
    ),
    (
        "data: tab in a cell",
        lambda d, b: edit_cell(d / "statements.csv", 3, "context", "spinal\tmicroglia"),
        ["data/statements.csv, row 3, column 'context': control character U+0009 (a tab); delete it"],
    ),
    (
        "data: whitespace-only label",
        lambda d, b: edit_cell(d / "entities.csv", 5, "label", "   "),
        ["data/entities.csv, row 5, column 'label': only spaces; leave the cell empty or fill it in"],
    ),
    (
        "data: stray space",
        lambda d, b: edit_cell(d / "statements.csv", 2, "object", "tsg6 "),
        ["data/statements.csv, row 2, column 'object': 'tsg6 ' starts or ends with a space; delete it"],
    ),
    (
        "data: ' : ' in a label",
        lambda d, b: edit_cell(d / "entities.csv", 3, "label", "TSG-6 : protein"),
        [
            "data/entities.csv, row 3, column 'label': 'TSG-6 : protein' contains ' : ' (a glossary term would read "
            "it as a classifier)"
        ],
    ),
    (
        "data: line break in a definition",
        lambda d, b: edit_cell(d / "entities.csv", 3, "definition", "An anti-inflammatory\nprotein."),
        [
            "data/entities.csv, row 3, column 'definition': a line break inside the cell; keep each cell on one line"
        ],
    ),
    (
        "data: rows are file lines after a quoted line break",
        lambda d, b: (
            edit_cell(d / "entities.csv", 2, "definition", "first line\nsecond line\nthird line"),
            edit_cell(d / "entities.csv", 4, "definition", "An innate\nimmune receptor."),
        ),
        [
            "data/entities.csv, row 2, column 'definition': a line break inside the cell; keep each cell on one line",
            "data/entities.csv, row 6, column 'definition': a line break inside the cell; keep each cell on one line",
        ],
    ),
    (
        "data: rows are file lines after a blank line",
        lambda d, b: (
            edit_cell(d / "statements.csv", 4, "relation", "upregulates"),
            _insert_line(d / "statements.csv", 3, ""),
        ),
        [
            "data/statements.csv, row 5, column 'relation': value 'upregulates' is not in vocabulary 'relation' "
            "(vocabulary.csv): activates, inhibits, increases, decreases, promotes, relieves, causes, recruits, secretes, "
            "expresses, differentiates_into, migrates_to, polarises_to, delivers, binds, is_subtype_of"
        ],
    ),
    (
        "data: unknown entity (short foreign-key line)",
        lambda d, b: edit_cell(d / "statements.csv", 3, "object", "tlr99"),
        [f"data/statements.csv, row 3, column 'object': {FK}: 'tlr99' is not an id in entities.csv"],
    ),
    (
        "data: unknown erratum",
        lambda d, b: edit_cell(d / "table1.csv", 2, "erratum", "e77"),
        [f"data/table1.csv, row 2, column 'erratum': {FK}: 'e77' is not an id in errata.csv"],
    ),
    (
        "data: wrong type",
        lambda d, b: edit_cell(d / "table1.csv", 2, "administrations", "two"),
        [
            "data/table1.csv, row 2, column 'administrations': type-error: value 'two' breaks the rule: "
            'type is "integer/default"'
        ],
    ),
    (
        "data: markup in a label",
        lambda d, b: edit_cell(d / "entities.csv", 2, "label", "<b>MSC</b>"),
        [
            "data/entities.csv, row 2, column 'label': '<b>MSC</b>' contains markup characters; it is shown as a name, "
            "so it must be plain text"
        ],
    ),
    (
        "data: markup in a figure title",
        lambda d, b: edit_cell(d / "figures.csv", 2, "title", "TLRs <script>x()</script>"),
        [
            "data/figures.csv, row 2, column 'title': 'TLRs <script>x()</script>' contains markup characters; it is "
            "shown as a name, so it must be plain text"
        ],
    ),
    ("data: no silent cap on problems", lambda d, b: _many_bad_rows(d, 1200), 1200),
    # -- datapackage.json ----------------------------------------------------------------------
    (
        "package: missing",
        lambda d, b: (d / "datapackage.json").unlink(),
        ["data/datapackage.json: the file is missing"],
    ),
    (
        "package: empty",
        lambda d, b: _write(d / "datapackage.json", ""),
        ["data/datapackage.json: the file is empty"],
    ),
    (
        "package: not JSON",
        lambda d, b: _replace(d / "datapackage.json", '"resources": [', '"resources": [,'),
        ["data/datapackage.json, line 11: not valid JSON (Expecting value, column 17)"],
    ),
    (
        "package: resources empty",
        lambda d, b: _resources(d, lambda name: False),
        [
            "data/datapackage.json: no resource (schema) for entities.csv, figures.csv, statements.csv, table1.csv, "
            "errata.csv, questions.csv, table1_appraisal.csv, chapters.csv, vocabulary.csv; every table must be described, or it would go unchecked"
        ],
    ),
    (
        "package: a table omitted",
        lambda d, b: _resources(d, lambda name: name != "errata"),
        [
            "data/datapackage.json: no resource (schema) for errata.csv; every table must be described, or it would go unchecked"
        ],
    ),
    (
        "package: resources not a list",
        lambda d, b: _package(d, lambda p: p.update(resources={})),
        ["data/datapackage.json: 'resources' must be a list of tables"],
    ),
    (
        "package: top level not an object",
        lambda d, b: _write(d / "datapackage.json", "[]"),
        ["data/datapackage.json: 'resources' must be a list of tables"],
    ),
    (
        "package: wrong path",
        lambda d, b: _package(d, lambda p: p["resources"][0].update(path="../etc/passwd")),
        ['data/datapackage.json: resource \'entities\' must have "path": "entities.csv"'],
    ),
    (
        "package: unknown field type",
        lambda d, b: _field(d, "figures", "title", type="strng"),
        ['data/datapackage.json: field type "strng" is not supported'],
    ),
    # -- references.bib ------------------------------------------------------------------------
    ("bib: missing", lambda d, b: b.unlink(), ["references.bib: the file is missing"]),
    ("bib: empty", lambda d, b: _write(b, ""), ["references.bib: the file is empty"]),
    (
        "bib: not UTF-8",
        lambda d, b: b.write_bytes(b.read_bytes().replace(b"Boukelmoune, N.", b"Boukelmoune, \xe9.")),
        [
            f"references.bib, line {bib_line('Boukelmoune, N.')}: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
        ],
    ),
    (
        "bib: entry not closed",
        lambda d, b: _replace(
            b, "  doi = {10.1016/j.bbi.2020.12.011}\n}", "  doi = {10.1016/j.bbi.2020.12.011}\n"
        ),
        [
            f"references.bib, line {bib_line('@article{boukelmoune2021nasal,')}: entry 'boukelmoune2021nasal' is not closed "
            "(a '}' is missing)"
        ],
    ),
    (
        "bib: '{' too many in a field",
        lambda d, b: _replace(b, "title = {Nasal administration", "title = {Nasal {administration"),
        [
            f"references.bib, line {bib_line('title = {Nasal administration')}: a field of 'boukelmoune2021nasal' has "
            "2 '{' but 1 '}'"
        ],
    ),
    (
        "bib: '}' too many in a field",
        lambda d, b: _replace(b, "title = {Nasal administration", "title = {Nasal} administration"),
        [
            f"references.bib, line {bib_line('title = {Nasal administration')}: a field of 'boukelmoune2021nasal' has "
            "1 '{' but 2 '}'"
        ],
    ),
    # -- names that Markdown, HTML or the eye would read otherwise ---------------------------------
    (
        "data: Markdown emphasis in a label",
        lambda d, b: edit_cell(d / "entities.csv", 3, "label", "_endothelial_ cell"),
        [
            "data/entities.csv, row 3, column 'label': '_endothelial_ cell' contains Markdown ('_' at "
            "character 1); it is shown as a name, so it must be plain text"
        ],
    ),
    (
        "data: a heading mark in a figure title",
        lambda d, b: edit_cell(d / "figures.csv", 2, "title", "# Figure one"),
        [
            "data/figures.csv, row 2, column 'title': '# Figure one' contains Markdown ('#' at character 1); "
            "it is shown as a name, so it must be plain text"
        ],
    ),
    (
        "data: an underscore inside a word is text",
        lambda d, b: edit_cell(d / "entities.csv", 3, "label", "TSG_6"),
        [],
    ),
    (
        "data: a zero-width space in a label",
        lambda d, b: edit_cell(d / "entities.csv", 3, "label", "TSG\u200b-6"),
        [
            "data/entities.csv, row 3, column 'label': invisible formatting character U+200B "
            "(zero width space); delete it"
        ],
    ),
    (
        "data: a right-to-left override in a definition",
        lambda d, b: edit_cell(d / "entities.csv", 3, "definition", "An anti-\u202einflammatory protein."),
        [
            "data/entities.csv, row 3, column 'definition': invisible formatting character U+202E "
            "(right-to-left override); delete it"
        ],
    ),
    (
        "data: a symbolic link",
        lambda d, b: ((d / "errata.csv").unlink(), (d / "errata.csv").symlink_to(b)),
        [
            "data/errata.csv: a symbolic link; the data folder holds plain files only (copy the file in instead)"
        ],
    ),
    (
        "data: a symbolic link to a device",
        lambda d, b: (d / "notes.csv").symlink_to("/dev/zero"),
        [
            "data/notes.csv: a symbolic link; the data folder holds plain files only (copy the file in instead)"
        ],
    ),
    (
        "bib: missing comma",
        lambda d, b: _replace(b, "  journal = {Brain Behav. Immun.},", "  journal = {Brain Behav. Immun.}"),
        [
            f"references.bib, line {bib_line('  journal = {Brain Behav. Immun.},') + 1}: a ',' is missing after field "
            "'journal' of 'boukelmoune2021nasal'"
        ],
    ),
    (
        "bib: duplicate key",
        lambda d, b: _write(b, _text(b) + DUPLICATE),
        [
            f"references.bib, line {bib_line('@article{yang2020anti,', BIB + DUPLICATE, last=True)}: duplicate key "
            f"'yang2020anti' (first on line {bib_line('@article{yang2020anti,')})"
        ],
    ),
    (
        "bib: the review's entry missing",
        lambda d, b: _replace(b, "@article{zhang2024mesenchymal,", "@article{zhang2024other,"),
        ["references.bib: no entry 'zhang2024mesenchymal' (the review this book reads)"],
    ),
    (
        "bib: unknown citation key in the data",
        lambda d, b: edit_cell(d / "statements.csv", 4, "citations", "nobody2099nothing"),
        [
            "data/statements.csv, row 4, column 'citations': unknown citation key 'nobody2099nothing' (not in references.bib)"
        ],
    ),
]


@pytest.fixture
def bib(tmp_path: Path) -> Path:
    target = tmp_path / "references.bib"
    shutil.copy(BIB_PATH, target)
    return target


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_exactly_the_expected_lines(data_dir, bib, case):
    _, breaker, expected = case
    breaker(data_dir, bib)
    problems = validate(data_dir, bib)
    if isinstance(expected, int):  # a count: every problem reported, none dropped
        assert len(problems) == expected and all(p.startswith("data/statements.csv, row ") for p in problems)
    else:
        assert problems == expected
    for line in problems:
        assert "\n" not in line and "Traceback" not in line
        assert line.startswith(("data/", "references.bib")) and "references.bib: references.bib" not in line
        assert not line.rstrip().endswith(("breaks the rule:", ":"))
    if expected == []:
        load(data_dir, bib)  # what passes the check loads


# -- notebooks: a failing cell is named by chapter, line, first source line and cause -------------

CHAPTER = "# Demo\n\nSome text.\n\n```{code-cell} ipython3\n{source}\n```\n"
LOG = "_build/reports/chapters/demo.err.log"
NOTEBOOK_CASES = [
    (
        "notebook: an exception",
        "x = 1\ny = 1/0",
        60,
        f"chapters/demo.md, line 6: the code cell starting 'x = 1' raised ZeroDivisionError: division by zero "
        f"(traceback in {LOG})",
    ),
    (
        "notebook: a missing column",
        "import pandas as pd\npd.DataFrame({'a': [1]})['label']",
        60,
        f"chapters/demo.md, line 6: the code cell starting 'import pandas as pd' raised KeyError: 'label' "
        f"(traceback in {LOG})",
    ),
    (
        "notebook: the time limit",
        "import time\nwhile True: time.sleep(0.05)",
        2,
        "chapters/demo.md, line 6: the code cell starting 'import time' did not finish within the time limit "
        f"(2 s, 'execute: timeout' in _config.yml) (traceback in {LOG})",
    ),
]


@pytest.mark.parametrize("case", NOTEBOOK_CASES, ids=[c[0] for c in NOTEBOOK_CASES])
def test_a_failing_notebook_cell_is_named(case):
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    from mechgraph.notebooks import failure_line

    _, source, timeout, expected = case
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    result = single_nb_execution(nb, cwd=str(REPO), allow_errors=False, timeout=timeout, meta_override=True)
    assert result.err is not None
    line = failure_line(
        "chapters/demo.md",
        CHAPTER.replace("{source}", source),
        type(result.err).__name__,
        result.exc_string,
        timeout,
        LOG,
    )
    assert line == expected


def test_the_cli_prints_every_problem_and_a_count(data_dir):
    """`python -m mechgraph validate` (what `make book` and `make validate` run): no traceback."""
    (data_dir / "datapackage.json").write_text("{", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mechgraph", "validate", "--data", str(data_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "error: data/datapackage.json, line 1: not valid JSON (Expecting property name enclosed in double quotes, column 2)",
        "1 problem(s) in the data; nothing was built.",
    ]


# -- what the case table cannot hold -----------------------------------------------------------


@pytest.mark.timeout(120)
def test_a_catastrophic_pattern_stops_within_the_time_limit(data_dir, bib, monkeypatch):
    """A pattern that backtracks without end on a cell: one line naming the pattern and the cell,
    after the time limit (without it, validate never returns)."""
    import mechgraph.data

    monkeypatch.setattr(mechgraph.data, "PATTERN_TIME_LIMIT", 2.0)
    _field(data_dir, "entities", "label", constraints={"pattern": "(a+)+"})
    edit_cell(data_dir / "entities.csv", 3, "label", "a" * 40 + "!")
    assert validate(data_dir, bib) == [
        "data/datapackage.json: the pattern of entities.csv column 'label' ('(a+)+') did not finish "
        "within 2 s on data/entities.csv, row 3, column 'label'; a pattern with nested repeats, such as "
        "(a+)+, can backtrack without end: rewrite it"
    ]


def test_messages_name_the_folder_the_package_was_given(data_dir, bib):
    folder = data_dir.rename(data_dir.with_name("spring-term"))
    edit_cell(folder / "entities.csv", 3, "label", "_endothelial_ cell")
    (folder / "datapackage.json").write_text("{", encoding="utf-8")
    (problem,) = validate(folder, bib)
    assert problem.startswith("spring-term/datapackage.json, line 1: not valid JSON"), problem


def test_every_document_of_chapters_csv_is_a_page_of_the_book(data_dir, bib):
    """In a Jupyter Book (a _toc.yml beside the data folder) each chapter's page must exist."""
    book = data_dir.parent
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    rows = list(csv.DictReader((data_dir / "chapters.csv").open(encoding="utf-8")))
    for row in rows:
        page = book / f"{row['document']}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text("# A page\n", encoding="utf-8")
    assert validate(data_dir, bib) == []
    edit_cell(data_dir / "chapters.csv", 4, "document", "chapters/09-dropped")
    assert validate(data_dir, bib) == [
        "data/chapters.csv, row 4, column 'document': no page 'chapters/09-dropped' in the book "
        "(no chapters/09-dropped.md or chapters/09-dropped.ipynb next to data/)"
    ]


def test_the_cli_stops_after_a_screenful_and_says_how_many_more(data_dir):
    _many_bad_rows(data_dir, 300)
    problems = validate(data_dir)
    result = subprocess.run(
        [sys.executable, "-m", "mechgraph", "validate", "--data", str(data_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and len(problems) > 40
    assert lines[:40] == [f"error: {line}" for line in problems[:40]]
    assert lines[40:] == [
        f"... and {len(problems) - 40} more problem(s) of the same kind or others, not shown: fix these first",
        f"{len(problems)} problem(s) in the data; nothing was built.",
    ]
