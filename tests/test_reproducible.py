"""Two clean builds of the same sources give a byte-identical site.

Slow (two full builds with every notebook executed): marked `slow`, so `make test-fast`
leaves it out; `make test` and `make test-slow` run it.
The repository (the files git knows) is copied to two different temporary folders that
share the .venv; each is built with a clean _build, and every file of the two
_build/html trees is compared. Differences are reported with a short diff.
"""
from __future__ import annotations

import difflib
import filecmp
from pathlib import Path

import pytest

from sitetools import REPO, copy_repo, jupyter_book

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _tree(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _short_diff(a: Path, b: Path, lines: int = 12) -> str:
    try:
        ta, tb = a.read_text(encoding="utf-8").splitlines(), b.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        return f"    binary files differ ({a.stat().st_size} vs {b.stat().st_size} bytes)"
    diff = [line[:200] for line in difflib.unified_diff(ta, tb, "first", "second", n=0, lineterm="")]
    return "\n".join("    " + line for line in diff[2:2 + lines]) + ("\n    ..." if len(diff) > 2 + lines else "")


def test_two_clean_builds_are_identical(tmp_path):
    if not (REPO / ".venv" / "bin" / "jupyter-book").exists():
        pytest.skip("no .venv with jupyter-book: run `make book` first")
    sites = []
    for name in ("first-build", "second-copy"):  # different folder names: paths must not leak
        copy = copy_repo(tmp_path / name)
        result = jupyter_book(copy)
        assert result.returncode == 0, f"build in {copy} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        sites.append(copy / "_build" / "html")
    first, second = (_tree(s) for s in sites)
    report = []
    for only, where in ((sorted(first.keys() - second.keys()), "first"), (sorted(second.keys() - first.keys()), "second")):
        report += [f"only in the {where} build: {name}" for name in only]
    for name in sorted(first.keys() & second.keys()):
        if not filecmp.cmp(first[name], second[name], shallow=False):
            report.append(f"differs: {name}\n{_short_diff(first[name], second[name])}")
    assert not report, f"{len(report)} difference(s) between two clean builds:\n" + "\n".join(report[:40])
