"""Bad data stops the build before any page is written, with a one-line reason."""

from __future__ import annotations

import pytest

from sitetools import copy_repo, edit_cell, jupyter_book


@pytest.mark.slow
def test_unknown_citation_key_stops_the_build_before_pages_are_written(tmp_path):
    repo = copy_repo(tmp_path / "book")
    edit_cell(repo / "data" / "statements.csv", 12, "citations", "nobody2099nothing")
    result = jupyter_book(repo)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "data/statements.csv, row 12, column 'citations': "
        "unknown citation key 'nobody2099nothing' (not in references.bib)"
    ) in output
    assert not list((repo / "_build").rglob("*.html")), "pages were written from bad data"
