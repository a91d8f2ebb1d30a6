"""Escape by construction: markup and script payloads in every free-text column of every table
reach the built pages only as text, and no injected script runs in Chromium.

Slow (a full build of a copy of the book): marked `slow`. The free-text columns are read from
datapackage.json (string fields with no vocabulary and no pattern), so a new text column is
covered without editing this test. Labels and figure titles are names, validated to plain text
instead (tests/test_bad_input.py checks that markup there is refused with one line).
"""

from __future__ import annotations

import csv
import json

import pytest

from mechgraph.data import MARKUP, PLAIN_TEXT, validate
from sitetools import copy_repo, jupyter_book, serve, site_pages

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

SCRIPT = "<script>window.__pwned=1</script>"
PAYLOAD = (
    f"{SCRIPT}<img src=x onerror=window.__pwned=2> **bold** {{{{review_title}}}} $x^2$ "
    "[link](javascript:window.__pwned=3) &amp; `code` <b>tag</b> :::{note} {cite:p}`x`"
)


def free_text_columns(package: dict) -> dict[str, list[str]]:
    out = {}
    for resource in package["resources"]:
        schema = resource["schema"]
        keys = {
            name
            for fk in schema.get("foreignKeys", [])
            for name in ([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"])
        }
        keys |= set(
            [schema["primaryKey"]]
            if isinstance(schema.get("primaryKey"), str)
            else schema.get("primaryKey", [])
        )
        out[resource["name"]] = [
            f["name"]
            for f in schema["fields"]
            if f["type"] == "string"
            and not {"enum", "pattern"} & set(f.get("constraints", {}))
            and not f.get("vocabulary")
            and f["name"] not in PLAIN_TEXT.get(resource["name"], ())
            and f["name"] not in keys
        ]
    return out


def inject(data_dir) -> int:
    """Put the payload into every free-text cell of every table; return how many cells."""
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    limits = {
        (r["name"], f["name"]): f.get("constraints", {}).get("maxLength")
        for r in package["resources"]
        for f in r["schema"]["fields"]
    }
    count = 0
    for table, columns in free_text_columns(package).items():
        path = data_dir / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            for column in columns:
                limit = limits[(table, column)]
                if row[column] in ("", "True", "False"):  # an empty optional cell, or a true/false choice
                    continue
                value = f"{row[column]} {PAYLOAD}"
                if limit and len(value) > limit:  # keep within the column's maxLength
                    room = limit - len(PAYLOAD) - 1
                    value = f"{row[column][:room].rstrip()} {PAYLOAD}" if room >= 20 else SCRIPT
                row[column] = value
                count += 1
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return count


def test_plain_text_columns_refuse_the_payload():
    assert MARKUP.search(PAYLOAD) and MARKUP.search(SCRIPT)


def test_payloads_in_every_text_column_show_as_text_and_never_run(tmp_path, browser):
    copy = copy_repo(tmp_path / "book")
    assert inject(copy / "data") > 500
    assert validate(copy / "data", copy / "references.bib") == []
    result = jupyter_book(copy)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    site = copy / "_build" / "html"
    ran, raw, shown = [], [], {}
    with serve(site) as base:  # the session's Chromium (tests/conftest.py): one Playwright per process
        context = browser.new_context()
        page = context.new_page()
        page.on("dialog", lambda d: (ran.append(d.message), d.dismiss()))
        for name in site_pages(site):
            page.goto(base + name, wait_until="load")
            page.wait_for_timeout(50)
            if page.evaluate("window.__pwned !== undefined"):
                ran.append(name)
            found = page.evaluate("""() => [
                ...[...document.scripts].filter(s => s.textContent.includes('__pwned')).map(s => 'script'),
                ...[...document.querySelectorAll('img[src="x"], a[href^="javascript:"], b')]
                    .filter(e => e.tagName !== 'B' || e.textContent === 'tag').map(e => e.tagName)]""")
            if found:
                raw.append(f"{name}: {found}")
            shown[name] = page.evaluate("document.body.innerText").count(SCRIPT)
        context.close()
    assert not ran, f"injected script ran on: {ran}"
    assert not raw, f"payload markup became elements: {raw}"
    for name in ("chapters/glossary.html", "chapters/08-critical-reading.html", "chapters/figures.html"):
        assert shown.get(name, 0) > 0, f"{name} does not show the payload as text"
