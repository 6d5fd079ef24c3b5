"""An analytics table on the shared grid: Filter, Clear Filter, sort and paging as in the Tracker, an Excel
export of every filtered row (formula-safe), and optionally a row to drill into."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib.store import grid
from lib.store.export import frame_xlsx
from lib.ui.grid import grid_pager, grid_query, sort_by_heading
from lib.ui.sorting import clicked_column
from lib.ui.tables import blank_missing, selectable_table
from lib.ui.text import escape_markdown

YES_NO = ("Yes", "No")


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return grid.TEXT
    if pd.api.types.is_numeric_dtype(series):
        return grid.NUMBER
    first = series.first_valid_index()  # the first value says it all, without scanning a long column
    if pd.api.types.is_datetime64_any_dtype(series) or (first is not None and isinstance(series[first], date)):
        return grid.DATE
    return grid.TEXT


def _readable(frame: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Yes/No instead of True/False, so that a filter can pick one; and which columns those are. The frame is
    copied only when a column changes (a shared frame is never changed)."""
    yes_no = tuple(column for column in frame.columns if pd.api.types.is_bool_dtype(frame[column]))
    if not yes_no:
        return frame, ()
    return frame.assign(**{column: frame[column].map({True: "Yes", False: "No"}) for column in yes_no}), yes_no


def column_set(frame: pd.DataFrame, yes_no: tuple[str, ...] = ()) -> grid.ColumnSet:
    columns = tuple(grid.Column(label, label, _kind(frame[label]), choices=YES_NO if label in yes_no else ())
                    for label in frame.columns)
    return grid.ColumnSet(columns, key=frame.columns[0])


def analytics_table(frame: pd.DataFrame, key: str, export_name: str, drill: bool = False,
                    column_config: dict | None = None, date_columns: tuple[str, ...] = (),
                    drill_key: str | None = None, presets: dict[str, str] | None = None,
                    page_columns=None) -> pd.Series | None:
    """Show frame on the shared grid with its export; with drill, return the ticked row (or None).

    drill_key names the column that identifies a row (the first column unless said otherwise). page_columns(rows)
    adds columns to the rows of the page shown only (not filtered on, not exported).
    """
    frame, yes_no = _readable(frame)
    columns = column_set(frame, yes_no)
    query = grid_query(key, columns, presets)
    try:
        kept = grid.filter_frame(frame, columns, query.filters)
    except grid.FilterError as error:
        st.error(escape_markdown(error))
        kept = frame
    if query.sort is not None:
        kept = grid.sort_frame(kept, columns, query.sort)
    page = kept.iloc[query.offset:query.offset + query.limit]
    if page_columns is not None:  # columns only the rows shown need (links), made for those rows alone
        page = page_columns(page)
    shown = blank_missing(page, date_columns)
    column_config = {**{label: st.column_config.NumberColumn(format="£%.2f") for label in shown.columns
                        if "£" in label and pd.api.types.is_numeric_dtype(shown[label])}, **(column_config or {})}
    ticked = None
    if drill:
        rows = selectable_table(page, key=f"{key}_table", id_column=drill_key or page.columns[0], shown=shown,
                                column_config=column_config, single=True, on_heading=sort_by_heading(key))
        ticked = pd.Series(rows[0]) if rows else None
    else:
        generation = st.session_state.get(f"_{key}_headings", 0)
        event = st.container(key=f"{key}_table").dataframe(
            shown, key=f"{key}_table__{generation}", hide_index=True, width="stretch",
            column_config=column_config or {}, on_select="rerun", selection_mode="single-column")
        heading = clicked_column(event)
        if heading is not None:
            sort_by_heading(key)(heading)
            st.session_state[f"_{key}_headings"] = generation + 1  # the next table has no column selected
            st.rerun()
    grid_pager(key, grid.GridPage(page, len(kept), query.offset, query.limit))
    st.download_button(
        "Export to Excel", key=f"{key}_export", icon=":material/table_view:", on_click="ignore",
        file_name=f"{export_name} {date.today().isoformat()}.xlsx",
        data=lambda: frame_xlsx(kept, export_name))
    return ticked
