"""The shared data grid: Filter (two conditions per column, And / Or), Clear Filter, sort, paging.

Filtering, sorting and paging run in DuckDB (lib/store/grid.py); this widget only keeps the user's
choices in session state and turns them into a GridQuery.
"""

from __future__ import annotations

import streamlit as st

from lib.store import grid
from lib.ui.pager import page_window, pager
from lib.ui.remember import remembered, take_preset
from lib.ui.sorting import heading_clicked, take_heading_sort
from lib.ui.text import escape_markdown

NEWEST_FIRST = "Default order"


def _filters(key: str) -> tuple[grid.ColumnFilter, ...]:
    return st.session_state.get(f"{key}_filters", ())


def _value_input(column: grid.Column, operator: str, key: str, label: str):
    if column.kind == grid.DATE:
        return st.date_input(label, value=None, key=key, format="DD/MM/YYYY")
    if column.choices and operator == grid.EQUALS:
        return st.selectbox(label, column.choices, index=None, key=key, placeholder="Choose…")
    if column.kind == grid.NUMBER:
        return st.number_input(label, value=None, step=1, key=key)
    return st.text_input(label, key=key)


def _filter_form(key: str, columns: grid.ColumnSet) -> None:
    labels = [c.label for c in columns.columns]
    chosen = st.selectbox("Column", labels, key=f"{key}_filter_column")
    column = columns[chosen]
    # After Clear Filter the form's widgets are new ones: a browser keeps what a widget held even when its state
    # is dropped here, and sent the old operators and values back with the next filter.
    fresh = st.session_state.get(f"{key}_filter_form", 0)
    chosen_key = f"{chosen}_v{fresh}" if fresh else chosen
    operators = grid.OPERATORS[column.kind]
    st.caption("Show items with value that:")
    # Columns with fixed values (Status, Type, …) start on 'Is equal to', as the guide describes.
    first_op = st.selectbox("Condition", operators, key=f"{key}_filter_op1_{chosen_key}", label_visibility="collapsed",
                            index=operators.index(grid.EQUALS) if column.choices else 0)
    first_value = _value_input(column, first_op, f"{key}_filter_value1_{chosen_key}", "Value")
    join = st.radio("Join", (grid.AND, grid.OR), key=f"{key}_filter_join_{chosen_key}", horizontal=True,
                    label_visibility="collapsed")
    # Text starts on Contains in both boxes, so "Lis" And "Simp" finds Lisa Simpson as the guide says; dates
    # start on a range (after … before).
    second_default = (operators.index(grid.EQUALS) if column.choices
                      else 0 if column.kind in (grid.TEXT, grid.NAME) else min(1, len(operators) - 1))
    second_op = st.selectbox("Second condition", operators, key=f"{key}_filter_op2_{chosen_key}", index=second_default,
                             label_visibility="collapsed")
    second_value = _value_input(column, second_op, f"{key}_filter_value2_{chosen_key}", "Second value (optional)")
    if st.button("Filter", key=f"{key}_filter_apply", type="primary"):
        if first_value in (None, "") and second_value in (None, ""):
            st.error(f"Enter a value to filter {chosen}.")
            return
        conditions = [grid.Condition(op, value) for op, value in ((first_op, first_value), (second_op, second_value))
                      if value not in (None, "")]
        new = grid.ColumnFilter(chosen, conditions[0], join, conditions[1] if len(conditions) > 1 else None)
        try:
            grid.validate(columns, (new,))
        except grid.FilterError as error:
            st.error(escape_markdown(error))
            return
        kept = tuple(f for f in _filters(key) if f.column != chosen)
        st.session_state[f"{key}_filters"] = (*kept, new)
        st.session_state[f"{key}_page"] = 0
        st.session_state[f"{key}_filter_applied"] = True
        st.rerun()


def preset_filters(key: str, columns: grid.ColumnSet, presets: dict[str, str]) -> None:
    """Filters a link asked for (?status=Referred), each one 'Is equal to' on the column named for its parameter;
    they replace the list's filters, once."""
    chosen = []
    for name, label in presets.items():
        value = take_preset(name)
        if value is not None and label in columns.by_label and (value in columns[label].choices
                                                                or not columns[label].choices):
            chosen.append(grid.ColumnFilter(label, grid.Condition(grid.EQUALS, value)))
    if chosen:
        st.session_state[f"{key}_filters"] = tuple(chosen)
        st.session_state[f"{key}_page"] = 0


