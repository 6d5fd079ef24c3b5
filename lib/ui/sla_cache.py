"""The SLA dashboard's heavy figures, counted at most a minute ago and shared by every staff session: the list of
open items (tens of thousands on a big service), the breach forecast and its back-test, and the performance
tables. Reruns (a tick, a page of the list) read them without counting again; nothing here is changed by a
reader (the objects are shared, not copied)."""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from lib.rules.roles import User
from lib.service.forecast import back_test, forecast
from lib.service.sla import performance, sla_items
from lib.store.db import Database

FRESH_SECONDS = 60


@st.cache_resource(ttl=FRESH_SECONDS, max_entries=8, show_spinner=False)
def _open_work(_db: Database, _user: User, database: str, role: str, today: date):
    return sla_items(_db, _user, today), forecast(_db, _user, today), back_test(_db, _user), datetime.now()


def recent_open_work(db: Database, user: User) -> tuple:
    """(open items, forecast, back-test, when they were counted) for a staff user; the same for every staff role."""
    return _open_work(db, user, db.source, user.role, date.today())


@st.cache_resource(ttl=FRESH_SECONDS, max_entries=32, show_spinner=False)
def _performance(_db: Database, _user: User, database: str, role: str, start: date, end: date, by: str | None,
                 centre: str | None):
    return performance(_db, _user, start, end, by=by, centre_number=centre)


def recent_performance(db: Database, user: User, start: date, end: date, by: str | None, centre: str | None):
    return _performance(db, user, db.source, user.role, start, end, by, centre)

