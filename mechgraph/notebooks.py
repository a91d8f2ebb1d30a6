"""Say what failed in a notebook and where: the chapter's file and line, the cell's first source
line, and the exception or the time limit, in one line (the full traceback goes to a log file)."""

from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL = re.compile(r"^-{10,}\n(.*?)\n-{10,}$", re.MULTILINE | re.DOTALL)


def _first_line(cell_source: str) -> str:
    text = cell_source.strip()
    if text.startswith("[") and text.endswith("]"):  # some nbclient versions preview a list of lines
        text = text[1:-1].split("', '")[0].strip("'\"")
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def failure_line(
    source: str, text: str, error: str | None, traceback: str, timeout: int | None, log: str = ""
) -> str:
    """One line: ``chapters/x.md, line N: the cell starting 'code' raised KeyError: 'x' (...)``.

    ``source`` names the chapter file, ``text`` is its content (to find the cell's line),
    ``error`` the exception class name, ``traceback`` the text jupyter-cache recorded."""
    plain = _ANSI.sub("", traceback or "")
    cell = _CELL.search(plain)
    first = _first_line(cell.group(1)) if cell else ""
    number = next((i for i, line in enumerate(text.splitlines(), 1) if first and line.strip() == first), None)
    where = f"{source}, line {number}" if number else source
    what = f"the code cell starting {first[:60]!r}" if first else "a code cell"
    if error == "CellTimeoutError" or "timed out" in plain:
        cause = (
            f"did not finish within the time limit ({timeout} s, 'execute: timeout' in _config.yml)"
            if timeout
            else "did not finish within the time limit"
        )
    else:
        tail = plain[cell.end() :] if cell else plain
        lines = [line.strip() for line in tail.splitlines() if line.strip()]
        last = next((line for line in reversed(lines) if re.match(r"^[A-Za-z_][\w.]*(: |$)", line)), "")
        cause = f"raised {last}" if last else f"failed ({error or 'unknown error'})"
    return f"{where}: {what} {cause}" + (f" (traceback in {log})" if log else "")


# -- the downloaded notebook: plain Markdown that JupyterLab, VS Code and Colab show as written ----

#: MyST-only markup a plain Markdown viewer shows raw: roles, directives, targets, substitutions,
#: directive options. The test of the downloaded notebooks scans their Markdown cells with it.
MYST_MARKUP = re.compile(
    r"\{[a-z][\w:-]*\}`"  # a role: {cite:p}`key`
    r"|^\s*(?:`{3,}|:{3,})\s*\{[\w-]+\}"  # a directive fence: ```{exercise}
    r"|^\([\w.:-]+\)=\s*$"  # a target: (label)=
    r"|\{\{[^}]*\}\}"  # a substitution: {{ key }}
    r"|^:(?:label|class|tags|chapter|name|width|alt|all|loading):",  # a directive's option
    re.MULTILINE,
)

_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\s*\{(?P<name>[\w-]+)\}\s*(?P<arg>.*)$")
_ROLE = re.compile(r"\{(?P<role>[a-z][\w:-]*)\}`(?P<body>[^`]*)`")
_TARGET = re.compile(r"^\([\w.:-]+\)=\s*$")
_SUBSTITUTION = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
_OPTION = re.compile(r"^:([\w-]+):\s*(.*)$")
_ADMONITIONS = {
    "admonition",
    "note",
    "tip",
    "hint",
    "important",
    "warning",
    "caution",
    "attention",
    "danger",
    "error",
    "seealso",
    "dropdown",
    "topic",
    "sidebar",
    "margin",
}


