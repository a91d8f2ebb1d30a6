"""Every external program has a time limit and a one-line message: Graphviz's `dot` that hangs
or fails (mechgraph/diagram.py), a Chromium that is there but cannot start (mechgraph/pdf.py),
the notebooks' kernels (`execute: timeout` in _config.yml). Stand-in programs on PATH or
CHROMIUM= play the broken ones; nothing here needs the real ones."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sitetools import REPO


def _program(folder: Path, name: str, script: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def fixture_data(data_dir):
    from mechgraph.data import load

    return load(data_dir)


@pytest.mark.timeout(60)
def test_a_dot_that_hangs_is_stopped_with_one_line(tmp_path, monkeypatch, fixture_data):
    dot = importlib.import_module("mechgraph.diagram")  # `mechgraph.diagram` is the function
    _program(tmp_path, "dot", "sleep 300")
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    monkeypatch.setattr(dot, "DOT_TIMEOUT", 1.0)
    with pytest.raises(dot.DotError) as caught:
        dot.diagram(fixture_data, figure=fixture_data.figures.index[0])
    assert str(caught.value) == (
        "Graphviz's dot did not finish within 1 s (MECHGRAPH_DOT_TIMEOUT=); it was stopped"
    )


def test_a_dot_that_fails_says_why_in_one_line(tmp_path, monkeypatch, fixture_data):
    dot = importlib.import_module("mechgraph.diagram")
    _program(
        tmp_path, "dot", 'echo "Error: <stdin>: syntax error in line 1 near x" >&2; echo more >&2; exit 1'
    )
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(dot.DotError) as caught:
        dot.diagram(fixture_data, figure=fixture_data.figures.index[0])
    assert str(caught.value) == (
        "Graphviz's dot failed (exit code 1): Error: <stdin>: syntax error in line 1 near x"
    )


@pytest.mark.parametrize(
    "script, why",
    [
        ("exit 1", "it exited at once (exit code 1, signal null)"),
        (
            'echo "chromium: error while loading shared libraries: libnss3.so: cannot open shared object file" >&2; exit 127',
            "chromium: error while loading shared libraries: libnss3.so: cannot open shared object file",
        ),
    ],
    ids=["exits", "missing-library"],
)
def test_a_chromium_that_cannot_start_gives_one_line(tmp_path, script, why):
    """`python -m mechgraph pdf` of a tiny built book with a Chromium that exists and cannot start."""
    chromium = _program(tmp_path, "chromium", script)
    book = tmp_path / "book"
    (book / "_build" / "html").mkdir(parents=True)
    (book / "_toc.yml").write_text("root: index\n", encoding="utf-8")
    (book / "_config.yml").write_text('title: "T"\nauthor: "A"\n', encoding="utf-8")
    (book / "_build" / "html" / "index.html").write_text(
        "<html><body><article><h1>Home</h1><p>Text.</p></article></body></html>", encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mechgraph", "pdf"],
        cwd=book,
        capture_output=True,
        text=True,
        env={**os.environ, "CHROMIUM": str(chromium)},
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"error: Chromium at {chromium} did not start: {why}"]
    assert not list((book / "_build" / "pdf").glob("*.pdf")) and not list(
        (book / "_build" / "pdf").glob(".*")
    )


def test_notebook_kernels_have_a_time_limit():
    """Checked, not new: Jupyter Book stops a cell after `execute: timeout` seconds, and
    mechgraph/notebooks.py names the cell (tests/test_bad_input.py, 'the time limit')."""
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    assert 0 < config["execute"]["timeout"] <= 600
