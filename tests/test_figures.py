"""figures/ holds every diagram and plot, regenerated from the current data (a stale file fails)."""
from __future__ import annotations

from mechgraph.slides import FIGURES_DIR, catalogue, write_figures
from mechgraph import load


def test_figures_are_up_to_date(capsys):
    status = write_figures(check=True)
    assert status == 0, capsys.readouterr().err


def test_every_catalogued_figure_has_svg_and_png():
    names = [item.name for item in catalogue(load())]
    assert len(names) == len(set(names))
    for name in names:
        assert (FIGURES_DIR / f"{name}.svg").stat().st_size > 1000
        assert (FIGURES_DIR / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_stale_figure_is_reported(tmp_path, capsys):
    write_figures(out_dir=tmp_path)
    victim = next(tmp_path.glob("*.png"))
    victim.write_bytes(b"not the figure")
    assert write_figures(check=True, out_dir=tmp_path) == 1
    assert victim.name in capsys.readouterr().err
