"""One sort rule everywhere: clicking a column heading sorts the whole list by that column, not just the page
shown, and clicking it again reverses it. The tables select columns on a heading click (which also stops the
grid sorting the rows it holds by itself); the click is turned into the list's sort and the page runs again."""

from __future__ import annotations

import streamlit as st


def _pending(key: str) -> str:
    return f"_heading_sort_{key}"


def heading_clicked(key: str, column: str, current: tuple[str | None, bool]) -> None:
    """Ask for the list named key to be sorted by column on the next run: ascending first, the other way when it
    is already sorted by it."""
    sorted_by, descending = current
    st.session_state[_pending(key)] = (column, not descending if sorted_by == column else False)


def take_heading_sort(key: str) -> tuple[str, bool] | None:
    """The sort a heading click asked for on the last run, once."""
    return st.session_state.pop(_pending(key), None)


def clicked_column(event) -> str | None:
    """The heading clicked in a dataframe's selection event, if any."""
    columns = list(event.selection.columns) if event and event.selection and "columns" in event.selection else []
    return columns[0] if columns else None
