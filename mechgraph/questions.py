"""Self-test questions (data/questions.csv): accessible HTML for the site, Moodle XML and GIFT for instructors.

Every piece of text comes from the data, which is treated as untrusted: it is escaped with
:func:`html.escape` for HTML, written through :mod:`xml.etree` for Moodle XML and escaped with
GIFT's backslash rules for GIFT. The HTML works with no kernel and no network: the page's own
script (``_static/questions.js``) reads which options are right and each option's feedback from
``data-`` attributes and writes the feedback into an ``aria-live`` region.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from mechgraph.data import OPTION_LETTERS, BookData
from mechgraph.text import myst_text

EXPORT_NAMES = ("questions-moodle.xml", "questions.gift")


def options(question) -> list[tuple[str, str, str]]:
    """(letter, option text, feedback) for each filled option, in order A, B, C..."""
    out = []
    for letter in OPTION_LETTERS:
        text = str(getattr(question, f"option_{letter}") or "").strip()
        if text:
            out.append((letter, text, str(getattr(question, f"feedback_{letter}") or "").strip()))
    return out


def chapter_questions(data: BookData, chapter: str) -> pd.DataFrame:
    """The questions of one chapter (or of the pre-test), in the order of the file."""
    if chapter not in data.chapters.index:
        raise ValueError(
            f"unknown chapter '{chapter}' for questions; known: {', '.join(data.chapters.index)}"
        )
    return data.questions[data.questions["chapter"] == chapter]


def _by_chapter(data: BookData):
    """(chapter title, its questions) in reading order, chapters without questions left out."""
    for chapter in data.chapters.itertuples():
        rows = data.questions[data.questions["chapter"] == chapter.id]
        if not rows.empty:
            yield chapter.title, rows


# --- HTML ---------------------------------------------------------------------------------


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def question_html(data: BookData, question, number: int) -> str:
    """One question as a fieldset: legend, inputs with their labels, a Check button and an
    aria-live feedback region. Multiple answers give checkboxes, one answer radio buttons,
    ordering a position menu per item."""
    qid = _attr(question.id)
    correct = question.correct
    kind = question.kind
    multiple = kind in ("multiple_choice", "predict") and len(correct) > 1
    hint = {True: "Choose every answer that applies.", False: "Choose one answer."}[multiple]
    if kind == "ordering":
        hint = "Give each item its place in the sequence (1 is first)."
    out = [
        f'<fieldset class="mg-question" id="q-{qid}" data-kind="{_attr(kind)}"'
        f' data-correct="{_attr(";".join(correct))}">',
        f'<legend><span class="mg-q-number">Question {number}</span> '
        f'<span class="mg-q-kind">({_attr(data.labels("question_kind")[kind])})</span> {html.escape(question.stem)}</legend>',
        f'<p class="mg-q-hint" id="q-{qid}-hint">{hint}</p>',
        '<ul class="mg-q-options">',
    ]
    items = options(question)
    for letter, text, feedback in items:
        input_id = f"q-{qid}-{letter}"
        if kind == "ordering":
            choices = "".join(f'<option value="{n}">{n}</option>' for n in range(1, len(items) + 1))
            out.append(
                f'<li><label for="{input_id}"><span class="mg-q-letter">{letter.upper()}.</span> '
                f'{html.escape(text)}</label> <select id="{input_id}" name="q-{qid}-{letter}"'
                f' data-letter="{letter}" data-feedback="{_attr(feedback)}"'
                f' aria-describedby="q-{qid}-hint"><option value="">place</option>{choices}</select></li>'
            )
        else:
            kind_attr = "checkbox" if multiple else "radio"
            out.append(
                f'<li><input type="{kind_attr}" id="{input_id}" name="q-{qid}" value="{letter}"'
                f' data-feedback="{_attr(feedback)}" aria-describedby="q-{qid}-hint">'
                f' <label for="{input_id}"><span class="mg-q-letter">{letter.upper()}.</span> '
                f"{html.escape(text)}</label></li>"
            )
    out += [
        "</ul>",
        f'<button type="button" class="mg-q-check" aria-controls="q-{qid}-feedback">Check my answer</button>',
        f'<div class="mg-q-feedback" id="q-{qid}-feedback" role="status" aria-live="polite"></div>',
        "</fieldset>",
    ]
    return "\n".join(out)


def objective_myst(question) -> str:
    """The line under a question: what it tests and where the answer comes from (MyST, so the
    citation resolves into the bibliography)."""
    cites = ",".join(question.citations)
    return f"*Tests:* {myst_text(question.objective)}. *Source:* {{cite:p}}`{cites}`"


# --- Moodle XML ---------------------------------------------------------------------------

#: fractions Moodle accepts for one of k right answers
_FRACTIONS = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20"}


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = html.escape(text) if fmt == "html" else text
    return element


def moodle_xml(data: BookData) -> str:
    """Every question in Moodle's XML import format, one category per chapter. Multiple choice,
    true/false and predict questions become ``multichoice`` questions (each answer with its
    feedback); ordering questions become ``matching`` questions (item -> position)."""
    quiz = ET.Element("quiz")
    for title, rows in _by_chapter(data):
        category = ET.SubElement(quiz, "question", {"type": "category"})
        _text(category, "category", f"$course$/MSCs and cancer pain/{title}", fmt=None)
        for q in rows.itertuples():
            correct = q.correct
            items = options(q)
            if q.kind == "ordering":
                question = ET.SubElement(quiz, "question", {"type": "matching"})
                _text(question, "name", q.id, fmt=None)
                _text(
                    question,
                    "questiontext",
                    f"{q.stem} Match each item to its place in the sequence (1 is first).",
                )
                _text(question, "generalfeedback", " ".join(f"{text}: {fb}" for _, text, fb in items))
                ET.SubElement(question, "defaultgrade").text = "1"
                ET.SubElement(question, "shuffleanswers").text = "true"
                for place, letter in enumerate(correct, 1):
                    text = dict((l, t) for l, t, _ in items)[letter]
                    sub = _text(question, "subquestion", text)
                    ET.SubElement(ET.SubElement(sub, "answer"), "text").text = str(place)
                continue
            question = ET.SubElement(quiz, "question", {"type": "multichoice"})
            _text(question, "name", q.id, fmt=None)
            _text(question, "questiontext", q.stem)
            _text(question, "generalfeedback", f"Tests: {q.objective}.")
            ET.SubElement(question, "defaultgrade").text = "1"
            ET.SubElement(question, "single").text = "true" if len(correct) == 1 else "false"
            ET.SubElement(question, "shuffleanswers").text = "false" if q.kind == "true_false" else "true"
            ET.SubElement(question, "answernumbering").text = "abc"
            for letter, text, feedback in items:
                fraction = (
                    _FRACTIONS[len(correct)] if letter in correct else ("0" if len(correct) == 1 else "-100")
                )
                answer = _text(question, "answer", text)
                answer.set("fraction", fraction)
                _text(answer, "feedback", feedback)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


# --- GIFT ---------------------------------------------------------------------------------

GIFT_SPECIAL = "~=#{}:\\"


def gift_escape(text: str) -> str:
    """Backslash GIFT's special characters and fold line breaks into spaces."""
    text = " ".join(str(text).split())
    return "".join("\\" + c if c in GIFT_SPECIAL else c for c in text)


