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


@pytest.fixture(scope="session")
def base_url(site):
    """The built book served on 127.0.0.1 for the browser tests."""
    from sitetools import BUILD, serve

    with serve(BUILD) as base:
        yield base


@pytest.fixture(scope="session")
def browser(base_url):
    """Headless Chromium from the system (never a downloaded one), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    from sitetools import launch_chromium

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()
