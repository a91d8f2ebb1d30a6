"""The glossary, generated from the entity definitions in data/entities.csv."""

from __future__ import annotations

from sphinx.util.nodes import _make_id

from mechgraph.data import BookData
from mechgraph.text import myst_text

GLOSSARY_PAGE = "glossary"


def term_anchor(label: str) -> str:
    """The HTML id Sphinx gives a glossary term (``term-`` + a cleaned label)."""
    return _make_id(f"term-{label}")


def term_url(label: str, link_base: str = "") -> str:
    """Relative URL of a term's entry, for a page in the same folder as the glossary."""
    return f"{link_base}{GLOSSARY_PAGE}.html#{term_anchor(label)}"


def glossary_myst(data: BookData) -> str:
    """The MyST source of a sorted Sphinx glossary with one entry per entity."""
    lines = [":::{glossary}", ":sorted:", ""]
    for entity in data.entities.itertuples():
        cite = f" {{cite:p}}`{','.join(entity.citations)}`" if entity.citations else ""
        lines += [entity.label, f"  {myst_text(entity.definition)}{cite}", ""]
    lines.append(":::")
    return "\n".join(lines)
