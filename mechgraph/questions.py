"""Self-test questions (data/questions.csv): accessible HTML for the site, Moodle XML and GIFT for instructors.

Every piece of text comes from the data, which is treated as untrusted: it is escaped with
:func:`html.escape` for HTML, written through :mod:`xml.etree` for Moodle XML and escaped with
GIFT's backslash rules for GIFT. The HTML works with no kernel and no network: the page's own
script (``_static/questions.js``) reads which options are right and each option's feedback from
``data-`` attributes and writes the feedback into an ``aria-live`` region.

The order a reader sees is decided here, once (:func:`arrangement`): each question's options are
shuffled by a generator seeded with the question's id, and the right answers are spread over the
positions through the file (true/false keeps True before False), so every build writes the same
order, and the site, the PDF (printed from the site), the Moodle XML and the GIFT file all show it.
The letters shown (A, B, C...) are positions in that order; :func:`answer` gives the right ones. :func:`bias_problems` measures what a test-wise reader could exploit (the position
of the right answer, the share of "False", the right option being the longest) for ``make validate``.
"""

from __future__ import annotations

import functools
import hashlib
import html
import random
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pandas as pd

from mechgraph.text import myst_text

EXPORT_NAMES = ("questions-moodle.xml", "questions.gift")
#: the letters of the option columns (option_a ... option_e); mechgraph.data checks them
OPTION_LETTERS = "abcde"

#: the most a position may hold of the right answers (questions with three or more options), the
#: band the share of "False" must stay in, and the most questions whose right option is the longest
#: (or the shortest)
MAX_POSITION_SHARE = 0.35
FALSE_SHARE = (0.35, 0.65)
MAX_LONGEST_RIGHT_SHARE = 0.35
#: below these counts a share says nothing (a test's small data set)
MIN_FOR_SHARES = 10
MIN_TRUE_FALSE = 6


def _filled(question) -> list[str]:
    """The file's letters of the options that are filled in, in file order."""
    return [letter for letter in OPTION_LETTERS if str(getattr(question, f"option_{letter}") or "").strip()]


def _key(question) -> tuple:
    return (str(question.id), str(question.kind), tuple(_filled(question)), tuple(question.correct))


def _arrange(key: tuple, used: Counter) -> tuple[str, ...]:
    """The file's letters of one question in the order shown. ``used`` counts the right answers each
    position has held so far and is updated: each right answer goes to a free position among those
    that have held the fewest, or one more than the fewest (so that the order stays hard to predict
    while no position gathers the answers); the generator seeded by the id picks among them and
    shuffles the wrong options into the other positions."""
    qid, kind, letters, correct = key
    if kind == "true_false":
        return letters
    rng = random.Random(int.from_bytes(hashlib.sha256(qid.encode("utf-8")).digest()[:8], "big"))
    if kind == "ordering":
        shown = list(letters)
        rng.shuffle(shown)
        return tuple(shown[1:] + shown[:1]) if shown == list(correct) else tuple(shown)
    slots: list[str | None] = [None] * len(letters)
    for letter in correct:
        free = [i for i, taken in enumerate(slots) if taken is None]
        fewest = min(used[i] for i in free)
        place = rng.choice([i for i in free if used[i] <= fewest + 1])
        slots[place] = letter
        used[place] += 1
    wrong = [letter for letter in letters if letter not in correct]
    rng.shuffle(wrong)
    return tuple(taken if taken is not None else wrong.pop() for taken in slots)


@functools.lru_cache(maxsize=8)
def _arrangement(keys: tuple) -> dict[str, tuple[str, ...]]:
    used: Counter[int] = Counter()
    return {key[0]: _arrange(key, used) for key in keys}


def arrangement(questions) -> dict[str, tuple[str, ...]]:
    """For every question (rows in the order of the file), the file's letters of its options in the
    order every output shows them. Deterministic (the same on every machine and in every build), and
    a row appended at the end leaves the order of the rows above it as it was."""
    return _arrangement(tuple(_key(q) for q in questions))


def order(data, question) -> tuple[str, ...]:
    """The file's letters of ``question``'s options in the order shown (see :func:`arrangement`);
    a question that is not one of ``data``'s is arranged on its own."""
    key = _key(question)
    shown = arrangement(data.questions.itertuples()).get(key[0])
    return shown if shown is not None and sorted(shown) == list(key[2]) else _arrange(key, Counter())


