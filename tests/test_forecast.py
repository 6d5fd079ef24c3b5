"""The breach forecast on a fixture whose answer is worked out by hand, and the SLA drill-down lists."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from lib.service.forecast import (
    AFTER_MARKING,
    ALLOCATION,
    MARKING,
    QUALITY_CHECK,
    assessor_rates,
    back_test,
    forecast,
    open_queue,
    stage_times,
)
from lib.service.sla import sla_flags, sla_items
from tests.analytics_fixture import TEAM, new_database

AS_OF = date(2026, 3, 16)  # a Monday
ASSESSOR = 7


def insert(db, item_id: int, stage: str, received: date, target: date, checked=None, allocated=None, marked=None,
           released=None, assessor=None):
    with db.cursor() as cursor:
        cursor.execute(
            """INSERT INTO submissions (id, centre_id, learner_id, qualification_code, type, stage, category,
                   unit_codes, uploaded_at, submitted_at, received_on, sla_target, qc_due, quality_checked_at,
                   allocated_at, marked_at, released_at, assessor_id, result)
               VALUES (?, 1, 1, '8000-14', 'Unit', ?, 'New', '8000-250', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [item_id, stage, received, received, received, target, received, checked, allocated, marked, released,
             assessor, "Pass" if released else None])
        cursor.execute("INSERT INTO submission_units (submission_id, unit_code, result) VALUES (?, '8000-250', ?)",
                       [item_id, "Pass" if released else None])


@pytest.fixture
def history(tmp_path):
    """Ten items that each took 2 working days to check, none to allocate, 10 to mark and 2 to release, all
    marked by one assessor inside the 20 working days before AS_OF; and three open items."""
    db = new_database(tmp_path / "forecast.duckdb")
    with db.cursor() as cursor:
        cursor.execute("INSERT INTO users (id, username, name, role, password_hash, created_at) "
                       "VALUES (?, 'ann.assessor', 'Ann Assessor', 'assessor', 'x', now())", [ASSESSOR])
    for item_id in range(100, 110):
        insert(db, item_id, "released", date(2026, 2, 2), date(2026, 3, 9), checked=datetime(2026, 2, 4, 10),
               allocated=datetime(2026, 2, 4, 11), marked=datetime(2026, 2, 18, 12),
               released=datetime(2026, 2, 20, 9), assessor=ASSESSOR)
    # A: allocated today, first in the assessor's queue; its target is the day before the forecast release.
    insert(db, 1, "allocated", date(2026, 2, 17), date(2026, 3, 31), checked=datetime(2026, 3, 16, 9),
           allocated=datetime(2026, 3, 16, 10), assessor=ASSESSOR)
    # B: submitted today, not yet checked.
    insert(db, 2, "submitted", AS_OF, date(2026, 4, 24))
    # C: marked on the Friday, waiting for release.
    insert(db, 3, "ready", date(2026, 2, 9), date(2026, 3, 20), checked=datetime(2026, 2, 10, 9),
           allocated=datetime(2026, 2, 10, 10), marked=datetime(2026, 3, 13, 15), assessor=ASSESSOR)
    return db


def test_stage_times_and_pace_come_from_recent_history(history):
    times = stage_times(history, AS_OF)
    assert [(times[s].central, times[s].pessimistic) for s in (QUALITY_CHECK, ALLOCATION, MARKING, AFTER_MARKING)] \
        == [(2, 2), (0, 0), (10, 10), (2, 2)]
    assert assessor_rates(history, AS_OF) == {ASSESSOR: 11 / 20}  # the ten and C


def test_each_open_item_gets_the_release_date_worked_out_by_hand(history):
    ahead = forecast(history, TEAM, AS_OF)
    rows = ahead.items.set_index("ID")
    # A: marking takes 10 working days (its queue of 1 at 0.55 a day is under 2), then 2 more: 12 working days.
    assert rows.loc[1, "Forecast release"] == date(2026, 4, 1)
    assert rows.loc[1, "Forecast"] == "Likely to breach"
    # B: 2 to check + 10 to mark + 2 after: 14 working days, past Good Friday and Easter Monday.
    assert rows.loc[2, "Forecast release"] == date(2026, 4, 7)
    assert rows.loc[2, "Forecast"] == "On time"
    # C: one of its 2 working days after marking has passed.
    assert rows.loc[3, "Forecast release"] == date(2026, 3, 17)
    assert list(rows.Stage) == [AFTER_MARKING, MARKING, QUALITY_CHECK]  # the nearest target first: C, A, B
    week = ahead.weekly.set_index("Week")
    assert week.loc[date(2026, 3, 30), "Likely breaches"] == 1
    assert ahead.weekly["Likely breaches"].sum() == 1


