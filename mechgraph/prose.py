"""Glossary links that read like prose, in the chapters' MyST markdown.

:func:`normalise_term_links` rewrites every ``{term}`...``` role of a page so that

* its text keeps the case of the sentence: the glossary label as it is (``microglia``,
  ``MSC``, ``Schwann cell``) mid-sentence, its first letter capitalised only where a sentence,
  paragraph, list item, table cell or heading starts;
* a term is linked on its first use in each section (a heading starts a new one); later uses
  in the same section become plain text.

Sphinx looks glossary terms up case-insensitively, so ``{term}`Microglia``` at the start of a
sentence still links to the entry ``microglia``. Code (fenced blocks, inline code) is left alone.
Run it on the chapters with ``python -m mechgraph term-links chapters/*.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

TERM_ROLE = re.compile(r"\{term\}`(?P<body>[^`]+)`")
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
#: read left to right: a role ({term}`...`, {cite:p}`...`, ...) or an inline code span
_ROLE_OR_CODE = re.compile(r"\{(?P<role>[\w:+-]+)\}`(?P<body>[^`]+)`|(?P<ticks>`+)[^`].*?(?P=ticks)")
#: abbreviations whose full stop does not end a sentence
_ABBREVIATIONS = re.compile(r"(?:^|[\s(])(?:e\.g|i\.e|cf|vs|al|approx|ca|fig|Fig|Dr|St|no|No)\.$")
#: what may stand between a sentence's end and the link: spaces, opening brackets, quotes, emphasis
_OPENERS = " \t\n([\"'“‘*_"
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])$")
_NOT_PROSE = (
    "{code-cell}",
    "{code-block}",
    "{code}",
    "{literalinclude}",
    "{data-",
    "{bibliography}",
    "{math}",
)


def sentence_case(label: str) -> str:
    """The label as it starts a sentence: first letter capitalised, the rest untouched; a first word
    that mixes cases or digits (iPSC, miR-9-5p, mRNA) keeps its spelling."""
    first = re.split(r"[\s/-]", label, maxsplit=1)[0]
    if re.search(r"[A-Z0-9]", first[1:]):
        return label
    return label[:1].upper() + label[1:]


def _ends_sentence(before: str) -> bool:
    """True if text ending with `before` leaves the next word at the start of a sentence."""
    text = before.rstrip(_OPENERS)
    if not text.strip() or _LIST_MARKER.match(text.rsplit("\n", 1)[-1]):
        return True
    last_line = text.rsplit("\n", 1)[-1].strip()
    if (
        last_line in ("|",)
        or last_line.endswith("|")
        or re.fullmatch(r"#{1,6}", last_line)
        or last_line == ":"
    ):
        return True
    if _ABBREVIATIONS.search(text):
        return False
    return bool(re.search(r"[.!?][\"'”’)\]*_]*$", text))


def _paragraph_before(lines: list[str], index: int, column: int) -> str:
    """The text of the current block up to (line `index`, `column`): back to a blank line,
    a fence or directive option, or a heading."""
    parts = [lines[index][:column]]
    for j in range(index - 1, -1, -1):
        line = lines[j]
        stripped = line.strip()
        if (
            not stripped
            or _FENCE.match(line)
            or stripped.startswith(":::")
            or re.match(r"^:[\w-]+:", stripped)
            or _HEADING.match(line)
            or re.fullmatch(r"\|?[\s:|-]+\|?", stripped)
        ):
            break
        parts.append(line)
        if stripped.startswith("|") or _LIST_MARKER.match(stripped.split(" ", 1)[0]):
            break  # a table row or a list item is a block of its own
    return "\n".join(reversed(parts))


def _adjust_case(text: str, label: str, at_start: bool) -> str:
    if text.lower() == label.lower():
        return sentence_case(label) if at_start else label
    if at_start:
        return sentence_case(text)
    first = re.match(r"[A-Za-z][\w'-]*", text)
    label_first = re.match(r"[A-Za-z][\w'-]*", label)
    if (
        first
        and label_first
        and first[0].lower().startswith(label_first[0].lower()[:4])
        and label_first[0][:1].islower()
        and re.fullmatch(r"[A-Z][a-z'-]*", first[0])
    ):
        return text[:1].lower() + text[1:]  # "Microglial cells" mid-sentence -> "microglial cells"
    return text


def _role(text: str, label: str) -> str:
    return f"{{term}}`{text}`" if text.lower() == label.lower() else f"{{term}}`{text} <{label}>`"


def normalise_term_links(markdown: str, labels: Iterable[str]) -> str:
    """`markdown` with every glossary link in the case of its sentence, and only the first link
    to each term in a section kept (later ones become plain text). `labels` are the glossary's
    terms in their natural case; roles naming an unknown term are left as they are."""
    canonical = {label.lower(): label for label in labels}
    lines = markdown.split("\n")
    out: list[str] = []
    fences: list[tuple[str, bool]] = []  # open fences: (backticks or tildes, holds prose?)
    seen: set[str] = set()
    for i, line in enumerate(lines):
        match = _FENCE.match(line)
        if match:
            fence, info = match["fence"], match["info"].strip()
            top = fences[-1] if fences else None
            closes = top is not None and not info and fence[0] == top[0][0] and len(fence) >= len(top[0])
            if closes:
                fences.pop()
            elif top is None or top[1]:
                # directive fences ({exercise}, {admonition}, ...) hold prose; code and data directives do not
                prose = info.startswith("{") and not info.startswith(_NOT_PROSE)
                fences.append((fence, prose))
            out.append(line)
            continue
        if fences and not fences[-1][1]:
            out.append(line)
            continue
        if _HEADING.match(line):
            seen = set()

        def rewrite(m: re.Match, i=i) -> str:
            if m["role"] != "term":
                return m[0]  # another role, or inline code
            body = m["body"]
            explicit = _EXPLICIT.match(body)
            text, target = (explicit["text"], explicit["target"]) if explicit else (body, body)
            label = canonical.get(target.strip().lower())
            if label is None:
                return m[0]
            at_start = _ends_sentence(_paragraph_before(lines, i, m.start()))
            shown = _adjust_case(text.strip(), label, at_start)
            key = label.lower()
            if key in seen:
                return shown
            seen.add(key)
            return _role(shown, label)

        out.append(_ROLE_OR_CODE.sub(rewrite, line))
    return "\n".join(out)


def count_term_links(markdown: str) -> int:
    return len(TERM_ROLE.findall(markdown))


def normalise_files(
    paths: Iterable[Path], labels: Iterable[str], check: bool = False
) -> list[tuple[Path, int, int]]:
    """Rewrite each file in place (or, with `check`, only report): (path, links before, after)
    for every file that changes."""
    labels = list(labels)
    changed = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = normalise_term_links(text, labels)
        if new != text:
            changed.append((path, count_term_links(text), count_term_links(new)))
            if not check:
                path.write_text(new, encoding="utf-8")
    return changed
