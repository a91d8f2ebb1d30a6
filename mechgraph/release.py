"""The book's version and release date, the same on the site footer, the PDF and the pack.

The version comes from the git tag (``v1.2.0`` gives ``1.2.0``; three commits after it,
``1.2.0+3.gabc1234``); without git or without a tag it is the version in pyproject.toml.
The date is the commit's date, so two builds of the same commit say the same thing. The PDF and
the pack of a checkout with uncommitted changes say ``+dirty`` (:func:`release_version`).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

#: the book's folder: `make` and `python -m mechgraph` run from it (the Sphinx extension passes its source folder)
ROOT = Path.cwd()


def _git(root: Path, *args: str) -> str | None:
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def pyproject_version(root: Path = ROOT) -> str:
    """The `version = "..."` of pyproject.toml's [project] table."""
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'(?m)^version\s*=\s*"([^"]+)"', text)
    if not match:
        raise ValueError(f'{root / "pyproject.toml"}: no version = "..." line in [project]')
    return match[1]


def version_from_describe(described: str) -> str:
    """`git describe --tags` output as a version: 'v1.2.0' -> '1.2.0', 'v1.2.0-3-gabc' -> '1.2.0+3.gabc'."""
    match = re.fullmatch(r"v?(?P<tag>.+?)(?:-(?P<n>\d+)-(?P<sha>g[0-9a-f]+))?", described)
    if not match:
        return described
    return match["tag"] + (f"+{match['n']}.{match['sha']}" if match["n"] else "")


def book_version(root: Path = ROOT) -> str:
    """The version from the nearest git tag; without one, pyproject.toml's; for a book folder
    with neither, the version of the installed mechgraph package."""
    described = _git(root, "describe", "--tags", "--match", "v[0-9]*")
    if described:
        return version_from_describe(described)
    if (root / "pyproject.toml").is_file():
        return pyproject_version(root)
    from importlib.metadata import version

    return version("mechgraph")


def release_version(root: Path = ROOT) -> str:
    """:func:`book_version` for what is handed out (the PDF, the pack): with ``+dirty`` (``.dirty``
    after a local part, ``1.2.0+3.gabc1234.dirty``) when the checkout has changes not committed,
    so that a pack of a modified tree cannot pass for the release."""
    version = book_version(root)
    if not uncommitted(root):
        return version
    return version + (".dirty" if "+" in version else "+dirty")


def uncommitted(root: Path = ROOT) -> list[str]:
    """The files of a git checkout with changes not committed (modified, added, deleted, or new
    and not ignored), as ``git status --porcelain`` lists them; none outside a checkout."""
    if not (root / ".git").exists():
        return []
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return out.stdout.splitlines() if out.returncode == 0 else []


#: the latest release time SOURCE_DATE_EPOCH may give (2100-01-01): a larger number is a mistake,
#: most often milliseconds, and would print dates that do not fit the PDF's fixed-width fields
LATEST_EPOCH = 4102444800


def source_date_epoch(value: str) -> int:
    """SOURCE_DATE_EPOCH's value as seconds, or ValueError with one line saying what is wrong."""
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        raise ValueError(
            f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970-01-01 UTC "
            "(e.g. the commit's: git log -1 --format=%ct)"
        )
    seconds = int(text)
    if seconds > LATEST_EPOCH:
        hint = (
            f"; it looks like milliseconds: give seconds, SOURCE_DATE_EPOCH={seconds // 1000}"
            if seconds // 1000 <= LATEST_EPOCH
            else ""
        )
        raise ValueError(f"SOURCE_DATE_EPOCH={text} is after the year 2100{hint}")
    return seconds


def book_timestamp(root: Path = ROOT) -> int:
    """The release time (seconds since 1970, UTC): SOURCE_DATE_EPOCH (checked by
    :func:`source_date_epoch`; empty counts as unset), else the commit's time, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.strip():
        return source_date_epoch(epoch)
    committed = _git(root, "log", "-1", "--format=%ct")
    return int(committed) if committed and committed.isdigit() else int(time.time())


def book_date(root: Path = ROOT) -> str:
    """The release date (YYYY-MM-DD) of :func:`book_timestamp`."""
    return time.strftime("%Y-%m-%d", time.gmtime(book_timestamp(root)))


def _authors(entry: dict) -> list[str]:
    return [
        a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}".strip(", ")
        for a in entry.get("authors", [])
    ]


def citation(cff_path: Path = ROOT / "CITATION.cff", version: str | None = None) -> tuple[str, str]:
    """The book's citation as (plain text, BibTeX), both from CITATION.cff and the version."""
    import yaml

    cff = yaml.safe_load(cff_path.read_text(encoding="utf-8"))
    book = cff.get("preferred-citation", cff)
    version = version or book_version(cff_path.parent)
    authors = " and ".join(_authors(book))
    url = book.get("url") or cff.get("url") or cff.get("repository-code", "")
    year = book.get("year") or str(cff.get("date-released", ""))[:4]
    text = f"{authors} ({year}). *{book['title']}*. Version {version}. {url}"
    bibtex = "\n".join(
        [
            "@book{msc_cancer_pain_companion,",
            f"  title   = {{{book['title']}}},",
            f"  author  = {{{{{authors}}}}},",
            f"  year    = {{{year}}},",
            f"  edition = {{Version {version}}},",
            f"  url     = {{{url}}},",
            "}",
        ]
    )
    return text, bibtex
