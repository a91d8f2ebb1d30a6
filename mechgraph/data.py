"""Load the book's data package and check it, failing with one line per problem.

Everything the book shows comes from ``data/``: a Frictionless data package whose
``datapackage.json`` holds the table schemas (types, vocabularies, patterns,
unique and foreign keys) and names the bibliography (``"bibliography": "../references.bib"``, a
path relative to the folder). :func:`load` and :func:`validate` read the folder they are given;
without one they take the nearest ``data/datapackage.json`` from the current folder upwards (so a
notebook finds its book's data from wherever it runs), else the copy of ``data/`` and
``references.bib`` bundled into the installed package when its wheel was built (setup.py). :func:`validate` first reads every file itself (missing, empty,
not UTF-8, control characters, line breaks or stray spaces in a cell, a wrong header, a row
with too many or too few cells, a package file that is not JSON or omits a table), then runs
the Frictionless validation on a clean copy, then the checks a schema cannot express
(citation keys against ``references.bib``, figure ids, self-loops, labels free of markup,
orphan entities, consistent doses, every value of a column with a ``vocabulary`` listed in
``vocabulary.csv``). It never raises: each problem is one line,
``data/file, row N, column 'name': what is wrong``, where row N is the line of the file
(the header is line 1) even after a quoted line break. A UTF-8 byte-order mark (what
spreadsheet programs write) and blank lines are accepted.

After :func:`load`, a column whose schema gives a ``delimiter`` (citations, figures, ...) holds
tuples of strings, and the words shown for each value of a vocabulary come from
:meth:`BookData.labels`: no code lists chapters, kinds, relations or evidence levels.
"""

from __future__ import annotations

import ast
import csv
import functools
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
from docutils.nodes import make_id

from mechgraph.bib import Reference, bib_problems, read_bib
from mechgraph.questions import OPTION_LETTERS, bias_problems

#: the copy of the book's data written into the wheel at build time (setup.py); not in a checkout
BUNDLED_DATA = Path(__file__).resolve().parent / "bundled" / "data"
TABLES = (
    "entities",
    "figures",
    "statements",
    "table1",
    "errata",
    "questions",
    "table1_appraisal",
    "chapters",
    "vocabulary",
)
#: the review the book reads; the attribution takes its title from references.bib
REVIEW_KEY = "zhang2024mesenchymal"

