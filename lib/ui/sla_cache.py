"""The SLA dashboard's heavy figures, counted at most about a minute ago and shared by every staff session: the
list of open items (tens of thousands on a big service), the breach forecast and its back-test, and the
performance tables. Reruns (a tick, a page of the list) read them without counting again; when they are older
than a minute the next reader still gets them at once while they are counted again (lib.ui.kept). Nothing here is
changed by a reader (the objects are shared, not copied)."""

from __future__ import annotations

from datetime import date, datetime

from lib.rules.roles import User
from lib.service.forecast import back_test, forecast
from lib.service.sla import performance, sla_items
from lib.store.db import Database
from lib.ui.kept import Kept

FRESH_SECONDS = 60

_open_work = Kept(FRESH_SECONDS, max_entries=8)
_performance = Kept(FRESH_SECONDS, max_entries=32)


def recent_open_work(db: Database, user: User) -> tuple:
    """(open items, forecast, back-test, when they were counted) for a staff user; the same for every staff role."""
    today = date.today()
    return _open_work.get((db.source, user.role, today), lambda: (
        sla_items(db, user, today), forecast(db, user, today), back_test(db, user), datetime.now()))


def recent_performance(db: Database, user: User, start: date, end: date, by: str | None, centre: str | None):
    return _performance.get((db.source, user.role, start, end, by, centre),
                            lambda: performance(db, user, start, end, by=by, centre_number=centre))