def test_a_slow_assessor_pushes_the_forecast_past_the_stage_times(history):
    for item_id in range(200, 230):  # thirty more items in the assessor's queue before A
        insert(history, item_id, "allocated", date(2026, 2, 16), date(2026, 3, 23), checked=datetime(2026, 3, 2),
               allocated=datetime(2026, 3, 16, 8), assessor=ASSESSOR)
    rows = forecast(history, TEAM, AS_OF).items.set_index("ID")
    # 31st in a queue marked at 0.55 a working day: 57 working days, then 2 more.
    assert rows.loc[1, "Forecast release"] > date(2026, 6, 1)
    assert (rows.loc[1, "Pessimistic release"] > rows.loc[1, "Forecast release"])


def test_a_past_day_is_rebuilt_from_the_timestamps(history):
    queue = open_queue(history, date(2026, 2, 10), live=False).set_index("ID")
    assert set(queue.loc[range(100, 110), "stage"]) == {MARKING}  # allocated on 4/2, marked on 18/2
    assert 1 not in queue.index and 2 not in queue.index  # not yet submitted then


def test_the_back_test_compares_the_forecast_with_what_happened(demo_db_for_forecast):
    tested = back_test(demo_db_for_forecast, TEAM)
    assert tested.items > 0 and tested.breached >= tested.caught and tested.predicted >= tested.caught
    assert 0 <= tested.within_pessimistic <= 1


def test_an_item_waiting_for_sampling_is_past_marking_even_without_its_marking_time(history):
    insert(history, 4, "sampling", date(2026, 2, 9), date(2026, 3, 27), checked=datetime(2026, 2, 10, 9),
           allocated=datetime(2026, 2, 10, 10), assessor=ASSESSOR)  # marked_at not recorded
    insert(history, 5, "sampling", date(2026, 2, 9), date(2026, 3, 27), checked=datetime(2026, 2, 10, 9),
           allocated=datetime(2026, 2, 10, 10), marked=datetime(2026, 3, 20, 9), assessor=ASSESSOR)  # a later clock
    stages = open_queue(history, AS_OF, live=True).set_index("ID").stage
    assert stages[4] == stages[5] == AFTER_MARKING
    rows = forecast(history, TEAM, AS_OF).items.set_index("ID")
    assert rows.loc[4, "Forecast release"] == date(2026, 3, 18)  # the 2 working days after marking, from today


def test_the_back_test_leaves_rejected_items_out_and_counts_open_items_past_their_pessimistic_date(history):
    # The last release is 20/2, so the back-test forecasts as of 23/1, when only these three were open.
    insert(history, 300, "submitted", date(2026, 1, 20), date(2026, 2, 16))
    history.query_one("""UPDATE submissions SET stage = 'rejected', rejected_at = '2026-01-27 10:00',
                         rejection_reason = 'No declaration' WHERE id = 300 RETURNING 1""")
    insert(history, 301, "released", date(2026, 1, 21), date(2026, 2, 19), checked=datetime(2026, 1, 22, 9),
           allocated=datetime(2026, 1, 22, 10), marked=datetime(2026, 2, 5, 9), released=datetime(2026, 2, 10, 9),
           assessor=ASSESSOR)
    insert(history, 302, "sampling", date(2026, 1, 5), date(2026, 2, 6), checked=datetime(2026, 1, 6, 9),
           allocated=datetime(2026, 1, 6, 10), marked=datetime(2026, 1, 22, 9), assessor=ASSESSOR)
    tested = back_test(history, TEAM)
    assert tested.as_of == date(2026, 1, 23) and tested.items == 2  # the rejected item is neither late nor on time
    assert tested.breached == 1  # 302, still waiting at the last release
    assert tested.within_pessimistic == 0.5  # 301 out by its pessimistic date; 302 open well past its own


@pytest.fixture
def demo_db_for_forecast(db):
    return db


def test_the_drill_down_lists_days_overdue_not_negative_days_left(history):
    items = sla_items(history, TEAM, AS_OF).set_index("ID")
    assert items.loc[1, "SLA"] == "On track" and items.loc[1, "Working days left"] == 11
    late = sla_items(history, TEAM, date(2026, 4, 2)).set_index("ID")
    assert late.loc[1, "SLA"] == "Breached" and late.loc[1, "Working days overdue"] == 2
    assert late.loc[1, "Working days left"] is None or str(late.loc[1, "Working days left"]) == "<NA>"
    assert sla_flags([date(2026, 3, 31), date(2026, 3, 18), date(2026, 3, 13)], AS_OF, 5) == [
        "", "At risk: 2 working days left", "Breached: 1 working day overdue"]


def test_an_item_past_the_usual_time_is_held_against_the_slow_ones_not_due_at_once():
    from lib.service.forecast import StageTime

    marking = StageTime(np.array([5, 5, 5, 6, 6, 8, 12, 20], dtype=float))
    assert marking.remaining(np.array([0]), 0.5)[0] == 6  # from the start: the median stage
    # 7 days in: only 8, 12 and 20 took longer, with 1, 5 and 13 days still to go; their median is 5.
    assert marking.remaining(np.array([7]), 0.5)[0] == 5
    assert marking.remaining(np.array([25]), 0.5)[0] == 1  # longer than any recent item: one more day