#: characters that would be read as markup (HTML, MyST, DOT records, mathtext) in a label or title
MARKUP = re.compile(r"[<>{}\[\]`*|\"\\]|\$|&[a-z#0-9]+;|://")
#: what Markdown reads as emphasis, strike-through, a heading, a list item or a quotation in a name:
#: an underscore at the edge of a word (``_endothelial_ cell``; inside a word, as in a_b, it is
#: text), ``~~``, and ``#``, ``- ``, ``+ `` at the start
MARKDOWN = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|~~|^#|^[-+] ")
#: columns validated to plain text (shown unescaped as names: glossary terms, headings, plot labels)
PLAIN_TEXT = {
    "entities": ("label", "aliases"),
    "figures": ("title",),
    "chapters": ("title",),
    "vocabulary": ("label",),
}
#: Greek letters as a reader types them in Latin letters (SDF-1α, SDF-1alpha)
_GREEK = str.maketrans({"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "μ": "mu"})


def name_key(name: str) -> str:
    """A name as the explorer's search compares names: lower case, Greek letters spelled out,
    letters and digits only (``IL-1β``, ``il 1 beta`` and ``IL1beta`` are one name)."""
    return re.sub(r"[^a-z0-9]", "", name.lower().translate(_GREEK))


# What a statement's cancer_pain value requires of its evidence, setting and species.
REVIEW_EVIDENCE = frozenset({"review_article", "review_assertion"})
CANCER_PAIN_SETTINGS = frozenset({"bone_cancer_pain", "cipn", "cancer_other_pain"})


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
    chapters: pd.DataFrame
    vocabulary: pd.DataFrame
    references: dict[str, Reference]

    @cached_property
    def _terms(self) -> dict[str, pd.DataFrame]:
        return {
            name: rows.set_index("value")[["label", "group"]].rename_axis(None)
            for name, rows in self.vocabulary.groupby("vocabulary", sort=False)
        }

    def terms(self, vocabulary: str) -> pd.DataFrame:
        """The values of one vocabulary in display order, indexed by value, with their label and group."""
        if vocabulary not in self._terms:
            raise ValueError(
                f"no vocabulary '{vocabulary}' in data/vocabulary.csv; known: {', '.join(self._terms)}"
            )
        return self._terms[vocabulary]

    def labels(self, vocabulary: str) -> dict[str, str]:
        """Value -> the words shown for it, in display order."""
        return self.terms(vocabulary)["label"].to_dict()

    def groups(self, vocabulary: str) -> dict[str, str]:
        """Value -> its group (a value of the vocabulary ``<vocabulary>_group``), in display order."""
        return self.terms(vocabulary)["group"].to_dict()

    def measured(self, statements: pd.DataFrame) -> pd.Series:
        """For each statement: was it measured in cancer or cancer-treatment pain itself?"""
        return statements["cancer_pain"].map(self.groups("cancer_pain")) == "measured"

    def chapter_title(self, chapter: str) -> str:
        return self.chapters.loc[chapter, "title"]

    def chapter_statements(self, chapter: str) -> pd.DataFrame:
        """The statements of one chapter, in the order of statements.csv."""
        if chapter not in self.chapters.index:
            raise ValueError(f"unknown chapter '{chapter}'; known: {', '.join(self.chapters.index)}")
        return self.statements[self.statements["chapter"] == chapter]

    def figure_statements(self, figure_id: str) -> pd.DataFrame:
        """The statements drawn in one named figure (a whole figure lists those of all its panels)."""
        return self.statements[self.statements["figures"].map(lambda figures: figure_id in figures)]

    def panels(self, figure_id: str) -> list[str]:
        """The ids of the panels a whole figure is split into, in the order of figures.csv."""
        return list(self.figures.index[self.figures["part_of"] == figure_id])


@dataclass
class Table:
    """One CSV file as read by the checker: its header, its records and the file line each starts on."""

    path: Path
    header: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # lines[i]: the file line of rows[i]
    delimiters: dict[str, str] = field(default_factory=dict)  # list columns and the character between items

    def items(self, row: dict[str, str], column: str) -> list[str]:
        """The items of a list cell (``"a; b"`` -> ``["a", "b"]``); a plain cell is one item or none."""
        return split_list(row.get(column) or "", self.delimiters.get(column, ";"))

    def line_of_record(self, number: int) -> int:
        """The file line of a record numbered as Frictionless does (header 1, first row 2)."""
        return self.lines[number - 2] if 2 <= number < len(self.lines) + 2 else number


def _folder_name(folder: Path) -> str:
    """How messages name a data folder: relative to the current folder when inside it, else by its
    own name (``data``, or whatever the folder given is called)."""
    try:
        shown = folder.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        shown = folder.name
    return shown if shown not in ("", ".") else folder.absolute().name


def _where(path: Path, row: int | None = None, column: str | None = None) -> str:
    place = f"{_folder_name(path.parent)}/{path.name}" if path.suffix in (".csv", ".json") else path.name
    if row is not None:
        place += f", row {row}"
    if column:
        place += f", column '{column}'"
    return place


def split_list(cell: str, delimiter: str = ";") -> list[str]:
    """The items of a list cell, spaces around them dropped: ``"a; b"`` -> ``["a", "b"]``."""
    return [item.strip() for item in cell.split(delimiter) if item.strip()]


def _show(value: str, width: int = 40) -> str:
    """A cell quoted for a message: control characters spelled out, long text cut."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in value)
    return repr(shown if len(shown) <= width else shown[: width - 3] + "...")


def _decode(path: Path, problems: list[str]) -> str | None:
    """The text of a file (a UTF-8 byte-order mark dropped), or None after one line saying why not."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(f"{_where(path)}: the file is missing")
        return None
    except OSError as err:
        problems.append(f"{_where(path)}: cannot be read ({err.strerror or err})")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        problems.append(
            f"{_where(path, line)}: not valid UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8"
        )
        return None
    if not text.strip():
        problems.append(f"{_where(path)}: the file is empty")
        return None
    return text


_CONTROL_NAMES = {0: "NUL", 9: "a tab", 11: "vertical tab", 12: "form feed", 27: "escape", 127: "DEL"}


def _control_character(value: str) -> str | None:
    """The first control character (NUL, tab, form feed...) in a text, described, or None."""
    for char in value:
        if char not in "\n\r" and (
            unicodedata.category(char) in ("Cc", "Cs") or char in "\u2028\u2029\ufeff"
        ):
            name = _CONTROL_NAMES.get(ord(char), unicodedata.name(char, "control character"))
            return f"control character U+{ord(char):04X} ({name}); delete it"
    return None


def _read_table(path: Path, expected: list[str], problems: list[str]) -> Table | None:
    """Read one CSV file and check its shape; None (after reporting) when it cannot be checked further."""
    text = _decode(path, problems)
    if text is None:
        return None
    table = Table(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start, records = 1, []
    try:
        for record in reader:
            if record:  # a blank line is skipped, as pandas does
                records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as err:
        problems.append(f"{_where(path, start)}: not valid CSV ({err}); check the quotes on this row")
        return None
    if not records:
        problems.append(f"{_where(path)}: the file is empty")
        return None
    (_, header), body = records[0], records[1:]
    control = next((c for c in map(_control_character, header) if c), None)
    if control:
        problems.append(f"{_where(path, 1)}: {control}")
        return None
    if header != expected:
        problems.append(_header_problem(path, header, expected))
        return None
    table.header = header
    before = len(problems)
    for line, record in body:
        if len(record) != len(header):
            problems.append(
                f"{_where(path, line)}: {len(record)} cells where the header has {len(header)} "
                "(a comma too many or too few, or a missing quote)"
            )
            continue
        for name, value in zip(header, record):
            problem = _cell_problem(value)
            if problem:
                problems.append(f"{_where(path, line, name)}: {problem}")
        table.rows.append(dict(zip(header, record)))
        table.lines.append(line)
    if len(problems) > before:
        return None
    if not body:
        problems.append(f"{_where(path)}: the file has a header but no rows")
        return None
    return table


def _invisible_character(value: str) -> str | None:
    """The first invisible formatting character (Unicode category Cf: zero-width space and joiners,
    soft hyphen, direction overrides...) in a text, described, or None."""
    for char in value:
        if unicodedata.category(char) == "Cf":
            name = unicodedata.name(char, "formatting character").lower()
            return f"invisible formatting character U+{ord(char):04X} ({name}); delete it"
    return None


def _cell_problem(value: str) -> str | None:
    control = _control_character(value) or _invisible_character(value)
    if control:
        return control
    if "\n" in value or "\r" in value:
        return "a line break inside the cell; keep each cell on one line"
    if value and not value.strip():
        return "only spaces; leave the cell empty or fill it in"
    if value != value.strip():
        return f"{_show(value)} starts or ends with a space; delete it"
    return None


def _header_problem(path: Path, header: list[str], expected: list[str]) -> str:
    """At most one line per file: what is missing, unexpected or out of order in its header."""
    missing = [name for name in expected if name not in header]
    unexpected = [name for name in header if name not in expected]
    repeated = len(set(header)) != len(header)
    if len(missing) == 1 and not unexpected and not repeated:
        return f"{_where(path, 1, missing[0])}: the header is missing column '{missing[0]}'"
    if len(unexpected) == 1 and not missing and not repeated:
        return (
            f"{_where(path, 1, unexpected[0])}: unexpected column '{unexpected[0]}' (not in datapackage.json)"
        )
    if not missing and not unexpected and len(set(header)) == len(header):
        return f"{_where(path, 1)}: columns must be in the order {', '.join(expected)}"
    parts = []
    if missing:
        parts.append("missing " + ", ".join(f"'{n}'" for n in missing))
    if unexpected:
        parts.append("unexpected " + ", ".join(f"'{n}'" for n in unexpected))
    if len(set(header)) != len(header):
        parts.append("repeated " + ", ".join(sorted({f"'{n}'" for n in header if header.count(n) > 1})))
    return (
        f"{_where(path, 1)}: the header does not match datapackage.json ({'; '.join(parts)}); "
        f"it must be: {','.join(expected)}"
    )


def _read_package(data_dir: Path, problems: list[str]) -> dict | None:
    """datapackage.json as a dict with a well-formed resource for every table, or None after one line."""
    path = data_dir / "datapackage.json"
    text = _decode(path, problems)
    if text is None:
        return None
    try:
        package = json.loads(text)
    except json.JSONDecodeError as err:
        problems.append(f"{_where(path)}, line {err.lineno}: not valid JSON ({err.msg}, column {err.colno})")
        return None
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        problems.append(f"{_where(path)}: 'resources' must be a list of tables")
        return None
    by_name = {r.get("name"): r for r in resources}
    for resource in resources:
        name = resource.get("name")
        if name not in TABLES:
            problems.append(
                f"{_where(path)}: resource {_show(str(name))} is not one of the book's tables ({', '.join(TABLES)})"
            )
        elif resource.get("path") != f"{name}.csv":
            problems.append(f'{_where(path)}: resource \'{name}\' must have "path": "{name}.csv"')
        else:
            fields = (
                (resource.get("schema") or {}).get("fields")
                if isinstance(resource.get("schema"), dict)
                else None
            )
            if (
                not isinstance(fields, list)
                or not fields
                or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields)
            ):
                problems.append(
                    f"{_where(path)}: resource '{name}' needs a schema with a list of named fields"
                )
    missing = [name for name in TABLES if name not in by_name]
    if missing:
        problems.append(
            f"{_where(path)}: no resource (schema) for {', '.join(f'{n}.csv' for n in missing)}; "
            "every table must be described, or it would go unchecked"
        )
    if len(by_name) != len(resources):
        problems.append(f"{_where(path)}: a table is described twice in 'resources'")
    return None if problems else package


def import_jsonschema() -> None:
    """Import jsonschema (Frictionless checks ``datapackage.json`` with it) in a tenth of the time.

    When the package rfc3987-syntax is installed (jupyter-events asks for it), importing jsonschema
    imports it for the "iri" string formats, and that import compiles 38 Lark grammars: 1.5 s
    on two cores, in every process that checks the data (each build, each notebook kernel, each
    test worker; python-jsonschema/jsonschema#1392, #1521). No schema checked here uses those
    formats, so the module is hidden while jsonschema is first imported (jsonschema skips the
    formats whose module is missing). Does nothing when jsonschema is already imported."""
    if "jsonschema" in sys.modules:
        return
    hidden = sys.modules.get("rfc3987_syntax")
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # None: "import fails"
    try:
        import jsonschema  # noqa: F401
    finally:
        if hidden is None:
            del sys.modules["rfc3987_syntax"]
        else:
            sys.modules["rfc3987_syntax"] = hidden


#: the longest the schema's patterns may take over all the cells (seconds); the book's take milliseconds
PATTERN_TIME_LIMIT = 10.0


def _pattern_problems(package: dict, tables: dict[str, Table]) -> list[str]:
    """Match every cell against its column's ``pattern`` (as Frictionless does) in a forked child
    with a time limit, so that a catastrophic pattern (``(a+)+``, nested repeats that backtrack
    without end) gives one line instead of a check that never ends. The answers are left to
    Frictionless, which then runs the same matches in the same time. Where there is no fork, the
    patterns are left to Frictionless as they are."""
    import select
    import signal
    import time

    if not hasattr(os, "fork"):
        return []
    columns = [
        (resource["name"], f["name"], f["constraints"]["pattern"])
        for resource in package["resources"]
        for f in resource["schema"]["fields"]
        if isinstance(f.get("constraints"), dict) and isinstance(f["constraints"].get("pattern"), str)
    ]
    if not columns:
        return []
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: say which cell it starts on, match, and leave without any cleanup
        try:
            os.close(read)
            for name, column, pattern in columns:
                try:
                    compiled = re.compile(f"^{pattern}$")
                except re.error:
                    continue  # Frictionless reports the pattern itself
                table = tables[name]
                for line, row in zip(table.lines, table.rows):
                    if row.get(column):
                        os.write(write, f"{name}\t{column}\t{line}\n".encode())
                        compiled.match(row[column])
        finally:
            os._exit(0)
    os.close(write)
    last, buffer, deadline = "", b"", time.monotonic() + PATTERN_TIME_LIMIT
    try:
        while True:
            left = deadline - time.monotonic()
            ready = select.select([read], [], [], max(0.0, left))[0] if left > 0 else []
            if not ready:  # out of time: the pattern on the last cell announced is the culprit
                os.kill(pid, signal.SIGKILL)
                name, column, line = last.split("\t") if last else (columns[0][0], columns[0][1], "?")
                pattern = next(p for n, c, p in columns if (n, c) == (name, column))
                table = tables[name]
                return [
                    f"{_where(table.path.parent / 'datapackage.json')}: the pattern of {name}.csv column "
                    f"'{column}' ({_show(pattern)}) did not finish within {PATTERN_TIME_LIMIT:g} s on "
                    f"{_where(table.path, int(line) if line.isdigit() else None, column)}; a pattern with "
                    "nested repeats, such as (a+)+, can backtrack without end: rewrite it"
                ]
            chunk = os.read(read, 65536)
            if not chunk:
                return []
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            if lines:
                last = lines[-1].decode()
    finally:
        os.close(read)
        os.waitpid(pid, 0)


def _frictionless_problems(package: dict, tables: dict[str, Table]) -> list[str]:
    """Run the schema checks on a clean copy (no BOM, no blank lines) and map rows back to file lines."""
    import_jsonschema()
    from frictionless import FrictionlessException, Package  # imported here: it is slow to import

    first_path = next(iter(tables.values())).path
    package_path = first_path.parent / "datapackage.json"
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mechgraph-check-") as tmp:
        for name, table in tables.items():
            with open(Path(tmp, f"{name}.csv"), "w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f, lineterminator="\n")
                writer.writerow(table.header)
                writer.writerows([row[c] for c in table.header] for row in table.rows)
        Path(tmp, "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
        try:
            report = Package(str(Path(tmp, "datapackage.json"))).validate(limit_errors=10**9)
        except FrictionlessException as err:
            return [f"{_where(package_path)}: {err.error.note or err.error.title}"]
        except Exception as err:  # a schema Frictionless cannot even load
            return [f"{_where(package_path)}: the schema cannot be used ({type(err).__name__}: {err})"]
        for error in getattr(report, "errors", []):
            problems.append(f"{_where(package_path)}: {error.type}: {error.note or error.title}")
        for task in report.tasks:
            name = Path(str(task.place)).stem
            table = tables.get(name)
            path = table.path if table else package_path
            for err in task.errors:
                problems.append(_describe(err, table, path))
    return problems


def _describe(err, table: Table | None, path: Path) -> str:
    number = getattr(err, "row_number", None)
    row = table.line_of_record(number) if table and number else number
    column = getattr(err, "field_name", None)
    note = err.note or err.title
    if err.type == "foreign-key":
        names = list(getattr(err, "field_names", []) or [])
        cells = list(getattr(err, "field_cells", []) or [])
        column = names[0] if names else None
        target = getattr(err, "reference_name", "") or "this table"
        value = ", ".join(_show(str(c)) for c in cells) or "the value"
        note = f"{value} is not an id in {target}.csv"
    elif err.type == "primary-key":
        column = "id"
        first = re.search(r"\d+", err.note or "")
        cells = getattr(err, "cells", None) or [""]
        where = (
            f" (first used on row {table.line_of_record(int(first.group())) if table else first.group()})"
            if first
            else ""
        )
        note = f"duplicate id '{cells[0]}'{where}"
    elif err.type == "constraint-error" and (
        enum := re.fullmatch(r'constraint "enum" is "(\[.*\])"', note or "")
    ):
        try:
            allowed = ", ".join(ast.literal_eval(enum.group(1)))
        except (ValueError, SyntaxError):
            allowed = enum.group(1)
        note = f"value {_show(str(err.cell))} is not one of: {allowed}"
    elif getattr(err, "cell", None) is not None:
        note = (
            f"value {_show(str(err.cell))} breaks the rule: {note}"
            if note
            else f"value {_show(str(err.cell))}: {err.title}"
        )
    return f"{_where(path, row, column)}: {err.type}: {note}"


def _cross_checks(tables: dict[str, Table], refs: dict[str, Reference]) -> list[str]:
    """The checks a Table Schema cannot express."""
    problems: list[str] = []
    path = {name: t.path for name, t in tables.items()}

    def rows(name):
        return zip(tables[name].lines, tables[name].rows)

    figure_ids = {r["id"] for r in tables["figures"].rows}
    used: set[str] = set()
    anchors: dict[str, str] = {}

    for name, columns in PLAIN_TEXT.items():
        for line, row in rows(name):
            for column in columns:
                value = row.get(column) or ""
                if MARKUP.search(value):
                    problems.append(
                        f"{_where(path[name], line, column)}: {_show(value)} contains markup characters; "
                        "it is shown as a name, so it must be plain text"
                    )
                elif found := MARKDOWN.search(value):
                    problems.append(
                        f"{_where(path[name], line, column)}: {_show(value)} contains Markdown "
                        f"({_show(found[0])} at character "
                        f"{found.start() + 1}); it is shown as a name, so it must be plain text"
                    )
                elif " : " in value:
                    problems.append(
                        f"{_where(path[name], line, column)}: {_show(value)} contains ' : ' "
                        "(a glossary term would read it as a classifier)"
                    )
    for line, row in rows("entities"):
        label = row.get("label") or ""
        anchor = make_id(f"term-{label}")  # what the glossary links to, ignoring case (Sphinx keeps it)
        if label and anchor == "term":
            problems.append(
                f"{_where(path['entities'], line, 'label')}: {_show(label)} has no letter or digit to link to"
            )
        elif anchor in anchors and label:
            problems.append(
                f"{_where(path['entities'], line, 'label')}: '{label}' gives the same glossary anchor as '{anchors[anchor]}'"
            )
        anchors[anchor] = label
    named = {}  # an entity's id and label name it: an alias naming another entity is refused
    for _, row in rows("entities"):
        for name in (row.get("id") or "", row.get("label") or ""):
            named.setdefault(name_key(name), row.get("id"))
    for line, row in rows("entities"):
        for alias in tables["entities"].items(row, "aliases"):
            key, owner = name_key(alias), named.setdefault(name_key(alias), row.get("id"))
            if not key or owner != row.get("id"):
                problems.append(
                    f"{_where(path['entities'], line, 'aliases')}: alias '{alias}' "
                    + (f"already names '{owner}'" if key else "has no letter or digit to search for")
                )
    for name in ("entities", "statements", "table1", "errata"):
        for line, row in rows(name):
            column = "citation" if name == "table1" else "citations"
            for key in tables[name].items(row, column):
                if key not in refs:
                    problems.append(
                        f"{_where(path[name], line, column)}: unknown citation key '{key}' (not in references.bib)"
                    )
    for line, row in rows("statements"):
        used.update((row.get("subject"), row.get("object")))
        if row.get("subject") and row.get("subject") == row.get("object"):
            problems.append(
                f"{_where(path['statements'], line, 'object')}: self-loop: '{row['subject']}' points at itself"
            )
        for fig in tables["statements"].items(row, "figures"):
            if fig not in figure_ids:
                problems.append(
                    f"{_where(path['statements'], line, 'figures')}: unknown figure id '{fig}' (not in figures.csv)"
                )
        problems.extend(_scope_problem(path["statements"], line, row))
    for line, row in rows("entities"):
        if row.get("id") and row["id"] not in used:
            problems.append(
                f"{_where(path['entities'], line, 'id')}: orphan entity '{row['id']}' is in no statement"
            )
    parent_of = {r["id"]: r.get("part_of") or "" for r in tables["figures"].rows}
    for line, row in rows("figures"):
        parent = row.get("part_of") or ""
        if parent and parent_of.get(parent):
            problems.append(
                f"{_where(path['figures'], line, 'part_of')}: '{parent}' is itself a panel of "
                f"'{parent_of[parent]}'; a panel must belong to a whole figure"
            )
    for line, row in rows("statements"):
        figs = tables["statements"].items(row, "figures")
        for fig in figs:
            if parent_of.get(fig) and parent_of[fig] not in figs:
                problems.append(
                    f"{_where(path['statements'], line, 'figures')}: panel '{fig}' is part of "
                    f"'{parent_of[fig]}', which the statement must list too"
                )
    shown = {f for r in tables["statements"].rows for f in tables["statements"].items(r, "figures")}
    for line, row in rows("figures"):
        if row.get("id") and row["id"] not in shown:
            problems.append(f"{_where(path['figures'], line, 'id')}: figure '{row['id']}' has no statements")
    for line, row in rows("table1"):
        cells, mass = (row.get("cells_per_dose") or "").strip(), (row.get("mg_per_kg_per_dose") or "").strip()
        if row.get("product") == "cells" and (not cells or mass):
            problems.append(
                f"{_where(path['table1'], line, 'cells_per_dose')}: a cell product needs cells_per_dose and no mg_per_kg_per_dose"
            )
        if row.get("product") == "extracellular_vesicles" and (cells or not mass):
            problems.append(
                f"{_where(path['table1'], line, 'mg_per_kg_per_dose')}: a vesicle product needs mg_per_kg_per_dose and no cells_per_dose"
            )
    return problems


#: the files a page of the book can be written in
PAGE_SUFFIXES = (".md", ".ipynb", ".rst")


def _document_checks(chapters: Table) -> list[str]:
    """Every ``document`` of chapters.csv is a page of the book, when the data folder is a Jupyter
    Book's (its folder holds _toc.yml): ``chapters/x`` needs chapters/x.md (or .ipynb, .rst)."""
    book = chapters.path.parent.parent
    if not (book / "_toc.yml").is_file():
        return []
    problems = []
    for line, row in zip(chapters.lines, chapters.rows):
        document = row.get("document") or ""
        if document and not _page_exists(book, document):
            problems.append(
                f"{_where(chapters.path, line, 'document')}: no page {_show(document)} in the book "
                f"(no {document}.md or {document}.ipynb next to {_folder_name(chapters.path.parent)}/)"
            )
    return problems


def _page_exists(book: Path, document: str) -> bool:
    return any((book / f"{document}{suffix}").is_file() for suffix in PAGE_SUFFIXES)


def _pages_present(data_dir: Path) -> str:
    """Which pages of chapters.csv exist, as :func:`_document_checks` sees them: part of the key of
    the check's answer, since the pages are outside the data folder."""
    book, chapters = data_dir.parent, data_dir / "chapters.csv"
    if not (book / "_toc.yml").is_file() or chapters.is_symlink():
        return ""
    try:
        with chapters.open(encoding="utf-8-sig", newline="") as f:
            documents = [row.get("document") or "" for row in csv.DictReader(f)]
    except (OSError, UnicodeDecodeError, csv.Error):
        return ""
    return ":" + "".join("1" if _page_exists(book, document) else "0" for document in documents)


def _scope_problem(path: Path, line: int, row: dict) -> list[str]:
    """A ``cancer_pain`` value that the statement's evidence, setting or species contradicts."""
    scope, evidence = row.get("cancer_pain"), row.get("evidence") or ""
    where = _where(path, line, "cancer_pain")
    if scope == "measured":
        if evidence in REVIEW_EVIDENCE or evidence == "in_vitro":
            return [
                f"{where}: 'measured' needs primary data from a pain model, but the evidence is '{evidence}' "
                "(a review's statement is 'asserted'; cell culture is 'extrapolated')"
            ]
        if (row.get("setting") or "") not in CANCER_PAIN_SETTINGS:
            return [
                f"{where}: 'measured' needs a cancer or cancer-treatment pain setting, not '{row.get('setting')}' "
                "(use 'extrapolated')"
            ]
        if row.get("species") == "none":
            return [f"{where}: 'measured' needs the species measured, not 'none'"]
    if scope == "asserted" and evidence and evidence not in REVIEW_EVIDENCE:
        return [
            f"{where}: 'asserted' is for a review's statement without primary data, but the evidence is "
            f"'{evidence}' (use 'measured' or 'extrapolated')"
        ]
    return []


def find_data(start: Path | str | None = None) -> Path | None:
    """The data folder to read when none is given: the nearest ``data/datapackage.json`` from
    ``start`` (default: the current folder) upwards; else the copy bundled into the installed
    package; else, for an editable install (``make book``'s), the ``data/`` of the folder it was
    installed from, as its install record says (PEP 610); else None."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "datapackage.json").is_file():
            return folder / "data"
    source = _editable_source()
    for fallback in (BUNDLED_DATA, source / "data" if source else None):
        if fallback is not None and (fallback / "datapackage.json").is_file():
            return fallback
    return None


def _editable_source() -> Path | None:
    """The folder an editable install of mechgraph points at (None for any other install)."""
    from importlib import metadata
    from urllib.parse import unquote, urlparse

    try:
        record = json.loads(metadata.distribution("mechgraph").read_text("direct_url.json") or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        return None
    url = urlparse(record.get("url", ""))
    return (
        Path(unquote(url.path))
        if record.get("dir_info", {}).get("editable") and url.scheme == "file"
        else None
    )


def bibliography(data_dir: Path | str) -> Path | None:
    """The BibTeX file that ``datapackage.json`` names (``"bibliography"``, relative to its folder),
    or None when the file cannot be read or names none (:func:`validate` says why)."""
    try:
        name = json.loads((Path(data_dir) / "datapackage.json").read_text(encoding="utf-8-sig")).get(
            "bibliography"
        )
    except (OSError, ValueError, AttributeError):
        return None
    return Path(data_dir) / name if isinstance(name, str) and name.strip() else None


def _not_found() -> str:
    return (
        f"data/datapackage.json: not found in {Path.cwd()} or any folder above it, and this "
        "installation of mechgraph has no bundled copy of the data; give the data folder, "
        "e.g. load('path/to/data')"
    )


def _links(data_dir: Path) -> list[str]:
    """One line for each symbolic link in the data folder: refused, never followed or read."""
    try:
        entries = sorted(data_dir.iterdir())
    except OSError:
        return []
    return [
        f"{_folder_name(data_dir)}/{entry.name}: a symbolic link; the data folder holds plain files "
        "only (copy the file in instead)"
        for entry in entries
        if entry.is_symlink()
    ]


def _validate(data_dir: Path, bib_path: Path | None, review: str) -> list[str]:
    problems: list[str] = _links(data_dir)
    if problems:
        return problems
    package = _read_package(data_dir, problems)
    if package is not None and bib_path is None:
        bib_path = bibliography(data_dir)
        if bib_path is None:
            problems.append(
                f'{_where(data_dir / "datapackage.json")}: no "bibliography" naming the BibTeX '
                'file of the citation keys (a path relative to this folder, e.g. "../references.bib")'
            )
    if bib_path is None:  # nothing further can be checked
        return problems
    tables: dict[str, Table | None] = {}
    for name in TABLES:
        resource = next((r for r in package["resources"] if r.get("name") == name), None) if package else None
        expected = [f["name"] for f in resource["schema"]["fields"]] if resource else None
        path = data_dir / f"{name}.csv"
        if expected is None:  # no schema to compare the header with: check what can be checked
            continue
        tables[name] = _read_table(path, expected, problems)
        if tables[name]:
            tables[name].delimiters = _delimiters(resource)
    bib_lines = bib_problems(bib_path)
    refs = read_bib(bib_path) if not bib_lines else {}
    if not bib_lines and review not in refs:
        bib_lines.append(f"{bib_path.name}: no entry '{review}' (the review this book reads)")
    problems += bib_lines
    if problems:  # unreadable files: nothing further can be checked
        return problems
    problems += _pattern_problems(package, tables) or _frictionless_problems(package, tables)
    if problems:
        return problems
    return (
        _vocabulary_checks(package, tables)
        + _cross_checks(tables, refs)
        + _document_checks(tables["chapters"])
        + _question_checks(tables, refs)
        + _appraisal_checks(tables, refs)
        + _ongoing_pain_checks(tables)
    )


def _delimiters(resource: dict) -> dict[str, str]:
    """The list columns of a table (a ``delimiter`` in their schema) and the character between items."""
    return {f["name"]: f["delimiter"] for f in resource["schema"]["fields"] if f.get("delimiter")}


def _vocabulary_checks(package: dict, tables: dict[str, Table]) -> list[str]:
    """Each value of a column with a ``vocabulary`` is listed in vocabulary.csv, once; each group is a
    value of the vocabulary ``<vocabulary>_group``; and no vocabulary is left unused (a misspelt name)."""
    problems: list[str] = []
    vocabulary = tables["vocabulary"]
    package_path = vocabulary.path.parent / "datapackage.json"
    terms: dict[str, dict[str, str]] = {}  # vocabulary -> value -> group
    for line, row in zip(vocabulary.lines, vocabulary.rows):
        values = terms.setdefault(row["vocabulary"], {})
        if row["value"] in values:
            problems.append(
                f"{_where(vocabulary.path, line, 'value')}: '{row['value']}' is listed twice in "
                f"vocabulary '{row['vocabulary']}'"
            )
        values[row["value"]] = row["group"]
    used: set[str] = set()
    for resource in package["resources"]:
        table = tables[resource["name"]]
        for column in (f for f in resource["schema"]["fields"] if f.get("vocabulary")):
            name, values = column["vocabulary"], terms.get(column["vocabulary"])
            if values is None:
                problems.append(
                    f"{_where(package_path)}: column '{column['name']}' of {resource['name']}.csv names "
                    f"vocabulary '{name}', which has no rows in vocabulary.csv"
                )
                continue
            used |= {name, f"{name}_group"}
            for line, row in zip(table.lines, table.rows):
                for value in (
                    table.items(row, column["name"]) if column.get("delimiter") else [row[column["name"]]]
                ):
                    if value and value not in values:
                        problems.append(
                            f"{_where(table.path, line, column['name'])}: value {_show(value)} is not in "
                            f"vocabulary '{name}' (vocabulary.csv): {', '.join(values)}"
                        )
    for line, row in zip(vocabulary.lines, vocabulary.rows):
        name, group = row["vocabulary"], row["group"]
        groups = terms.get(f"{name}_group")
        if name not in used:
            problems.append(
                f"{_where(vocabulary.path, line, 'vocabulary')}: no column of datapackage.json uses "
                f"vocabulary '{name}' (a misspelt name?)"
            )
        elif groups is None and group:
            problems.append(
                f"{_where(vocabulary.path, line, 'group')}: '{group}' is a group, but there is no "
                f"vocabulary '{name}_group' to define it"
            )
        elif groups is not None and group not in groups:
            problems.append(
                f"{_where(vocabulary.path, line, 'group')}: {_show(group) if group else 'an empty cell'} "
                f"is not a value of vocabulary '{name}_group': {', '.join(groups)}"
            )
    return problems


def validate(
    data_dir: Path | str | None = None, bib_path: Path | str | None = None, review: str = REVIEW_KEY
) -> list[str]:
    """Every problem in the data, one line each; an empty list means fit to build. Never raises.

    ``data_dir`` defaults to :func:`find_data`, ``bib_path`` to the file its ``datapackage.json``
    names; ``review`` is the citation key of the review the book reads."""
    data_dir = Path(data_dir) if data_dir is not None else find_data()
    if data_dir is None:
        return [_not_found()]
    bib_path = Path(bib_path) if bib_path is not None else None
    try:
        stamp = fingerprint(data_dir, bib_path) + _pages_present(data_dir)
        return list(_checked(data_dir, bib_path, review, stamp))
    except Exception as err:  # a bug in the checker must still give one line, not a traceback
        return [
            f"{_folder_name(data_dir)}/: the check itself failed ({type(err).__name__}: {err}); please report this"
        ]


@functools.lru_cache(maxsize=8)
def _checked(data_dir: Path, bib_path: Path | None, review: str, stamp: str) -> tuple[str, ...]:
    """:func:`validate`'s lines, worked out once for each content of the files (``stamp``, their
    :func:`fingerprint`): :func:`load` and the build check again what was just checked."""
    # one line per problem, whatever the data hold (a quoted header cell can contain a line break)
    return tuple(p.replace("\r", "\\r").replace("\n", "\\n") for p in _validate(data_dir, bib_path, review))


# --- self-test questions (data/questions.csv) -------------------------------------------------


def _question_checks(tables: dict[str, Table], refs: dict[str, Reference]) -> list[str]:
    """What the schema cannot say about a question: its sources exist, its options run A, B, C...
    without gaps, each option has its own feedback, and the answer fits the kind of question."""
    problems: list[str] = []
    path = tables["questions"].path
    for line, row in zip(tables["questions"].lines, tables["questions"].rows):

        def bad(column: str, what: str) -> None:
            problems.append(f"{_where(path, line, column)}: {what}")

        for key in tables["questions"].items(row, "citations"):
            if key not in refs:
                bad("citations", f"unknown citation key '{key}' (not in references.bib)")
        present = [letter for letter in OPTION_LETTERS if (row.get(f"option_{letter}") or "").strip()]
        for letter in OPTION_LETTERS:
            option, feedback = (
                (row.get(f"option_{letter}") or "").strip(),
                (row.get(f"feedback_{letter}") or "").strip(),
            )
            if option and not feedback:
                bad(
                    f"feedback_{letter}",
                    f"option {letter.upper()} has no feedback; every option needs its own explanation",
                )
            if feedback and not option:
                bad(f"option_{letter}", f"feedback_{letter} is given but option {letter.upper()} is empty")
        if present != list(OPTION_LETTERS[: len(present)]):
            gap = next(letter for letter in OPTION_LETTERS if letter not in present)
            bad(f"option_{gap}", "options must be filled in order A, B, C... without gaps")
        correct = tables["questions"].items(row, "correct")
        unknown = [c for c in correct if c not in present]
        if unknown:
            bad("correct", f"answer '{';'.join(unknown)}' names an empty option")
            continue
        if len(set(correct)) != len(correct):
            bad("correct", "a letter is repeated")
            continue
        kind = row.get("kind")
        if kind == "true_false" and (
            [row.get("option_a"), row.get("option_b")] != ["True", "False"]
            or len(present) != 2
            or len(correct) != 1
        ):
            bad("option_a", "a true_false question has exactly the options 'True' and 'False' and one answer")
        elif kind == "ordering" and (sorted(correct) != present or len(present) < 3):
            bad(
                "correct", "an ordering question lists every option (at least three) once, in the right order"
            )
        elif kind in ("multiple_choice", "predict") and (len(present) < 3 or len(correct) >= len(present)):
            bad(
                "correct",
                "a multiple-choice question needs at least three options and at least one wrong one",
            )
    if not problems:  # what the whole file teaches a reader who guesses from its form
        table = tables["questions"]
        rows = [
            SimpleNamespace(**{**row, "correct": tuple(table.items(row, "correct"))}) for row in table.rows
        ]
        problems += bias_problems(_where(path), rows)
    return problems


# --- appraisal of the Table 1 studies (data/table1_appraisal.csv) -----------------------------


def _appraisal_checks(tables: dict[str, Table], refs: dict[str, Reference]) -> list[str]:
    """Each study of Table 1 is judged once on every criterion, and each judgement cites its source."""
    problems: list[str] = []
    path = tables["table1_appraisal"].path
    rows = tables["table1_appraisal"].rows
    studies = {r["id"] for r in tables["table1"].rows}
    criteria = sorted({r.get("criterion") for r in rows})
    seen: set[tuple[str, str]] = set()
    for line, row in zip(tables["table1_appraisal"].lines, rows):
        for key in tables["table1_appraisal"].items(row, "citations"):
            if key not in refs:
                problems.append(
                    f"{_where(path, line, 'citations')}: unknown citation key '{key}' (not in references.bib)"
                )
        pair = (row.get("study"), row.get("criterion"))
        if pair in seen:
            problems.append(
                f"{_where(path, line, 'criterion')}: study '{pair[0]}' is judged twice on '{pair[1]}'"
            )
        seen.add(pair)
    for study in sorted(studies):
        missing = [c for c in criteria if (study, c) not in seen]
        if missing:
            problems.append(f"{_where(path)}: study '{study}' is not judged on: {', '.join(missing)}")
    return problems


def _ongoing_pain_checks(tables: dict[str, Table]) -> list[str]:
    """A study's 'ongoing pain' judgement agrees with its readouts in table1.csv: 'yes' or 'partly'
    if it recorded a non-evoked readout (its vocabulary group), 'no' or 'unclear' if it did not."""
    groups = {r["value"]: r["group"] for r in tables["vocabulary"].rows if r["vocabulary"] == "readout"}
    table1 = tables["table1"]
    non_evoked = {
        r["id"]: [v for v in table1.items(r, "readouts") if groups.get(v) == "non_evoked"]
        for r in table1.rows
    }
    appraisal = tables["table1_appraisal"]
    problems: list[str] = []
    for line, row in zip(appraisal.lines, appraisal.rows):
        if row.get("criterion") != "ongoing_pain" or row.get("study") not in non_evoked:
            continue
        found, judged = non_evoked[row["study"]], row.get("judgement")
        if found and judged in ("no", "unclear"):
            problems.append(
                f"{_where(appraisal.path, line, 'judgement')}: '{judged}' for ongoing pain, but table1.csv "
                f"records a non-evoked readout for '{row['study']}': {', '.join(found)}"
            )
        elif not found and judged in ("yes", "partly"):
            problems.append(
                f"{_where(appraisal.path, line, 'judgement')}: '{judged}' for ongoing pain, but table1.csv "
                f"records only evoked readouts for '{row['study']}'"
            )
    return problems


def data_files(data_dir: Path | str | None = None, bib_path: Path | str | None = None) -> list[Path]:
    """The files the data are read from: everything in the data folder and the bibliography."""
    data_dir = Path(data_dir) if data_dir is not None else find_data()
    if data_dir is None:
        return []
    bib_path = Path(bib_path) if bib_path is not None else bibliography(data_dir)
    return sorted(data_dir.glob("*")) + ([bib_path] if bib_path is not None else [])


def fingerprint(data_dir: Path | str | None = None, bib_path: Path | str | None = None) -> str:
    """A short hash of everything notebook outputs depend on: data, bibliography, this package."""
    digest = hashlib.sha256()
    files = data_files(data_dir, bib_path) + sorted(Path(__file__).parent.glob("*.py"))
    for path in files:
        if path.is_symlink():  # refused by validate(), never read (it may point at anything)
            digest.update(f"{path.name} -> {os.readlink(path)}".encode("utf-8", "surrogateescape"))
        elif path.is_file():
            digest.update(path.name.encode("utf-8", "surrogateescape"))
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=4)
def _load(data_dir: Path, bib_path: Path, given_bib: Path | None, stamp: str) -> BookData:
    problems = validate(data_dir, given_bib)  # as the caller asked: what validate() just checked
    if problems:
        raise DataError(problems)
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8-sig"))
    frames = {}
    for resource in package["resources"]:
        name = resource["name"]
        frame = pd.read_csv(data_dir / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for column, delimiter in _delimiters(resource).items():
            frame[column] = [tuple(split_list(cell, delimiter)) for cell in frame[column]]
        frames[name] = frame.set_index("id", drop=False).rename_axis(None) if "id" in frame else frame
    for column in ("cells_per_dose", "mg_per_kg_per_dose", "administrations"):
        frames["table1"][column] = pd.to_numeric(frames["table1"][column].replace("", None))
    return BookData(references=read_bib(bib_path), **frames)


def load(data_dir: Path | str | None = None, bib_path: Path | str | None = None) -> BookData:
    """Validate the data folder (default: :func:`find_data`) and its bibliography (default: the file
    its ``datapackage.json`` names) and return the tables; raise :class:`DataError` if anything is wrong."""
    data_dir = Path(data_dir) if data_dir is not None else find_data()
    given = Path(bib_path) if bib_path is not None else None
    bib_path = given or (bibliography(data_dir) if data_dir else None)
    if data_dir is None or bib_path is None:
        raise DataError(validate(data_dir, given))
    return _load(data_dir, bib_path, given, fingerprint(data_dir, bib_path))
