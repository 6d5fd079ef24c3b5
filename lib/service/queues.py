"""Reading a staff queue one page at a time: its counts, a search, an SLA filter and a heading's sort, in SQL.

A queue page used to load every waiting item (thousands, each joined to its learner and centre, with per-item
look-ups) for the page to count, search and slice 25 of them. Here the counts are read from the queue's own
condition alone, the 25 keys of the page are picked in the queue's order, and only those rows are joined and
looked up: the cost follows the page, not the queue, on DuckDB and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from lib.rules import workdays
from lib.service.sla import AT_RISK, BREACHED, ON_TRACK, sla_flags
from lib.store.db import Database

PAGE_ROWS = 25
SORT_BY_TARGET = {"SLA": "SLA Target"}  # the SLA flag is worked out from the target: it sorts as the target does


@dataclass(frozen=True)
class QueueView:
    """What a person looks at: the words searched for (each an ID, the start of an ENR or a centre's number, or
    part of a learner's or a centre's name), one SLA category, a heading's sort (label, descending), the window, and the keys of
    the items ticked (to tell which are still in the queue)."""

    words: str = ""
    sla: str | None = None
    sort: tuple[str, bool] | None = None
    offset: int = 0
    limit: int | None = PAGE_ROWS
    ticked: tuple = ()


EVERYTHING = QueueView(limit=None)


@dataclass(frozen=True)
class QueuePage:
    rows: pd.DataFrame
    total: int  # the whole queue
    matched: int  # what the search and the SLA filter leave
    offset: int
    sla_counts: dict[str, int] = field(default_factory=dict)  # the whole queue's items by SLA category
    tallies: dict[str, int] = field(default_factory=dict)  # the queue's own counts (overdue checks, held items)
    present: frozenset = frozenset()  # the ticked keys still in the queue


@dataclass(frozen=True)
class QueueSql:
    """A queue in SQL. columns: (label, expression) over s (the item), l (its learner), c (its centre) and what
    joins adds; source and where: the queue's items (s, with the tables the condition needs, and nothing else);
    order: the queue's own order; tallies: (name, condition, params) counted over the whole queue."""

    columns: tuple[tuple[str, str], ...]
    source: str
    where: str
    where_params: tuple = ()
    column_params: tuple = ()
    joins: str = ""
    order: str = "s.sla_target, s.id"
    with_sla: bool = True
    tallies: tuple[tuple[str, str, tuple], ...] = ()


def sla_bounds(today: date, at_risk_days: int) -> tuple[date, date]:
    """(last working day, first safe day), as sla_flags counts working days: a target before the last working day
    up to today is breached (on a Saturday, Friday's target is due today, not overdue); one from there to the day
    before the first safe day is at risk (at_risk_days working days left or fewer); the rest are on track."""
    calendar = workdays.calendar()
    last_working = np.busday_offset(np.datetime64(today, "D"), 0, roll="backward", busdaycal=calendar)
    first_safe = np.busday_offset(np.datetime64(today, "D") + 1, at_risk_days, roll="forward", busdaycal=calendar)
    return pd.Timestamp(last_working).date(), pd.Timestamp(first_safe).date()


def _sla_condition(category: str | None, bounds: tuple[date, date]) -> tuple[str, list]:
    if category == BREACHED:
        return " AND s.sla_target < ?", [bounds[0]]
    if category == AT_RISK:
        return " AND s.sla_target >= ? AND s.sla_target < ?", list(bounds)
    if category == ON_TRACK:
        return " AND (s.sla_target >= ? OR s.sla_target IS NULL)", [bounds[1]]
    return "", []


def _search_condition(words: str) -> tuple[str, list]:
    """Every word found: as the whole ID, at the start of the learner's ENR or the centre's number (numbers are
    typed from their start: a link's ?item=709 finds item 709, not every ENR with 709 inside), or inside the
    learner's or the centre's name; any case."""
    sql, params = "", []
    for word in words.split():
        lowered = word.lower()
        sql += (" AND (CAST(s.id AS VARCHAR) = ? OR strpos(lower(l.enr), ?) = 1 OR strpos(c.number, ?) = 1"
                " OR strpos(l.search_name, ?) > 0 OR strpos(lower(c.name), ?) > 0)")
        params += [word, lowered, word, lowered, lowered]
    return sql, params


PEOPLE = " JOIN learners l ON l.id = s.learner_id JOIN centres c ON c.id = s.centre_id"


def _rows(cursor, queue: QueueSql, extra: str = "", extra_params: list | None = None,
          keys: list | None = None) -> pd.DataFrame:
    select = ", ".join(f'{sql} AS "{label}"' for label, sql in queue.columns)
    chosen = " AND list_contains(?, s.id)" if keys is not None else ""
    return cursor.execute(
        f"SELECT {select} FROM {queue.source}{PEOPLE} {queue.joins} WHERE ({queue.where}){extra}{chosen} "
        f"ORDER BY {queue.order}",
        [*queue.column_params, *queue.where_params, *(extra_params or []), *([keys] if keys is not None else [])]).df()


