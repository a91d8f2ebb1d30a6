"""Every chapter, downloaded from the site as .ipynb, runs top to bottom in a fresh kernel."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from sitetools import REPO

#: every chapter that is a notebook (has code cells)
NOTEBOOKS = sorted(
    p.stem for p in (REPO / "chapters").glob("*.md") if "```{code-cell}" in p.read_text(encoding="utf-8")
)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_downloaded_notebook_runs_in_a_fresh_kernel(site, tmp_path, name):
    downloaded = site / "_sources" / "chapters" / f"{name}.ipynb"
    assert downloaded.exists(), "the site offers no .ipynb download for this chapter"
    notebook_path = shutil.copy(
        downloaded, tmp_path / f"{name}.ipynb"
    )  # away from the repo, like a reader's copy
    nb = nbformat.read(notebook_path, as_version=4)
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
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
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
