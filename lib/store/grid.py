"""The filter, sort and paging model behind every list, as the customer guide describes it.

Filters are per column: one or two conditions joined by And / Or. Text: Contains (ignores case)
and Is equal to (exact). Dates: Is after and Is before (strict). Numbers: Is equal to, Is greater
than, Is less than. The Learner column matches first names, last names and whole names.
The same model turns into parameterised DuckDB SQL (to_sql) and filters a pandas DataFrame
(filter_frame); a property test keeps the two in step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

TEXT, DATE, NUMBER, NAME = "text", "date", "number", "name"
CONTAINS, EQUALS, AFTER, BEFORE, GREATER, LESS = (
    "Contains", "Is equal to", "Is after", "Is before", "Is greater than", "Is less than")
AND, OR = "And", "Or"
# Set by the app, never offered in the Filter form: the items just submitted, a card's list of ids.
ONE_OF = "Is one of"

OPERATORS = {
    TEXT: (CONTAINS, EQUALS),
    NAME: (CONTAINS, EQUALS),
    DATE: (AFTER, BEFORE),
    NUMBER: (EQUALS, GREATER, LESS),
}


class FilterError(ValueError):
    """A filter the user typed cannot be applied; the message says why."""


@dataclass(frozen=True, eq=False)
class Column:
    """A column of a list: its heading, its SQL expression, and how it filters."""

    label: str
    sql: str
    kind: str = TEXT
    # For NAME columns: the SQL of the first and last name, matched as well as the whole name.
    parts: tuple[str, ...] = ()
    # For NAME columns in pandas: the frame's first and last name columns.
    frame_parts: tuple[str, ...] = ()
    # The values a user picks from instead of typing (Status: Submitted, Rejected, …).
    choices: tuple[str, ...] = ()
    # False for a technical key that orders rows but is not shown or offered as a filter.
    shown: bool = True
    # Faster SQL for 'Is equal to' one of the choices (a status is a CASE over stage and result).
    equals_sql: dict[str, str] = field(default_factory=dict)
    # An already lower-cased expression to search for 'Contains'.
    contains_sql: str | None = None
    # The same value for just one page's rows, which may read the page's keys from `page_keys(k)`: a subquery over
    # a whole table (EXISTS …) then looks at ten keys instead of joining every row.
    page_sql: str | None = None


@dataclass(frozen=True)
class Condition:
    operator: str
    value: str | date | int | float


@dataclass(frozen=True)
class ColumnFilter:
    column: str
    first: Condition
    join: str = AND
    second: Condition | None = None


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool = False


@dataclass(frozen=True)
class GridQuery:
    filters: tuple[ColumnFilter, ...] = ()
    sort: Sort | None = None
    offset: int = 0
    limit: int = 10
    # Words typed in the list's search box: each is found in one of the ColumnSet's searched columns.
    search: str = ""


@dataclass(frozen=True)
class GridPage:
    rows: pd.DataFrame
    total: int
    offset: int
    limit: int


@dataclass
class ColumnSet:
    """The columns of one list, looked up by label; `key` breaks ties so paging is stable."""

    columns: tuple[Column, ...]
    key: str
    # The labels of the columns a search box looks in (Contains, any case); none: the list has no search box.
    searched: tuple[str, ...] = ()
    by_label: dict[str, Column] = field(init=False)

    def __post_init__(self) -> None:
        self.by_label = {column.label: column for column in self.columns}
        if self.key not in self.by_label:
            raise ValueError(f"tie-break column {self.key!r} is not a column")

    def __getitem__(self, label: str) -> Column:
        try:
            return self.by_label[label]
        except KeyError:
            raise FilterError(f"There is no column called {label!r}.") from None


# Beyond this a float has lost whole numbers, and DuckDB's integers overflow: no ID or figure is so large.
MAX_FILTER_NUMBER = 1e15


def _checked_value(column: Column, condition: Condition):
    if condition.operator == ONE_OF and column.kind == NUMBER:
        values = tuple(condition.value) if isinstance(condition.value, (list, tuple)) else ()
        if not values or not all(isinstance(v, int) and not isinstance(v, bool) and abs(v) <= MAX_FILTER_NUMBER
                                 for v in values):
            raise FilterError(f"{column.label} 'is one of' takes whole numbers.")
        return values
    if condition.operator not in OPERATORS[column.kind]:
        raise FilterError(f"{column.label} cannot be filtered with '{condition.operator}'.")
    value = condition.value
    if column.kind == DATE:
        if not isinstance(value, date):
            raise FilterError(f"Choose a date to filter {column.label}.")
        return value
    if column.kind == NUMBER:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise FilterError(f"{column.label} takes a number, not {value!r}.") from None
        if isinstance(value, bool) or not math.isfinite(number) or abs(number) > MAX_FILTER_NUMBER:
            raise FilterError(f"{column.label} takes a number of up to 15 digits, not {value!r}.")
        return int(number) if number == int(number) else number
    text = str(value)
    if text == "":
        raise FilterError(f"Type something to filter {column.label}.")
    return text


def validate(columns: ColumnSet, filters: tuple[ColumnFilter, ...]) -> None:
    """Raise FilterError with a message for the first filter that cannot be applied."""
    for column_filter in filters:
        column = columns[column_filter.column]
        if column_filter.join not in (AND, OR):
            raise FilterError(f"Conditions are joined with And or Or, not {column_filter.join!r}.")
        for condition in (column_filter.first, column_filter.second):
            if condition is not None:
                _checked_value(column, condition)


# ---- SQL -------------------------------------------------------------------------------------

def _condition_sql(column: Column, condition: Condition) -> tuple[str, list]:
    value = _checked_value(column, condition)
    if condition.operator == ONE_OF:
        return f"coalesce(list_contains(?, {column.sql}), FALSE)", [list(value)]
    if condition.operator == CONTAINS:
        # The whole name contains any part of the first or the last name, so one test serves all three.
        searched = column.contains_sql or f"lower({column.sql})"
        return f"coalesce(contains({searched}, lower(?)), FALSE)", [value]
    if condition.operator == EQUALS and value in column.equals_sql:
        return f"({column.equals_sql[value]})", []
    if condition.operator == EQUALS:
        if column.kind == NAME:
            expressions = [column.sql, *column.parts]
            return "(" + " OR ".join(f"coalesce({e} = ?, FALSE)" for e in expressions) + ")", [value] * len(expressions)
        return f"coalesce({column.sql} = ?, FALSE)", [value]
    comparison = {AFTER: ">", GREATER: ">", BEFORE: "<", LESS: "<"}[condition.operator]
    return f"coalesce({column.sql} {comparison} ?, FALSE)", [value]


def to_sql(columns: ColumnSet, filters: tuple[ColumnFilter, ...]) -> tuple[str, list]:
    """A WHERE condition (never empty: TRUE without filters) and its parameters."""
    clauses, params = [], []
    for column_filter in filters:
        column = columns[column_filter.column]
        first_sql, first_params = _condition_sql(column, column_filter.first)
        if column_filter.second is None:
            clauses.append(first_sql)
            params += first_params
            continue
        second_sql, second_params = _condition_sql(column, column_filter.second)
        joiner = " AND " if column_filter.join == AND else " OR "
        clauses.append(f"({first_sql}{joiner}{second_sql})")
        params += first_params + second_params
    return (" AND ".join(clauses) or "TRUE"), params


def search_sql(columns: ColumnSet, words: str) -> tuple[str, list]:
    """A WHERE condition keeping the rows in which every word is inside one of the searched columns (any case)."""
    clauses, params = [], []
    for word in words.split()[:10]:
        searched = [columns[label] for label in columns.searched]
        clauses.append("(" + " OR ".join(f"coalesce(contains({c.contains_sql or f'lower({c.sql})'}, lower(?)), FALSE)"
                                         for c in searched) + ")")
        params += [word] * len(searched)
    return (" AND ".join(clauses) or "TRUE"), params


def where_sql(columns: ColumnSet, query: GridQuery) -> tuple[str, list]:
    """The query's filters and search as one WHERE condition and its parameters."""
    filtered, params = to_sql(columns, query.filters)
    if not (query.search.strip() and columns.searched):
        return filtered, params
    searched, search_params = search_sql(columns, query.search)
    return f"{filtered} AND {searched}", [*params, *search_params]