def gift(data: BookData) -> str:
    """Every question in Moodle's GIFT format, with a $CATEGORY line per chapter."""
    out = ["// Self-test questions of 'MSCs and cancer pain: a critical reading companion' (CC BY 4.0).", ""]
    for title, rows in _by_chapter(data):
        out += [f"$CATEGORY: $course$/MSCs and cancer pain/{gift_escape(title).replace('/', '-')}", ""]
        for q in rows.itertuples():
            correct = q.correct
            items = options(q)
            head = f"::{gift_escape(q.id)}::{gift_escape(q.stem)}"
            if q.kind == "ordering":
                text = dict((l, t) for l, t, _ in items)
                pairs = [
                    f"    ={gift_escape(text[letter])} -> {place}" for place, letter in enumerate(correct, 1)
                ]
                general = gift_escape(" ".join(f"{t}: {fb}" for _, t, fb in items))
                out += [
                    head + " Match each item to its place in the sequence (1 is first). {",
                    *pairs,
                    f"    ####{general}",
                    "}",
                    "",
                ]
                continue
            lines = []
            for letter, text, feedback in items:
                if len(correct) == 1:
                    mark = "=" if letter in correct else "~"
                else:
                    mark = f"~%{_FRACTIONS[len(correct)]}%" if letter in correct else "~%-100%"
                lines.append(f"    {mark}{gift_escape(text)}#{gift_escape(feedback)}")
            out += [head + " {", *lines, "}", ""]
    return "\n".join(out)


def write_exports(data: BookData, folder: Path) -> list[Path]:
    """Write the Moodle XML and GIFT files into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in EXPORT_NAMES]
    paths[0].write_text(moodle_xml(data), encoding="utf-8")
    paths[1].write_text(gift(data), encoding="utf-8")
    return paths
