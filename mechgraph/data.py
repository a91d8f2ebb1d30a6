"""Load the book's data package and check it, failing with one line per problem.

Everything the book shows comes from ``data/``: a Frictionless data package whose
``datapackage.json`` holds the table schemas (types, vocabularies, patterns,
unique and foreign keys). :func:`load` runs the Frictionless validation and then
the checks a schema cannot express (citation keys against ``references.bib``,
figure ids, self-loops, labels free of markup, orphan entities, consistent doses).
Each problem is reported as ``file, row N, column 'name': what is wrong`` where
row N is the line of the CSV file (the header is line 1).
"""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mechgraph.bib import Reference, read_bib

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
BIB_PATH = ROOT / "references.bib"
TABLES = ("entities", "figures", "statements", "table1", "errata", "questions", "table1_appraisal")

#: characters that would be read as markup (HTML, MyST, DOT records) in a label
MARKUP = re.compile(r"[<>{}\[\]`*|\"\\]|\$|&[a-z]+;|://")
#: relations read as "subject raises object" and "subject lowers object"
POSITIVE = frozenset({"activates", "increases", "promotes", "causes", "recruits"})
NEGATIVE = frozenset({"inhibits", "decreases", "relieves"})


class DataError(Exception):
    """The data in ``data/`` is not fit to build from; ``problems`` has one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class BookData:
    """The validated tables, as pandas DataFrames, plus the bibliography."""

    entities: pd.DataFrame
    figures: pd.DataFrame
    statements: pd.DataFrame
    table1: pd.DataFrame
    errata: pd.DataFrame
    questions: pd.DataFrame
    table1_appraisal: pd.DataFrame
    references: dict[str, Reference]

    def figure_statements(self, figure_id: str) -> pd.DataFrame:
        """The statements drawn in one named figure (a whole figure lists those of all its panels)."""
        return self.statements[self.statements["figures"].map(lambda cell: figure_id in _keys(cell))]

    def panels(self, figure_id: str) -> list[str]:
        """The ids of the panels a whole figure is split into, in the order of figures.csv."""
        return list(self.figures.index[self.figures["part_of"] == figure_id])


def _where(path: Path, row: int | None = None, column: str | None = None) -> str:
    place = f"data/{path.name}" if path.parent.name == "data" else path.name
    if row is not None:
        place += f", row {row}"
    if column:
        place += f", column '{column}'"
    return place


def _keys(cell) -> list[str]:
    if cell is None or (isinstance(cell, float) and pd.isna(cell)) or str(cell).strip() == "":
        return []
    return [k.strip() for k in str(cell).split(";") if k.strip()]


def _read_raw(path: Path, problems: list[str]) -> list[dict[str, str]] | None:
    """Rows of a CSV file as strings, or None after reporting why it cannot be read."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        problems.append(f"{_where(path)}: file is missing")
        return None
    except UnicodeDecodeError as err:
        raw = path.read_bytes()
        line = raw.count(b"\n", 0, err.start) + 1
        problems.append(f"{_where(path, line)}: not valid UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8")
        return None
    return list(csv.DictReader(io.StringIO(text)))


def _frictionless_problems(package_path: Path) -> list[str]:
    from frictionless import FrictionlessException, Package  # imported here: it is slow to import

    problems = []
    try:
        report = Package(str(package_path)).validate()
    except FrictionlessException as err:
        return [f"{_where(package_path)}: {err.error.note}"]
    for task in report.tasks:
        path = package_path.parent / task.place
        for err in task.errors:
            row = getattr(err, "row_number", None)
            column = getattr(err, "field_name", None)
            note = err.note
            if err.type == "foreign-key":
                fk = getattr(err, "cells", None)
                note = f"{', '.join(map(str, fk)) if fk else 'value'} is not a known id ({err.note})"
                column = None
                for name in ("subject", "object", "erratum", "study"):
                    if name in err.note:
                        column = name
                        break
            elif err.type == "primary-key":
                column = "id"
                first = re.search(r"\d+", err.note)
                note = f"duplicate id '{err.cells[0]}'" + (f" (first used on row {first.group()})" if first else "")
            elif getattr(err, "cell", None) is not None:
                note = f"value '{err.cell}' breaks the rule: {err.note}"
            problems.append(f"{_where(path, row, column)}: {err.type}: {note}")
    return problems


