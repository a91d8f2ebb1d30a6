"""What a reader sees, in Chromium at a laptop (1366 px) and a phone (390 px) width.

* Tables: no bare 0..N index column, no ``dtype`` line, no snake_case value, no truncated "..."
  cell; a table wider than the text column scrolls inside its own box, never the page.
  Table 1 (chapter 6) reads whole.
* Glossary links read like prose: lower case mid-sentence (unless the term is an acronym or a
  proper noun), one link per term and section, each with its definition as a hover title.
* Print: no buttons, toggles, navigation, code cells or solutions; the diagrams' text
  descriptions are printed; figures are not split across pages.

Needs `make book` first and Chromium (`make browser-deps`); BOOK_HTML=... tests another build.
"""

from __future__ import annotations

import re

import pytest

from sitetools import BUILD, REPO, chapter_pages, offline_context, settle

CHAPTERS = [p for p in chapter_pages() if re.match(r"chapters/0\d-", p)] or [
    "chapters/01-why-cancer-pain.html"
]
WIDTHS = {"laptop": 1366, "phone": 390}
TABLE1_PAGE = "chapters/06-therapy-prospects.html"
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
#: capitalised first words that are proper nouns, so stay capitalised mid-sentence
PROPER = {"Schwann", "Wharton's", "Toll", "Sprague", "Dawley"}


def open_page(browser, base: str, path: str, width: int = 1366, **context_args):
    context = offline_context(browser, viewport={"width": width, "height": 900}, **context_args)
    page = context.new_page()
    page.goto(base + path, wait_until="load")
    settle(page)
    return context, page


# -- tables ------------------------------------------------------------------------------

_TABLES_JS = """() => {
  const article = document.querySelector('main .bd-article') || document.querySelector('main') || document.body;
  const right = article.getBoundingClientRect().right;
  return [...document.querySelectorAll('div.cell_output table')].map((table, n) => {
    const rows = [...table.querySelectorAll('tbody tr')];
    const firstCells = rows.map(r => (r.cells[0] && r.cells[0].textContent.trim()) || '');
    const bodyHeaders = [...table.querySelectorAll('tbody th')].map(th => th.textContent.trim());
    // pandas' axis-name rows: a header row with only its first cell (index or column name) filled
    const axisRows = [...table.querySelectorAll('thead tr')].filter(tr => tr.cells.length > 1 &&
      [...tr.cells].slice(1).every(c => !c.textContent.trim()) && tr.cells[0].textContent.trim()).length
      + [...table.querySelectorAll('thead tr')].filter(tr => tr.cells.length > 1 && !tr.cells[0].textContent.trim()
      && tr.cells[0].tagName === 'TH' && table.querySelector('tbody th')).length;
    const cells = [...table.querySelectorAll('th, td')].filter(c => !c.closest('code, pre'))
      .map(c => c.textContent.replace(/\\s+/g, ' ').trim());
    let box = null;
    for (let el = table; el && el !== article; el = el.parentElement) {
      const ox = getComputedStyle(el).overflowX;
      if (ox === 'auto' || ox === 'scroll') { box = el; break; }
    }
    const rect = table.getBoundingClientRect();
    const boxRect = box ? box.getBoundingClientRect() : null;
    return {n, heading: [...table.querySelectorAll('thead th')].map(th => th.textContent.trim()).join(' | '),
            firstCells, bodyHeaders, axisRows, cells, tableRight: rect.right, articleRight: right,
            boxRight: boxRect ? boxRect.right : null, boxWidth: box ? box.clientWidth : null,
            scrollWidth: box ? box.scrollWidth : null,
            boxFocusable: box ? box.tabIndex >= 0 : false};
  });
}"""


def _index_column(firsts: list[str]) -> bool:
    return len(firsts) > 1 and firsts == [str(i) for i in range(len(firsts))]


