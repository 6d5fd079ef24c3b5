"""Rows typed into st.data_editor as lib takes them."""

from __future__ import annotations

from datetime import date

import pandas as pd


def editor_rows(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict]:
    """The editor's non-empty rows, whole numbers as int, dates as dates, empty cells as None."""
    rows = []
    for row in frame.dropna(how="all").to_dict("records"):
        item = {}
        for column in columns:
            value = row.get(column)
            if isinstance(value, float) and value == value and value.is_integer():
                value = int(value)
            if hasattr(value, "date") and not isinstance(value, date):
                value = value.date()
            item[column] = None if value is None or value != value else value
        rows.append(item)
    return rows
