"""Self-test questions: the data checks, the HTML (escaped, accessible), the exports (parsed with
real parsers) and the behaviour in a browser (feedback per option, keyboard, print)."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from mechgraph import load
from mechgraph.data import validate
from mechgraph.questions import gift, moodle_xml, options, question_html
from sitetools import append_row, edit_cell

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
    first = soup.find("input", value="a")
    assert first["data-feedback"] == '" onmouseover="alert(2)' and not first.has_attr("onmouseover")


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
            assert len(q.findall("subquestion")) == len(options(row)) >= 3
            continue
        answers = q.findall("answer")
        assert len(answers) == len(options(row))
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


def test_gift_parses_strictly_and_holds_every_question():
    data = load()
    parsed = parse_gift(gift(data))
    assert sorted(q.title for q in parsed) == sorted(data.questions["id"])
    for q in parsed:
        row = data.questions.loc[q.title]
        assert q.text.startswith(row["stem"])
        assert len(q.answers) == len(options(row))
        if row["kind"] != "ordering":
            assert all(a.feedback for a in q.answers)
            assert {a.text for a in q.answers if a.weight > 0} == {row[f"option_{c}"] for c in row["correct"]}


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
            assert kind == "MatchingSet" and len(q.answers.answers) == len(options(row))
            continue
        correct = row["correct"]
        assert kind == ("SelectSet" if len(correct) == 1 else "MultipleChoicesSet"), (q.title, kind)
        # pygiftparser leaves GIFT's backslash escapes in answer texts (Moodle removes them)
        right = [re.sub(r"\\(.)", r"\1", a.answer.strip()) for a in q.answers.answers if a.fraction > 0]
        assert right == [row[f"option_{c}"] for c in "abcde" if c in correct]
        assert all(a.feedback for a in q.answers.answers)


def gift_grammar_order(data):
    """Question ids in the order of the export (by chapter, then file order)."""
    return sorted(data.questions["id"], key=lambda i: list(CHAPTERS).index(data.questions.loc[i, "chapter"]))


def test_gift_special_characters_are_escaped():
    data = load()
    hostile = data.questions.iloc[:1].copy()
    hostile.loc[hostile.index[0], "stem"] = "Is {x} = ~y # z: \\ ok?"
    parsed = parse_gift(gift(dataclasses.replace(data, questions=hostile)))
    assert parsed[0].text == "Is {x} = ~y # z: \\ ok?"


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
    wrong = next(c for c in "abcde" if q[f"option_{c}"] and c not in q["correct"])
    chapter_page.check(f"#q-{q['id']}-{wrong}")
    chapter_page.click(f"#q-{q['id']} .mg-q-check")
    feedback = chapter_page.locator(f"#q-{q['id']}-feedback")
    assert "Not quite" in feedback.inner_text()
    assert q[f"feedback_{wrong}"] in feedback.inner_text()
    assert chapter_page.locator(f"#q-{q['id']}").get_attribute("data-state") == "wrong"


def test_questions_work_from_the_keyboard(chapter_page):
    data = load()
    q = data.questions[
        (data.questions["chapter"] == "pain-primer") & (data.questions["kind"] == "true_false")
    ].iloc[0]
    (answer,) = q["correct"]
    chapter_page.focus(f"#q-{q['id']}-a")
    chapter_page.keyboard.press("Space")  # selects True
    if answer != "a":
        chapter_page.keyboard.press("ArrowDown")  # moves to, and selects, False
    chapter_page.keyboard.press("Tab")
    assert chapter_page.evaluate("document.activeElement.className") == "mg-q-check"
    chapter_page.keyboard.press("Enter")
    text = chapter_page.locator(f"#q-{q['id']}-feedback").inner_text()
    assert text.startswith("Right") and q[f"feedback_{answer}"] in text


def test_an_ordering_question_can_be_answered(chapter_page):
    data = load()
    q = data.questions[
        (data.questions["chapter"] == "pain-primer") & (data.questions["kind"] == "ordering")
    ].iloc[0]
    order = q["correct"]
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


# -- a strict GIFT parser ----------------------------------------------------------------------
# A strict parser for the subset of Moodle's GIFT format the book exports.
#
# The tests parse the export twice: with ``pygiftparser`` 1.1 from PyPI, which reads questions the
# way an importer does but is lenient (it leaves escapes in place and does not check that special
# characters are escaped), and with this strict grammar, which follows
# https://docs.moodle.org/en/GIFT_format:
#
#     file      := (comment | category | question | blank)*
#     question  := "::" title "::" text "{" answer+ general? "}"
#     answer    := ("=" | "~" | "~%" weight "%") text ("#" feedback)?      (multiple choice)
#                | "=" text " -> " text                                     (matching)
#     general   := "####" text
#
# In every text the characters ~ = # { } : and \ must be escaped with a backslash; anything
# else is rejected with the line number.

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
        body = raw[m.end() :]
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
    return Answer(
        unescape(pieces[0].strip(), line),
        weight,
        unescape(pieces[1].strip(), line) if len(pieces) == 2 else "",
    )


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
