"""The offline classroom pack (`make pack`, mechgraph/pack.py): one zip that opens, holds the
site, the PDF, the executed notebooks and the data, and whose index.html loads in Chromium
from file:// with no console error and no request to another host."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sitetools import BUILD, REPO

PACKS = REPO / "_build" / "pack"


@pytest.fixture(scope="session")
def pack(site, tmp_path_factory) -> Path:
    """The zip `make pack` wrote, or a fresh one (the site must hold book.pdf: `make pdf`)."""
    from mechgraph.pack import NAME, build

    made = sorted(PACKS.glob(f"{NAME}-*.zip"))
    if (
        BUILD == (REPO / "_build" / "html").resolve()
        and made
        and made[-1].stat().st_mtime >= (site / "index.html").stat().st_mtime
    ):
        return made[-1]
    if not (site / "book.pdf").is_file():
        pytest.fail(f"{site / 'book.pdf'} is missing: run `make pdf` (make test does it for you)")
    return build(site, out_dir=tmp_path_factory.mktemp("pack"))


@pytest.fixture(scope="session")
def unpacked(pack, tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(pack) as zf:
        assert zf.testzip() is None, "a corrupt member in the zip"
        zf.extractall(where)
    (top,) = where.iterdir()
    return top


def test_pack_holds_site_pdf_notebooks_and_data(unpacked):
    assert (unpacked / "READ-ME.txt").is_file()
    assert (unpacked / "site" / "index.html").is_file()
    assert (unpacked / "site" / "book.pdf").read_bytes()[:5] == b"%PDF-"
    notebooks = sorted(p.name for p in (unpacked / "chapters").glob("*.ipynb"))
    assert len(notebooks) >= 8, notebooks
    assert (unpacked / "data" / "datapackage.json").is_file() and (
        unpacked / "data" / "statements.csv"
    ).is_file()
    assert (unpacked / "requirements.txt").is_file() and (unpacked / "mechgraph" / "__init__.py").is_file()
    readme = (unpacked / "READ-ME.txt").read_text(encoding="utf-8")
    assert "site/index.html" in readme and "requirements.txt" in readme


@pytest.mark.parametrize("page", ["index.html", "chapters/02-msc-biology.html"])
def test_pack_opens_from_file_url_without_errors(unpacked, page, browser):
    errors, remote = [], []
    context = browser.new_context()  # the session's Chromium (tests/conftest.py): one Playwright per process
    try:
        tab = context.new_page()
        tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        tab.on("pageerror", lambda exc: errors.append(str(exc)))

        def route(r):
            if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
                return r.continue_()
            remote.append(r.request.url)
            return r.abort()

        tab.route("**/*", route)
        tab.goto((unpacked / "site" / page).as_uri(), wait_until="load")
        tab.wait_for_timeout(500)
        assert tab.locator("article h1").count() == 1
    finally:
        context.close()
    assert not remote, f"{page} asked another host for {remote[:3]}"
    assert not errors, f"{page} from file://: {errors[:5]}"