def order_sql(columns: ColumnSet, sort: Sort | None) -> str:
    """ORDER BY text: the chosen column (blanks last), then the key column, highest first."""
    key = columns[columns.key].sql
    if sort is None:
        return f"{key} DESC"
    column = columns[sort.column]
    direction = "DESC" if sort.descending else "ASC"
    return f"{column.sql} {direction} NULLS LAST, {key} DESC"


# ---- pandas ----------------------------------------------------------------------------------

def _condition_mask(frame: pd.DataFrame, column: Column, condition: Condition) -> np.ndarray:
    value = _checked_value(column, condition)
    series = frame[column.label]
    if condition.operator == ONE_OF:
        return pd.to_numeric(series).isin(value).to_numpy(dtype=bool)
    if condition.operator == CONTAINS:
        lowered = series.astype("string").str.lower()
        return lowered.str.contains(value.lower(), regex=False).fillna(False).to_numpy(dtype=bool)
    if condition.operator == EQUALS:
        if column.kind == NAME:
            candidates = [series, *(frame[part] for part in column.frame_parts)]
            return np.logical_or.reduce([(c == value).fillna(False).to_numpy(dtype=bool) for c in candidates])
        if column.kind == NUMBER:
            return (pd.to_numeric(series) == value).fillna(False).to_numpy(dtype=bool)
        return (series.astype("string") == value).fillna(False).to_numpy(dtype=bool)
    if column.kind == DATE:
        values, bound = pd.to_datetime(series), pd.Timestamp(value)
    else:
        values, bound = pd.to_numeric(series), value
    compared = values > bound if condition.operator in (AFTER, GREATER) else values < bound
    return compared.fillna(False).to_numpy(dtype=bool)


