"""Tables whose ticks belong to records, not row positions.

st.dataframe reports selections as row positions, and a keyed dataframe keeps them when its rows change,
so a tick would move to whatever record comes to sit in that position. Here the positions are turned into
record keys at once and the keys are kept in session state; the dataframe's own key changes with the rows it
shows, and its selection is drawn again from the kept keys.

The rule, the same on every page: a tick follows its record across paging, sorting and filtering. A ticked
record that is not on the page shown is counted above the table, with a button to clear it. A record that
has left a complete list (someone else has acted on it) loses its tick, with a message saying so. After an
action the page clears the ticks it acted on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from lib.service.queues import PAGE_ROWS, QueuePage, QueueView
from lib.service.sla import AT_RISK, BREACHED, ON_TRACK
from lib.ui.pager import page_window, pager
from lib.ui.remember import preset_widget
from lib.ui.sorting import clicked_column
from lib.ui.text import escape_markdown

MONTH_LABEL = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def uk_dates(values: pd.Series) -> pd.Series | None:
    """A column of dates, date-times or 'YYYY-MM' months as the service writes them everywhere (01/12/2026,
    01/12/2026 06:26, Dec 2026); None for a column of anything else."""
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values
    else:
        present = values.dropna()
        if present.empty or not pd.api.types.is_object_dtype(values) and not pd.api.types.is_string_dtype(values):
            return None
        if all(isinstance(value, (date, datetime)) for value in present):
            stamps = pd.to_datetime(values)
        elif all(isinstance(value, str) and MONTH_LABEL.fullmatch(value) for value in present):
            return pd.to_datetime(values + "-01", format="%Y-%m-%d").dt.strftime("%b %Y")
        else:
            return None
    with_time = (stamps.dropna() != stamps.dropna().dt.normalize()).any()
    return stamps.dt.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


SMALL_FRAME_ROWS = 1000  # a page of a list, or a short list: cell by cell beats pandas' per-column work


def blank_missing(frame: pd.DataFrame, date_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """UK dates (date_columns always as days; any other column of dates, date-times or months found as such) and
    blank cells instead of the grid's grey 'None'."""
    if len(frame) <= SMALL_FRAME_ROWS and frame.columns.is_unique:
        return _blank_missing_cells(frame, date_columns)
    shown = frame.copy()
    for column in shown.columns:
        if column in date_columns:
            shown[column] = pd.to_datetime(shown[column]).dt.strftime("%d/%m/%Y")
        elif (as_uk := uk_dates(shown[column])) is not None:
            shown[column] = as_uk
        if not pd.api.types.is_numeric_dtype(shown[column]) or shown[column].isna().any():
            shown[column] = shown[column].astype(object).where(shown[column].notna(), "").astype(str)
    return shown


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _blank_missing_cells(frame: pd.DataFrame, date_columns: tuple[str, ...]) -> pd.DataFrame:
    """blank_missing for the few rows of a page, value by value: what is drawn on every rerun (a page of ten rows
    took 15 ms through pandas' per-column conversions, most of the Tracker table's time)."""
    columns: dict[str, Any] = {}
    for column in frame.columns:
        series = frame[column]
        values = series.tolist()
        present = [value for value in values if not _missing(value)]
        if column in date_columns:
            cells = _uk_cells(values, "%d/%m/%Y")
        elif pd.api.types.is_datetime64_any_dtype(series) or present and (
                pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)) and all(
                isinstance(value, (date, datetime)) for value in present):
            stamps = [pd.Timestamp(value) for value in present]
            with_time = any(stamp != stamp.normalize() for stamp in stamps)
            cells = _uk_cells(values, "%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
        elif present and (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)) and all(
                isinstance(value, str) and MONTH_LABEL.fullmatch(value) for value in present):
            cells = ["" if _missing(value) else datetime.strptime(value, "%Y-%m").strftime("%b %Y")
                     for value in values]
        elif pd.api.types.is_numeric_dtype(series) and len(present) == len(values):
            columns[column] = series
            continue
        else:
            cells = ["" if _missing(value) else str(value) for value in values]
        columns[column] = pd.Series(cells, index=frame.index, dtype=str)
    return pd.DataFrame(columns, index=frame.index)