class Links:
    """What the Markdown of a downloaded notebook links to; :mod:`mechgraph.sphinxext` fills it
    from the built site (citations from references.bib, labels, titles and numbers from Sphinx)."""

    def __init__(self, site: str = "", page: str = ""):
        self.site = site.rstrip("/") + "/" if site else ""
        self.page = page  # the docname of the notebook's page, e.g. chapters/06-therapy-prospects

    def page_url(self, docname: str, anchor: str = "") -> str:
        return f"{self.site}{docname}.html" + (f"#{anchor}" if anchor else "")

    def cite(self, key: str, textual: bool) -> str:
        return key

    def term(self, text: str, target: str) -> str:
        return text

    def doc(self, text: str | None, target: str) -> str:
        return text or target

    def ref(self, text: str | None, target: str) -> str:
        return text or target

    def numref(self, text: str | None, target: str) -> str:
        return text or target

    def substitution(self, name: str) -> str | None:
        return None

    def questions(self, chapter: str) -> tuple[str, str]:
        """(the questions as Markdown, their key as Markdown)."""
        return "", ""


def _split_role(body: str) -> tuple[str | None, str]:
    """``text <target>`` gives (text, target); ``target`` gives (None, target)."""
    match = re.fullmatch(r"(.*?)\s*<([^<>]+)>", body.strip(), re.DOTALL)
    return (match[1], match[2]) if match else (None, body.strip())


def _roles(text: str, links: Links) -> str:
    def one(match: re.Match) -> str:
        role, body = match["role"], match["body"]
        label, target = _split_role(body)
        if role in ("cite:p", "cite:ps", "cite", "cite:t", "cite:ts"):
            keys = [k.strip() for k in target.split(",") if k.strip()]
            if role.startswith("cite:t"):
                return ", ".join(links.cite(k, True) for k in keys)
            return "(" + "; ".join(links.cite(k, False) for k in keys) + ")"
        if role == "term":
            return links.term(label or target, target)
        if role == "doc":
            return links.doc(label, target)
        if role == "ref":
            return links.ref(label, target)
        if role == "numref":
            return links.numref(label, target)
        if role == "download":
            return label or target
        return label or target  # any other role: its text

    return _ROLE.sub(one, text)


def _quote(lines: list[str]) -> list[str]:
    return [f"> {line}".rstrip() for line in lines]


def _directive(name: str, arg: str, body: list[str], links: Links, state: dict) -> list[str]:
    """A MyST directive as plain Markdown lines (solutions are kept aside for the end)."""
    options: dict[str, str] = {}
    while body and _OPTION.match(body[0]):
        key, value = _OPTION.match(body[0]).groups()
        options[key] = value
        body = body[1:]
    if body and body[0].strip() == "---":  # YAML options
        end = next((i for i, line in enumerate(body[1:], 1) if line.strip() == "---"), 0)
        body = body[end + 1 :]
    inner = _convert_lines(body, links, state)
    if name == "exercise":
        state["exercises"] += 1
        number = state["exercise_number"](options.get("label", ""), state["exercises"])
        state["exercise_of_label"][options.get("label", "")] = number
        return [f"**Exercise {number}.** " + (inner[0] if inner else ""), *inner[1:]]
    if name == "solution":
        number = state["exercise_of_label"].get(arg.strip(), arg.strip())
        state["solutions"] += [f"**Exercise {number}.** " + (inner[0] if inner else ""), *inner[1:], ""]
        return []
    if name == "data-questions":
        questions, key = links.questions(options.get("chapter", ""))
        if key:
            state["key"] = key
        return questions.splitlines()
    if name in ("figure", "image"):
        alt = options.get("alt", "")
        src = arg.strip()
        if links.site and not re.match(r"[a-z]+://", src):
            src = links.site + "_images/" + src.rsplit("/", 1)[-1]
        return [f"![{alt}]({src})", "", *(f"*{line}*" if line.strip() else line for line in inner)]
    if name in _ADMONITIONS:
        title = arg.strip() or name.capitalize()
        if name == "dropdown":
            title = arg.strip() or "Details"
        return _quote([f"**{_roles(title, links)}**", "", *inner])
    if name in ("bibliography",):
        return []
    if name.startswith("data-") and links.site:  # generated from the data when the page is built
        return [
            f"*This part is generated from the book's data: see it on [the web page]({links.page_url(links.page)}).*"
        ]
    return inner  # any other directive: its content