def filter_frame(frame: pd.DataFrame, columns: ColumnSet, filters: tuple[ColumnFilter, ...]) -> pd.DataFrame:
    """The rows of frame that the filters keep (frame columns are named by label); frame itself without filters."""
    if not filters:
        return frame
    mask = np.ones(len(frame), dtype=bool)
    for column_filter in filters:
        column = columns[column_filter.column]
        first = _condition_mask(frame, column, column_filter.first)
        if column_filter.second is None:
            mask &= first
            continue
        second = _condition_mask(frame, column, column_filter.second)
        mask &= (first & second) if column_filter.join == AND else (first | second)
    return frame[mask]


def sort_frame(frame: pd.DataFrame, columns: ColumnSet, sort: Sort | None) -> pd.DataFrame:
    if sort is None:
        return frame.sort_values(columns.key, ascending=False, kind="stable")
    ordered = frame.sort_values(columns.key, ascending=False, kind="stable")
    return ordered.sort_values(sort.column, ascending=not sort.descending, na_position="last", kind="stable")


def describe(column_filter: ColumnFilter) -> str:
    """'Learner contains "Lis" And contains "Simp"', for showing the filters in force."""

    def text(condition: Condition) -> str:
        if condition.operator == ONE_OF:
            values = [f"{v}" for v in condition.value]
            return "is one of " + ", ".join(values[:10]) + (f" and {len(values) - 10} more" if len(values) > 10 else "")
        value = condition.value.strftime("%d/%m/%Y") if isinstance(condition.value, date) else condition.value
        return f'{condition.operator.lower()} "{value}"'

    words = f"{column_filter.column} {text(column_filter.first)}"
    if column_filter.second is not None:
        words += f" {column_filter.join} {text(column_filter.second)}"
    return words