def _cross_checks(raw: dict[str, list[dict[str, str]]], refs: dict[str, Reference]) -> list[str]:
    """The checks a Table Schema cannot express."""
    problems: list[str] = []
    path = {name: DATA_DIR / f"{name}.csv" for name in TABLES}
    figure_ids = {r["id"] for r in raw["figures"]}
    used: set[str] = set()
    anchors: dict[str, str] = {}
    from mechgraph.glossary import term_anchor

    for line, row in enumerate(raw["entities"], start=2):
        label = row.get("label") or ""
        if MARKUP.search(label):
            problems.append(f"{_where(path['entities'], line, 'label')}: '{label}' contains markup characters; labels are plain text")
        anchor = term_anchor(label)
        if anchor in anchors and label:
            problems.append(f"{_where(path['entities'], line, 'label')}: '{label}' gives the same glossary anchor as '{anchors[anchor]}'")
        anchors[anchor] = label
    for name in ("entities", "statements", "table1", "errata"):
        for line, row in enumerate(raw[name], start=2):
            column = "citation" if name == "table1" else "citations"
            for key in _keys(row.get(column)):
                if key not in refs:
                    problems.append(f"{_where(path[name], line, column)}: unknown citation key '{key}' (not in references.bib)")
    for line, row in enumerate(raw["statements"], start=2):
        used.update((row.get("subject"), row.get("object")))
        if row.get("subject") and row.get("subject") == row.get("object"):
            problems.append(f"{_where(path['statements'], line, 'object')}: self-loop: '{row['subject']}' points at itself")
        for fig in _keys(row.get("figures")):
            if fig not in figure_ids:
                problems.append(f"{_where(path['statements'], line, 'figures')}: unknown figure id '{fig}' (not in figures.csv)")
    for line, row in enumerate(raw["entities"], start=2):
        if row.get("id") and row["id"] not in used:
            problems.append(f"{_where(path['entities'], line, 'id')}: orphan entity '{row['id']}' is in no statement")
    parent_of = {r["id"]: r.get("part_of") or "" for r in raw["figures"]}
    for line, row in enumerate(raw["figures"], start=2):
        parent = row.get("part_of") or ""
        if parent and parent_of.get(parent):
            problems.append(f"{_where(path['figures'], line, 'part_of')}: '{parent}' is itself a panel of "
                            f"'{parent_of[parent]}'; a panel must belong to a whole figure")
    for line, row in enumerate(raw["statements"], start=2):
        figs = _keys(row.get("figures"))
        for fig in figs:
            if parent_of.get(fig) and parent_of[fig] not in figs:
                problems.append(f"{_where(path['statements'], line, 'figures')}: panel '{fig}' is part of "
                                f"'{parent_of[fig]}', which the statement must list too")
    shown = {f for r in raw["statements"] for f in _keys(r.get("figures"))}
    for line, row in enumerate(raw["figures"], start=2):
        if row.get("id") and row["id"] not in shown:
            problems.append(f"{_where(path['figures'], line, 'id')}: figure '{row['id']}' has no statements")
    for line, row in enumerate(raw["table1"], start=2):
        cells, mass = (row.get("cells_per_dose") or "").strip(), (row.get("mg_per_kg_per_dose") or "").strip()
        if row.get("product") == "cells" and (not cells or mass):
            problems.append(f"{_where(path['table1'], line, 'cells_per_dose')}: a cell product needs cells_per_dose and no mg_per_kg_per_dose")
        if row.get("product") == "extracellular_vesicles" and (cells or not mass):
            problems.append(f"{_where(path['table1'], line, 'mg_per_kg_per_dose')}: a vesicle product needs mg_per_kg_per_dose and no cells_per_dose")
    return problems


def _header_problems(data_dir: Path) -> list[str]:
    """Columns must be exactly the schema's, in its order (the schema maps them by position)."""
    schema = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    problems = []
    for resource in schema["resources"]:
        path = data_dir / resource["path"]
        expected = [f["name"] for f in resource["schema"]["fields"]]
        with path.open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f), [])
        wrong = [f"{_where(path, 1, name)}: the header is missing column '{name}'"
                 for name in expected if name not in header]
        wrong += [f"{_where(path, 1, name)}: unexpected column '{name}' (not in datapackage.json)"
                  for name in header if name not in expected]
        problems += wrong
        if not wrong and header != expected:
            problems.append(f"{_where(path, 1)}: columns must be in the order {', '.join(expected)}")
    return problems


def validate(data_dir: Path = DATA_DIR, bib_path: Path = BIB_PATH) -> list[str]:
    """Every problem in the data, one line each; an empty list means fit to build."""
    problems: list[str] = []
    raw = {name: _read_raw(data_dir / f"{name}.csv", problems) for name in TABLES}
    try:
        refs = read_bib(bib_path)
    except (OSError, ValueError) as err:
        return problems + [f"references.bib: {err}"]
    if problems:  # unreadable files: nothing further can be checked
        return problems
    problems += _header_problems(data_dir)
    if problems:
        return problems
    problems += _frictionless_problems(data_dir / "datapackage.json")
    if problems:
        return problems
    return _cross_checks(raw, refs) + _question_checks(raw, refs) + _appraisal_checks(raw, refs)


# --- self-test questions (data/questions.csv) -------------------------------------------------

OPTION_LETTERS = "abcde"


