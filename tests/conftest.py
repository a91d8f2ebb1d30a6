"""The shared fixtures (the helpers are in sitetools.py) and the test tiers.

Every test is marked by what it needs, so each tier runs without what it does not need:
- ``site``: the built book in _build/html (``make book``; those that read book.pdf, ``make pdf``);
  given to every test that uses the ``site`` fixture.
- ``browser``: the system Chromium (and axe-core); given to every test that uses ``browser``.
- ``slow``: builds copies of the whole book (marked in the module).
- ``package``: builds mechgraph's wheel and installs it in a fresh virtualenv (test_wheel.py).
``make test-unit`` runs the tests with none of these marks (no build, no browser);
``make test`` runs every test, in one pytest-xdist worker per core.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from mechgraph.data import import_jsonschema
from mechgraph.pdf import launch_chromium
from sitetools import BUILD, copy_fixture_data, serve

import_jsonschema()  # before a test module imports nbformat, which imports it the slow way

#: the fuzz test's examples: all of them by default, a quick sample in `make test-unit`
settings.register_profile("full", max_examples=150)
settings.register_profile("unit", max_examples=25)
settings.load_profile("full")


def pytest_collection_modifyitems(items) -> None:
    """Mark each test by the fixtures it uses (directly or through other fixtures), and run the
    long ones (``slow`` and ``package``) first: `make test` shares the tests out among pytest-xdist
    workers as they finish, and a long test that came last would leave the others waiting."""
    for item in items:
        for name in ("site", "browser"):
            if name in item.fixturenames:
                item.add_marker(name)
    items.sort(key=lambda item: not any(item.get_closest_marker(m) for m in ("slow", "package")))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the small valid fixture data set with the real schema, to break on purpose."""
    return copy_fixture_data(tmp_path / "data")


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
def browser():
    """Headless Chromium from the system (never a downloaded one), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()
