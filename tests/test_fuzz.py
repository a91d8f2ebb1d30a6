"""Fuzz the checker: random mutations of the valid fixture files (bytes, cells, lines, headers,
the package file, the bibliography) never make it raise; it either accepts the data (which then
loads and renders its generated pages) or returns lines that each name a file. And what it
accepts builds: a label it lets through builds the tiny test book (tests/roots/test-book, with a
glossary page) without a warning, and shows in the glossary as written, under the anchor the
diagrams link to."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mechgraph.data import REVIEW_KEY, load, validate
from mechgraph.glossary import glossary_myst
from mechgraph.report import errata_myst
from sitetools import FIXTURES, REPO

ROOT = REPO
BIB_PATH = REPO / "references.bib"
FILES = [
    "entities.csv",
    "figures.csv",
    "statements.csv",
    "table1.csv",
    "errata.csv",
    "questions.csv",
    "table1_appraisal.csv",
    "datapackage.json",
    "vocabulary.csv",
    "chapters.csv",
    "references.bib",
]
KEYS = {REVIEW_KEY, "dominici2006minimal", "yang2020anti", "boukelmoune2021nasal"}


def _small_bib() -> str:
    """The fixture data's entries (and the review's) cut from references.bib."""
    text = BIB_PATH.read_text(encoding="utf-8")
    entries = re.split(r"(?m)^(?=@)", text)
    return "".join(
        e for e in entries if any(e.startswith(f"@article{{{k},") or f"{{{k}," in e[:80] for k in KEYS)
    )


ORIGINAL = {name: (FIXTURES / name).read_bytes() for name in FILES[:7]}
for schema in ("datapackage.json", "vocabulary.csv", "chapters.csv"):  # the schema and its vocabularies
    ORIGINAL[schema] = (ROOT / "data" / schema).read_bytes()
ORIGINAL["references.bib"] = _small_bib().encode("utf-8")

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | st.sampled_from(
    [
        "",
        " ",
        "\n",
        "\r\n",
        '"',
        ",",
        "{",
        "}",
        "\ufeff",
        "\x00",
        "\t",
        "<script>",
        "msc",
        "e04",
        "1e9",
        "-1",
        "tlr_signalling",
        "pain-01",
        "cells",
        "@article{",
        "NaN",
        "null",
        "]",
        '"resources": []',
    ]
)


@st.composite
def mutation(draw):
    name = draw(st.sampled_from(FILES))
    data = bytearray(ORIGINAL[name])
    kind = draw(
        st.sampled_from(["byte", "insert", "delete", "truncate", "cell", "line", "header", "blank", "bom"])
    )
    if kind == "byte" and data:
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    elif kind == "insert":
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(TEXT).encode("utf-8")
    elif kind == "delete" and data:
        at = draw(st.integers(0, len(data) - 1))
        del data[at : at + draw(st.integers(1, 40))]
    elif kind == "truncate":
        del data[draw(st.integers(0, len(data))) :]
    elif kind == "bom":
        data[0:0] = b"\xef\xbb\xbf"
    else:
        lines = data.decode("utf-8").split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "cell" and name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
            r = draw(st.integers(0, len(rows) - 1))
            c = draw(st.integers(0, len(rows[r]) - 1)) if rows[r] else 0
            if rows[r]:
                rows[r][c] = draw(TEXT)
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            data = bytearray(out.getvalue().encode("utf-8"))
        elif kind == "header":
            lines[0] = lines[0].replace(
                draw(st.sampled_from(["id", "label", ",", "citations", "title", "{"])), draw(TEXT), 1
            )
            data = bytearray("\n".join(lines).encode("utf-8"))
        elif kind == "blank":
            lines.insert(i, "")
            data = bytearray("\n".join(lines).encode("utf-8"))
        else:  # line: drop, duplicate or swap
            how = draw(st.sampled_from(["drop", "dup", "swap"]))
            j = draw(st.integers(0, len(lines) - 1))
            if how == "drop":
                del lines[i]
            elif how == "dup":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = bytearray("\n".join(lines).encode("utf-8"))
    return name, bytes(data)


def _fresh(tmp: Path) -> tuple[Path, Path]:
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "data").mkdir(parents=True)
    for name, content in ORIGINAL.items():
        (tmp / ("references.bib" if name == "references.bib" else f"data/{name}")).write_bytes(content)
    return tmp / "data", tmp / "references.bib"


def test_the_fuzz_fixtures_are_valid(tmp_path):
    assert validate(*_fresh(tmp_path / "case")) == []


# as many examples as the profile says (tests/conftest.py: 150, or 25 in `make test-unit`)
@settings(
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays repeatable
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(mutation(), min_size=1, max_size=3))
def test_the_checker_never_raises_and_names_the_file(tmp_path, mutations):
    data_dir, bib = _fresh(tmp_path / "case")
    for name, content in mutations:
        (bib if name == "references.bib" else data_dir / name).write_bytes(content)
    problems = validate(data_dir, bib)
    assert isinstance(problems, list)
    for line in problems:
        assert isinstance(line, str) and "\n" not in line and "Traceback" not in line
        assert re.match(
            r"^(data/(entities|figures|statements|table1|errata|questions|table1_appraisal|chapters|vocabulary)\.csv|data/datapackage\.json|references\.bib)"
            r"(, (row|line) \d+)?(, column '[^']*')?: \S",
            line,
        ), line
        assert "the check itself failed" not in line, line
    if not problems:  # accepted data loads and renders its generated pages
        data = load(data_dir, bib)
        glossary_myst(data)
        errata_myst(data)


#: labels that look harmless to a CSV file and are not to Markdown, HTML or Sphinx
TRICKY_LABELS = [
    "_mast_ cell",
    "mast *cell*",
    "`mast` cell",
    "<b>mast</b>",
    "# mast",
    "~~mast~~",
    "mast\u200bcell",
]
LABEL = st.sampled_from(TRICKY_LABELS) | st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=16
)


def _tiny_book(dest: Path, label: str) -> Path:
    """The tiny test book with the book's data, one entity's label replaced, and a glossary page."""
    from sitetools import edit_cell

    book = Path(shutil.copytree(REPO / "tests" / "roots" / "test-book", dest))
    shutil.copytree(REPO / "data", book / "data")
    shutil.copy(REPO / "references.bib", book / "references.bib")
    (book / "chapters" / "glossary.md").write_text(
        "# Glossary\n\n```{data-glossary}\n```\n", encoding="utf-8"
    )
    index = book / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace(
            "chapters/questions", "chapters/questions\nchapters/glossary"
        ),
        encoding="utf-8",
    )
    edit_cell(book / "data" / "entities.csv", 3, "label", label)
    return book


# a few examples only: each accepted one is a Sphinx build of the tiny book (seconds each)
@pytest.mark.slow
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@example("_mast_ cell")
@example("mast *cell*")
@example("mast\u200bcell")
@given(label=LABEL)
def test_a_label_the_check_accepts_builds_and_reads_as_written(tmp_path, label):
    import tempfile
    from io import StringIO

    from bs4 import BeautifulSoup
    from sphinx.testing.util import SphinxTestApp

    from mechgraph.glossary import term_anchor

    with tempfile.TemporaryDirectory(dir=tmp_path) as where:
        book = _tiny_book(Path(where) / "book", label)
        if validate(book / "data"):
            return  # refused, with lines naming file, row and column (the tests above)
        app = SphinxTestApp("html", srcdir=book, status=StringIO(), warning=StringIO())
        try:
            app.build()
        finally:
            app.cleanup()
        assert app.warning.getvalue() == "", f"{label!r}: {app.warning.getvalue()[:500]}"
        page = BeautifulSoup(
            (book / "_build" / "html" / "chapters" / "glossary.html").read_text("utf-8"), "html.parser"
        )
        term = page.find(id=term_anchor(label))
        assert term is not None, f"{label!r}: no glossary entry with the id the diagrams link to"
        for link in term.select("a.headerlink"):
            link.decompose()
        assert term.get_text() == label, f"{label!r} shows as {term.get_text()!r}"
