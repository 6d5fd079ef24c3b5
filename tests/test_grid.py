"""The list filter model: the guide's operators, in DuckDB and in pandas alike."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.centre.tracker import STAFF_COLUMNS, tracker_page
from lib.store import grid
from lib.store.db import Database
from lib.store.grid import AND, CONTAINS, EQUALS, OR, ColumnFilter, Condition, GridQuery, Sort
from tests.conftest import load_user


@pytest.fixture(scope="module")
def shared_db(demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("grid") / "grid.duckdb"
    shutil.copy(demo_template, path)
    database = Database.open(path)
    yield database
    database.close()


@pytest.fixture(scope="module")
def team(shared_db):
    return load_user(shared_db, "team.demo")


@pytest.fixture(scope="module")
def everything(shared_db, team):
    return tracker_page(shared_db, team, limit=1_000_000).rows


def ids(shared_db, team, *filters, sort=None):
    return list(tracker_page(shared_db, team, GridQuery(tuple(filters), sort, 0, 1_000_000)).rows["ID"])


def test_contains_ignores_case_and_equals_is_exact(shared_db, team, everything):
    name = everything["ENR"].iloc[0]
    assert ids(shared_db, team, ColumnFilter("ENR", Condition(CONTAINS, name[:3].lower())))
    assert all(name[:3] in e for e in everything.loc[everything.ID.isin(
        ids(shared_db, team, ColumnFilter("ENR", Condition(CONTAINS, name[:3].lower())))), "ENR"])
    assert ids(shared_db, team, ColumnFilter("ENR", Condition(EQUALS, name.lower()))) == []
    exact = ids(shared_db, team, ColumnFilter("ENR", Condition(EQUALS, name)))
    assert set(exact) == set(everything[everything.ENR == name].ID)


def test_learner_matches_first_and_last_names_as_the_guide_shows(shared_db, team, everything):
    first, last = everything.first_name.iloc[5], everything.last_name.iloc[5]
    both = ids(shared_db, team, ColumnFilter("Learner", Condition(CONTAINS, first[:3]), AND,
                                             Condition(CONTAINS, last[:4])))
    expected = everything[everything.Learner.str.lower().str.contains(first[:3].lower())
                          & everything.Learner.str.lower().str.contains(last[:4].lower())]
    assert set(both) == set(expected.ID) and len(both) > 0
    by_last_name = ids(shared_db, team, ColumnFilter("Learner", Condition(EQUALS, last)))
    assert set(by_last_name) == set(everything[everything.last_name == last].ID)


def test_dates_are_strictly_after_and_before(shared_db, team, everything):
    day = everything.Submitted.iloc[20].date()
    one_day = ids(shared_db, team, ColumnFilter("Submitted", Condition(grid.AFTER, day - timedelta(days=1)), AND,
                                                Condition(grid.BEFORE, day + timedelta(days=1))))
    assert set(one_day) == set(everything[everything.Submitted.dt.date == day].ID)
    assert not set(ids(shared_db, team, ColumnFilter("Submitted", Condition(grid.AFTER, day)))) & set(one_day)


def test_or_joins_two_statuses(shared_db, team, everything):
    done = ids(shared_db, team, ColumnFilter("Status", Condition(EQUALS, "Completed"), OR,
                                             Condition(EQUALS, "Referred")))
    assert set(done) == set(everything[everything.Status.isin(["Completed", "Referred"])].ID)


def test_filters_on_several_columns_all_apply(shared_db, team, everything):
    found = ids(shared_db, team, ColumnFilter("Status", Condition(EQUALS, "Completed")),
                ColumnFilter("Type", Condition(EQUALS, "Integrated")))
    assert set(found) == set(everything[(everything.Status == "Completed") & (everything.Type == "Integrated")].ID)


def test_sorting_puts_blanks_last_and_breaks_ties_by_id(shared_db, team):
    rows = tracker_page(shared_db, team, GridQuery((), Sort("Batch"), 0, 1_000_000)).rows
    named = rows.Batch[rows.Batch.notna()].tolist()
    assert named == sorted(named) and rows.Batch.iloc[len(named):].isna().all() and len(named) < len(rows)
    first_batch = rows[rows.Batch == named[0]].ID.tolist()
    assert first_batch == sorted(first_batch, reverse=True)


def test_paging_counts_every_match(shared_db, team):
    query = GridQuery((ColumnFilter("Status", Condition(EQUALS, "Completed")),), None, 20, 20)
    page = tracker_page(shared_db, team, query)
    assert page.total == len(ids(shared_db, team, *query.filters)) and len(page.rows) == 20 and page.offset == 20


def test_a_page_past_the_end_shows_the_last_page(shared_db, team):
    page = tracker_page(shared_db, team, GridQuery((), None, 10_000_000, 10))
    assert len(page.rows) >= 1 and page.offset == (page.total - 1) // 10 * 10


def test_one_of_lists_exactly_the_items_named_in_sql_and_in_pandas(shared_db, team, everything):
    wanted = (int(everything.ID.iloc[0]), int(everything.ID.iloc[-1]), 999_999_999)  # the last row, and one not there
    only = ColumnFilter("ID", Condition(grid.ONE_OF, wanted))
    assert sorted(ids(shared_db, team, only)) == sorted(wanted[:2])
    assert sorted(grid.filter_frame(everything, STAFF_COLUMNS, (only,)).ID) == sorted(wanted[:2])
    assert grid.describe(only) == f"ID is one of {wanted[0]}, {wanted[1]}, 999999999"
    many = ColumnFilter("ID", Condition(grid.ONE_OF, tuple(range(1, 26))))
    assert grid.describe(many).endswith("10 and 15 more")


@pytest.mark.parametrize("bad, message", [
    (ColumnFilter("ID", Condition(grid.ONE_OF, ())), "takes whole numbers"),
    (ColumnFilter("ID", Condition(grid.ONE_OF, ("1; DROP",))), "takes whole numbers"),
    (ColumnFilter("Mark", Condition(EQUALS, "sixty")), "takes a number"),
    (ColumnFilter("Submitted", Condition(grid.AFTER, "yesterday")), "Choose a date"),
    (ColumnFilter("ENR", Condition(grid.AFTER, date(2026, 1, 1))), "cannot be filtered"),
    (ColumnFilter("Nope", Condition(EQUALS, "x")), "no column"),
    (ColumnFilter("ENR", Condition(CONTAINS, "")), "Type something"),
])
def test_bad_filters_get_a_clear_message(bad, message):
    with pytest.raises(grid.FilterError, match=message):
        grid.validate(STAFF_COLUMNS, (bad,))


def test_filter_values_are_parameters_not_sql(shared_db, team):
    assert ids(shared_db, team, ColumnFilter("Batch", Condition(CONTAINS, "'; DROP TABLE submissions; --"))) == []
    assert shared_db.query_one("SELECT count(*) FROM submissions")[0] > 0


# ---- the property: DuckDB and pandas agree --------------------------------------------------

TEXT_ALPHABET = st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x7F) | st.sampled_from(
    " -'éö%_")


@st.composite
def conditions(draw, column: grid.Column, frame):
    operator = draw(st.sampled_from(grid.OPERATORS[column.kind]))
    series = frame[column.label].dropna()
    if column.kind == grid.DATE:
        base = draw(st.sampled_from(list(series))).date() if len(series) else date(2026, 1, 1)
        return Condition(operator, base + timedelta(days=draw(st.integers(-3, 3))))
    if column.kind == grid.NUMBER:
        return Condition(operator, draw(st.sampled_from(list(series))) + draw(st.integers(-2, 2)))
    if draw(st.booleans()) and len(series):
        value = str(draw(st.sampled_from(list(series))))
        if operator == CONTAINS:
            start = draw(st.integers(0, max(0, len(value) - 1)))
            value = value[start:start + draw(st.integers(1, 4))]
            value = value.upper() if draw(st.booleans()) else value
        return Condition(operator, value)
    return Condition(operator, draw(st.text(TEXT_ALPHABET, min_size=1, max_size=4)))


@st.composite
def column_filters(draw, frame):
    column = draw(st.sampled_from(STAFF_COLUMNS.columns))
    first = draw(conditions(column, frame))
    second = draw(st.none() | conditions(column, frame))
    return ColumnFilter(column.label, first, draw(st.sampled_from((AND, OR))), second)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_duckdb_and_pandas_keep_the_same_rows_in_the_same_order(shared_db, team, everything, data):
    filters = tuple(data.draw(st.lists(column_filters(everything), min_size=0, max_size=3)))
    sort = data.draw(st.none() | st.builds(Sort, st.sampled_from([c.label for c in STAFF_COLUMNS.columns]),
                                           st.booleans()))
    in_sql = ids(shared_db, team, *filters, sort=sort)
    in_pandas = grid.sort_frame(grid.filter_frame(everything, STAFF_COLUMNS, filters), STAFF_COLUMNS, sort)
    assert in_sql == list(in_pandas.ID)
