"""The offline classroom pack: ``python -m mechgraph pack`` (``make pack`` builds the site and PDF first).

One zip holding the built site (open site/index.html) with the PDF in it, the executed notebooks, the
data, the package and pinned requirements that run the notebooks, and a short READ-ME.
Entries are sorted and dated with the release date, so the same build gives the same zip.
"""

from __future__ import annotations

import subprocess
import time
import zipfile
from pathlib import Path

from mechgraph.makeutil import pdf_problem, replacing
from mechgraph.release import ROOT, book_date, release_version

NAME = "msc-cancer-pain-book"

README = """{title}
{underline}
Version {version}, {date}. Offline classroom pack: no internet needed to read.

READ
  Open site/index.html in a web browser (double-click it), or print site/book.pdf.

RUN THE NOTEBOOKS (Python 3.10 or newer, Graphviz's `dot` program)
  python3 -m venv .venv
  .venv/bin/pip install --no-deps -r requirements.txt
  .venv/bin/pip install --no-deps --no-build-isolation -e .
  .venv/bin/jupyter lab chapters/
  (The wheels must come from a local package mirror or a copy made while online:
   `pip download --no-deps -r requirements.txt -d wheels`, then add `--no-index --find-links wheels`.)

CONTENTS
  site/           the book's web site; site/book.pdf is the whole book as one PDF
  chapters/       every chapter as an executed Jupyter notebook (.ipynb)
  data/           the data every diagram and table is drawn from (CSV, datapackage.json)
  mechgraph/      the Python package the notebooks use; references.bib, requirements.txt, pyproject.toml

Text and figures CC BY 4.0; code MIT (see LICENSE.md). Cite the book as CITATION.cff says.
"""


def tracked(root: Path, folder: str) -> list[Path] | None:
    """The files git tracks in ``folder`` of ``root`` (that are there), or None outside a git checkout."""
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--", folder], cwd=root, capture_output=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode:
        return None
    names = filter(None, out.stdout.decode("utf-8", "surrogateescape").split("\0"))
    return [root / name for name in names if (root / name).is_file() and not (root / name).is_symlink()]


def source_files(root: Path, folder: str) -> list[Path]:
    """The files of ``folder`` that belong to the book: those git tracks (an untracked file, such as
    a spreadsheet's lock file or someone's notes, stays out); outside a checkout, its plain files
    but hidden ones and symbolic links."""
    listed = tracked(root, folder)
    if listed is not None:
        return listed
    where = root / folder
    if where.is_file():
        return [where]
    return (
        sorted(
            p for p in where.iterdir() if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
        )
        if where.is_dir()
        else []
    )


def pack_files(html_dir: Path, root: Path = ROOT) -> list[tuple[str, Path]]:
    """(name in the zip, file on disk) for every file of the pack, sorted by name: the built site and
    its notebooks, and the book's own files of data/, mechgraph/ and the top folder (git tracks them)."""
    files = [(f"site/{p.relative_to(html_dir).as_posix()}", p) for p in html_dir.rglob("*") if p.is_file()]
    sources = html_dir / "_sources"
    files += [(p.relative_to(sources).as_posix(), p) for p in sources.rglob("*.ipynb")]
    files += [(f"data/{p.name}", p) for p in source_files(root, "data") if p.parent == root / "data"]
    files += [
        (f"mechgraph/{p.name}", p)
        for p in source_files(root, "mechgraph")
        if p.parent == root / "mechgraph" and p.suffix in (".py", ".css")
    ]
    for name in (
        "references.bib",
        "requirements.txt",
        "pyproject.toml",
        "setup.py",
        "MANIFEST.in",
        "LICENSE.md",
        "CITATION.cff",
        "CHANGELOG.md",
    ):
        files += [(name, p) for p in source_files(root, name)]
    return sorted(files)


def build(html_dir: Path = ROOT / "_build" / "html", out_dir: Path = ROOT / "_build" / "pack") -> Path:
    for needed, how in ((html_dir / "index.html", "make book"), (html_dir / "book.pdf", "make pdf")):
        if not needed.is_file():
            raise FileNotFoundError(f"{needed} is missing: run `{how}` first")
    problem = pdf_problem(html_dir / "book.pdf")  # never pack the remains of an interrupted print
    if problem:
        raise ValueError(f"{problem}: run `make pdf` again")
    import yaml

    title = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    version, date = release_version(), book_date()
    if version.endswith("dirty"):
        print(f"note: the checkout has uncommitted changes, so the pack is version {version}, not a release")
    stamp = tuple(time.strptime(date, "%Y-%m-%d"))[:6]
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{NAME}-{version}.zip"
    top = f"{NAME}-{version}"
    # written beside its place and renamed into it; the older packs go once the new one is whole
    with replacing(out) as writing, zipfile.ZipFile(writing, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)

        add(
            "READ-ME.txt",
            README.format(title=title, underline="=" * len(title), version=version, date=date).encode(),
        )
        for name, path in pack_files(html_dir):
            add(name, path.read_bytes())
    for old in out_dir.glob(f"{NAME}-*.zip"):
        if old != out:
            old.unlink()
    print(
        f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} ({out.stat().st_size / 1e6:.1f} MB)"
    )
    return out