def table_problems(tables: list[dict], output_text: str) -> list[str]:
    problems = []
    if re.search(r"\bdtype: ?\w+", output_text):
        problems.append("a 'dtype' line is shown")
    for t in tables:
        name = f"table {t['n'] + 1} ({t['heading'][:60]})"
        if _index_column(t["firstCells"]) or [h for h in t["bodyHeaders"] if re.fullmatch(r"\d+", h)]:
            problems.append(f"{name}: bare integer index column")
        if t["axisRows"]:
            problems.append(f"{name}: pandas index or axis names shown as table headings")
        snake = sorted({m for c in t["cells"] for m in SNAKE.findall(c)})
        if snake:
            problems.append(f"{name}: snake_case values {snake[:6]}")
        cut = [c for c in t["cells"] if c.endswith(("...", "\u2026"))]
        if cut:
            problems.append(f"{name}: truncated cells {cut[:3]}")
        if t["tableRight"] > t["articleRight"] + 1 and (
            t["boxRight"] is None or t["boxRight"] > t["articleRight"] + 1
        ):
            problems.append(
                f"{name}: sticks out of the text column ({t['tableRight']:.0f} > {t['articleRight']:.0f} px) "
                "instead of scrolling in its own box"
            )
    return problems


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("path", CHAPTERS)
def test_tables_are_written_for_people(browser, base_url, path, width):
    context, page = open_page(browser, base_url, path, width)
    try:
        tables = page.evaluate(_TABLES_JS)
        output_text = page.eval_on_selector_all(
            "div.cell_output", "els => els.map(e => e.textContent).join('\\n')"
        )
        problems = table_problems(tables, output_text)
        assert not problems, f"{path} at {width} px:\n" + "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_table1_reads_whole(browser, base_url, width):
    """Every Table 1 cell in full; on a laptop the table fits the column, on a phone it scrolls
    sideways inside its own focusable box and the page itself does not scroll sideways."""
    context, page = open_page(browser, base_url, TABLE1_PAGE, width)
    try:
        table1 = [t for t in page.evaluate(_TABLES_JS) if "Study" in t["heading"].split(" | ")[:2]]
        assert len(table1) >= 2, (
            f"Table 1 not found (tables: {[t['heading'][:40] for t in page.evaluate(_TABLES_JS)]})"
        )
        problems = table_problems(table1, "")
        for t in table1:
            if t["boxWidth"] is None:
                problems.append(f"{t['heading'][:40]}: not inside a box of its own")
            elif t["scrollWidth"] > t["boxWidth"] + 1:
                if width >= 1366 and t["heading"].count("|") < 7:
                    problems.append(
                        f"{t['heading'][:40]}: {t['scrollWidth']} px wide in a {t['boxWidth']} px column"
                    )
                if not t["boxFocusable"]:
                    problems.append(
                        f"{t['heading'][:40]}: scrolls, but its box cannot be reached by keyboard"
                    )
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            problems.append(f"the page scrolls sideways by {overflow} px")
        assert not problems, f"Table 1 at {width} px:\n" + "\n".join(problems)
    finally:
        context.close()


# -- glossary links -----------------------------------------------------------------------

_TERM_LINKS_JS = """(generated) => {
  const inText = a => !!a.closest('details.mechgraph-text, figure.mechgraph');
  return [...document.querySelectorAll('main a.reference:has(.std-term)')]
    .filter(a => inText(a) === generated)
    .map(a => {
      const block = a.closest('p, li, td, th, dd, dt, caption, figcaption, h1, h2, h3, h4, h5, h6') || a.parentElement;
      const range = document.createRange();
      range.setStart(block, 0);
      range.setEndBefore(a);
      const section = a.closest('section');
      const desc = a.closest('details.mechgraph-text');
      return {text: a.textContent.trim(), before: range.toString(), href: a.getAttribute('href') || '',
              title: a.getAttribute('title') || '', section: section ? section.id : '',
              scope: desc ? [...document.querySelectorAll('details.mechgraph-text')].indexOf(desc) : -1,
              itemStart: !!block.closest('li') && range.toString().trim() === ''};
    });
}"""


def mid_sentence(before: str) -> bool:
    """True when the text before a link leaves it inside a sentence (after a word, comma,
    semicolon, colon or an opening bracket that follows a word)."""
    text = before.rstrip().rstrip("(\"'“‘").rstrip()
    return bool(re.search(r"[A-Za-z0-9,;:\u2013-]$", text))


def wrongly_capitalised(text: str) -> bool:
    """A capitalised ordinary word (not an acronym, symbol or proper noun) starting the link."""
    first = re.match(r"[^\s/-]+", text)
    return bool(first and re.fullmatch(r"[A-Z][a-z']+", first[0]) and first[0] not in PROPER)


@pytest.mark.parametrize("path", CHAPTERS)
def test_glossary_links_read_like_prose(browser, base_url, path):
    context, page = open_page(browser, base_url, path)
    try:
        links = page.evaluate(_TERM_LINKS_JS, False)
        problems = [
            f"capitalised mid-sentence: …{link['before'][-40:]!r} + {link['text']!r}"
            for link in links
            if mid_sentence(link["before"]) and wrongly_capitalised(link["text"])
        ]
        seen: dict[tuple[str, str], int] = {}
        for link in links:
            key = (link["section"], link["href"].rpartition("#")[2])
            seen[key] = seen.get(key, 0) + 1
        problems += [
            f"'{term}' linked {n} times in section '{section}'"
            for (section, term), n in seen.items()
            if n > 1
        ]
        problems += [
            f"{link['text']!r}: no definition on hover" for link in links if ":" not in link["title"]
        ]
        assert not problems, f"{path}: {len(problems)} problem(s):\n" + "\n".join(problems[:40])
    finally:
        context.close()


