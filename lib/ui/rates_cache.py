"""The staff referral-rate view, kept for two minutes, and what every Home compares against, kept for one: ticking
a row or paging a table reruns the page, and the figures need not be counted again over a million results for
that. They are shared by every session, not copied for each (the pages only read them)."""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from lib.analytics.home import ServiceWide, service_wide
from lib.analytics.referrals import Period, RateView, min_results, rate_view
from lib.rules.roles import User
from lib.store.db import Database

FRESH_SECONDS = 120
SERVICE_WIDE_SECONDS = 60  # the open work by stage is in it: the SLA dashboard says it is counted every minute


@st.cache_resource(ttl=FRESH_SECONDS, max_entries=32, show_spinner=False)
def _counted(_db: Database, _user: User, database: str, role: str, period: tuple, groups: tuple[str, ...],
             fewest: int):
    return rate_view(_db, _user, Period(*period), groups), datetime.now()


def recent_rate_view(db: Database, user: User, period: Period, groups: tuple[str, ...]) -> tuple[RateView, datetime]:
    """rate_view for a staff user, counted at most FRESH_SECONDS ago (the same for every staff role); and when."""
    fields = (period.start, period.end, period.qualification, period.centre_number, period.batch_id)
    # The setting is in the key: a change to it is seen at once, not after the two minutes.
    return _counted(db, user, db.source, user.role, fields, groups, min_results(db))


@st.cache_resource(ttl=SERVICE_WIDE_SECONDS, max_entries=8, show_spinner=False)
def _service_wide(_db: Database, _user: User, database: str, role: str, day: date) -> ServiceWide:
    return service_wide(_db, _user, day)


def recent_service_wide(db: Database, user: User) -> ServiceWide:
    """What every Home compares against (the service's referral rates, this year and last, and the open work by
    stage), the same for every user of a role, counted at most SERVICE_WIDE_SECONDS ago (counting it was half of
    the team's Home and 7% of a centre's)."""
    return _service_wide(db, user, db.source, user.role, date.today())


def recent_open_board(db: Database, user: User):
    """Open items by stage (open_items) for a role that sees the SLA, counted at most SERVICE_WIDE_SECONDS ago."""
    return recent_service_wide(db, user).open_board
