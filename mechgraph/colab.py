"""The Colab route: every chapter as an executed ``.ipynb`` whose first cell sets up what Colab lacks.

Colab opens ``.ipynb`` files from GitHub but not MyST Markdown, so ``python -m mechgraph notebooks``
(``make notebooks``) takes the executed notebooks the site offers for download
(``_build/html/_sources/**/*.ipynb``, which already start with :func:`setup_cell` and hold plain
Markdown, see :func:`mechgraph.notebooks.portable`) and writes them,
one flat folder, to ``_build/notebooks/``; the Pages workflow publishes that folder on the branch
``notebooks``, and every chapter's launch menu links to its copy there (:func:`colab_url`).
The set-up cell is written here only: the instructor guide shows this same text (the
``colab_setup_cell`` substitution that :mod:`mechgraph.sphinxext` sets).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

#: the branch the Pages workflow publishes the notebooks on
NOTEBOOKS_BRANCH = "notebooks"
COLAB = "https://colab.research.google.com/github"

SETUP_CELL = """\
# Set-up, run it first. Where the book's package is missing (on Colab, in JupyterLab or VS Code on
# your own computer), this installs it, with a copy of the book's data, from the repository named
# below, and Graphviz. Where both are present, as in the book's own environment, it does nothing.
import importlib.util, shutil, subprocess, sys
PACKAGE = {package}
if importlib.util.find_spec("mechgraph") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", PACKAGE], check=True)
if shutil.which("dot") is None and shutil.which("apt-get"):
    subprocess.run("apt-get -qq update && apt-get -qq install -y graphviz", shell=True, check=True)
if shutil.which("dot") is None:
    print("Graphviz's dot program is missing: install Graphviz (https://graphviz.org/download/) for the diagrams")"""


def _github(repository_url: str) -> str:
    """``owner/name`` of a GitHub repository URL."""
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?/?", repository_url.strip())
    if not match:
        raise ValueError(
            f"repository url {repository_url!r} is not a GitHub repository "
            "(https://github.com/owner/name); Colab opens notebooks from GitHub only"
        )
    return match[1]


def setup_cell(repository_url: str, branch: str) -> str:
    """The first cell of every downloadable notebook: install the package and Graphviz only if
    missing. The values from _config.yml go into the code as a Python literal, whatever they hold."""
    if not isinstance(branch, str) or not branch.strip():
        raise ValueError(f"repository branch {branch!r} in _config.yml is not a branch name")
    package = f"git+https://github.com/{_github(repository_url)}@{branch}"
    return SETUP_CELL.format(package=repr(package))


def site_url(repository_url: str) -> str:
    """Where GitHub Pages publishes the book of a repository: ``https://owner.github.io/name/``."""
    owner, name = _github(repository_url).split("/")
    return f"https://{owner.lower()}.github.io/{name}/"


def notebook_name(pagename: str) -> str:
    """The file name of a page's notebook on the notebooks branch: ``chapters/x`` gives ``x.ipynb``."""
    return PurePosixPath(pagename).name + ".ipynb"


def colab_url(repository_url: str, pagename: str) -> str:
    """Where Colab opens a page's notebook from the notebooks branch."""
    return f"{COLAB}/{_github(repository_url)}/blob/{NOTEBOOKS_BRANCH}/{notebook_name(pagename)}"


def add_colab_link(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """An "Open in Colab" entry in the launch menu sphinx-book-theme gives every notebook page."""
    url = app.config.html_theme_options.get("repository_url")
    group = next((b for b in context.get("header_buttons", []) if b.get("label") == "launch-buttons"), None)
    if group is None or not url:
        return
    group["buttons"].append(
        {
            "type": "link",
            "text": "Open in Colab",
            "tooltip": "Open this notebook in Colab",
            "icon": "_static/images/logo_colab.png",
            "url": colab_url(url, pagename),
        }
    )


def export(sources: Path, out_dir: Path, repository_url: str, branch: str) -> list[Path]:
    """Write every notebook under ``sources`` (a built site's ``_sources``) to ``out_dir`` with the
    set-up cell first; returns the files written."""
    import nbformat

    notebooks = sorted(sources.rglob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks under {sources}: run `make book` first")
    names = [notebook_name(path.relative_to(sources).with_suffix("").as_posix()) for path in notebooks]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"two pages would share a notebook name on the notebooks branch: {', '.join(twice)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.ipynb"):
        old.unlink()
    cell = nbformat.v4.new_code_cell(setup_cell(repository_url, branch), id="setup")
    written = []
    for path, name in zip(notebooks, names, strict=True):
        nb = nbformat.read(path, as_version=4)
        if not nb.cells or nb.cells[0].source != cell.source:  # the site's download has it already
            nb.cells.insert(0, cell)
        nbformat.write(nb, out_dir / name)
        written.append(out_dir / name)
    return written


def build(root: Path | None = None) -> list[Path]:
    """``python -m mechgraph notebooks``: from the site in ``_build/html`` to ``_build/notebooks/``."""
    import yaml

    root = Path.cwd() if root is None else root
    repository = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")).get("repository", {})
    out_dir = root / "_build" / "notebooks"
    written = export(
        root / "_build" / "html" / "_sources", out_dir, repository["url"], repository.get("branch", "main")
    )
    print(
        f"wrote {len(written)} notebooks to {out_dir.relative_to(root)}/ (with the Colab set-up cell first)"
    )
    return written
