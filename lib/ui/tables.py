"""Tables with row selection, and the download of files a page offers."""

from __future__ import annotations

import pandas as pd
import streamlit as st


def blank_missing(frame: pd.DataFrame, date_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """UK dates and blank cells instead of the grid's grey 'None'."""
    shown = frame.copy()
    for column in shown.columns:
        if column in date_columns:
            shown[column] = pd.to_datetime(shown[column]).dt.strftime("%d/%m/%Y")
        if not pd.api.types.is_numeric_dtype(shown[column]) or shown[column].isna().any():
            shown[column] = shown[column].astype(object).where(shown[column].notna(), "").astype(str)
    return shown


def selectable_table(frame, key: str, column_config: dict | None = None, single: bool = False) -> list[int]:
    """A table whose rows can be ticked; returns the positions of the ticked rows."""
    event = st.dataframe(
        frame,
        key=key,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row" if single else "multi-row",
        column_config=column_config or {},
    )
    return list(event.selection.rows) if event and event.selection else []


def work_queue(frame: pd.DataFrame, key: str, empty: str, caption: str, date_columns: tuple[str, ...] = ("SLA Target",),
               single: bool = True) -> list[int]:
    """A role's queue: says so and stops when it is empty, else a table to tick items in."""
    if frame.empty:
        st.info(empty, icon=":material/inbox:")
        st.stop()
    st.caption(caption)
    shown = frame.drop(columns=["centre_id"], errors="ignore")
    return selectable_table(blank_missing(shown, date_columns), key=key, single=single)
