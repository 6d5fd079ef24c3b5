"""UK working days (England and Wales) and the service-level dates built on them."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

from lib.config import QUALITY_CHECK_WORKING_DAYS, SLA_WORKING_DAYS

# An explicit range: the holidays package only knows the years it is asked for, and a calendar
# that silently lacks a year would count its bank holidays as working days.
FIRST_YEAR = 2015
LAST_YEAR = 2045


@lru_cache(maxsize=1)
def bank_holidays() -> np.ndarray:
    """England and Wales bank holidays, substitute days and one-off holidays included."""
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    return np.array(sorted(calendar.keys()), dtype="datetime64[D]")


@lru_cache(maxsize=1)
def calendar() -> np.busdaycalendar:
    """numpy's business-day calendar: Monday to Friday less the England and Wales bank holidays."""
    return np.busdaycalendar(weekmask="1111100", holidays=bank_holidays())


def _as_days(values) -> np.ndarray:
    days = np.asarray(values, dtype="datetime64[D]")
    first, last = np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR - 1}-06-30")
    if days.size and (days.min() < first or days.max() > last):
        raise ValueError(f"working days are known from {FIRST_YEAR} to {LAST_YEAR - 1} only")
    return days


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def is_working_day(day: date) -> bool:
    return bool(np.is_busday(np.datetime64(_day(day), "D"), busdaycal=calendar()))


def received_on(submitted: date | datetime) -> date:
    """Work that arrives on a weekend or bank holiday counts from the next working day."""
    return add_working_days(submitted, 0)


def add_working_days(start: date | datetime, days: int) -> date:
    return offset_working_days(_day(start), days).item()


def sla_target(submitted: date | datetime) -> date:
    """25 working days after the day the work counts as received."""
    return add_working_days(submitted, SLA_WORKING_DAYS)


def quality_check_due(submitted: date | datetime) -> date:
    return add_working_days(submitted, QUALITY_CHECK_WORKING_DAYS)


def sla_targets(submitted_days) -> np.ndarray:
    """sla_target for many days at once (numpy datetime64[D] in, datetime64[D] out)."""
    return offset_working_days(submitted_days, SLA_WORKING_DAYS)


def offset_working_days(days, offset: int) -> np.ndarray:
    """add_working_days for many days at once."""
    return np.busday_offset(_as_days(days), offset, roll="forward", busdaycal=calendar())


def working_days_between(start: date, end: date) -> int:
    """Working days from start (excluded) to end (included); negative when end is earlier."""
    return int(np.busday_count(np.datetime64(start, "D") + 1, np.datetime64(end, "D") + 1, busdaycal=calendar()))


@lru_cache(maxsize=1)
def working_day_numbers():
    """Each calendar day with the count of working days up to and including it, so that SQL can count
    working days between two dates by subtraction (a pandas frame to register as a table)."""
    days = np.arange(np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR}-01-01"), dtype="datetime64[D]")
    numbers = np.cumsum(np.is_busday(days, busdaycal=calendar())).astype(np.int32)
    return pd.DataFrame({"day": days, "n": numbers})
