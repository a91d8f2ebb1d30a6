"""Shared fixtures: a small valid data set to mutate, and the built site."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitetools import BUILD, REPO as ROOT, launch_chromium, serve

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the small valid fixture data set with the real schema, to break on purpose."""
    target = tmp_path / "data"
    target.mkdir()
    for csv in FIXTURES.glob("*.csv"):
        shutil.copy(csv, target)
    for name in ("datapackage.json", "vocabulary.csv", "chapters.csv"):  # the schema and its vocabularies
        shutil.copy(ROOT / "data" / name, target)
    shutil.copy(ROOT / "references.bib", tmp_path)  # the bibliography datapackage.json names
    return target


@pytest.fixture(scope="session")
def site() -> Path:
    """The built book (make test builds it first)."""
    if not (BUILD / "index.html").exists():
        pytest.fail(f"{BUILD} is missing: run 'make book' (make test does it for you)")
    return BUILD


@pytest.fixture(scope="session")
def base_url(site):
    """The built book served on 127.0.0.1 for the browser tests."""
    with serve(site) as base:
        yield base


@pytest.fixture(scope="session")
def browser(base_url):
    """Headless Chromium from the system (never a downloaded one), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()