# ---- running a list against DuckDB -----------------------------------------------------------

@dataclass(frozen=True)
class GridSource:
    """FROM … with its scoping condition, plus hidden columns the page needs but does not show."""

    from_sql: str
    scope_sql: str
    scope_params: list
    hidden: tuple[tuple[str, str], ...] = ()


def _select_list(source: GridSource, columns: ColumnSet, hidden: bool, page: bool = False) -> str:
    shown = [c for c in columns.columns if c.shown or hidden]
    return ", ".join([f'{(c.page_sql if page and c.page_sql else c.sql)} AS "{c.label}"' for c in shown]
                     + ([f'{sql} AS "{name}"' for name, sql in source.hidden] if hidden else []))


def iterate(db, source: GridSource, columns: ColumnSet, query: GridQuery, chunk: int = 20_000):
    """Every matching row (shown columns only) in order, a chunk at a time, for exports of any size."""
    where, params = where_sql(columns, query)
    sql = (f"SELECT {_select_list(source, columns, hidden=False)} FROM {source.from_sql} "
           f"WHERE ({source.scope_sql}) AND {where} ORDER BY {order_sql(columns, query.sort)}")
    with db.cursor() as cursor:
        result = cursor.execute(sql, [*source.scope_params, *params])
        while rows := result.fetchmany(chunk):
            yield from rows


def _page_keys(cursor, source: GridSource, columns: ColumnSet, query: GridQuery, offset: int, limit: int):
    """The key of each row on the page and the count of all matches, in one pass over the key columns only."""
    where, params = where_sql(columns, query)
    key = columns[columns.key].sql
    return cursor.execute(
        f"SELECT {key}, count(*) OVER () FROM {source.from_sql} WHERE ({source.scope_sql}) AND {where} "
        f"ORDER BY {order_sql(columns, query.sort)} LIMIT ? OFFSET ?",
        [*source.scope_params, *params, limit, offset]).fetchall()


def run(db, source: GridSource, columns: ColumnSet, query: GridQuery) -> GridPage:
    """Count and fetch one page in DuckDB: filtering, sorting and paging never leave the database.

    The first query finds the page's keys and the total together, within the user's scope; the second fetches the
    shown columns for just those keys. Both read one snapshot, so the keys the scoped query chose are the rows
    fetched, and the fetch joins them directly (re-applying the scope there doubles its time on a million items).
    """
    limit = max(1, int(query.limit))
    offset = max(0, int(query.offset))
    with db.cursor() as cursor:
        cursor.begin()
        try:
            found = _page_keys(cursor, source, columns, query, offset, limit)
            if not found and offset:
                where, params = where_sql(columns, query)
                total = cursor.execute(
                    f"SELECT count(*) FROM {source.from_sql} WHERE ({source.scope_sql}) AND {where}",
                    [*source.scope_params, *params]).fetchone()[0]
                offset = max(0, (total - 1) // limit * limit)
                found = _page_keys(cursor, source, columns, query, offset, limit)
            total = found[0][1] if found else 0
            keys = [key for key, _ in found]
            # `page_keys JOIN (a JOIN b ON …) ON …`: the source's joins stay as written, the page's keys drive them.
            # No keys: an empty page_keys of the key's own type (an empty list has none for PostgreSQL to read).
            page_keys = "SELECT unnest(?) AS k" if keys else \
                f"SELECT {columns[columns.key].sql} AS k FROM {source.from_sql} WHERE FALSE"
            rows = cursor.execute(
                f"WITH page_keys AS ({page_keys}) "
                f"SELECT {_select_list(source, columns, hidden=True, page=True)} "
                f"FROM page_keys JOIN {source.from_sql} ON {columns[columns.key].sql} = page_keys.k "
                f"ORDER BY {order_sql(columns, query.sort)}", [keys] if keys else []).df()
        finally:
            cursor.rollback()
    return GridPage(rows, total, offset, limit)
