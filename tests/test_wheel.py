"""mechgraph installed from its wheel, away from the repository: it serves the book's data (bundled
into the wheel, or from a folder it is given), draws a diagram, and runs every chapter exported for
Colab (set-up cell first) in a fresh kernel without touching the network."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]

# builds and installs a wheel: `make test` runs these, `make test-unit` does not
pytestmark = pytest.mark.package

PROBE = """
import json, sys
from pathlib import Path
import mechgraph
from mechgraph import diagram, load
from mechgraph.data import validate
given = Path(sys.argv[1]) if len(sys.argv) > 1 else None
data = load(given) if given else load()
problems = validate(given) if given else validate()
from mechgraph.data import find_data
svg = diagram(data, figure=data.figures.index[0]).standalone_svg()
print(json.dumps({"package": mechgraph.__file__, "data": str(given or find_data()), "problems": problems,
                  "labels": list(data.entities["label"]), "svg": svg}))
"""


@pytest.fixture(scope="module")
def wheel_python(tmp_path_factory) -> Path:
    """The Python of a fresh virtualenv holding mechgraph installed from a wheel built from the files
    git tracks (not editable). Its dependencies come from this environment's site-packages through
    a .pth line, which adds that folder to the path but runs none of its own .pth files, so the
    editable install of mechgraph there cannot be imported."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    tracked = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [
            *pip,
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(tmp / "dist"),
            str(source),
        ],
        check=True,
        cwd=tmp,
    )
    (wheel,) = (tmp / "dist").glob("mechgraph-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp / "venv")], check=True)
    python = tmp / "venv" / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], check=True, cwd=tmp
    )
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


def _probe(python: Path, cwd: Path, *args: str) -> dict:
    result = subprocess.run([str(python), "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_wheel_serves_its_bundled_data_from_a_folder_outside_the_repository(wheel_python, tmp_path):
    assert not tmp_path.is_relative_to(REPO)
    found = _probe(wheel_python, tmp_path)
    site = wheel_python.parents[1]
    assert Path(found["package"]).is_relative_to(site), (
        f"mechgraph came from {found['package']}, not the wheel"
    )
    assert Path(found["data"]).is_relative_to(site), (
        f"the data came from {found['data']}, not the wheel's copy"
    )
    assert found["problems"] == []
    bundled = Path(found["data"])
    assert (bundled / "datapackage.json").read_bytes() == (REPO / "data" / "datapackage.json").read_bytes()
    assert (bundled.parent / "references.bib").read_bytes() == (REPO / "references.bib").read_bytes()
    assert "<svg" in found["svg"] and 'class="node kind' in found["svg"], "no diagram was drawn"
    assert ">MSC</text>" in found["svg"]


def test_the_wheel_reads_the_folder_it_is_given(wheel_python, tmp_path):
    book = tmp_path / "my-copy"
    shutil.copytree(REPO / "data", book / "data")
    shutil.copy2(REPO / "references.bib", book / "references.bib")
    entities = book / "data" / "entities.csv"
    with entities.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    first, rows[1][rows[0].index("label")] = rows[1][rows[0].index("label")], "Edited label"
    with entities.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    found = _probe(wheel_python, tmp_path, str(book / "data"))
    assert found["problems"] == []
    assert "Edited label" in found["labels"] and first not in found["labels"]
    (book / "references.bib").unlink()  # the bibliography is the one datapackage.json names, beside data/
    result = subprocess.run(
        [str(wheel_python), "-m", "mechgraph", "validate", "--data", str(book / "data")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "error: references.bib: the file is missing" in result.stderr


@pytest.fixture(scope="module")
def exported(site, tmp_path_factory) -> Path:
    """The chapters exported for Colab, as `make notebooks` writes them."""
    from mechgraph import colab

    repository = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["repository"]
    out = tmp_path_factory.mktemp("notebooks")
    colab.export(site / "_sources", out, repository["url"], repository["branch"])
    return out


def _notebook_names() -> list[str]:
    sources = REPO / "_build" / "html" / "_sources"
    return sorted(p.stem for p in sources.rglob("*.ipynb")) or ["(no site built)"]


def test_every_page_with_a_notebook_is_exported_with_the_set_up_cell_first(site, exported):
    from mechgraph import colab

    pages = sorted(
        p.relative_to(site / "_sources").with_suffix("").as_posix()
        for p in (site / "_sources").rglob("*.ipynb")
    )
    assert [colab.notebook_name(p) for p in pages] == sorted(p.name for p in exported.glob("*.ipynb"))
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))["repository"]
    cell = colab.setup_cell(config["url"], config["branch"])
    assert f"git+{config['url']}@{config['branch']}" in cell
    for path in exported.glob("*.ipynb"):
        first = nbformat.read(path, as_version=4).cells[0]
        assert first.cell_type == "code" and first.source == cell, path.name


def use_wheel_kernel(wheel_python, tmp_path, monkeypatch) -> None:
    """Register a Jupyter kernel named "wheel" that runs the wheel's Python, for this test only."""
    kernels = tmp_path / "jupyter" / "kernels" / "wheel"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(wheel_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "mechgraph from its wheel",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))


@pytest.mark.parametrize("name", _notebook_names())
def test_exported_notebook_runs_in_a_fresh_kernel_with_the_wheel(
    wheel_python, exported, tmp_path, monkeypatch, name
):
    use_wheel_kernel(wheel_python, tmp_path, monkeypatch)
    work = tmp_path / "reader"  # away from the repository, like a Colab session's /content
    work.mkdir()
    nb = nbformat.read(exported / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells.insert(
        1,
        nbformat.v4.new_code_cell(
            "import mechgraph, mechgraph.data\nprint(mechgraph.__file__)\nprint(mechgraph.data.find_data())"
        ),
    )
    NotebookClient(
        nb, timeout=300, kernel_name="wheel", resources={"metadata": {"path": str(work)}}
    ).execute()
    errors = [
        f"{o.ename}: {o.evalue}"
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors
    assert not nb.cells[0].outputs, (
        "the set-up cell installed something although mechgraph and Graphviz are there"
    )
    where = "".join(o.get("text", "") for o in nb.cells[1].outputs).split()
    assert all(Path(p).is_relative_to(wheel_python.parents[1]) for p in where), where
