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
