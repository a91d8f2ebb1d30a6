"""figures/ holds every diagram and plot, regenerated from the current data (a stale file fails).

The check reads figures/manifest.json (a hash of each figure's inputs and of each of its files,
written by `make figures`) and draws only the figures whose inputs or files no longer match it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mechgraph import load, slides
from mechgraph.slides import FIGURES_DIR, MANIFEST, catalogue, write_figures
from sitetools import copy_fixture_data, edit_cell


def test_figures_are_up_to_date(capsys):
    status = write_figures(check=True)
    assert status == 0, capsys.readouterr().err


def test_every_catalogued_figure_has_svg_and_png():
    names = [item.name for item in catalogue(load())]
    assert len(names) == len(set(names))
    for name in names:
        assert (FIGURES_DIR / f"{name}.svg").stat().st_size > 1000
        assert (FIGURES_DIR / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert (FIGURES_DIR / MANIFEST).is_file()


# -- the check on the small fixture data set: its one diagram and one plot ----------------------

DIAGRAM = "diagram-tlr_signalling"
PLOT = "plot-evidence-by-chapter"


ONE_PLOT = [p for p in slides.PLOTS if p[0] == PLOT]


def without_chapter_charts(data_dir: Path) -> Path:
    """The fixture data with no chapter asking for a chart (column ``chart`` of chapters.csv emptied),
    so that its figures are the one diagram and ONE_PLOT."""
    import csv

    path = data_dir / "chapters.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "chart": ""} for row in rows)
    return data_dir


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(slides, "PLOTS", ONE_PLOT)
        out = tmp_path_factory.mktemp("written") / "figures"
        assert (
            write_figures(
                out_dir=out, data=load(without_chapter_charts(copy_fixture_data(out.parent / "data")))
            )
            == 0
        )
    return out


@pytest.fixture
def figures(written, data_dir, tmp_path, monkeypatch) -> Path:
    """The fixture data's figures and manifest, as `make figures` writes them."""
    monkeypatch.setattr(slides, "PLOTS", ONE_PLOT)
    without_chapter_charts(data_dir)
    out = shutil.copytree(written, tmp_path / "figures")
    assert sorted(p.name for p in out.iterdir()) == [
        f"{DIAGRAM}.png",
        f"{DIAGRAM}.svg",
        MANIFEST,
        f"{PLOT}.png",
        f"{PLOT}.svg",
    ]
    return out


@pytest.fixture
def drawn(monkeypatch) -> list[str]:
    """The names of the figures drawn from now on."""
    names = []
    diagram_files, plot_files = slides._diagram_files, slides._plot_files
    monkeypatch.setattr(
        slides, "_diagram_files", lambda data, f: names.append(f"diagram-{f}") or diagram_files(data, f)
    )
    monkeypatch.setattr(slides, "_plot_files", lambda make: names.append("plot") or plot_files(make))
    return names


def check(figures, data_dir) -> int:
    return write_figures(check=True, out_dir=figures, data=load(data_dir))


def test_nothing_changed_nothing_drawn(figures, data_dir, drawn):
    assert check(figures, data_dir) == 0
    assert drawn == []


def test_a_changed_label_makes_its_diagram_stale(figures, data_dir, drawn, capsys):
    edit_cell(data_dir / "entities.csv", 4, "label", "TLR2 receptor")
    assert check(figures, data_dir) == 1
    err = capsys.readouterr().err
    assert f"error: figures/{DIAGRAM}.svg is stale or missing; run 'make figures'" in err
    assert f"error: figures/{DIAGRAM}.png is stale or missing" in err
    assert DIAGRAM in drawn


def test_a_table_no_diagram_reads_redraws_only_the_plots(figures, data_dir, drawn, capsys):
    edit_cell(data_dir / "table1.csv", 2, "administrations", "3")
    assert check(figures, data_dir) == 1  # the plot looks the same, but the manifest is behind
    assert drawn == ["plot"]
    assert (
        capsys.readouterr().err.strip()
        == f"error: figures/{MANIFEST} is out of date for {PLOT}; run 'make figures'"
    )


def test_an_edited_file_is_stale(figures, data_dir, drawn, capsys):
    (figures / f"{DIAGRAM}.png").write_bytes(b"not the figure")
    assert check(figures, data_dir) == 1
    assert drawn == [DIAGRAM]
    assert f"figures/{DIAGRAM}.png is stale" in capsys.readouterr().err


def test_new_code_redraws_every_figure(figures, data_dir, drawn, monkeypatch, capsys):
    monkeypatch.setattr(slides, "code_version", lambda: "another version of the code")
    assert check(figures, data_dir) == 1
    assert drawn == [DIAGRAM, "plot"]
    assert f"out of date for {DIAGRAM}, {PLOT}" in capsys.readouterr().err


def test_make_figures_brings_the_manifest_up_to_date(figures, data_dir, drawn):
    edit_cell(data_dir / "entities.csv", 4, "label", "TLR2 receptor")
    assert write_figures(out_dir=figures, data=load(data_dir)) == 0
    assert check(figures, data_dir) == 0


def test_a_diagram_s_inputs_are_its_own_rows():
    """On the book's data: a statement's text is an input of the diagrams that draw it, and of no other."""
    data = load()
    before = {item.name: item.inputs() for item in catalogue(data)}
    statement = data.statements.index[data.statements["figures"].map(lambda cell: "tlr_signalling" in cell)][
        0
    ]
    data.statements.loc[statement, "context"] += " (edited)"
    changed = {item.name for item in catalogue(data) if item.inputs() != before[item.name]}
    drawing = {f"diagram-{f}" for f in data.figures.index if statement in data.figure_statements(f).index}
    assert DIAGRAM in drawing
    assert changed == drawing | {
        item.name for item in catalogue(data) if not item.name.startswith("diagram-")
    }