def _convert_lines(lines: list[str], links: Links, state: dict) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line.strip()) if not line.startswith("    ") else None
        if fence:
            close = fence["fence"][0] * len(fence["fence"])
            j = i + 1
            while j < len(lines) and lines[j].strip() != close:
                j += 1
            out += _directive(fence["name"], fence["arg"], lines[i + 1 : j], links, state)
            i = j + 1
            continue
        if _TARGET.match(line):
            i += 1
            continue
        line = _SUBSTITUTION.sub(lambda m: links.substitution(m[1]) or m[1], line)
        out.append(_roles(line, links))
        i += 1
    return out


def plain_markdown(source: str, links: Links, state: dict) -> str:
    """One Markdown cell's MyST source as plain Markdown."""
    text = "\n".join(_convert_lines(source.splitlines(), links, state))
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def portable(nb, links: Links, setup: str, caption=None):
    """The notebook a reader downloads: the set-up cell first, Markdown that any notebook viewer
    shows as written, figure captions under their cells, the solutions and the self-test key at the
    end. Outputs are kept. ``caption(cell)`` gives a code cell's caption line (or None)."""
    import nbformat

    if nb.cells and nb.cells[0].get("id") == "setup" and nb.cells[0].source == setup:
        return nb  # made portable already
    state = {
        "exercises": 0,
        "solutions": [],
        "key": "",
        "exercise_of_label": {},
        "exercise_number": getattr(links, "exercise_number", lambda label, n: str(n)),
    }
    cells = [nbformat.v4.new_code_cell(setup)]
    cells[0].metadata["tags"] = ["setup"]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(cell.source, links, state)
            if not cell.source.strip():
                continue
        cells.append(cell)
        line = caption(cell) if caption and cell.cell_type == "code" else None
        if line:
            cells.append(nbformat.v4.new_markdown_cell(plain_markdown(line, links, state)))
    end = []
    if state["solutions"]:
        end += ["## Solutions to the exercises", "", *state["solutions"]]
    if state["key"]:
        end += ["## Answers to the self-test", "", state["key"]]
    if end:
        cells.append(nbformat.v4.new_markdown_cell("\n".join(end).strip()))
    for number, cell in enumerate(cells, 1):
        cell["id"] = "setup" if number == 1 else f"cell-{number}"
    nb.cells = cells
    return nb


def _plain(text: str) -> str:
    """Data text made literal in Markdown (the one escaping path, mechgraph.text)."""
    from mechgraph.text import markdown_text

    return markdown_text(text)


def questions_markdown(data, chapter: str, cite) -> tuple[str, str]:
    """A chapter's self-test as Markdown text, and its key (right options and why) for the end."""
    from mechgraph.questions import answer, chapter_questions, options

    body, key = [], []
    for number, question in enumerate(chapter_questions(data, chapter).itertuples(), 1):
        kind = data.labels("question_kind").get(question.kind, question.kind)
        items = options(data, question)
        body += [f"**Question {number}** ({_plain(kind)}). {_plain(question.stem)}", ""]
        body += [f"- {letter.upper()}. {_plain(text)}" for letter, text, _ in items]
        sources = "; ".join(cite(k, False) for k in question.citations)
        body += ["", f"*Tests:* {_plain(question.objective)}. *Source:* ({sources})", ""]
        right = answer(data, question)
        if question.kind == "ordering":
            shown = "the order " + ", ".join(letter.upper() for letter in right)
        else:
            shown = ", ".join(letter.upper() for letter in right)
        why = " ".join(_plain(feedback) for letter, _, feedback in items if letter in right and feedback)
        key.append(f"{number}. {shown}. {why}".rstrip())
    return "\n".join(body).strip(), "\n".join(key)