def _question_checks(raw: dict[str, list[dict[str, str]]], refs: dict[str, Reference]) -> list[str]:
    """What the schema cannot say about a question: its sources exist, its options run A, B, C...
    without gaps, each option has its own feedback, and the answer fits the kind of question."""
    problems: list[str] = []
    path = DATA_DIR / "questions.csv"
    for line, row in enumerate(raw["questions"], start=2):
        def bad(column: str, what: str) -> None:
            problems.append(f"{_where(path, line, column)}: {what}")

        for key in _keys(row.get("citations")):
            if key not in refs:
                bad("citations", f"unknown citation key '{key}' (not in references.bib)")
        present = [letter for letter in OPTION_LETTERS if (row.get(f"option_{letter}") or "").strip()]
        for letter in OPTION_LETTERS:
            option, feedback = (row.get(f"option_{letter}") or "").strip(), (row.get(f"feedback_{letter}") or "").strip()
            if option and not feedback:
                bad(f"feedback_{letter}", f"option {letter.upper()} has no feedback; every option needs its own explanation")
            if feedback and not option:
                bad(f"option_{letter}", f"feedback_{letter} is given but option {letter.upper()} is empty")
        if present != list(OPTION_LETTERS[:len(present)]):
            gap = next(letter for letter in OPTION_LETTERS if letter not in present)
            bad(f"option_{gap}", "options must be filled in order A, B, C... without gaps")
        correct = _keys(row.get("correct"))
        unknown = [c for c in correct if c not in present]
        if unknown:
            bad("correct", f"answer '{';'.join(unknown)}' names an empty option")
            continue
        if len(set(correct)) != len(correct):
            bad("correct", "a letter is repeated")
            continue
        kind = row.get("kind")
        if kind == "true_false" and ([row.get("option_a"), row.get("option_b")] != ["True", "False"] or len(present) != 2
                                     or len(correct) != 1):
            bad("option_a", "a true_false question has exactly the options 'True' and 'False' and one answer")
        elif kind == "ordering" and (sorted(correct) != present or len(present) < 3):
            bad("correct", "an ordering question lists every option (at least three) once, in the right order")
        elif kind in ("multiple_choice", "predict") and (len(present) < 3 or len(correct) >= len(present)):
            bad("correct", "a multiple-choice question needs at least three options and at least one wrong one")
    return problems


# --- appraisal of the Table 1 studies (data/table1_appraisal.csv) -----------------------------

def _appraisal_checks(raw: dict[str, list[dict[str, str]]], refs: dict[str, Reference]) -> list[str]:
    """Each study of Table 1 is judged once on every criterion, and each judgement cites its source."""
    problems: list[str] = []
    path = DATA_DIR / "table1_appraisal.csv"
    rows = raw["table1_appraisal"]
    studies = {r["id"] for r in raw["table1"]}
    criteria = sorted({r.get("criterion") for r in rows})
    seen: set[tuple[str, str]] = set()
    for line, row in enumerate(rows, start=2):
        for key in _keys(row.get("citations")):
            if key not in refs:
                problems.append(f"{_where(path, line, 'citations')}: unknown citation key '{key}' (not in references.bib)")
        pair = (row.get("study"), row.get("criterion"))
        if pair in seen:
            problems.append(f"{_where(path, line, 'criterion')}: study '{pair[0]}' is judged twice on '{pair[1]}'")
        seen.add(pair)
    for study in sorted(studies):
        missing = [c for c in criteria if (study, c) not in seen]
        if missing:
            problems.append(f"{_where(path)}: study '{study}' is not judged on: {', '.join(missing)}")
    return problems


def fingerprint(data_dir: Path = DATA_DIR, bib_path: Path = BIB_PATH) -> str:
    """A short hash of everything notebook outputs depend on: data, bibliography, this package."""
    digest = hashlib.sha256()
    files = sorted(data_dir.glob("*")) + [bib_path] + sorted(Path(__file__).parent.glob("*.py"))
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=4)
def _load(data_dir: Path, bib_path: Path, stamp: str) -> BookData:
    problems = validate(data_dir, bib_path)
    if problems:
        raise DataError(problems)
    frames = {}
    for name in TABLES:
        frame = pd.read_csv(data_dir / f"{name}.csv", dtype=str, keep_default_na=False)
        frames[name] = frame.set_index("id", drop=False).rename_axis(None)
    for column in ("cells_per_dose", "mg_per_kg_per_dose", "administrations"):
        frames["table1"][column] = pd.to_numeric(frames["table1"][column].replace("", None))
    return BookData(references=read_bib(bib_path), **frames)


def load(data_dir: Path | str = DATA_DIR, bib_path: Path | str = BIB_PATH) -> BookData:
    """Validate ``data/`` and return its tables; raise :class:`DataError` if anything is wrong."""
    data_dir, bib_path = Path(data_dir), Path(bib_path)
    return _load(data_dir, bib_path, fingerprint(data_dir, bib_path))
