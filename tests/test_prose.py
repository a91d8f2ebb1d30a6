"""Glossary links that read like prose (mechgraph.prose) and the term-links command."""

from __future__ import annotations

from mechgraph.__main__ import main
from mechgraph.prose import normalise_term_links, sentence_case

LABELS = [
    "microglia",
    "MSC",
    "Schwann cell",
    "perineural invasion",
    "chronic pain",
    "iPSC-derived MSC",
    "TLR2",
]


def test_case_follows_the_sentence():
    text = (
        "Tumours spread, a process called\n{term}`Perineural invasion`; cells, {term}`Microglia` take up X.\n"
        "{term}`chronic pain` starts a paragraph. After a full stop {term}`Schwann cell`s work.\n"
    )
    out = normalise_term_links(text, LABELS)
    assert "a process called\n{term}`perineural invasion`;" in out
    assert "cells, {term}`microglia` take" in out
    assert out.splitlines()[2].startswith("{term}`Chronic pain` starts")  # lookup is case-insensitive
    assert "{term}`Schwann cell`s" in out


def test_sentence_starts():
    text = (
        "- {term}`microglia` in a list\n\n| {term}`chronic pain` | cell |\n\n"
        "See e.g. {term}`MSC` or (see {term}`TLR2`).\n\n**Lead.** {term}`perineural invasion` spreads.\n"
    )
    out = normalise_term_links(text, LABELS)
    assert "- {term}`Microglia` in a list" in out and "| {term}`Chronic pain` |" in out
    assert "e.g. {term}`MSC`" in out and "(see {term}`TLR2`)" in out
    assert "**Lead.** {term}`Perineural invasion`" in out
    assert (
        sentence_case("iPSC-derived MSC") == "iPSC-derived MSC" and sentence_case("microglia") == "Microglia"
    )


def test_first_use_per_section_only():
    text = (
        "# Title\n\n{term}`MSC` and {term}`MSC` again.\n\nMore {term}`MSC`.\n\n## Next\n\nHere {term}`MSC`.\n"
        "### Sub\n\n{term}`Microglia` and the {term}`microglial cells <Microglia>`.\n"
    )
    out = normalise_term_links(text, LABELS)
    assert out.count("{term}`MSC`") == 2
    assert "{term}`MSC` and MSC again.\n\nMore MSC." in out
    assert "{term}`Microglia` and the microglial cells." in out


def test_code_and_unknown_terms_are_untouched():
    text = (
        "Use `{term}`Microglia``.\n\n```python\n{term}`Microglia`\n```\n\n"
        "```{code-cell} ipython3\nx = '{term}`Microglia`'\n```\n\n"
        "```{exercise}\n:label: x\nIt has {term}`Microglia`, {term}`Unknown thing`.\n```\n"
    )
    out = normalise_term_links(text, LABELS)
    assert "`{term}`Microglia``" in out and "```python\n{term}`Microglia`\n```" in out
    assert "x = '{term}`Microglia`'" in out
    assert "It has {term}`microglia`, {term}`Unknown thing`." in out


def test_idempotent():
    text = (
        "Cells, {term}`Microglia` and {term}`Microglia`.\n\n## B\n\n{term}`MSC`s and {term}`Chronic pain`.\n"
    )
    once = normalise_term_links(text, LABELS)
    assert normalise_term_links(once, LABELS) == once


def test_command_rewrites_and_checks(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text("# T\n\nCells, {term}`Microglia` and {term}`Microglia`.\n", encoding="utf-8")
    assert main(["term-links", "--check", str(page)]) == 1
    assert "would change" in capsys.readouterr().out
    assert main(["term-links", str(page)]) == 0
    assert page.read_text(encoding="utf-8") == "# T\n\nCells, {term}`microglia` and microglia.\n"
    assert main(["term-links", "--check", str(page)]) == 0
    assert main(["term-links", str(tmp_path / "missing.md")]) == 1
    assert "no such file" in capsys.readouterr().err
