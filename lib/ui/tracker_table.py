"""The Tracker's table: Submitted rows blue, Rejected rows red, the rejection reason beside them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.status import REJECTED, SUBMITTED

ROW_COLOURS = {SUBMITTED: "background-color: #dbeafe", REJECTED: "background-color: #fde2e1"}


def _row_style(row: pd.Series) -> list[str]:
    return [ROW_COLOURS.get(row["Status"], "")] * len(row)


def tracker_table(rows: pd.DataFrame, show_centre: bool, key: str) -> None:
    columns = ["ID", "Batch", "Submitted", "SLA Target", "ENR", "Learner", "Unit(s)", "Type", "Category",
               "Status", "Result", "Mark", "Rejection reason"]
    if show_centre:
        columns.insert(1, "Centre")
    shown = rows[columns]
    st.dataframe(
        shown.style.apply(_row_style, axis=1).format(na_rep=""),
        key=key,
        hide_index=True,
        width="stretch",
        column_config={
            "ID": st.column_config.NumberColumn(format="%d", width="small"),
            "Submitted": st.column_config.DateColumn(format="DD/MM/YYYY"),
            "SLA Target": st.column_config.DateColumn(
                format="DD/MM/YYYY", help="25 working days after Submitted; the release date once results are out"),
            "Mark": st.column_config.NumberColumn(format="%d", width="small"),
            "Rejection reason": st.column_config.TextColumn(width="large"),
        },
    )
