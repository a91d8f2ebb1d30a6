"""`python -m mechgraph check-myst`: every chapter parses as MyST, and a broken one is named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mechgraph.__main__ import main
from mechgraph.myst import EXTENSIONS, notebook_problems

ROOT = Path(__file__).resolve().parent.parent
HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""  # lines 1-11, as in every chapter
CELL = "```{code-cell} ipython3\n---\ntags: [hide-input]\n---\nfrom mechgraph import load\n\ndata = load()\n```\n"
PAGE = HEADER + "\n# A chapter\n\nSome prose.\n\n" + CELL + "\nMore prose.\n"  # the cell's fence is line 17

BROKEN = {
    "cell never closed": (
        PAGE.replace("data = load()\n```\n", "data = load()\n"),
        17,
        "the ``` fence opened here is never closed",
    ),
    "admonition never closed": (
        PAGE + "\n:::{note}\nA note.\n\n## A heading swallowed by the note\n",
        28,
        "the ::: fence opened here is never closed",
    ),
    "note not closed before a cell": (
        HEADER + "\n```{note}\nA note.\n\n" + CELL + "\nMore prose.\n",
        16,
        "'```{code-cell} ipython3' is inside the ``` fence opened at line 13",
    ),
    "cell options not YAML": (
        PAGE.replace("tags: [hide-input]", "tags: [hide-input"),
        17,
        "the options of this code cell cannot be read",
    ),
    "Python syntax": (
        PAGE.replace("data = load()", "data = load("),
        23,
        "the code cell starting 'from mechgraph import load' is not valid Python (SyntaxError",
    ),
    "indentation": (
        PAGE.replace("data = load()", "  data = load()"),
        23,
        "is not valid Python (IndentationError",
    ),
    "front matter not YAML": (
        PAGE.replace("  display_name: Python 3", "  display_name: [Python 3"),
        9,
        "not valid YAML",
    ),
    "no jupytext header": (PAGE[len(HEADER) :], 1, "does not declare a MyST notebook"),
    "no kernel": (PAGE.replace("  name: python3\n", ""), 1, "names no kernel"),
    "markdown cell metadata not JSON": (
        PAGE.replace("More prose.", '+++ {"tags": [\n\nMore prose.'),
        26,
        "could not be read",
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_notebook_is_named_by_file_and_line(tmp_path, name):
    text, line, what = BROKEN[name]
    path = tmp_path / "chapter.md"
    path.write_text(text, encoding="utf-8")
    problems = notebook_problems(path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}, line {line}: "), problems[0]
    assert what in problems[0]


def test_magics_and_top_level_await_are_python(tmp_path):
    path = tmp_path / "chapter.md"
    path.write_text(
        PAGE.replace("data = load()", "%matplotlib inline\n!ls\nawait something()"), encoding="utf-8"
    )
    assert notebook_problems(path) == []


def test_every_chapter_parses():
    files = sorted(ROOT.glob("chapters/*.md")) + [ROOT / "index.md"]
    assert [p for f in files for p in notebook_problems(f)] == []


def test_extensions_are_the_books():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert set(EXTENSIONS) == set(config["parse"]["myst_enable_extensions"])


def test_command_line_exit_status_and_one_line_per_problem(tmp_path, capsys):
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(PAGE, encoding="utf-8")
    bad.write_text(BROKEN["Python syntax"][0], encoding="utf-8")
    assert main(["check-myst", str(good)]) == 0
    capsys.readouterr()
    assert main(["check-myst", str(good), str(bad)]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {notebook_problems(bad)[0]}"]
    assert errors[0].startswith(f"error: {bad}, line 23: ")