def show_only(key: str, column: str, ids: list[int]) -> None:
    """Open the list named key on just these items (those just submitted): its filters replaced, from page 1."""
    st.session_state[f"{key}_filters"] = (grid.ColumnFilter(column, grid.Condition(grid.ONE_OF, tuple(ids))),)
    st.session_state[f"{key}_page"] = 0


def grid_query(key: str, columns: grid.ColumnSet, presets: dict[str, str] | None = None) -> grid.GridQuery:
    """The controls above a list; returns what to fetch for the current filters, sort and page. presets maps
    the query parameters a link may carry to the columns they filter."""
    if presets:
        preset_filters(key, columns, presets)
    words = ""
    if columns.searched:
        named = [label if label.isupper() else label.lower() for label in columns.searched]
        words = st.text_input(f"Search by {', '.join(named[:-1])} or {named[-1]}",
                              key=f"{key}_search", max_chars=100, icon=":material/search:",
                              placeholder="e.g. a learner's name, an ENR or a unit")
        if st.session_state.get(f"{key}_searched_as", "") != words:
            st.session_state[f"{key}_page"] = 0  # new words start from the first page of what they find
        st.session_state[f"{key}_searched_as"] = words
    popover_key = f"{key}_filter_popover"
    if st.session_state.pop(f"{key}_filter_applied", False):
        st.session_state[popover_key] = False  # a filter applied closes its popover: the list is what comes next
    filter_col, clear_col, sort_col, direction_col = st.columns([1.2, 1.2, 2.2, 1.6], vertical_alignment="bottom")
    with filter_col.popover("Filter", icon=":material/filter_list:", width="stretch", key=popover_key,
                            on_change="rerun"):
        _filter_form(key, columns)

    def clear() -> None:
        st.session_state[f"{key}_filters"] = ()
        st.session_state[f"{key}_page"] = 0
        # The form starts afresh too: conditions and values left in it would come back with the next filter.
        st.session_state[f"{key}_filter_form"] = st.session_state.get(f"{key}_filter_form", 0) + 1
        form_keys = tuple(f"{key}_filter_{part}" for part in ("op1_", "op2_", "value1_", "value2_", "join_"))
        for widget_key in [k for k in st.session_state if isinstance(k, str) and k.startswith(form_keys)]:
            del st.session_state[widget_key]

    clear_col.button("Clear Filter", key=f"{key}_clear", on_click=clear, disabled=not _filters(key),
                     icon=":material/filter_list_off:", width="stretch")
    labels = [NEWEST_FIRST, *(c.label for c in columns.columns if c.shown)]
    clicked = take_heading_sort(key)
    if clicked is not None and clicked[0] in labels:
        st.session_state[f"{key}_sort"], st.session_state[f"{key}_descending"] = clicked
    sort_choice = remembered(sort_col.selectbox, "Sort by", f"{key}_sort", options=labels)
    descending = remembered(direction_col.toggle, "Descending", f"{key}_descending", value=True,
                            disabled=sort_choice == NEWEST_FIRST)
    if st.session_state.get(f"{key}_sorted_as", (sort_choice, descending)) != (sort_choice, descending):
        st.session_state[f"{key}_page"] = 0  # a new order starts at its beginning
    st.session_state[f"{key}_sorted_as"] = (sort_choice, descending)
    active = _filters(key)
    if active:
        st.caption("Filtered: " + " · ".join(grid.describe(f) for f in active))
    offset, limit = page_window(key)
    sort = None if sort_choice == NEWEST_FIRST else grid.Sort(sort_choice, descending)
    return grid.GridQuery(active, sort, offset, limit, words)


def grid_pager(key: str, page: grid.GridPage) -> None:
    pager(key, page.total)


def current_sort(key: str) -> tuple[str | None, bool]:
    """(the column the list named key is sorted by, or None for its default order; whether descending)."""
    column = st.session_state.get(f"{key}_sort", NEWEST_FIRST)
    return (None if column == NEWEST_FIRST else column), bool(st.session_state.get(f"{key}_descending", True))


def sort_by_heading(key: str):
    """The on_heading callback for a table on this grid: a heading click becomes the grid's sort."""
    return lambda column: heading_clicked(key, column, current_sort(key))