def _counts(cursor, queue: QueueSql, bounds: tuple[date, date]) -> tuple[int, dict, dict]:
    tallies = "".join(f", count(*) FILTER (WHERE {condition})" for _, condition, _ in queue.tallies)
    row = cursor.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE s.sla_target < ?),
                   count(*) FILTER (WHERE s.sla_target >= ? AND s.sla_target < ?){tallies}
            FROM {queue.source} WHERE {queue.where}""",
        [bounds[0], *bounds, *(p for _, _, params in queue.tallies for p in params), *queue.where_params]).fetchone()
    total, breached, at_risk = (int(value or 0) for value in row[:3])
    sla_counts = {BREACHED: breached, AT_RISK: at_risk, ON_TRACK: total - breached - at_risk} if queue.with_sla else {}
    return total, sla_counts, {name: int(value or 0) for (name, _, _), value in zip(queue.tallies, row[3:])}


def _with_flags(rows: pd.DataFrame, queue: QueueSql, today: date, at_risk_days: int) -> pd.DataFrame:
    if queue.with_sla:
        rows.insert(rows.columns.get_loc("SLA Target") + 1, "SLA", sla_flags(rows["SLA Target"], today, at_risk_days)
                    if len(rows) else pd.Series(dtype=object))
    return rows


def read_queue(db: Database, queue: QueueSql, view: QueueView, today: date, at_risk_days: int) -> QueuePage:
    """One page of the queue as the view asks for it, with the queue's counts, all read from one snapshot (the
    counts, the page's keys and its rows agree even while others act on the queue)."""
    with db.cursor() as cursor:
        cursor.begin()
        try:
            if db.dialect == "postgres":
                # A queue is one stage's items, read through indexes: starting parallel workers costs more than
                # they save (a searched Quality check, 41 -> 26 ms on the 1,000,000 demo), and on a busy replica
                # they would take the cores other sessions are waiting for.
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            return _read(cursor, queue, view, today, at_risk_days)
        finally:
            cursor.rollback()


def _read(cursor, queue: QueueSql, view: QueueView, today: date, at_risk_days: int) -> QueuePage:
    bounds = sla_bounds(today, at_risk_days)
    total, sla_counts, tallies = _counts(cursor, queue, bounds)
    sla_sql, sla_params = _sla_condition(view.sla if queue.with_sla else None, bounds)
    search_sql, search_params = _search_condition(view.words)
    offset = max(view.offset, 0)
    if view.limit is None or view.sort:
        # The whole queue, or what the search leaves of it, sorted by a heading (a rarer view: every match read).
        rows = _with_flags(_rows(cursor, queue, search_sql + sla_sql, search_params + sla_params), queue, today,
                           at_risk_days)
        if view.sort:
            label, descending = view.sort
            label = SORT_BY_TARGET.get(label, label)
            if label in rows.columns:
                rows = rows.sort_values(label, ascending=not descending, na_position="last", kind="stable")
        matched = len(rows)
        if view.limit is not None:
            offset = min(offset, max(matched - 1, 0) // view.limit * view.limit)
            rows = rows.iloc[offset:offset + view.limit]
        rows = rows.reset_index(drop=True)
    else:
        condition, params = search_sql + sla_sql, search_params + sla_params
        known = None if view.words else sla_counts.get(view.sla, total)
        keys, matched = _page_keys(cursor, queue, condition, params, view.limit, offset, known)
        if not keys and matched and offset:  # past the end: its last page
            offset = (matched - 1) // view.limit * view.limit
            keys, matched = _page_keys(cursor, queue, condition, params, view.limit, offset, known)
        rows = _rows(cursor, queue, keys=keys) if keys else _rows(cursor, queue, " AND FALSE")
        rows = rows.set_index("ID", drop=False).loc[keys].reset_index(drop=True) if keys else rows  # keys' order
        rows = _with_flags(rows, queue, today, at_risk_days)
    present = frozenset()
    if view.ticked:
        present = frozenset(key for (key,) in cursor.execute(
            f"SELECT s.id FROM {queue.source} WHERE ({queue.where}) AND list_contains(?, s.id)",
            [*queue.where_params, [int(key) for key in view.ticked]]).fetchall())
    return QueuePage(rows, total, int(matched), offset, sla_counts, tallies, present)


def _page_keys(cursor, queue: QueueSql, condition: str, params: list, limit: int, offset: int,
               known: int | None) -> tuple[list, int]:
    """The page's keys in the queue's order, and how many items the condition leaves (known from the counts
    unless a search narrows them: then counted here)."""
    people = PEOPLE if known is None else ""
    counted = ", count(*) OVER ()" if known is None else ""
    found = cursor.execute(
        f"SELECT s.id{counted} FROM {queue.source}{people} WHERE ({queue.where}){condition} "
        f"ORDER BY {queue.order} LIMIT ? OFFSET ?", [*queue.where_params, *params, limit, offset]).fetchall()
    if known is None:
        known = int(found[0][1]) if found else 0
        if not found and offset:  # past the search's end: how many it found, for its last page
            known = int(cursor.execute(
                f"SELECT count(*) FROM {queue.source}{people} WHERE ({queue.where}){condition}",
                [*queue.where_params, *params]).fetchone()[0])
    return [int(row[0]) for row in found], known


def queue_ids(db: Database, queue: QueueSql, condition: str = "TRUE") -> list[int]:
    """The keys of the whole queue (those meeting condition too), in its order: what an action on all of them takes."""
    return [key for (key,) in db.query_all(
        f"SELECT s.id FROM {queue.source} WHERE ({queue.where}) AND ({condition}) ORDER BY {queue.order}",
        list(queue.where_params))]
