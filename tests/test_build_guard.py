"""Bad data stops the build before any page is written, with a one-line reason."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from test_data import edit_cell

ROOT = Path(__file__).resolve().parent.parent


def copy_repo(target: Path) -> Path:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target


def test_unknown_citation_key_stops_the_build_before_pages_are_written(tmp_path):
    repo = copy_repo(tmp_path / "book")
    edit_cell(repo / "data" / "statements.csv", 12, "citations", "nobody2099nothing")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jupyter_book), "build", ".", "--warningiserror", "--keep-going"],
                            cwd=repo, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert ("data/statements.csv, row 12, column 'citations': "
            "unknown citation key 'nobody2099nothing' (not in references.bib)") in output
    assert not list((repo / "_build").rglob("*.html")), "pages were written from bad data"
