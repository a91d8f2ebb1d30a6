"""A strict parser for the subset of Moodle's GIFT format the book exports.

The tests parse the export twice: with ``pygiftparser`` 1.1 from PyPI, which reads questions the
way an importer does but is lenient (it leaves escapes in place and does not check that special
characters are escaped), and with this strict grammar, which follows
https://docs.moodle.org/en/GIFT_format:

    file      := (comment | category | question | blank)*
    question  := "::" title "::" text "{" answer+ general? "}"
    answer    := ("=" | "~" | "~%" weight "%") text ("#" feedback)?      (multiple choice)
               | "=" text " -> " text                                     (matching)
    general   := "####" text

In every text the characters ~ = # { } : and \\ must be escaped with a backslash; anything
else is rejected with the line number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SPECIAL = set("~=#{}:\\")
ALLOWED_WEIGHTS = {100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667,
                   14.28571, 12.5, 11.11111, 10, 5}


class GiftError(ValueError):
    pass


@dataclass
class Answer:
    text: str
    weight: float  # 100 for "=", 0 for "~", else the %weight%
    feedback: str = ""
    match: str | None = None


@dataclass
class Question:
    title: str
    text: str
    category: str
    line: int
    answers: list[Answer] = field(default_factory=list)
    general_feedback: str = ""


def unescape(raw: str, line: int) -> str:
    """Resolve backslash escapes; an unescaped special character is an error."""
    out, i = [], 0
    while i < len(raw):
        c = raw[i]
        if c == "\\":
            if i + 1 >= len(raw) or raw[i + 1] not in SPECIAL and raw[i + 1] != "n":
                raise GiftError(f"line {line}: bad escape in {raw!r}")
            out.append(raw[i + 1])
            i += 2
            continue
        if c in SPECIAL:
            raise GiftError(f"line {line}: unescaped '{c}' in {raw!r}")
        out.append(c)
        i += 1
    return "".join(out)


def _split_unescaped(raw: str, sep: str) -> list[str]:
    parts, i, start = [], 0, 0
    while i < len(raw):
        if raw[i] == "\\":
            i += 2
            continue
        if raw.startswith(sep, i):
            parts.append(raw[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(raw[start:])
    return parts


def _answer(raw: str, line: int) -> Answer:
    raw = raw.strip()
    if raw.startswith("="):
        body, weight = raw[1:], 100.0
    elif raw.startswith("~%"):
        m = re.match(r"~%(-?\d+(?:\.\d+)?)%", raw)
        if not m:
            raise GiftError(f"line {line}: bad weight in {raw!r}")
        weight = float(m.group(1))
        if abs(weight) not in ALLOWED_WEIGHTS:
            raise GiftError(f"line {line}: weight {weight} is not one Moodle accepts")
        body = raw[m.end():]
    elif raw.startswith("~"):
        body, weight = raw[1:], 0.0
    else:
        raise GiftError(f"line {line}: an answer must start with '=' or '~': {raw!r}")
    if raw.startswith("=") and " -> " in body:
        left, right = body.split(" -> ", 1)
        return Answer(unescape(left.strip(), line), weight, match=unescape(right.strip(), line))
    pieces = _split_unescaped(body, "#")
    if len(pieces) > 2:
        raise GiftError(f"line {line}: more than one feedback in {raw!r}")
    return Answer(unescape(pieces[0].strip(), line), weight,
                  unescape(pieces[1].strip(), line) if len(pieces) == 2 else "")


def parse(text: str) -> list[Question]:
    questions: list[Question] = []
    category = ""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        number = i + 1
        if not line.strip() or line.startswith("//"):
            i += 1
            continue
        if line.startswith("$CATEGORY:"):
            category = line[len("$CATEGORY:"):].strip()
            i += 1
            continue
        m = re.match(r"::((?:\\.|[^\\:])+)::(.*) \{$", line)
        if not m:
            raise GiftError(f"line {number}: expected '::title::text {{', got {line!r}")
        q = Question(unescape(m.group(1), number), unescape(m.group(2), number), category, number)
        i += 1
        while i < len(lines) and lines[i] != "}":
            body = lines[i].strip()
            if body.startswith("####"):
                q.general_feedback = unescape(body[4:], i + 1)
            elif body:
                q.answers.append(_answer(body, i + 1))
            i += 1
        if i >= len(lines):
            raise GiftError(f"line {number}: question '{q.title}' is never closed with '}}'")
        i += 1
        kinds = {a.match is not None for a in q.answers}
        if len(kinds) != 1:
            raise GiftError(f"line {number}: question '{q.title}' mixes matching and choice answers")
        if q.answers[0].match is None:
            if len(q.answers) < 2:
                raise GiftError(f"line {number}: question '{q.title}' has fewer than two answers")
            right = sum(a.weight for a in q.answers if a.weight > 0)
            if abs(right - 100) > 0.01:
                raise GiftError(f"line {number}: the right answers of '{q.title}' add up to {right}, not 100")
        elif len(q.answers) < 3:
            raise GiftError(f"line {number}: matching question '{q.title}' has fewer than three pairs")
        questions.append(q)
    return questions