def options(data, question) -> list[tuple[str, str, str]]:
    """(letter shown, option text, feedback) for each option, in the order shown."""
    return [
        (
            shown,
            str(getattr(question, f"option_{letter}")).strip(),
            str(getattr(question, f"feedback_{letter}") or "").strip(),
        )
        for shown, letter in zip(OPTION_LETTERS, order(data, question), strict=False)
    ]


def answer(data, question) -> list[str]:
    """The letters shown of the right options (for an ordering question, in the right order)."""
    shown = dict(zip(order(data, question), OPTION_LETTERS, strict=False))
    return [shown[letter] for letter in question.correct]


def bias_figures(questions) -> dict[str, tuple[int, int]]:
    """What a reader who guesses from the form of the questions could exploit, as (count, out of):
    ``position A``, ``position B``...: right answers shown at that position, over the questions with
    three or more options to choose from; ``False``: true/false questions whose answer is False;
    ``longest right`` and ``shortest right``: choice questions whose right option is longer (shorter)
    in characters than every wrong one."""
    questions = list(questions)
    shown = arrangement(questions)
    positions: Counter[str] = Counter()
    choice = true_false = false = longest = shortest = 0
    for q in questions:
        if q.kind == "true_false":
            true_false += 1
            false += list(q.correct) == ["b"]
            continue
        if q.kind == "ordering":
            continue
        right = set(q.correct)
        choice += 1
        positions.update(OPTION_LETTERS[shown[q.id].index(letter)] for letter in right)
        lengths = {letter: len(str(getattr(q, f"option_{letter}")).strip()) for letter in shown[q.id]}
        wrong = [length for letter, length in lengths.items() if letter not in right]
        longest += max(lengths[letter] for letter in right) > max(wrong)
        shortest += min(lengths[letter] for letter in right) < min(wrong)
    total = sum(positions.values())
    figures = {f"position {letter.upper()}": (positions[letter], total) for letter in sorted(positions)}
    figures["False"] = (false, true_false)
    figures["longest right"] = (longest, choice)
    figures["shortest right"] = (shortest, choice)
    return figures


def _share(count: int, total: int) -> str:
    return f"{count} of {total} ({100 * count / total:.0f}%)"


def bias_problems(where: str, questions) -> list[str]:
    """One line for each bias :func:`bias_figures` finds beyond the limits above, naming ``where``."""
    figures = bias_figures(questions)
    problems = []
    positions = {k: v for k, v in figures.items() if k.startswith("position ")}
    total = next(iter(positions.values()), (0, 0))[1]
    if total >= MIN_FOR_SHARES:
        name, (count, _) = max(positions.items(), key=lambda item: item[1][0])
        if count > MAX_POSITION_SHARE * total:
            spread = ", ".join(f"{k.split()[1]} {v[0]}" for k, v in positions.items())
            problems.append(
                f"{where}: position bias: {name} holds {_share(count, total)} of the right answers "
                f"of the questions with three or more options ({spread}), more than "
                f"{MAX_POSITION_SHARE:.0%}; the positions are spread in file order (mechgraph.questions."
                "arrangement), and options added to three-option questions spread them further"
            )
    false, true_false = figures["False"]
    low, high = FALSE_SHARE
    if true_false >= MIN_TRUE_FALSE and not low * true_false <= false <= high * true_false:
        problems.append(
            f"{where}: true/false bias: {_share(false, true_false)} true/false answers are 'False', "
            f"outside {low:.0%}-{high:.0%}; rewrite some stems into "
            + ("true statements" if false > high * true_false else "false statements")
        )
    for name in ("longest", "shortest"):
        count, choice = figures[f"{name} right"]
        if choice >= MIN_FOR_SHARES and count > MAX_LONGEST_RIGHT_SHARE * choice:
            problems.append(
                f"{where}: length bias: the right option is the {name} in {_share(count, choice)} "
                f"choice questions, more than {MAX_LONGEST_RIGHT_SHARE:.0%}; make the wrong options as "
                "long and specific as the right ones"
                + (", or shorten the right ones" if name == "longest" else ", or add to the right ones")
            )
    return problems


def chapter_questions(data, chapter: str) -> pd.DataFrame:
    """The questions of one chapter (or of the pre-test), in the order of the file."""
    if chapter not in data.chapters.index:
        raise ValueError(
            f"unknown chapter '{chapter}' for questions; known: {', '.join(data.chapters.index)}"
        )
    return data.questions[data.questions["chapter"] == chapter]


