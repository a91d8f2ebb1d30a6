"""Self-test questions: the data checks, the HTML (escaped, accessible), the exports (parsed with
real parsers) and the behaviour in a browser (feedback per option, keyboard, print)."""

from __future__ import annotations

import dataclasses
import html
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from mechgraph import load
from mechgraph import questions as quiz
from mechgraph.data import validate
from mechgraph.questions import answer, gift, moodle_xml, options, question_html
from sitetools import REPO, append_row, edit_cell, offline_context, settle

CHAPTERS = list(load().chapters.index)  # reading order
CHAPTER_PAGES = {
    doc.rpartition("/")[2]: c for c, doc in load().chapters["document"].items() if c != "pretest"
}


# --- the data -----------------------------------------------------------------------------


def test_every_chapter_has_five_questions_and_a_pretest():
    counts = Counter(load().questions["chapter"])
    assert all(counts[c] >= 5 for c in CHAPTERS if c != "pretest"), counts
    assert 5 <= counts["pretest"] <= 8
    kinds = set(load().questions["kind"])
    assert kinds == {"multiple_choice", "true_false", "ordering", "predict"}


BAD_QUESTIONS = [
    (
        "answer names an empty option",
        lambda d: edit_cell(d / "questions.csv", 2, "correct", "d"),
        2,
        "correct",
        "names an empty option",
    ),
    (
        "option without feedback",
        lambda d: edit_cell(d / "questions.csv", 2, "feedback_c", ""),
        2,
        "feedback_c",
        "has no feedback",
    ),
    (
        "unknown citation",
        lambda d: edit_cell(d / "questions.csv", 3, "citations", "nobody2099nothing"),
        3,
        "citations",
        "unknown citation key 'nobody2099nothing'",
    ),
    (
        "unknown chapter",
        lambda d: edit_cell(d / "questions.csv", 2, "chapter", "chapter-nine"),
        2,
        "chapter",
        "chapter-nine",
    ),
    (
        "gap in the options",
        lambda d: [
            edit_cell(d / "questions.csv", 2, column, value)
            for column, value in (
                ("option_c", ""),
                ("feedback_c", ""),
                ("option_d", "D"),
                ("feedback_d", "No: a fourth option after a gap."),
            )
        ],
        2,
        "option_c",
        "without gaps",
    ),
    (
        "true/false with other options",
        lambda d: edit_cell(d / "questions.csv", 3, "option_a", "Yes"),
        3,
        "option_a",
        "'True' and 'False'",
    ),
    (
        "every option right",
        lambda d: edit_cell(d / "questions.csv", 2, "correct", "a;b;c"),
        2,
        "correct",
        "at least one wrong",
    ),
    ("unknown kind", lambda d: edit_cell(d / "questions.csv", 2, "kind", "essay"), 2, "kind", "essay"),
]


@pytest.mark.parametrize("case", BAD_QUESTIONS, ids=[c[0] for c in BAD_QUESTIONS])
def test_bad_question_gives_one_line_naming_file_row_and_column(data_dir, case):
    _, breaker, row, column, words = case
    breaker(data_dir)
    problems = validate(data_dir)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"data/questions.csv, row {row}, column '{column}'"), problems[0]
    assert words in problems[0]


def test_appraisal_rows_need_a_known_study_and_one_judgement_each(data_dir):
    append_row(
        data_dir / "table1_appraisal.csv",
        {
            "id": "boukelmoune2021-sex_again",
            "study": "boukelmoune2021",
            "criterion": "sex",
            "judgement": "yes",
            "evidence": "judged a second time here",
            "citations": "boukelmoune2021nasal",
        },
    )
    problems = validate(data_dir)
    assert problems == [
        "data/table1_appraisal.csv, row 4, column 'criterion': "
        "study 'boukelmoune2021' is judged twice on 'sex'"
    ]


