"""The stacked bar charts, drawn from the book's data and measured in matplotlib's own layout:
every number stays readable (no two overlap, and a number inside a bar fits its segment)."""

from __future__ import annotations

import itertools

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
