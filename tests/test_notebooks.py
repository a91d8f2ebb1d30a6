"""Every chapter, downloaded from the site as .ipynb, opens anywhere: it starts with the set-up cell,
its Markdown is plain Markdown (no MyST-only markup that JupyterLab or Colab would show raw), its
outputs are kept, and it runs top to bottom in a fresh kernel of a fresh virtualenv outside the
repository that holds mechgraph from its wheel (tests/test_wheel.py builds it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from mechgraph import colab
from mechgraph.notebooks import MYST_MARKUP, Links, plain_markdown, portable
from sitetools import REPO
from test_wheel import use_wheel_kernel, wheel_python  # noqa: F401  (the fixture: a virtualenv with the wheel)

#: every chapter that is a notebook (has code cells)
NOTEBOOKS = sorted(
    p.stem for p in (REPO / "chapters").glob("*.md") if "```{code-cell}" in p.read_text(encoding="utf-8")
)
CONFIG = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["repository"]


def _downloaded(site: Path, name: str) -> Path:
    path = site / "_sources" / "chapters" / f"{name}.ipynb"
    assert path.exists(), "the site offers no .ipynb download for this chapter"
    return path


class _FakeLinks(Links):
    def cite(self, key, textual):
        return f"[Author {key}](https://doi.org/10.1/{key})"

    def term(self, text, target):
        return f"[{text}](https://site/glossary.html#{target})"

    def questions(self, chapter):
        return f"**Question 1** about {chapter}", "1. B. Because."


MYST = """\
(ch-x)=
# 6. A chapter

```{admonition} In this chapter
:class: tip
Read {term}`Schwann cells <Schwann cell>` and {term}`MSC`s {cite:p}`a2020,b2021`.
```

As {cite:t}`c2019` showed, see {doc}`05-pain-mechanisms` and {numref}`fig-x`, {ref}`there <lab>`.

```{exercise}
:label: ex-x-1
Name two cells.
```

```{solution} ex-x-1
:class: dropdown
Schwann cells and MSCs.
```

{{ figures.fig1 }}

```{data-questions}
:chapter: intro
```
"""


def test_myst_becomes_plain_markdown_with_the_solutions_and_the_key_at_the_end():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(MYST)])
    out = portable(nb, _FakeLinks("https://site/"), "print('set up')")
    assert out.cells[0].cell_type == "code" and out.cells[0].source == "print('set up')"
    text = "\n\n".join(c.source for c in out.cells if c.cell_type == "markdown")
    assert MYST_MARKUP.findall(text) == [], text
    assert "[Schwann cells](https://site/glossary.html#Schwann cell)" in text  # the whole word linked
    assert "([Author a2020](https://doi.org/10.1/a2020); [Author b2021](https://doi.org/10.1/b2021))" in text
    assert "> **In this chapter**" in text  # the admonition as a quote
    assert "**Exercise 1.** Name two cells." in text
    body, end = text.split("## Solutions to the exercises")
    assert "Schwann cells and MSCs." in end and "Schwann cells and MSCs." not in body
    assert "**Question 1** about intro" in body and "## Answers to the self-test" in end
    assert portable(out, _FakeLinks(), "print('set up')") is out  # a second pass changes nothing


def test_unknown_directives_and_roles_keep_their_text():
    text = plain_markdown("```{note}\nKeep {kbd}`Ctrl` in mind.\n```", Links(), {})
    assert text == "> **Note**\n>\n> Keep Ctrl in mind."


def test_the_set_up_cell_writes_the_branch_as_a_python_literal():
    branch = "main\"); import os; os.system('echo owned')  #"
    cell = colab.setup_cell(CONFIG["url"], branch)
    compile(cell, "setup", "exec")
    package = re.search(r"^PACKAGE = (.*)$", cell, re.MULTILINE)[1]
    assert eval(package) == f"git+{CONFIG['url']}@{branch}"
    assert "os.system" not in cell.replace(package, "")


def test_every_downloaded_notebook_starts_with_the_set_up_cell_and_holds_plain_markdown(site):
    setup = colab.setup_cell(CONFIG["url"], CONFIG["branch"])
    without, markup = [], {}
    for name in NOTEBOOKS:
        nb = nbformat.read(_downloaded(site, name), as_version=4)
        if not (nb.cells[0].cell_type == "code" and nb.cells[0].source == setup):
            without.append(name)
        found = [m for c in nb.cells if c.cell_type == "markdown" for m in MYST_MARKUP.findall(c.source)]
        if found:
            markup[name] = found
        assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{name}: no outputs kept"
    total = sum(map(len, markup.values()))
    assert not without, (
        f"{len(without)} of {len(NOTEBOOKS)} downloaded notebooks lack the set-up cell: {without}"
    )
    assert not markup, f"{total} pieces of MyST markup left: " + "; ".join(
        f"{name}: {sorted(set(found))[:5]}" for name, found in markup.items()
    )


@pytest.mark.package
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_downloaded_notebook_runs_in_a_fresh_kernel_of_a_virtualenv_with_the_wheel(
    site,
    wheel_python,  # noqa: F811  (the fixture imported from test_wheel)
    tmp_path,
    monkeypatch,
    name,
):
    use_wheel_kernel(wheel_python, tmp_path, monkeypatch)
    reader = tmp_path / "reader"  # away from the repository, like a reader's download folder
    reader.mkdir()
    notebook_path = shutil.copy(_downloaded(site, name), reader / f"{name}.ipynb")
    nb = nbformat.read(notebook_path, as_version=4)
    assert nb.cells[0].source == colab.setup_cell(CONFIG["url"], CONFIG["branch"]), "no set-up cell first"
    silent = [
        c.source.splitlines()[-1]
        for c in nb.cells
        if c.cell_type == "code"
        and "plots.plot_" in c.source
        and not any("image/png" in o.get("data", {}) for o in c.outputs)
    ]
    assert not silent, f"chart cells whose downloaded outputs hold no chart: {silent}"
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells.insert(1, nbformat.v4.new_code_cell("import mechgraph\nprint(mechgraph.__file__)"))
    NotebookClient(
        nb, timeout=300, kernel_name="wheel", resources={"metadata": {"path": str(reader)}}
    ).execute()
    errors = [
        f"{o.ename}: {o.evalue}"
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors
    assert not nb.cells[0].outputs, "the set-up cell installed something although mechgraph is there"
    where = "".join(o.get("text", "") for o in nb.cells[1].outputs).strip()
    assert Path(where).is_relative_to(wheel_python.parents[1]), f"mechgraph came from {where}"
    assert any(
        o.get("data", {}).get("text/markdown", "").startswith('<div class="mechgraph"')
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    ), "no diagram was drawn"
    charts = [c for c in nb.cells if c.cell_type == "code" and "plots.plot_" in c.source]
    shown = [
        c
        for c in charts
        if any(
            "mechgraph-chart" in o.get("data", {}).get("text/html", "") and "image/png" in o.get("data", {})
            for o in c.outputs
        )
    ]
    assert len(shown) == len(charts), (
        f"{len(charts) - len(shown)} chart cell(s) display nothing in the notebook"
    )
