"""The staff referral-rate view, kept for two minutes: ticking a row or paging a table reruns the page, and
the figures need not be counted again over a million results for that. The view is shared by every staff
session, not copied for each (the page only reads it)."""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from lib.analytics.home import service_percent
from lib.analytics.referrals import Period, RateView, min_results, rate_view
from lib.rules.roles import User
from lib.store.db import Database

FRESH_SECONDS = 120


@st.cache_resource(ttl=FRESH_SECONDS, max_entries=32, show_spinner=False)
def _counted(_db: Database, _user: User, database: str, role: str, period: tuple, groups: tuple[str, ...],
             fewest: int):
    return rate_view(_db, _user, Period(*period), groups), datetime.now()


def recent_rate_view(db: Database, user: User, period: Period, groups: tuple[str, ...]) -> tuple[RateView, datetime]:
    """rate_view for a staff user, counted at most FRESH_SECONDS ago (the same for every staff role); and when."""
    fields = (period.start, period.end, period.qualification, period.centre_number, period.batch_id)
    # The setting is in the key: a change to it is seen at once, not after the two minutes.
    return _counted(db, user, db.source, user.role, fields, groups, min_results(db))


@st.cache_resource(ttl=FRESH_SECONDS, max_entries=8, show_spinner=False)
def _service_percent(_db: Database, _user: User, database: str, day: date) -> float | None:
    return service_percent(_db, _user, day)


def recent_service_percent(db: Database, user: User) -> float | None:
    """The service's referral rate over the last 12 months, which every Home compares against: the same for every
    user, counted at most FRESH_SECONDS ago (counting it over every result was 7% of a centre's Home)."""
    return _service_percent(db, user, db.source, date.today())
