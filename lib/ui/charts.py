"""What every monthly chart shares: months on a calendar axis, one tick and one label a month, bars and points
centred in their month, a month not yet over marked as such, and the number of results in every hover."""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd
import plotly.graph_objects as go

MONTH_PERIOD = dict(xperiod="M1", xperiodalignment="middle")


def month_dates(months) -> pd.Series:
    """'YYYY-MM' labels as the first day of their month, for a calendar axis."""
    return pd.to_datetime(pd.Series(list(months), dtype=str) + "-01", format="%Y-%m-%d")


def month_axis(chart: go.Figure, months, title: str = "Month of release") -> None:
    """One labelled tick a month, the axis ending with the last month's last day (no empty month after it)."""
    dates = month_dates(months)
    span = dict(range=[dates.min(), dates.max() + pd.offsets.MonthEnd(1)]) if len(dates) else {}
    chart.update_xaxes(title=title, tickformat="%b %Y", dtick="M1", ticklabelmode="period", **span)


def mark_partial_month(chart: go.Figure, months, through: date) -> None:
    """Shade the last month when the figures stop before its end, and say how far they go."""
    if len(months) == 0:
        return
    last = month_dates([max(months)]).iloc[0]
    final_day = calendar.monthrange(last.year, last.month)[1]
    if through >= date(last.year, last.month, final_day) or through < last.date():
        return
    chart.add_vrect(x0=last, x1=last + pd.offsets.MonthEnd(1), fillcolor="#999999", opacity=0.12, line_width=0,
                    annotation_text=f"Partial month: to {through:%d/%m}", annotation_position="top left",
                    annotation_font_size=11)