def _uk_cells(values: list, pattern: str) -> list[str]:
    return ["" if _missing(value) else pd.Timestamp(value).strftime(pattern) for value in values]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _state(key: str) -> dict:
    return st.session_state.setdefault(f"_ticks_{key}", {"generation": 0, "records": {}})


def clear_ticks(key: str) -> None:
    """Untick every record of the table named key (after an action on them, or on the user's request)."""
    state = _state(key)
    state["records"] = {}
    state["generation"] += 1


def tick_keys(key: str, record_keys: list, id_column: str = "ID") -> None:
    """Tick these records of the table named key, and no other (the items an upload has just made); each is
    filled in from its row when the table draws it."""
    state = _state(key)
    state["records"] = {_plain(record_key): {id_column: record_key} for record_key in record_keys}
    state["generation"] += 1


def tick_only(key: str, record: dict, id_column: str = "ID") -> None:
    """Tick this one record of the table named key, and no other (a page opened from another for one record)."""
    state = _state(key)
    state["records"] = {_plain(record[id_column]): record}
    state["generation"] += 1


def _view_digest(keys: list) -> str:
    return hashlib.sha1(repr(keys).encode()).hexdigest()[:12]


def selectable_table(rows: pd.DataFrame, key: str, id_column: str = "ID", shown: Any = None,
                     column_config: dict | None = None, single: bool = False, complete: bool = False,
                     every_key: set | None = None, on_heading: Callable[[str], None] | None = None,
                     height_when_ticked: int | None = None) -> list[dict]:
    """A table whose rows can be ticked; returns the ticked records (dicts of rows' values), oldest tick first.

    rows holds id_column; shown is what is drawn (a frame or a Styler of the same rows, in the same order),
    rows itself when None. complete says that rows is the whole list, not one page of it, so a ticked record
    missing from it has gone; every_key, the keys of the whole list when rows is one page of it, says the same.
    on_heading(column) is called when a column heading is clicked: the caller sorts the whole list by it.
    height_when_ticked, in pixels, keeps the rows to a strip that scrolls while one is ticked (a queue above the
    item being worked on).
    """
    state = _state(key)
    records: dict = state["records"]
    if on_heading is None and complete:
        # The whole list is here, so the table sorts it itself; a page of a longer list is sorted by its caller.
        rows, shown = _own_order(rows, shown, key)
        on_heading = lambda column: _sort_own(key, column)  # noqa: E731
    view_keys = [_plain(value) for value in rows[id_column].tolist()]
    in_view = set(view_keys)
    digest = _view_digest(view_keys)
    # What the table in the browser holds (read before it is drawn again): news only when it differs from what
    # this table was last drawn with, which is a click on it.
    drawn_key, drawn = state.get("drawn", (None, None))
    incoming = st.session_state.get(drawn_key) if drawn_key == f"{key}__{state['generation']}_{digest}" else None
    selection = dict(incoming.get("selection", {})) if isinstance(incoming, dict) else {}
    clicked = incoming is not None and (list(selection.get("rows", [])), list(selection.get("columns", []))) != drawn
    if clicked:
        positions = [p for p in selection.get("rows", []) if isinstance(p, int) and 0 <= p < len(view_keys)]
        selected = {view_keys[p]: p for p in positions}
        kept = {k: v for k, v in records.items() if k not in in_view or k in selected}
        for record_key, position in selected.items():
            kept[record_key] = rows.iloc[position].to_dict()
        if single and kept:
            newest = list(selected)[-1] if selected else list(kept)[-1]
            kept = {newest: kept[newest]}
        records = state["records"] = kept
        heading = next(iter(selection.get("columns", [])), None)
        if heading is not None:
            state["generation"] += 1  # the next table starts with no column selected
            if on_heading is not None:
                on_heading(heading)
            st.rerun()
    whole = in_view if complete else every_key
    if whole is not None:
        gone = [record_key for record_key in records if record_key not in whole]
        for record_key in gone:
            del records[record_key]
        if gone:
            names = ", ".join(str(record_key) for record_key in gone)
            st.warning(f"No longer in this list, so no longer ticked: {escape_markdown(names)}. Someone else may "
                       "have acted on it.", icon=":material/info:")
    for position, record_key in enumerate(view_keys):
        if record_key in records:  # a ticked record as it is now (enrolling learners changes its count)
            records[record_key] = rows.iloc[position].to_dict()
    hidden = [record_key for record_key in records if record_key not in in_view]
    if hidden:
        # The button on the left: the table's hover toolbar opens over the right-hand end of the line above it.
        clear, note = st.columns([1.2, 5], vertical_alignment="center")
        note.caption(f"{len(hidden)} ticked item(s) not on this page are still ticked.")
        if clear.button("Clear ticks", key=f"{key}_clear_ticks", icon=":material/clear_all:"):
            clear_ticks(key)
            st.rerun()
    ticked_rows = [position for position, record_key in enumerate(view_keys) if record_key in records]
    if ticked_rows and not clicked:
        # A run the table did not start draws it afresh with its ticks: a table with ticks kept in the browser
        # across such a run lost the next click on a tick box (after a refused action, unticking a row did
        # nothing until it was clicked again).
        state["generation"] += 1
    widget_key = f"{key}__{state['generation']}_{digest}"
    state["drawn"] = (widget_key, (ticked_rows, []))
    # The keyed container gives the table a stable name in the page (st-key-<key>) while its own key changes.
    st.container(key=key).dataframe(
        rows if shown is None else shown,
        key=widget_key,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        # A heading selects its column instead of sorting the rows on this page only.
        selection_mode=["single-row" if single else "multi-row", "single-column"],
        selection_default={"selection": {"rows": ticked_rows}},
        column_config=column_config or {},
        height=height_when_ticked if height_when_ticked and records and table_height(len(view_keys)) > height_when_ticked
        else "auto",
    )
    return list(records.values())