@pytest.mark.parametrize("path", ["chapters/05-pain-mechanisms.html"])
def test_diagram_text_description_links_read_like_prose(browser, base_url, path):
    from mechgraph.prose import sentence_case

    context, page = open_page(browser, base_url, path)
    try:
        links = page.evaluate(_TERM_LINKS_JS, True)
        problems = [
            f"list item starts in lower case: {link['text']!r}"
            for link in links
            if link["itemStart"] and link["text"] != sentence_case(link["text"])
        ]
        seen: dict[tuple[int, str], int] = {}
        for link in links:
            key = (link["scope"], link["href"].rpartition("#")[2])
            seen[key] = seen.get(key, 0) + 1
        problems += [
            f"'{term}' linked {n} times in one text description" for (_, term), n in seen.items() if n > 1
        ]
        assert not problems, f"{path}:\n" + "\n".join(problems[:20])
    finally:
        context.close()


# -- print ----------------------------------------------------------------------------------

_PRINT_JS = """() => {
  const shown = el => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
                        return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'; };
  const visible = sel => [...document.querySelectorAll(sel)].filter(shown)
    .map(el => sel + ': ' + (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40));
  return {
    interface: [].concat(visible('button'), visible('.bd-header'), visible('.bd-sidebar-primary'),
                         visible('.bd-sidebar-secondary'), visible('.prev-next-area'), visible('.bd-footer'),
                         visible('summary:not(details.mechgraph-text > summary)'), visible('.headerlink')),
    // a prediction exercise is printed with its code and result (questions.js, mechgraph.css)
    code: [].concat(visible('div.cell:not(.mg-predict + div.cell) > div.cell_input'), visible('details.above-input')),
    solutions: visible('.solution'),
    descriptions: [...document.querySelectorAll('details.mechgraph-text')]
      .filter(d => !d.parentElement.closest('details.below-input'))  // its diagram is collapsed on purpose
      .map(d => ({open: d.open, shown: [...d.children].filter(c => c.tagName !== 'SUMMARY').some(shown)})),
    figuresSplit: [...document.querySelectorAll('figure')]
      .filter(f => !['avoid', 'avoid-page'].includes(getComputedStyle(f).breakInside)).length,
  };
}"""


@pytest.mark.parametrize("path", CHAPTERS)
def test_print_shows_the_text_not_the_interface(browser, base_url, path):
    context, page = open_page(browser, base_url, path)
    try:
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # what printing does
        seen = page.evaluate(_PRINT_JS)
        problems = [f"printed interface: {x}" for x in seen["interface"][:10]]
        problems += [f"printed code: {x}" for x in seen["code"][:5]]
        problems += [f"printed solution: {x}" for x in seen["solutions"][:5]]
        problems += [
            f"text description {i + 1} not printed"
            for i, d in enumerate(seen["descriptions"])
            if not d["shown"]
        ]
        if seen["figuresSplit"]:
            problems.append(
                f"{seen['figuresSplit']} figure(s) may be split across pages (no break-inside: avoid)"
            )
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        reopened = page.eval_on_selector_all(
            "details.mechgraph-text", "els => els.filter(d => d.open).length"
        )
        if reopened:
            problems.append(f"{reopened} text description(s) left open after printing")
        assert not problems, f"{path}:\n" + "\n".join(problems)
    finally:
        context.close()


# -- nothing machine-made on a student page ------------------------------------------------

#: the pages a student reads (every chapter that is a notebook, the primers too)
STUDENT_PAGES = sorted(
    f"chapters/{p.stem}.html"
    for p in (REPO / "chapters").glob("*.md")
    if "```{code-cell}" in p.read_text(encoding="utf-8")
)
#: what a program writes and a person would not: data ids (``intro-05``, ``e14``), snake_case
#: values, file paths, computer notation for numbers (``2.4e+08``, ``10^6``), pandas' markup
MACHINE = re.compile(
    r"\b[a-z]+(?:-[a-z]+)*-\d{2,}\b"  # a statement or question id: tumour-61, primer-01
    r"|\be\d{2}\b"  # an erratum id: e14
    r"|\b[a-z][a-z0-9]*_[a-z0-9_]+\b"  # snake_case: cancer_pain, dorsal_horn_neuron
    r"|\b[\w.-]+/[\w./-]*\.(?:csv|json|py|md|ipynb|yml|bib)\b|\bdata/"  # a file path
    r"|\b\d+(?:\.\d+)?e[+-]?\d+\b"  # 2.4e+08
    r"|\b10\^-?\d+"  # 10^6
    r"|\w\.\.\.(?=\s|$)|\bdtype:"  # a cell cut off by pandas, a dtype line
)

