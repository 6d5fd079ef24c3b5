"""An analytics table on the shared grid: Filter, Clear Filter, sort and paging as in the Tracker, an Excel
export of every filtered row (formula-safe), and optionally a row to drill into."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib.store.export import frame_xlsx
from lib.ui.frame_grid import frame_grid
from lib.ui.grid import sort_by_heading
from lib.ui.pager import pager
from lib.ui.tables import blank_missing, selectable_table, sortable_table


def analytics_table(frame: pd.DataFrame, key: str, export_name: str, drill: bool = False,
                    column_config: dict | None = None, date_columns: tuple[str, ...] = (),
                    drill_key: str | None = None, presets: dict[str, str] | None = None,
                    page_columns=None) -> pd.Series | None:
    """Show frame on the shared grid with its export; with drill, return the ticked row (or None).

    drill_key names the column that identifies a row (the first column unless said otherwise). page_columns(rows)
    adds columns to the rows of the page shown only (not filtered on, not exported).
    """
    found = frame_grid(frame, key, presets=presets)
    kept, page = found.kept, found.shown
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
        sortable_table(shown, key=f"{key}_table", on_heading=sort_by_heading(key), column_config=column_config)
    pager(key, found.total)
    st.download_button(
        "Export to Excel", key=f"{key}_export", icon=":material/table_view:", on_click="ignore",
        file_name=f"{export_name} {date.today().isoformat()}.xlsx",
        data=lambda: frame_xlsx(kept, export_name))
    return ticked
