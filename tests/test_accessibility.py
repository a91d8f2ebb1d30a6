"""Accessibility of every page, checked with axe-core (pinned in tests/package.json;
`make browser-deps` runs `npm ci --prefix tests`) in headless Chromium, in light and in
dark mode. Serious and critical violations fail the test; moderate and minor ones are
printed (run pytest with -s to see them). No rule is disabled.
"""

from __future__ import annotations


import pytest

from sitetools import AXE, offline_context, settle, site_pages

PAGES = site_pages() or ["index.html"]
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        message = f"axe-core is not installed at {AXE}: run `npm ci --prefix tests` (or `make browser-deps`)"
        pytest.fail(message)
    return AXE.read_text(encoding="utf-8")


def _describe(violation: dict) -> str:
    nodes = violation["nodes"]
    lines = [
        f"[{violation['impact']}] {violation['id']}: {violation['help']} ({len(nodes)} element(s)) "
        f"{violation['helpUrl']}"
    ]
    for node in nodes[:5]:
        lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        if summary:
            lines.append(f"      {summary[:300]}")
    if len(nodes) > 5:
        lines.append(f"    ... and {len(nodes) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_axe(browser, base_url, axe_source, path, mode):
    context = offline_context(browser, mode, color_scheme=mode)
    page = context.new_page()
    try:
        page.goto(base_url + path, wait_until="load")
        settle(page)
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        page.add_script_tag(content=axe_source)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    violations = result["violations"]
    others = [v for v in violations if v["impact"] not in BLOCKING]
    if others:
        print(f"\n{path} ({mode}): {len(others)} non-blocking axe finding(s):")
        print("\n".join(_describe(v) for v in others))
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{path} ({mode}): serious/critical accessibility violations:\n" + "\n".join(
        _describe(v) for v in blocking
    )
