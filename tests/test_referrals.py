"""Referral rates against a small fixture worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from lib.analytics.referrals import (
    Period,
    against_service,
    beside_service,
    monthly_service_rates,
    rate_view,
    rates_by,
    rates_by_all,
    service_rate,
    unit_service_rates,
)
from lib.rules.roles import User
from lib.store.db import Database
from lib.store.migrate import migrate
from lib.store.scope import NotAllowed

TEAM = User(1, "team", "Team", "assessment_team")
CENTRE_A = User(2, "a", "A user", "centre", centre_id=1, centre_number="100001", centre_name="A")
ALL = Period(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def fixture_db(tmp_path):
    """Centre A: a Pass, a Referral (January) and an integrated item with one Referral among two Passes
    (March); centre B: one Pass (January); centre C: nothing released. No results in February."""
    connection = duckdb.connect(str(tmp_path / "rates.duckdb"))
    migrate(connection)
    connection.execute("""INSERT INTO centres (id, number, name, status, blocked_reason, created_at)
                          VALUES (1, '100001', 'A', 'active', NULL, now()),
                          (2, '100002', 'B', 'active', NULL, now()), (3, '100003', 'C', 'active', NULL, now())""")
    items = [(1, 1, "8000-250", datetime(2026, 1, 10)), (2, 1, "8000-251", datetime(2026, 1, 20)),
             (3, 1, "8000-250, 8000-251, 8000-255", datetime(2026, 3, 5)), (4, 2, "8000-250", datetime(2026, 1, 15)),
             (5, 3, "8000-250", None)]
    for item_id, centre, units, released in items:
        stage = "released" if released else "allocated"
        connection.execute(
            """INSERT INTO submissions (id, centre_id, learner_id, qualification_code, type, stage, category, unit_codes,
                   uploaded_at, submitted_at, released_at, result)
               VALUES (?, ?, 1, '8000-14', ?, ?, 'New', ?, ?, ?, ?, NULL)""",
            [item_id, centre, "Integrated" if "," in units else "Unit", stage, units, datetime(2026, 1, 2),
             datetime(2026, 1, 2), released])
    results = {1: ["Pass"], 2: ["Referral"], 3: ["Pass", "Pass", "Referral"], 4: ["Pass"], 5: [None]}
    for item_id, _, units, _ in items:
        for unit, result in zip(units.split(", "), results[item_id]):
            connection.execute("INSERT INTO submission_units (submission_id, unit_code, result, mark) VALUES (?, ?, ?, ?)",
                               [item_id, unit, result, 60 if result == "Pass" else 40 if result else None])
    yield Database(connection)
    connection.close()


def test_rates_by_centre(fixture_db):
    frame = rates_by(fixture_db, TEAM, "centre", ALL).set_index("Centre")
    assert frame.loc["100001", ["Results", "Referrals", "Rate %"]].tolist() == [5, 2, 40.0]
    assert frame.loc["100002", ["Results", "Referrals", "Rate %"]].tolist() == [1, 0, 0.0]
    assert "100003" not in frame.index  # a centre with no released results has no rate
    assert service_rate(fixture_db, TEAM, ALL) == (2, 6)


def test_rates_by_unit_count_each_unit_of_an_integrated_item(fixture_db):
    frame = rates_by(fixture_db, TEAM, "unit", ALL).set_index("Unit")
    assert frame.loc["8000-250", ["Results", "Referrals"]].tolist() == [3, 0]
    assert frame.loc["8000-251", ["Results", "Referrals"]].tolist() == [2, 1]
    assert frame.loc["8000-255", ["Results", "Referrals"]].tolist() == [1, 1]


def test_months_without_results_have_no_row_and_each_month_has_its_service_rate(fixture_db):
    frame = rates_by(fixture_db, TEAM, "month", ALL)
    assert frame.Month.tolist() == ["2026-01", "2026-03"]
    monthly = monthly_service_rates(fixture_db, TEAM, ALL)
    assert monthly == {"2026-01": pytest.approx(100 / 3), "2026-03": pytest.approx(100 / 3)}
    beside = against_service(frame, monthly)
    assert beside["Service %"].tolist() == [33.3, 33.3]


def test_a_centre_sees_its_own_rates_against_the_service_and_no_other_centre(fixture_db):
    frame = rates_by(fixture_db, CENTRE_A, "centre", ALL)
    assert frame.Centre.tolist() == ["100001"]
    assert service_rate(fixture_db, CENTRE_A, ALL) == (2, 6)


def test_groups_too_small_to_judge_are_not_called_above_a_limit_and_the_furthest_out_come_first():
    frame = against_service(rates_by_frame(), 20.0, fewest=10)
    assert frame.Centre.tolist() == ["large", "middling", "small"]
    assert frame.Standing.tolist() == ["Above 99.8% limit", "Within limits", "Too few results"]
    assert frame["Beyond limit (points)"].iloc[0] > 0 > frame["Beyond limit (points)"].iloc[1]
    assert pd.isna(frame["Beyond limit (points)"].iloc[2])


def rates_by_frame():
    return pd.DataFrame({"Centre": ["small", "middling", "large"], "Results": [5, 50, 500],
                         "Referrals": [5, 10, 160]})


def test_one_pass_over_every_grouping_gives_what_each_grouping_gives_alone(fixture_db):
    together = rates_by_all(fixture_db, TEAM, period=ALL)
    for group, table in together.items():
        alone = rates_by(fixture_db, TEAM, group, ALL)
        assert table.to_dict("list") == alone.to_dict("list"), group
    assert together["assessor"].Results.sum() == 6


def test_the_page_view_derives_the_service_from_its_own_tables_only_for_the_whole_service(fixture_db):
    whole = rate_view(fixture_db, TEAM, ALL)
    assert (whole.referrals, whole.results) == (2, 6)
    assert whole.monthly == pytest.approx({"2026-01": 100 / 3, "2026-03": 100 / 3})
    assert whole.tables["centre"]["Service %"].tolist() == [33.3, 33.3]
    one_centre = rate_view(fixture_db, TEAM, Period(ALL.start, ALL.end, centre_number="100002"))
    assert (one_centre.referrals, one_centre.results) == (2, 6)  # still the whole service's rate
    assert one_centre.tables["centre"].Centre.tolist() == ["100002"]
    assert one_centre.centres.Centre.tolist() == ["100001", "100002"]
    with pytest.raises(NotAllowed):
        rate_view(fixture_db, CENTRE_A, ALL, ("unit", "month"))


def test_a_centres_unit_is_held_against_the_services_rate_for_that_unit(fixture_db):
    by_unit = unit_service_rates(fixture_db, CENTRE_A, ALL)
    assert by_unit == {"8000-250": 0.0, "8000-251": 50.0, "8000-255": 100.0}  # over centres A and B
    tables = beside_service({"unit": rates_by(fixture_db, CENTRE_A, "unit", ALL)}, 33.3, {}, by_unit)
    assert tables["unit"].sort_values("Unit")[["Unit", "Rate %", "Service %"]].values.tolist() == [
        ["8000-250", 0.0, 0.0], ["8000-251", 50.0, 50.0], ["8000-255", 100.0, 100.0]]
