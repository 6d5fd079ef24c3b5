"""The Tracker's table: Submitted rows blue, Rejected rows red, the rejection reason beside them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.status import REJECTED, SUBMITTED

ROW_COLOURS = {SUBMITTED: "background-color: #dbeafe", REJECTED: "background-color: #fde2e1"}
DATE_COLUMNS = ("Submitted", "SLA Target")


def _row_style(row: pd.Series) -> list[str]:
    return [ROW_COLOURS.get(row["Status"], "")] * len(row)


def for_display(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """UK dates and blank cells instead of the grid's grey 'None'."""
    shown = rows[columns].copy()
    for column in columns:
        if column in DATE_COLUMNS:
            shown[column] = pd.to_datetime(shown[column]).dt.strftime("%d/%m/%Y")
        if column != "ID":
            shown[column] = shown[column].astype(object).where(shown[column].notna(), "").astype(str)
    return shown


def tracker_table(rows: pd.DataFrame, show_centre: bool, key: str) -> None:
    columns = ["ID", "Batch", "Submitted", "SLA Target", "ENR", "Learner", "Unit(s)", "Type", "Category",
               "Status", "Result", "Mark", "Rejection reason"]
    if show_centre:
        columns.insert(1, "Centre")
    st.dataframe(
        for_display(rows, columns).style.apply(_row_style, axis=1),
        key=key,
        hide_index=True,
        width="stretch",
        column_config={
            "ID": st.column_config.NumberColumn(format="%d", width="small"),
            "SLA Target": st.column_config.TextColumn(
                help="25 working days after Submitted; the release date once results are out"),
            "Mark": st.column_config.TextColumn(width="small"),
            "Rejection reason": st.column_config.TextColumn(width="large"),
        },
    )
