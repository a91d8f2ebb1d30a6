"""Check that the chapters parse as MyST notebooks before anything is executed.

``python -m mechgraph check-myst FILE...`` (a pre-commit hook) reads each file with the parsers the
build uses (myst-parser's block level, myst-nb's cell reader) and gives one line per problem,
``chapters/x.md, line N: what is wrong``: front matter that is not YAML or that forgets to declare
the notebook (the page would be built as plain text, its code never run), a notebook without a
kernel, a fence that is never closed or that swallows the next directive, a code cell whose options
cannot be read or that is not valid Python, and markdown-cell metadata that is not JSON. It takes a
second, where the build would stop minutes later, or not at all.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import yaml
from markdown_it.renderer import RendererHTML
from myst_nb.core.read import MystMetadataParsingError, is_myst_markdown_notebook, read_myst_markdown_notebook
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.directives import parse_directive_text
from myst_parser.parsers.mdit import create_md_parser

#: the syntax extensions of the book (``parse: myst_enable_extensions`` in _config.yml)
EXTENSIONS = ("colon_fence", "deflist", "substitution")
CODE_CELL = "{code-cell}"


class _CellOptions:  # what myst-nb's reader expects of a directive: options and a body
    option_spec = {"options": True}
    required_arguments = 0
    optional_arguments = 1
    has_content = True


def _front_matter(lines: list[str]) -> tuple[str, int] | None:
    """The YAML between the opening ``---`` and the next ``---`` or ``...``, and the closing line."""
    if not lines or lines[0].rstrip() != "---":
        return None
    for number, line in enumerate(lines[1:], 2):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[1 : number - 1]), number
    return "\n".join(lines[1:]), len(lines)


def _syntax_error(source: str) -> SyntaxError | None:
    """The syntax error of a cell's source as the kernel reads it (IPython magics allowed), if any."""
    from IPython.core.inputtransformer2 import TransformerManager

    if not source.strip():
        return None
    try:
        compile(
            TransformerManager().transform_cell(source),
            "<cell>",
            "exec",
            flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
        )
    except SyntaxError as err:
        return err
    return None


def notebook_problems(path: Path) -> list[str]:
    """Every reason why ``path`` would not be read as the MyST notebook or page it is meant to be."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return [f"{path}: cannot be read ({err})"]
    lines = text.splitlines()
    problems: list[str] = []
    where = f"{path}, line"
    config = MdParserConfig(enable_extensions=set(EXTENSIONS))
    blocks = dataclasses.replace(config, disable_syntax=["inline"])  # the block level, as myst-nb reads it
    tokens = create_md_parser(blocks, RendererHTML).parse(text + "\n")
    unclosed = [t for t in tokens if t.type in ("fence", "colon_fence") and t.map and not _closed(t, lines)]
    for token in unclosed:
        problems.append(
            f"{where} {token.map[0] + 1}: the {token.markup} fence opened here is never closed, "
            "so it swallows the rest of the page"
        )
    for token in tokens:  # a directive's opening line inside a fence of the same length was swallowed by it
        if token.type in ("fence", "colon_fence") and token.map and token not in unclosed:
            opener = re.compile(rf"\s*{re.escape(token.markup)}(?!{re.escape(token.markup[0])})\S")
            for number, line in enumerate(token.content.splitlines(), token.map[0] + 2):
                if opener.match(line):
                    problems.append(
                        f"{where} {number}: {line.strip()[:40]!r} is inside the {token.markup} fence opened at "
                        f"line {token.map[0] + 1}: close that fence first (or give an enclosing one more "
                        f"{token.markup[0]})"
                    )
    cells = [t for t in tokens if t.type == "fence" and t.level == 0 and t.info.startswith(CODE_CELL)]
    top = _front_matter(lines)
    if top is not None:
        try:
            meta = yaml.safe_load(top[0])
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            return problems + [
                f"{where} {mark.line + 2 if mark else 1}: the front matter is not valid YAML "
                f"({getattr(err, 'problem', None) or err})"
            ]
    if not is_myst_markdown_notebook(text):
        if cells:
            problems.append(
                f"{where} 1: the page has code cells but its front matter does not declare a MyST "
                "notebook (jupytext: text_representation: format_name: myst), so they would never run"
            )
        return problems
    if not isinstance(meta.get("kernelspec"), dict) or not meta["kernelspec"].get("name"):
        problems.append(f"{where} 1: the front matter names no kernel (kernelspec: name: python3)")
    python = str((meta.get("kernelspec") or {}).get("language", "python")).lower() == "python"
    for token in cells:
        cell = parse_directive_text(_CellOptions, "", token.content, validate_options=False)
        if cell.warnings:
            problems.append(
                f"{where} {token.map[0] + 1}: the options of this code cell cannot be read "
                f"({cell.warnings[0].msg})"
            )
        elif python and token not in unclosed and (error := _syntax_error("\n".join(cell.body))):
            first = next(line.strip() for line in cell.body if line.strip())
            line = token.map[0] + 2 + cell.body_offset + (error.lineno or 1) - 1
            problems.append(
                f"{where} {line}: the code cell starting {first[:60]!r} is not valid Python "
                f"({type(error).__name__}: {error.msg})"
            )
    if not problems:  # what else myst-nb's reader refuses: the metadata of a markdown cell (+++ {...})
        try:
            read_myst_markdown_notebook(text, config=config)
        except MystMetadataParsingError as err:
            line = re.search(r"\bat line (\d+)", str(err))
            problems.append(f"{where} {line.group(1) if line else 1}: {err}")
    return problems


def _closed(token, lines: list[str]) -> bool:
    """Whether a fence ends on a closing fence line (an unclosed one runs to the end of the page)."""
    start, end = token.map
    last = lines[end - 1].strip() if end - 1 < len(lines) else ""
    return end - start > 1 and last.startswith(token.markup) and not last.strip(token.markup[0])