_VISIBLE_TEXT_JS = """() => {
  const article = document.querySelector('main .bd-article') || document.querySelector('main');
  const copy = article.cloneNode(true);
  // code a reader chose to see is code; everything else, outputs included, is text for people
  copy.querySelectorAll('.cell_input, .highlight, script, style, .headerlink, .visually-hidden, .sr-only')
    .forEach(el => el.remove());
  const raw = [...article.querySelectorAll('div.cell_output table.dataframe:not(.mechgraph-table)')].length;
  document.body.appendChild(copy);
  const text = copy.innerText;
  copy.remove();
  return {text, raw};
}"""


@pytest.mark.parametrize("path", STUDENT_PAGES or ["chapters/01-why-cancer-pain.html"])
def test_no_machine_made_text_on_a_student_page(browser, base_url, path):
    context, page = open_page(browser, base_url, path)
    try:
        seen = page.evaluate(_VISIBLE_TEXT_JS)
    finally:
        context.close()
    tokens = sorted(MACHINE.findall(seen["text"]))
    assert not seen["raw"], f"{seen['raw']} raw DataFrame table(s) on the page"
    assert not tokens, f"{len(tokens)} machine-made token(s): {tokens}"


# -- one piece: toggles, headings, the Next link, numbers per chapter ------------------------

_PIECE_JS = """() => {
  const article = document.querySelector('main .bd-article');
  const toggles = [...article.querySelectorAll('details.hide-above-input, .cell_input details, details.above-input')]
    .filter(d => d.offsetParent !== null).length;
  const checks = [...article.querySelectorAll('h1, h2, h3')].filter(h => /Check your understanding/.test(h.textContent)).length;
  const next = [...article.querySelectorAll('a')].filter(a => /^Next/.test((a.closest('p') || a).textContent.trim()));
  const nextHref = next.length ? next[next.length - 1].href : null;
  const last = [...article.querySelectorAll('p, h2, h3, section > div, fieldset, table')].filter(e => e.offsetParent !== null).pop();
  const footer = document.querySelector('.prev-next-area a.right-next, a.right-next');
  const numbers = [...article.querySelectorAll('figcaption .caption-number, .exercise .admonition-title, .caption-number')]
    .map(e => e.textContent.trim());
  return {toggles, checks, nextHref, nextIsLast: !!(last && nextHref && last.contains(next[next.length - 1])),
          footer: footer ? footer.href : null, numbers, title: document.querySelector('h1').textContent};
}"""


@pytest.mark.parametrize("path", STUDENT_PAGES or ["chapters/01-why-cancer-pain.html"])
def test_a_chapter_reads_as_one_piece(browser, base_url, path):
    context, page = open_page(browser, base_url, path)
    try:
        seen = page.evaluate(_PIECE_JS)
    finally:
        context.close()
    assert seen["toggles"] <= 3, f"{seen['toggles']} code toggles"
    assert seen["checks"] == 1, f"{seen['checks']} 'Check your understanding' headings"
    assert seen["nextHref"] and seen["nextHref"] == seen["footer"], (seen["nextHref"], seen["footer"])
    assert seen["nextIsLast"], "the Next link is not the last thing on the page"
    chapter = re.match(r"(\d+)\.\s", seen["title"])
    wrong = [
        n
        for n in seen["numbers"]
        if chapter and re.search(r"\d", n) and not re.search(rf"\b{chapter[1]}\.\d+\b", n)
    ]
    assert not wrong, f"numbered across the book, not per chapter: {wrong[:8]}"


_CUT_TERMS_JS = """() => [...document.querySelectorAll('main .bd-article a.reference .std-term')]
  .map(term => term.closest('a'))
  .filter(a => a.nextSibling && a.nextSibling.nodeType === 3 && /^[A-Za-z]/.test(a.nextSibling.textContent))
  .map(a => a.textContent + '|' + a.nextSibling.textContent.slice(0, 12))"""


@pytest.mark.parametrize("path", STUDENT_PAGES or ["chapters/01-why-cancer-pain.html"])
def test_glossary_links_cover_whole_words(browser, base_url, path):
    """A glossary link never stops mid-word ("Schwann cell" + "s")."""
    context, page = open_page(browser, base_url, path)
    try:
        cut = page.evaluate(_CUT_TERMS_JS)
    finally:
        context.close()
    assert not cut, f"{len(cut)} glossary link(s) stop mid-word: {cut[:10]}"
