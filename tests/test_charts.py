"""The monthly charts' shared axis: a month not yet over is marked, a complete one is not."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go

from lib.ui.charts import mark_partial_month, month_axis, month_dates


def shaded(through: date, months=("2026-10", "2026-11", "2026-12")) -> list:
    chart = go.Figure()
    mark_partial_month(chart, list(months), through)
    return [(str(shape.x0)[:10], str(shape.x1)[:10]) for shape in chart.layout.shapes], \
        [note.text for note in chart.layout.annotations]


def test_the_month_the_figures_stop_in_is_shaded_and_says_how_far_they_go():
    assert shaded(date(2026, 12, 4)) == ([("2026-12-01", "2026-12-31")], ["Partial month: to 04/12"])


def test_a_complete_month_is_not_marked():
    assert shaded(date(2026, 12, 31)) == ([], [])
    assert shaded(date(2027, 1, 5)) == ([], [])
    assert shaded(date(2026, 12, 4), months=()) == ([], [])


def test_the_axis_labels_each_month_and_ends_with_the_last_one():
    chart = go.Figure()
    month_axis(chart, ["2026-11", "2026-01", "2026-12"])
    axis = chart.layout.xaxis
    assert (axis.dtick, axis.tickformat, axis.title.text) == ("M1", "%b %Y", "Month of release")
    assert [str(end)[:10] for end in axis.range] == ["2026-01-01", "2026-12-31"]
    assert list(month_dates(["2026-02"]).dt.strftime("%d/%m/%Y")) == ["01/02/2026"]