def test_appraisal_study_must_be_in_table1(data_dir):
    edit_cell(data_dir / "table1_appraisal.csv", 2, "study", "smith1999")
    problems = validate(data_dir)
    assert len(problems) == 1, problems
    assert (
        problems[0].startswith("data/table1_appraisal.csv, row 2, column 'study'")
        and "smith1999" in problems[0]
    )


def _as_shown(data):
    """Every question as the site shows it (the HTML mechgraph.questions writes): its kind, the
    options' texts in order, and the positions of the right ones."""
    for number, q in enumerate(data.questions.itertuples(), 1):
        fieldset = BeautifulSoup(question_html(data, q, number), "html.parser").fieldset
        texts = [
            li.label.get_text(" ", strip=True).split(". ", 1)[1]
            for li in fieldset.select("ul.mg-q-options li")
        ]
        letters = [i["value"] for i in fieldset.select("input")] or [
            s["data-letter"] for s in fieldset.select("select")
        ]
        right = [letters.index(c) for c in fieldset["data-correct"].split(";")]
        yield fieldset["data-kind"], texts, right


def test_the_questions_give_no_cue_to_the_answer():
    """What a test-wise reader could exploit, measured on what the site shows: no position holds
    more than 35% of the right answers (questions with three or more options), 35-65% of the
    true/false answers are False, and the right option is the longest (or the shortest) in at most
    35% of the choice questions."""
    positions, false, true_false, longest, shortest, choice = Counter(), 0, 0, 0, 0, 0
    for kind, texts, right in _as_shown(load()):
        if kind == "true_false":
            true_false += 1
            false += texts[right[0]] == "False"
        elif kind != "ordering":
            choice += 1
            positions.update(right)
            lengths = [len(t) for t in texts]
            wrong = [n for i, n in enumerate(lengths) if i not in right]
            longest += max(lengths[i] for i in right) > max(wrong)
            shortest += min(lengths[i] for i in right) < min(wrong)
    total = sum(positions.values())
    shares = {"ABCDE"[i]: round(n / total, 2) for i, n in sorted(positions.items())}
    assert max(shares.values()) <= 0.35, f"right answers by position: {shares}"
    assert 0.35 <= false / true_false <= 0.65, f"{false} of {true_false} true/false answers are False"
    assert longest / choice <= 0.35, f"the right option is the longest in {longest} of {choice}"
    assert shortest / choice <= 0.35, f"the right option is the shortest in {shortest} of {choice}"


def test_the_order_shown_is_shuffled_the_same_in_every_output_and_every_build():
    data = load()
    choice = data.questions[data.questions["kind"].isin(["multiple_choice", "predict"])]
    moved = sum("a" not in answer(data, q) for q in choice.itertuples())
    assert moved >= len(choice) / 2, f"only {moved} of {len(choice)} questions show a wrong option first"
    for q in data.questions.itertuples():
        shown = [t for _, t, _ in options(data, q)]
        assert sorted(shown) == sorted(
            str(getattr(q, f"option_{c}")) for c in "abcde" if getattr(q, f"option_{c}")
        )
        if q.kind == "true_false":
            assert shown == ["True", "False"]
        if q.kind == "ordering":
            assert answer(data, q) != sorted(answer(data, q)), "an ordering question shown in order"
    xml, text = moodle_xml(data), gift(data)
    quiz._arrangement.cache_clear()
    assert (moodle_xml(load()), gift(load())) == (xml, text)


