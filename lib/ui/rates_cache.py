"""The staff referral-rate view, counted again after two minutes, and what every Home compares against, after one
(lib.ui.kept: in the background, while readers get the figures kept): ticking a row or paging a table reruns the
page, and the figures need not be counted again over a million results for that. They are shared by every
session, not copied for each (the pages only read them)."""

from __future__ import annotations

from datetime import date, datetime

from lib.analytics.home import ServiceWide, service_wide
from lib.analytics.referrals import Period, RateView, min_results, rate_view
from lib.rules.roles import User
from lib.store.db import Database
from lib.ui.kept import Kept

FRESH_SECONDS = 120
SERVICE_WIDE_SECONDS = 60  # the open work by stage is in it: the SLA dashboard says it is counted every minute


_counted = Kept(FRESH_SECONDS, max_entries=32)
_service_wide = Kept(SERVICE_WIDE_SECONDS, max_entries=8)


def recent_rate_view(db: Database, user: User, period: Period, groups: tuple[str, ...]) -> tuple[RateView, datetime]:
    """rate_view for a staff user, counted again once FRESH_SECONDS old (the same for every staff role); and when."""
    fields = (period.start, period.end, period.qualification, period.centre_number, period.batch_id)
    # The setting is in the key: a change to it is seen at once, not after the two minutes.
    return _counted.get((db.source, user.role, fields, groups, min_results(db)),
                        lambda: (rate_view(db, user, Period(*fields), groups), datetime.now()))


def recent_service_wide(db: Database, user: User) -> ServiceWide:
    """What every Home compares against (the service's referral rates, this year and last, and the open work by
    stage), the same for every user of a role, counted again once SERVICE_WIDE_SECONDS old (counting it was half of
    the team's Home and 7% of a centre's)."""
    today = date.today()
    return _service_wide.get((db.source, user.role, today), lambda: service_wide(db, user, today))


def recent_open_board(db: Database, user: User):
    """Open items by stage (open_items) for a role that sees the SLA, counted again once SERVICE_WIDE_SECONDS old."""
    return recent_service_wide(db, user).open_board
