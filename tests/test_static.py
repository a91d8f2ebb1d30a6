"""The book's own stylesheets parse: balanced braces, so no rule falls inside another by mistake
(a lost '}' once put every later rule inside a print-only block)."""

from __future__ import annotations

import re

import pytest

from sitetools import REPO

SHEETS = sorted((REPO / "_static").glob("*.css")) + sorted((REPO / "explorer").glob("*.css"))


@pytest.mark.parametrize("sheet", SHEETS, ids=[s.name for s in SHEETS])
def test_stylesheet_braces_balance(sheet):
    text = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{sheet.name}, line {number}: a '}}' closes nothing"
    assert depth == 0, f"{sheet.name}: {depth} '{{' never closed"
