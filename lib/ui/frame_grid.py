"""The shared grid over a list already in memory (Pending, Accounts, Centres, the analytics tables): the same
Filter, Clear Filter, Sort by, heading sort and paging as the lists filtered in the database, run on the whole
frame before it is cut into pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from lib.store import grid
from lib.ui.grid import grid_query
from lib.ui.text import escape_markdown

YES_NO = ("Yes", "No")
FIRST_VALUE_SCAN = 64


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return grid.TEXT
    if pd.api.types.is_numeric_dtype(series):
        return grid.NUMBER
    if pd.api.types.is_datetime64_any_dtype(series):
        return grid.DATE
    # The first value says it all; looked for in the head first (first_valid_index scans the whole column).
    head = series.iloc[:FIRST_VALUE_SCAN]
    first = head.first_valid_index()
    if first is None and len(series) > FIRST_VALUE_SCAN:
        first = series.first_valid_index()
    return grid.DATE if first is not None and isinstance(series[first], date) else grid.TEXT


def readable(frame: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Yes/No instead of True/False, so that a filter can pick one; and which columns those are. The frame is
    copied only when a column changes (a shared frame is never changed)."""
    yes_no = tuple(column for column in frame.columns if pd.api.types.is_bool_dtype(frame[column]))
    if not yes_no:
        return frame, ()
    return frame.assign(**{column: frame[column].map({True: "Yes", False: "No"}) for column in yes_no}), yes_no


def column_set(frame: pd.DataFrame, labels: list[str] | None = None, yes_no: tuple[str, ...] = (),
               choices: dict[str, tuple[str, ...]] | None = None) -> grid.ColumnSet:
    """The grid's columns for the frame's columns named in labels (all of them by default); the first is the key.
    choices gives the fixed values a column is filtered by (Status: active, closed)."""
    choices = {**{label: YES_NO for label in yes_no}, **(choices or {})}
    labels = list(frame.columns) if labels is None else labels
    columns = tuple(grid.Column(label, label, _kind(frame[label]), choices=choices.get(label, ())) for label in labels)
    return grid.ColumnSet(columns, key=labels[0])


@dataclass(frozen=True)
class FramePage:
    rows: pd.DataFrame  # the page shown, with every column of the frame (hidden ones too)
    shown: pd.DataFrame  # the same rows with Yes/No for True/False, for drawing
    kept: pd.DataFrame  # every row the filters keep, in the order chosen (what an export holds)
    keys: pd.Series  # the key column of the whole list, filtered or not
    total: int

    @property
    def every_key(self) -> set:
        """The keys of the whole list, filtered or not: a tick on a row filtered out is kept. Made when asked
        for (a table with ticks): a set of every key on each rerun of a long list without ticks was 5% of it."""
        return {_plain(value) for value in self.keys.tolist()}


def frame_grid(frame: pd.DataFrame, key: str, labels: list[str] | None = None,
               choices: dict[str, tuple[str, ...]] | None = None,
               presets: dict[str, str] | None = None) -> FramePage:
    """The grid's controls above a list held in memory, and the page of it to show. labels are the columns shown
    and filtered on, the first being the record's key; the frame's own order is the default order."""
    shown_frame, yes_no = readable(frame)
    columns = column_set(shown_frame, labels, yes_no, choices)
    query = grid_query(key, columns, presets)
    try:
        kept = grid.filter_frame(shown_frame, columns, query.filters)
    except grid.FilterError as error:
        st.error(escape_markdown(error))
        kept = shown_frame
    if query.sort is not None:
        kept = kept.sort_values(query.sort.column, ascending=not query.sort.descending, na_position="last",
                                kind="stable")
    window = kept.index[query.offset:query.offset + query.limit]
    return FramePage(rows=frame.loc[window], shown=shown_frame.loc[window], kept=kept,
                     keys=frame[columns.key], total=len(kept))


def _plain(value):
    return value.item() if hasattr(value, "item") else value
