"""Read just enough of references.bib: keys, DOIs and short author-year labels.

:func:`bib_problems` checks the file the way the build will read it (every entry and every
field closed, braces balanced, keys unique, then pybtex's own parser) and never raises: one
line per problem, ``references.bib, line N: ...``. :func:`read_bib` reads a checked file.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

_ENTRY = re.compile(r"^[ \t]*@(\w+)\s*\{", re.MULTILINE)
_KEY = re.compile(r"\s*([^,\s{}]+)\s*,")
_FIELD_NAME = re.compile(r"\s*([A-Za-z][\w-]*)\s*=\s*")
_NUMBER = re.compile(r"\w+")


@dataclass(frozen=True)
class Reference:
    key: str
    authors: str
    year: str
    doi: str
    title: str = ""

    @property
    def short(self) -> str:
        """'Dominici et al. 2006' style label for tooltips and plain-text lists."""
        names = [a.strip() for a in self.authors.split(" and ") if a.strip()]
        surnames = [n.split(",")[0].strip().strip("{}") for n in names]
        if not surnames:
            return f"{self.key} {self.year}"
        if len(surnames) == 1:
            who = surnames[0]
        elif len(surnames) == 2 and surnames[1] != "others":
            who = f"{surnames[0]} and {surnames[1]}"
        else:
            who = f"{surnames[0]} et al."
        return f"{who} {self.year}"

    @property
    def url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


class BibError(ValueError):
    """A problem in the BibTeX file; the message names the file and line."""


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _closing(text: str, start: int, stop: int, open_char: str = "{") -> int | None:
    """Index of the brace closing the one at ``start`` (or of the closing quote), None if not before ``stop``."""
    depth = 0
    close = "}" if open_char == "{" else '"'
    for i in range(start, stop):
        c = text[i]
        if open_char == '"' and i > start and c == '"' and depth == 0:
            return i
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and close == "}":
                return i
            if depth < 0:
                return None
    return None


@functools.lru_cache(maxsize=4)  # checked, then read, by every validation: parse each text once
def _parse(path: Path, text: str) -> dict[str, tuple[int, dict[str, str]]]:
    """key -> (line, fields); raise BibError naming the file and line of the first problem.
    Cached: callers must not change what it returns."""
    name = path.name
    entries: dict[str, tuple[int, dict[str, str]]] = {}
    starts = [m for m in _ENTRY.finditer(text)]
    for i, match in enumerate(starts):
        kind = match.group(1).lower()
        line = _line(text, match.start())
        if kind in ("comment", "preamble", "string"):
            continue
        brace = match.end() - 1
        stop = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        named = _KEY.match(text, brace + 1, stop)
        label = f"'{named.group(1)}'" if named else f"'@{match.group(1)}'"
        end = _closing(text, brace, stop)
        tail = text[end + 1 : stop].strip() if end is not None else ""
        if end is None or (tail and not tail.startswith("%")):
            for number, row in enumerate(text[brace + 1 : stop].split("\n")[1:], start=line + 1):
                opened, closed = row.count("{"), row.count("}")
                if opened != closed and row.strip() != "}" and "=" in row:
                    raise BibError(
                        f"{name}, line {number}: a field of {label} has {opened} '{{' but {closed} '}}'"
                    )
            if end is None:
                raise BibError(f"{name}, line {line}: entry {label} is not closed (a '}}' is missing)")
            raise BibError(
                f"{name}, line {_line(text, end)}: entry {label} ends here, before its last fields "
                "(a '}' too many)"
            )
        key_match = named if named and named.end() <= end else None
        if not key_match:
            raise BibError(f"{name}, line {line}: the entry has no key (write @{match.group(1)}{{key, ...)")
        key = key_match.group(1)
        if key in entries:
            raise BibError(f"{name}, line {line}: duplicate key '{key}' (first on line {entries[key][0]})")
        fields: dict[str, str] = {}
        pos = key_match.end()
        while True:
            while pos < end and text[pos] in " \t\r\n,":
                pos += 1
            if pos >= end:
                break
            field = _FIELD_NAME.match(text, pos, end)
            if not field:
                raise BibError(
                    f"{name}, line {_line(text, pos)}: in '{key}', expected 'name = {{value}}' "
                    f"but found {text[pos:end].splitlines()[0][:30]!r}"
                )
            pos = field.end()
            if pos < end and text[pos] in '{"':
                close = _closing(text, pos, end, text[pos])
                if close is None:
                    raise BibError(
                        f"{name}, line {_line(text, pos)}: field '{field.group(1)}' of '{key}' "
                        "is not closed or its braces do not balance"
                    )
                value, pos = text[pos + 1 : close], close + 1
            else:
                number = _NUMBER.match(text, pos, end)
                if not number:
                    raise BibError(
                        f"{name}, line {_line(text, pos)}: field '{field.group(1)}' of '{key}' has no value"
                    )
                value, pos = number.group(), number.end()
            fields[field.group(1).lower()] = " ".join(value.split())
            while pos < end and text[pos] in " \t\r\n":
                pos += 1
            if pos < end and text[pos] != ",":
                raise BibError(
                    f"{name}, line {_line(text, pos)}: a ',' is missing after field "
                    f"'{field.group(1)}' of '{key}'"
                )
        entries[key] = (line, fields)
    return entries


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BibError(f"{path.name}: the file is missing") from None
    except OSError as err:
        raise BibError(f"{path.name}: cannot be read ({err.strerror or err})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise BibError(
            f"{path.name}, line {line}: not valid UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8"
        ) from None
    if not text.strip():
        raise BibError(f"{path.name}: the file is empty")
    for number, line in enumerate(text.split("\n"), start=1):
        bad = [c for c in line.rstrip("\r") if ord(c) < 32 and c != "\t" or ord(c) == 127]
        if bad:
            raise BibError(f"{path.name}, line {number}: control character U+{ord(bad[0]):04X}; delete it")
    return text


def bib_problems(path: Path) -> list[str]:
    """The problems that would stop the build reading the bibliography (at most one line)."""
    path = Path(path)
    try:
        text = _read_text(path)
        if not _parse(path, text):
            return [f"{path.name}: no entries (expected @article{{key, ...}} blocks)"]
    except BibError as err:
        return [str(err)]
    return list(_pybtex_problems(path.name, text))


@functools.lru_cache(maxsize=4)  # the same file is checked before every build step and test
def _pybtex_problems(name: str, text: str) -> list[str]:
    try:  # the parser the build uses (sphinxcontrib-bibtex reads the file with pybtex)
        from pybtex.database import parse_string
        from pybtex.scanner import PybtexSyntaxError
        import pybtex.errors
    except ImportError:
        return []
    old = pybtex.errors.strict
    pybtex.errors.strict = True
    try:
        parse_string(text, "bibtex")
    except PybtexSyntaxError as err:
        return [f"{name}, line {err.lineno}: {err.error_type}"]
    except Exception as err:
        return [f"{name}: {type(err).__name__}: {err}"]
    finally:
        pybtex.errors.strict = old
    return []


def read_bib(path: Path) -> dict[str, Reference]:
    """Map every key in a BibTeX file to its Reference; raise BibError (file and line) if it is broken."""
    path = Path(path)
    entries = _parse(path, _read_text(path))
    return {
        key: Reference(
            key,
            f.get("author", ""),
            f.get("year", ""),
            f.get("doi", ""),
            f.get("title", "").replace("{", "").replace("}", ""),
        )
        for key, (_, f) in entries.items()
    }
