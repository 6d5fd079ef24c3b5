from datetime import date

import numpy as np
import pytest

from lib.rules import workdays


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2025, 12, 24), True),
        (date(2025, 12, 25), False),  # Christmas Day
        (date(2025, 12, 26), False),  # Boxing Day
        (date(2026, 12, 28), False),  # Boxing Day falls on a Saturday: substitute Monday
        (date(2027, 12, 27), False),  # Christmas on a Saturday: substitute Monday
        (date(2027, 12, 28), False),  # Boxing Day on a Sunday: substitute Tuesday
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 7), True),
        (date(2022, 6, 3), False),  # Platinum Jubilee, a one-off
        (date(2022, 9, 19), False),  # the Queen's state funeral, a one-off
        (date(2023, 5, 8), False),  # the King's coronation, a one-off
        (date(2026, 11, 21), False),  # a Saturday
        (date(2026, 11, 23), True),
    ],
)
def test_working_days_follow_england_and_wales(day, working):
    assert workdays.is_working_day(day) is working


@pytest.mark.parametrize(
    "submitted, target",
    [
        (date(2026, 11, 23), date(2026, 12, 30)),  # over Christmas: 25, 28 December are not counted
        (date(2026, 11, 21), date(2026, 12, 30)),  # Saturday counts as received on Monday 23rd
        (date(2026, 3, 20), date(2026, 4, 28)),  # Easter: Good Friday and Easter Monday skipped
        (date(2023, 4, 24), date(2023, 6, 1)),  # the coronation and the May bank holidays skipped
        (date(2022, 12, 23), date(2023, 2, 1)),  # Christmas and New Year 2022 substitute days skipped
    ],
)
def test_sla_target_is_25_working_days_after_receipt(submitted, target):
    assert workdays.sla_target(submitted) == target


def test_weekend_submission_is_received_next_working_day():
    assert workdays.received_on(date(2026, 12, 25)) == date(2026, 12, 29)


def test_vectorised_targets_match_one_by_one():
    days = np.arange(np.datetime64("2022-01-01"), np.datetime64("2027-01-01"))
    many = workdays.sla_targets(days)
    sample = range(0, len(days), 37)
    assert [many[i].item() for i in sample] == [workdays.sla_target(days[i].item()) for i in sample]


def test_days_outside_the_known_calendar_are_refused():
    with pytest.raises(ValueError, match="known from"):
        workdays.sla_target(date(2050, 1, 3))


def test_working_days_between_counts_end_not_start():
    assert workdays.working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 5
    assert workdays.working_days_between(date(2026, 11, 30), date(2026, 11, 23)) == -5