def _biased_rows(data_dir, n=12):
    """n four-option questions whose right option (A) is the longest, and n//2 true/false
    questions whose answer is False, appended to the fixture data."""
    common = {"chapter": "pain-mechanisms", "objective": "tell the test apart", "citations": "yang2020anti"}
    for i in range(n):
        append_row(
            data_dir / "questions.csv",
            {
                **common,
                "id": f"bias-q{i:02}",
                "kind": "multiple_choice",
                "stem": f"Which is right in question {i}?",
                "option_a": "The long and detailed right answer",
                "option_b": "Short",
                "option_c": "Brief",
                "option_d": "Terse",
                "feedback_a": "Right: the explanation.",
                "feedback_b": "No: the explanation.",
                "feedback_c": "No: the explanation.",
                "feedback_d": "No: the explanation.",
                "correct": "a",
            },
        )
    for i in range(n // 2):
        append_row(
            data_dir / "questions.csv",
            {
                **common,
                "id": f"bias-q{50 + i}",
                "kind": "true_false",
                "stem": f"Statement number {i} is false.",
                "option_a": "True",
                "option_b": "False",
                "feedback_a": "No: the explanation.",
                "feedback_b": "Right: the explanation.",
                "correct": "b",
            },
        )


def test_validate_reports_length_and_true_false_bias_with_the_figures(data_dir):
    _biased_rows(data_dir)
    problems = validate(data_dir)
    assert len(problems) == 2, problems
    true_false, length = problems
    assert true_false.startswith("data/questions.csv: true/false bias: 7 of 7 (100%) true/false answers")
    assert length.startswith(
        "data/questions.csv: length bias: the right option is the longest in 12 of 13 (92%)"
    )


def test_validate_reports_a_position_bias_with_the_figures(data_dir, monkeypatch):
    """The order shown spreads the right answers (mechgraph.questions.arrangement); were it to put
    them in one place, the check would say so."""
    monkeypatch.setattr(quiz, "arrangement", lambda qs: {q.id: quiz._filled(q) for q in qs})
    _biased_rows(data_dir)
    problems = validate(data_dir)
    assert problems[0].startswith(
        "data/questions.csv: position bias: position A holds 13 of 13 (100%) of the right answers"
    ), problems


# --- the HTML -----------------------------------------------------------------------------

HOSTILE = SimpleNamespace(
    id="x-q01",
    kind="multiple_choice",
    correct=("b",),
    objective="o",
    citations=("yang2020anti",),
    stem='<script>alert("stem")</script> & more',
    option_a="<img src=x onerror=alert(1)>",
    feedback_a='" onmouseover="alert(2)',
    option_b="B & B",
    feedback_b="fine",
    option_c="c",
    feedback_c="<b>bold</b>",
    option_d="",
    feedback_d="",
    option_e="",
    feedback_e="",
)


def test_question_html_escapes_untrusted_text():
    out = question_html(load(), HOSTILE, 1)
    soup = BeautifulSoup(out, "html.parser")
    assert not soup.find("script") and not soup.find("img") and not soup.find("b")
    assert "&lt;script&gt;" in out and "B &amp; B" in out
    hostile = soup.find("input", attrs={"data-feedback": '" onmouseover="alert(2)'})
    assert hostile is not None and not any(i.has_attr("onmouseover") for i in soup.find_all("input"))


def test_question_html_is_an_accessible_fieldset():
    soup = BeautifulSoup(question_html(load(), HOSTILE, 3), "html.parser")
    fieldset = soup.find("fieldset")
    assert fieldset.legend and "Question 3" in fieldset.legend.get_text()
    radios = fieldset.find_all("input", type="radio")
    assert len(radios) == 3 and all(soup.find("label", attrs={"for": r["id"]}) for r in radios)
    assert fieldset.find("button", type="button")
    live = fieldset.find(attrs={"aria-live": "polite"})
    assert live is not None and live["id"] == fieldset.button["aria-controls"]


# --- the exports --------------------------------------------------------------------------


def test_moodle_xml_parses_and_holds_every_question():
    data = load()
    root = ET.fromstring(moodle_xml(data).encode("utf-8"))
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    assert [q.findtext("name/text") for q in questions] == sorted(
        data.questions["id"], key=lambda i: list(CHAPTERS).index(data.questions.loc[i, "chapter"])
    )
    for q in questions:
        row = data.questions.loc[q.findtext("name/text")]
        if q.get("type") == "matching":
            assert len(q.findall("subquestion")) == len(options(data, row)) >= 3
            continue
        answers = q.findall("answer")
        assert [a.findtext("text") for a in answers] == [
            html.escape(t, quote=False) for _, t, _ in options(data, row)
        ]
        assert all(a.findtext("feedback/text") for a in answers), "an answer has no feedback"
        right = sum(float(a.get("fraction")) for a in answers if float(a.get("fraction")) > 0)
        assert abs(right - 100) < 0.01


def test_moodle_xml_escapes_markup(monkeypatch):
    data = load()
    hostile = data.questions.iloc[:1].copy()
    hostile.loc[hostile.index[0], "stem"] = "Is </text></questiontext><x> & 1 < 2?"
    fake = dataclasses.replace(data, questions=hostile)
    root = ET.fromstring(moodle_xml(fake).encode("utf-8"))
    text = root.find("question[@type='multichoice']/questiontext/text").text
    assert text == "Is &lt;/text&gt;&lt;/questiontext&gt;&lt;x&gt; &amp; 1 &lt; 2?"


def expected_gift(data, row) -> dict:
    """What Moodle should show for one question, from the data and the order every output uses."""
    items = options(data, row)
    if row.kind == "ordering":
        text = {letter: t for letter, t, _ in items}
        return {
            "text": f"{row.stem} Match each item to its place in the sequence (1 is first).",
            "pairs": [(text[letter], str(place)) for place, letter in enumerate(answer(data, row), 1)],
            "general": " ".join(f"{t}: {fb}" for _, t, fb in items),
        }
    right = set(answer(data, row))
    return {
        "text": row.stem,
        "answers": [(t, letter in right, fb) for letter, t, fb in items],
    }


def parsed_gift(q) -> dict:
    """What Moodle shows for one parsed question (its texts read as HTML, see shown())."""
    if q.answers[0].match is not None:
        return {
            "text": shown(q.text, q.format),
            "pairs": [(shown(a.text, a.format), a.match) for a in q.answers],
            "general": shown(q.general_feedback, q.general_format),
        }
    return {
        "text": shown(q.text, q.format),
        "answers": [
            (shown(a.text, a.format), a.weight > 0, shown(a.feedback, a.feedback_format)) for a in q.answers
        ],
    }


def assert_gift_holds(data, text):
    parsed = parse_gift(text)
    assert [q.title for q in parsed] == gift_grammar_order(data)
    for q in parsed:
        row = next(data.questions[data.questions["id"] == q.title].itertuples())
        assert q.format == "html", q.title
        assert parsed_gift(q) == expected_gift(data, row), q.title


def test_gift_holds_every_question_as_written():
    """Every question of the GIFT export, read with the strict grammar below as Moodle reads it,
    shows the data's stem, options (in the order of the site), right answers and feedback."""
    assert_gift_holds(load(), gift(load()))


def test_gift_shows_hostile_text_as_written():
    """HTML in a stem stays text (as in the Moodle XML), a text that starts like a format marker
    keeps it, and '->' in an ordering item does not split the matching pair."""
    data = load()
    table = data.questions.copy()
    mc = table.index[(table["kind"] == "multiple_choice")][0]
    ordering = table.index[(table["kind"] == "ordering")][0]
    table.loc[mc, "stem"] = '<img src=x onerror="alert(1)"> & <b>bold</b>?'
    table.loc[mc, "option_b"] = "[plain] looks like a format marker"
    table.loc[mc, "feedback_c"] = "[markdown] *so* does this"
    table.loc[ordering, "option_a"] = "Dorsal horn -> thalamus relay"
    fake = dataclasses.replace(data, questions=table)
    text = gift(fake)
    assert "<img" not in text and "<b>" not in text
    assert_gift_holds(fake, text)


def _pygiftparser():
    import warnings

    with warnings.catch_warnings():  # its markdown dependency imports the deprecated pkg_resources
        warnings.simplefilter("ignore")
        from pygiftparser import parser
    return parser


def test_gift_imports_with_pygiftparser(tmp_path):
    """pygiftparser (PyPI) reads the export the way Moodle would: every question valid, of the
    right type, with the right answers marked and each answer's feedback."""
    data = load()
    path = tmp_path / "questions.gift"
    path.write_text(gift(data), encoding="utf-8")
    with path.open(encoding="utf-8") as f:
        parsed = _pygiftparser().parseFile(f)
    assert [q.title for q in parsed] == list(gift_grammar_order(data))
    for q in parsed:
        row = data.questions.loc[q.title]
        assert q.valid, q.title
        kind = type(q.answers).__name__
        if row["kind"] == "ordering":
            assert kind == "MatchingSet" and len(q.answers.answers) == len(options(data, row))
            continue
        correct = answer(data, row)
        assert kind == ("SelectSet" if len(correct) == 1 else "MultipleChoicesSet"), (q.title, kind)
        # pygiftparser leaves GIFT's backslash escapes in answer texts (Moodle removes them)
        right = [
            html.unescape(re.sub(r"\\(.)", r"\1", a.answer.strip()))
            for a in q.answers.answers
            if a.fraction > 0
        ]
        assert right == [text for letter, text, _ in options(data, row) if letter in correct]
        assert all(a.feedback for a in q.answers.answers)


def gift_grammar_order(data):
    """Question ids in the order of the export (by chapter, then file order)."""
    return sorted(data.questions["id"], key=lambda i: list(CHAPTERS).index(data.questions.loc[i, "chapter"]))


def test_gift_special_characters_are_escaped():
    data = load()
    hostile = data.questions.iloc[:1].copy()
    hostile.loc[hostile.index[0], "stem"] = "Is {x} = ~y # z: \\ ok?"
    parsed = parse_gift(gift(dataclasses.replace(data, questions=hostile)))
    assert shown(parsed[0].text, parsed[0].format) == "Is {x} = ~y # z: \\ ok?"


def test_the_gift_grammar_rejects_unescaped_text():
    with pytest.raises(GiftError, match="unescaped '='"):
        parse_gift("::a::Is 1=1? {\n    =yes#right\n    ~no#wrong\n}\n")


# --- the built site -----------------------------------------------------------------------


def _page(site, name):
    path = site / "index.html" if name == "index" else site / "chapters" / f"{name}.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("name", list(CHAPTER_PAGES) + ["index"])
def test_pages_carry_accessible_questions(site, name):
    soup = _page(site, name)
    fieldsets = soup.select("fieldset.mg-question")
    assert len(fieldsets) >= 5 if name != "index" else 5 <= len(fieldsets) <= 8
    for fieldset in fieldsets:
        assert fieldset.legend and fieldset.legend.get_text(strip=True)
        assert fieldset.select("input, select") and fieldset.find("button")
        assert fieldset.find(attrs={"aria-live": "polite"})
        source = fieldset.find_next_sibling("p")
        assert source and source.find("a", href=True), "no resolved citation under the question"
    assert soup.find("script", src=lambda s: s and "questions.js" in s)


def test_exports_are_written_and_linked_from_the_instructor_guide(site):
    folder = site / "_downloads" / "questions"
    ET.parse(folder / "questions-moodle.xml")
    parse_gift((folder / "questions.gift").read_text(encoding="utf-8"))
    links = {a["href"] for a in _page(site, "instructor-guide").select("a[href]")}
    assert {"../_downloads/questions/questions-moodle.xml", "../_downloads/questions/questions.gift"} <= links


# --- in a browser -------------------------------------------------------------------------


@pytest.fixture
def chapter_page(browser, base_url):
    page = browser.new_page()
    page.goto(f"{base_url}/chapters/pain-primer.html")
    yield page
    page.close()


def test_a_wrong_choice_gets_its_own_explanation(chapter_page):
    data = load()
    q = data.questions[
        (data.questions["chapter"] == "pain-primer") & (data.questions["kind"] == "multiple_choice")
    ].iloc[0]
    wrong, _, explanation = next(o for o in options(data, q) if o[0] not in answer(data, q))
    chapter_page.check(f"#q-{q['id']}-{wrong}")
    chapter_page.click(f"#q-{q['id']} .mg-q-check")
    feedback = chapter_page.locator(f"#q-{q['id']}-feedback")
    assert "Not quite" in feedback.inner_text()
    assert explanation in feedback.inner_text()
    assert chapter_page.locator(f"#q-{q['id']}").get_attribute("data-state") == "wrong"


def test_questions_work_from_the_keyboard(chapter_page):
    data = load()
    q = data.questions[
        (data.questions["chapter"] == "pain-primer") & (data.questions["kind"] == "true_false")
    ].iloc[0]
    (right,) = answer(data, q)
    chapter_page.focus(f"#q-{q['id']}-a")
    chapter_page.keyboard.press("Space")  # selects True
    if right != "a":
        chapter_page.keyboard.press("ArrowDown")  # moves to, and selects, False
    chapter_page.keyboard.press("Tab")
    assert chapter_page.evaluate("document.activeElement.className") == "mg-q-check"
    chapter_page.keyboard.press("Enter")
    text = chapter_page.locator(f"#q-{q['id']}-feedback").inner_text()
    assert text.startswith("Right") and {shown: f for shown, _, f in options(data, q)}[right] in text


def test_an_ordering_question_can_be_answered(chapter_page):
    data = load()
    q = data.questions[
        (data.questions["chapter"] == "pain-primer") & (data.questions["kind"] == "ordering")
    ].iloc[0]
    order = answer(data, q)
    for place, letter in enumerate(order, 1):
        chapter_page.select_option(f"#q-{q['id']}-{letter}", str(place))
    chapter_page.click(f"#q-{q['id']} .mg-q-check")
    assert chapter_page.locator(f"#q-{q['id']}-feedback").inner_text().startswith("Right")
    chapter_page.select_option(f"#q-{q['id']}-{order[0]}", str(len(order)))
    chapter_page.click(f"#q-{q['id']} .mg-q-check")
    assert "out of place" in chapter_page.locator(f"#q-{q['id']}-feedback").inner_text()


def test_feedback_and_buttons_are_hidden_in_print(chapter_page):
    first = chapter_page.locator("fieldset.mg-question:has(input)").first
    first.locator("input").first.check()
    first.locator(".mg-q-check").click()
    chapter_page.emulate_media(media="print")
    assert not first.locator(".mg-q-feedback").is_visible()
    assert not first.locator(".mg-q-check").is_visible()
    assert first.locator("legend").is_visible()


PREDICT_PAGES = sorted(
    path.stem
    for path in (REPO / "chapters").glob("*.md")
    if "Predict, then run" in path.read_text(encoding="utf-8")
)
QUESTION_PAGES = ["index.html"] + [f"chapters/{name}.html" for name in CHAPTER_PAGES]

_OFF_THE_FIRST_LINE = """() => [...document.querySelectorAll(
    'fieldset.mg-question input, .mg-predict-choices input')].filter(i => {
  const label = document.querySelector(`label[for="${i.id}"]`);
  const range = document.createRange();
  range.selectNodeContents(label);
  const line = range.getClientRects()[0], box = i.getBoundingClientRect();
  const middle = (box.top + box.bottom) / 2;
  return !(line && middle >= line.top && middle <= line.bottom);
}).map(i => i.id)"""


@pytest.mark.parametrize("width", [390, 1366])
def test_every_radio_sits_on_the_first_line_of_its_text(browser, base_url, width):
    context = offline_context(browser, viewport={"width": width, "height": 900})
    page = context.new_page()
    off = {}
    try:
        for name in QUESTION_PAGES:
            page.goto(f"{base_url}/{name}")
            settle(page)
            assert page.locator("fieldset.mg-question input").count(), name
            if ids := page.evaluate(_OFF_THE_FIRST_LINE):
                off[name] = ids
    finally:
        context.close()
    assert not off, (
        f"{sum(map(len, off.values()))} radios off the first line of their text at {width} px: {off}"
    )


def test_a_changed_choice_clears_the_feedback(chapter_page):
    data = load()
    q = next(
        data.questions[data.questions["chapter"] == "pain-primer"]
        .query("kind == 'multiple_choice'")
        .itertuples()
    )
    shown = answer(data, q)
    wrong = [letter for letter, _, _ in options(data, q) if letter not in shown]
    chapter_page.check(f"#q-{q.id}-{wrong[0]}")
    chapter_page.click(f"#q-{q.id} .mg-q-check")
    feedback = chapter_page.locator(f"#q-{q.id}-feedback")
    assert feedback.inner_text().strip()
    chapter_page.check(f"#q-{q.id}-{wrong[1]}")
    assert feedback.inner_text().strip() == ""
    assert chapter_page.locator(f"#q-{q.id}").get_attribute("data-state") is None


@pytest.mark.parametrize("name", PREDICT_PAGES)
def test_predict_then_run_hides_the_result_until_a_prediction_is_chosen(browser, base_url, name):
    context = offline_context(browser, viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{base_url}/chapters/{name}.html")
        settle(page)
        exercise = page.locator(".exercise.mg-predict")
        assert exercise.count() == 1, "no prediction exercise"
        result = page.locator(".mg-predict + div.cell .cell_output")
        button = exercise.locator("xpath=..").locator(".mg-predict-show")
        choices = exercise.locator(".mg-predict-choices input[type=radio]")
        assert choices.count() >= 3 and not result.is_visible() and button.is_disabled()
        choices.nth(1).check()
        assert button.is_enabled() and not result.is_visible()
        button.click()
        assert result.is_visible() and result.inner_text().strip() or result.locator("svg, img").count()
        page.emulate_media(media="print")  # on paper: the question, then the code and its result
        assert page.locator(".mg-predict + div.cell .cell_input").is_visible()
    finally:
        context.close()


def test_predict_then_run_prints_the_code_and_its_result(browser, base_url):
    context = offline_context(browser, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{base_url}/chapters/pain-primer.html")
        settle(page)
        page.emulate_media(media="print")
        assert page.locator(".mg-predict + div.cell .cell_input").is_visible()
        assert page.locator(".mg-predict + div.cell .cell_output").is_visible()
        assert not page.locator(".mg-predict-show").is_visible()
    finally:
        context.close()


def test_the_pdf_keeps_the_code_of_a_prediction_exercise(site):
    from mechgraph.pdf import chapter_html

    for name in PREDICT_PAGES:
        article = BeautifulSoup(chapter_html(site, f"chapters/{name}", set()).html, "html.parser")
        kept = article.select(".mg-predict + div.cell > .cell_input")
        assert kept and kept[0].get_text(strip=True), name
        assert len(article.select(".cell_input")) == len(kept), "other code printed"


# -- a strict GIFT parser ----------------------------------------------------------------------
# A strict parser for the subset of Moodle's GIFT format the book exports.
#
# The tests parse the export twice: with ``pygiftparser`` 1.1 from PyPI, which reads questions the
# way an importer does but is lenient (it leaves escapes in place and does not check that special
# characters are escaped), and with this strict grammar, which follows
# https://docs.moodle.org/en/GIFT_format:
#
#     file      := (comment | category | question | blank)*
#     question  := "::" title "::" format? text "{" answer+ general? "}"
#     answer    := ("=" | "~" | "~%" weight "%") text ("#" feedback)?      (multiple choice)
#                | "=" text "->" text                                       (matching)
#     general   := "####" text
#     format    := "[html]" | "[moodle]" | "[plain]" | "[markdown]"
#
# In every text the characters ~ = # { } : and \ must be escaped with a backslash; anything
# else is rejected with the line number. As in Moodle's importer, a matching pair is split at its
# first "->", every text (answers and feedback too) may start with its own format marker, and
# otherwise takes the question's format; shown() gives the text a reader sees, refusing markup.

SPECIAL = set("~=#{}:\\")
ALLOWED_WEIGHTS = {
    100,
    90,
    83.33333,
    80,
    75,
    70,
    66.66667,
    60,
    50,
    40,
    33.33333,
    30,
    25,
    20,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10,
    5,
}


class GiftError(ValueError):
    pass


@dataclass
class Answer:
    text: str
    weight: float  # 100 for "=", 0 for "~", else the %weight%
    feedback: str = ""
    match: str | None = None
    format: str = "moodle"
    feedback_format: str = "moodle"


@dataclass
class Question:
    title: str
    text: str
    category: str
    line: int
    answers: list[Answer] = field(default_factory=list)
    general_feedback: str = ""
    format: str = "moodle"
    general_format: str = "moodle"


_FORMAT = re.compile(r"\[(html|moodle|plain|markdown)\]")


def _format(text: str, default: str) -> tuple[str, str]:
    """(format, text without its marker): what Moodle's parse_text_with_format does."""
    m = _FORMAT.match(text)
    return (m.group(1), text[m.end() :]) if m else (default, text)


def shown(text: str, fmt: str) -> str:
    """The text a reader sees: HTML (and Moodle's auto-format, which is HTML) must hold no markup,
    only text and character references."""
    if fmt in ("html", "moodle"):
        if re.search(r"<[A-Za-z/!?]", text):
            raise GiftError(f"markup in a {fmt} text: {text!r}")
        return html.unescape(text)
    return text


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


def _answer(raw: str, line: int, default: str) -> Answer:
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
        body = raw[m.end() :]
    elif raw.startswith("~"):
        body, weight = raw[1:], 0.0
    else:
        raise GiftError(f"line {line}: an answer must start with '=' or '~': {raw!r}")
    if raw.startswith("=") and "->" in body:
        left, right = body.split("->", 1)  # Moodle splits at the first "->", escaped or not
        fmt, left = _format(unescape(left.strip(), line), default)
        return Answer(left, weight, match=unescape(right.strip(), line), format=fmt)
    pieces = _split_unescaped(body, "#")
    if len(pieces) > 2:
        raise GiftError(f"line {line}: more than one feedback in {raw!r}")
    fmt, text = _format(unescape(pieces[0].strip(), line), default)
    feedback = unescape(pieces[1].strip(), line) if len(pieces) == 2 else ""
    feedback_fmt, feedback = _format(feedback, default)
    return Answer(text, weight, feedback, format=fmt, feedback_format=feedback_fmt)


def parse_gift(text: str) -> list[Question]:
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
            category = line[len("$CATEGORY:") :].strip()
            i += 1
            continue
        m = re.match(r"::((?:\\.|[^\\:])+)::(.*) \{$", line)
        if not m:
            raise GiftError(f"line {number}: expected '::title::text {{', got {line!r}")
        fmt, text = _format(unescape(m.group(2), number), "moodle")
        q = Question(unescape(m.group(1), number), text, category, number, format=fmt)
        i += 1
        while i < len(lines) and lines[i] != "}":
            body = lines[i].strip()
            if body.startswith("####"):
                q.general_format, q.general_feedback = _format(unescape(body[4:], i + 1), fmt)
            elif body:
                q.answers.append(_answer(body, i + 1, fmt))
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