def _sort_own(key: str, column: str) -> None:
    sorted_by, descending = st.session_state.get(f"_own_order_{key}") or (None, False)
    st.session_state[f"_own_order_{key}"] = (column, not descending if sorted_by == column else False)


def _own_order(rows: pd.DataFrame, shown: Any, key: str) -> tuple[pd.DataFrame, Any]:
    """A whole list in the order a heading click chose: by the rows' own values (a date, not its text)."""
    chosen = st.session_state.get(f"_own_order_{key}")
    if not chosen or not isinstance(shown, pd.DataFrame | None):
        return rows, shown
    column, descending = chosen
    values = rows if column in rows.columns else shown
    if values is None or column not in values.columns:
        return rows, shown
    order = values[column].reset_index(drop=True).sort_values(ascending=not descending, na_position="last",
                                                              kind="stable").index
    return rows.iloc[order], None if shown is None else shown.iloc[order]


def sortable_table(shown: pd.DataFrame, key: str, on_heading: Callable[[str], None],
                   column_config: dict | None = None) -> None:
    """A table without ticks whose heading click sorts the whole list (on_heading(column)) instead of the rows drawn."""
    generation = st.session_state.get(f"_{key}_headings", 0)
    event = st.container(key=key).dataframe(
        shown, key=f"{key}__{generation}", hide_index=True, width="stretch", column_config=column_config or {},
        on_select="rerun", selection_mode="single-column")
    heading = clicked_column(event)
    if heading is not None:
        on_heading(heading)
        st.session_state[f"_{key}_headings"] = generation + 1  # the next table has no column selected
        st.rerun()


QUEUE_PAGE = PAGE_ROWS
ALL_ITEMS = "All"
SLA_CHOICES = (ALL_ITEMS, BREACHED, AT_RISK, ON_TRACK)


def _sort_queue(key: str, column: str) -> None:
    sorted_by, descending = st.session_state.get(f"_queue_order_{key}") or (None, False)
    st.session_state[f"_queue_order_{key}"] = (column, not descending if sorted_by == column else False)


def table_height(rows: int) -> int:
    """Pixels a table of this many rows takes at Streamlit's row height, its heading included."""
    return 36 + rows * 35


COMPACT_QUEUE_HEIGHT = table_height(2)  # the ticked item and one more: the work fits the first screen at 1280x720


