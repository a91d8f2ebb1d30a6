"""The stacked bar charts, drawn from the book's data and measured in matplotlib's own layout:
every number stays readable (no two overlap, and a number inside a bar fits its segment)."""

from __future__ import annotations

import itertools
import re

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from mechgraph import load, plots


@pytest.fixture(scope="module")
def data():
    return load()


@pytest.mark.parametrize("make", [plots.plot_scope_by_chapter, plots.plot_evidence_by_chapter])
def test_the_numbers_on_a_stacked_bar_chart_neither_overlap_nor_overflow(data, make):
    chart = make(data)
    fig = chart.figure
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    (ax,) = fig.axes
    numbers = [t for t in ax.texts if t.get_text().strip() and t.get_visible()]
    boxes = [t.get_window_extent(renderer) for t in numbers]
    assert numbers, "the chart shows no numbers"
    for (a, box_a), (b, box_b) in itertools.combinations(zip(numbers, boxes, strict=True), 2):
        assert not box_a.overlaps(box_b), f"{a.get_text()!r} overlaps {b.get_text()!r}"
    segments = [bar.get_window_extent(renderer) for bar in ax.patches if bar.get_width() > 0]
    for text, box in zip(numbers, boxes, strict=True):
        inside = [
            s
            for s in segments
            if s.x0 <= box.x0 + box.width / 2 <= s.x1 and s.y0 <= box.y0 + box.height / 2 <= s.y1
        ]
        if inside:  # a number drawn on a segment fits in it
            assert box.width <= inside[0].width, f"{text.get_text()!r} is wider than its segment"
        assert box.x1 <= fig.bbox.x1, f"{text.get_text()!r} runs off the figure"


CHARTS = {
    "evidence by chapter": lambda data: plots.plot_evidence_by_chapter(data),
    "scope by chapter": lambda data: plots.plot_scope_by_chapter(data),
    "literature timeline": lambda data: plots.plot_literature_timeline(data),
    "Table 1 doses": lambda data: plots.plot_table1_doses(data),
    "errata": lambda data: plots.plot_errata(data),
    "evidence counts": lambda data: plots.plot_evidence_counts(data, "intro"),
    "tumour effects": lambda data: plots.plot_tumour_effects(data, "tumours"),
    "MSC settings": lambda data: plots.plot_msc_settings(data, "pain-mechanisms"),
}


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_fits_a_phone_at_a_legible_size(data, name):
    """The chart's SVG is fitted to its column (no min-width: it never scrolls) and is narrow enough
    that on a phone (342 px column) its smallest text is still 10 px, and 11 px on a laptop."""
    from mechgraph.diagram import LAPTOP, PHONE

    svg = CHARTS[name](data).svg_html()
    assert "min-width" not in svg
    natural = float(re.search(r"max-width:(\d+)px", svg).group(1))
    least = plots.Chart.smallest_text_px(svg)
    assert least * min(1, PHONE.column_px / natural) >= 10, (
        f"{name}: {natural:.0f} px wide, text {least:.1f} px"
    )
    assert least * min(1, LAPTOP.column_px / natural) >= 11