def _by_chapter(data):
    """(chapter title, its questions) in reading order, chapters without questions left out."""
    for chapter in data.chapters.itertuples():
        rows = data.questions[data.questions["chapter"] == chapter.id]
        if not rows.empty:
            yield chapter.title, rows


# --- HTML ---------------------------------------------------------------------------------


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def question_html(data, question, number: int) -> str:
    """One question as a fieldset: legend, inputs with their labels, a Check button and an
    aria-live feedback region. Multiple answers give checkboxes, one answer radio buttons,
    ordering a position menu per item."""
    qid = _attr(question.id)
    correct = answer(data, question)
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
    items = options(data, question)
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


def html_text(text: str) -> str:
    """Text as HTML that shows it literally: what the Moodle XML and the GIFT file both write."""
    return html.escape(text, quote=False)


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = html_text(text) if fmt == "html" else text
    return element


def moodle_xml(data) -> str:
    """Every question in Moodle's XML import format, one category per chapter. Multiple choice,
    true/false and predict questions become ``multichoice`` questions (each answer with its
    feedback); ordering questions become ``matching`` questions (item -> position)."""
    quiz = ET.Element("quiz")
    for title, rows in _by_chapter(data):
        category = ET.SubElement(quiz, "question", {"type": "category"})
        _text(category, "category", f"$course$/MSCs and cancer pain/{title}", fmt=None)
        for q in rows.itertuples():
            correct = answer(data, q)
            items = options(data, q)
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
                element = _text(question, "answer", text)
                element.set("fraction", fraction)
                _text(element, "feedback", feedback)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


# --- GIFT ---------------------------------------------------------------------------------

GIFT_SPECIAL = "~=#{}:\\"


def gift_escape(text: str) -> str:
    """Backslash GIFT's special characters and fold line breaks into spaces."""
    text = " ".join(str(text).split())
    return "".join("\\" + c if c in GIFT_SPECIAL else c for c in text)


def gift_text(text: str) -> str:
    """A text of a question in GIFT: escaped as HTML as the Moodle XML escapes it (the question
    carries the ``[html]`` format marker, which Moodle applies to its answers and feedback too), a
    leading ``[`` written as ``&#91;`` so that no text can set its own format, then GIFT's
    backslash escapes. ``->`` becomes ``-&gt;``, so an ordering item never splits a matching pair."""
    text = html_text(" ".join(str(text).split()))
    if text.startswith("["):
        text = "&#91;" + text[1:]
    return gift_escape(text)


def gift(data) -> str:
    """Every question in Moodle's GIFT format, with a $CATEGORY line per chapter."""
    out = ["// Self-test questions of 'MSCs and cancer pain: a critical reading companion' (CC BY 4.0).", ""]
    for title, rows in _by_chapter(data):
        out += [f"$CATEGORY: $course$/MSCs and cancer pain/{gift_escape(title).replace('/', '-')}", ""]
        for q in rows.itertuples():
            correct = answer(data, q)
            items = options(data, q)
            head = f"::{gift_escape(q.id)}::[html]"
            if q.kind == "ordering":
                text = dict((l, t) for l, t, _ in items)
                pairs = [
                    f"    ={gift_text(text[letter])} -> {place}" for place, letter in enumerate(correct, 1)
                ]
                general = gift_text(" ".join(f"{t}: {fb}" for _, t, fb in items))
                stem = gift_text(f"{q.stem} Match each item to its place in the sequence (1 is first).")
                out += [f"{head}{stem} {{", *pairs, f"    ####{general}", "}", ""]
                continue
            lines = []
            for letter, text, feedback in items:
                if len(correct) == 1:
                    mark = "=" if letter in correct else "~"
                else:
                    mark = f"~%{_FRACTIONS[len(correct)]}%" if letter in correct else "~%-100%"
                lines.append(f"    {mark}{gift_text(text)}#{gift_text(feedback)}")
            out += [f"{head}{gift_text(q.stem)} {{", *lines, "}", ""]
    return "\n".join(out)


def write_exports(data, folder: Path) -> list[Path]:
    """Write the Moodle XML and GIFT files into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in EXPORT_NAMES]
    paths[0].write_text(moodle_xml(data), encoding="utf-8")
    paths[1].write_text(gift(data), encoding="utf-8")
    return paths