def _queue_order_note(key: str, sort: tuple[str, bool] | None) -> None:
    """Says how a heading click sorted the queue, with a button back to the queue's own order."""
    if not sort:
        return
    column, descending = sort
    note, reset = st.columns([5, 1], vertical_alignment="center")
    note.caption(f"Sorted by {escape_markdown(column)}, {'highest' if descending else 'lowest'} first: click the "
                 "heading again to reverse.")
    if reset.button("Queue order", key=f"{key}_queue_order", icon=":material/restart_alt:"):
        del st.session_state[f"_queue_order_{key}"]
        st.rerun()


def _queue_view(key: str, with_sla: bool = True) -> QueueView:
    """The view the queue's widgets ask for, read before they are drawn (a link may preset the search and the SLA
    filter: ?item=123, ?sla=Breached)."""
    preset_widget("item", f"{key}_search", None)
    preset_widget("sla", f"{key}_sla", SLA_CHOICES)
    offset, limit = page_window(key, QUEUE_PAGE)
    sla = st.session_state.get(f"{key}_sla")
    return QueueView(words=st.session_state.get(f"{key}_search") or "",
                     sla=sla if sla and sla != ALL_ITEMS else None,
                     sort=st.session_state.get(f"_queue_order_{key}"), offset=offset, limit=limit,
                     ticked=tuple(_state(key)["records"]))


def work_queue(read: Callable[[QueueView], QueuePage], key: str, empty: str, caption: str | Callable[[QueuePage], str],
               date_columns: tuple[str, ...] = ("SLA Target",), single: bool = True, counted: str = "waiting",
               stop: bool = True, compact_when_ticked: bool = False) -> list[dict]:
    """A role's queue, read a page at a time (read(view) -> QueuePage): says so when it is empty (and stops the
    page, unless stop is False), else its count, a search by ID, learner or centre, the SLA filter where the queue
    has SLA flags, and a table of 25 rows a page to tick items in (the ticked records back). caption may be worked
    out from the page (its tallies). compact_when_ticked: with an item ticked the table is a strip of two rows
    that scrolls, so that the item's work starts on the first screen."""
    view = _queue_view(key)
    page = read(view)
    if page.total == 0:
        clear_ticks(key)
        st.info(empty, icon=":material/inbox:")
        if stop:
            st.stop()
        return []
    count_col, search_col = st.columns([3, 2], vertical_alignment="bottom")
    search_col.text_input("Search by ID, learner or centre", key=f"{key}_search",
                          placeholder="e.g. 1234, Lisa Simpson or 023456", icon=":material/search:")
    count_slot = count_col.empty()  # the count, above the SLA filter that it reports on
    if page.sla_counts:
        counts = page.sla_counts
        count_col.radio("SLA", SLA_CHOICES, horizontal=True, key=f"{key}_sla",
                        format_func=lambda flag: flag if flag == ALL_ITEMS else f"{flag} ({counts.get(flag, 0):,})")
    narrowed = [f"{page.matched:,} match the search" if view.words else "",
                f"showing {view.sla.lower()} only" if view.sla and page.sla_counts else ""]
    count_slot.markdown(f"**{page.total:,} item(s) {escape_markdown(counted)}**"
                        + "".join(f" · {part}" for part in narrowed if part))
    caption_slot = st.empty()  # filled once the table has said whether an item is ticked
    if page.matched == 0:
        caption_slot.caption(caption(page) if callable(caption) else caption)
        st.info("No item in this queue matches the search" + (" and the SLA filter" if view.sla else "")
                + ". Clear it to see them all.", icon=":material/search_off:")
        return []
    _queue_order_note(key, view.sort)
    rows = page.rows
    shown = blank_missing(rows.drop(columns=["centre_id"], errors="ignore"), date_columns)
    ticked = selectable_table(rows, key=key, shown=shown, single=single,
                              every_key={_plain(value) for value in rows["ID"].tolist()} | set(page.present),
                              on_heading=lambda column: _sort_queue(key, column),
                              height_when_ticked=COMPACT_QUEUE_HEIGHT if compact_when_ticked else None)
    if not (compact_when_ticked and ticked):  # while an item is worked on, its work comes first
        caption_slot.caption(caption(page) if callable(caption) else caption)
    if page.matched > QUEUE_PAGE:
        pager(key, page.matched, QUEUE_PAGE)
    return ticked
