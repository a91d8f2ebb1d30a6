"""The one escaping path for data text: every free-text cell from data/ reaches a page through here.

* :func:`myst_text` for text spliced into generated MyST (glossary, errata, figures page,
  a diagram's text alternative): every ASCII punctuation character gets a backslash, which
  CommonMark defines as "this character, literally", so no run of data text can open a tag,
  a role, a substitution, a link, emphasis or math.
* :func:`markdown_text` for text in the plain Markdown of a downloaded notebook.
* :func:`html_text` for text spliced into HTML or SVG (``html.escape``, quotes included).

Fields that are also identifiers or short names (entity labels, figure titles) are not escaped
but validated to plain text by :mod:`mechgraph.data` (see ``MARKUP``).
"""

from __future__ import annotations

import html
import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def myst_text(text: str) -> str:
    """Data text made literal inside MyST Markdown (one line: line breaks are rejected by the checker)."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|$#~{}])")


def markdown_text(text: str) -> str:
    """Data text made literal in the plain Markdown of a downloaded notebook (JupyterLab, Colab):
    only the characters that can start markup there get a backslash, so the file stays readable."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def html_text(text: str) -> str:
    """Data text made literal inside HTML or SVG, attribute values included."""
    return html.escape(str(text), quote=True)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def scientific(number: float, digits: int = 2) -> str:
    """A number written for people, ``2.4 × 10⁸`` (not ``2.4e+08``); below 10,000 as it is."""
    if 100 <= abs(number) < 1e4:
        return f"{number:,.0f}"
    if number == 0 or 1e-3 <= abs(number) < 100:
        return f"{number:.{digits + 1}g}"
    mantissa, exponent = f"{number:.{digits - 1}e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
