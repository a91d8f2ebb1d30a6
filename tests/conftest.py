"""Shared fixtures: a small valid data set to mutate, and the built site."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the small valid fixture data set with the real schema, to break on purpose."""
    target = tmp_path / "data"
    target.mkdir()
    for csv in FIXTURES.glob("*.csv"):
        shutil.copy(csv, target)
    shutil.copy(ROOT / "data" / "datapackage.json", target)
    return target


@pytest.fixture(scope="session")
def site() -> Path:
    """The built book (make test builds it first)."""
    if not (SITE / "index.html").exists():
        pytest.fail("_build/html is missing: run 'make book' (make test does it for you)")
    return SITE
