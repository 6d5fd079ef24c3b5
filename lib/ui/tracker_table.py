"""The Tracker's table: Submitted rows blue, Rejected rows red, the rejection reason beside them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.rules.status import REJECTED, SUBMITTED
from lib.ui.tables import blank_missing, selectable_table

ROW_COLOURS = {SUBMITTED: "background-color: #dbeafe", REJECTED: "background-color: #fde2e1"}
DATE_COLUMNS = ("Submitted", "SLA Target")


def _row_style(row: pd.Series) -> list[str]:
    return [ROW_COLOURS.get(row["Status"], "")] * len(row)


def tracker_table(rows: pd.DataFrame, show_centre: bool, key: str) -> list[dict]:
    """The Tracker rows, coloured by status; returns the ticked records."""
    columns = ["ID", "Batch", "Submitted", "SLA Target", "ENR", "Learner", "Unit(s)", "Type", "Category",
               "Status", "Result", "Mark", "Rejection reason"]
    if show_centre:
        columns.insert(1, "Centre")
    return selectable_table(
        rows, key=key, shown=blank_missing(rows[columns], DATE_COLUMNS).style.apply(_row_style, axis=1),
        column_config={
            "ID": st.column_config.NumberColumn(format="%d", width="small"),
            "SLA Target": st.column_config.TextColumn(
                help="25 working days after Submitted; the release date once results are out"),
            "Mark": st.column_config.TextColumn(width="small"),
            "Rejection reason": st.column_config.TextColumn(width="large"),
        },
    )
