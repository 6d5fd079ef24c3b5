"""What waits for someone, counted with its oldest: the Home cards' figures for each kind of waiting item. Each
count is the list its card opens (the page's filter gives the same rows), so a card never promises what the page
does not show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lib.rules.holds import held_items
from lib.rules.roles import ASSESSMENT_TEAM, QUALITY, User
from lib.store.db import Database
from lib.store.scope import centre_scope, reads_centre_data, require_role


@dataclass(frozen=True)
class Waiting:
    count: int
    oldest: date | None  # when the longest-waiting one started waiting

    def age(self, today: date) -> str:
        """'oldest 12 days' (calendar days since the oldest started waiting), or '' when nothing waits."""
        if not self.count or self.oldest is None:
            return ""
        days = (today - self.oldest).days
        return "oldest: today" if days <= 0 else f"oldest: {days:,} day{'s' if days != 1 else ''}"


def count_waiting(db: Database, sql: str, params: list) -> Waiting:
    count, oldest = db.query_one(sql, params)
    if isinstance(oldest, datetime):
        oldest = oldest.date()
    return Waiting(int(count or 0), oldest)


@reads_centre_data()
def enquiries_waiting(db: Database, user: User, status: str, reviewer_id: int | None = None) -> Waiting:
    """Enquiries at one status (awaiting_reviewer, in_review, appealed), since they reached it; in_review ones
    given to reviewer_id only when it is named."""
    scope, params = centre_scope(user, "e.centre_id") if user.is_centre else ("TRUE", [])
    since = {"awaiting_reviewer": "e.raised_at", "in_review": "e.assigned_at", "appealed": "e.appealed_at"}[status]
    return count_waiting(db, f"""SELECT count(*), min({since}) FROM enquiries e
                            WHERE {scope} AND e.status = ? AND (CAST(? AS INTEGER) IS NULL OR e.reviewer_id = ?)""",
                    [*params, status, reviewer_id, reviewer_id])


@reads_centre_data()
def malpractice_open(db: Database, user: User) -> Waiting:
    """Malpractice cases not yet closed (ILM's staff only: a centre never sees a case)."""
    require_role(user, (ASSESSMENT_TEAM, QUALITY), "Malpractice cases are for the ILM Assessment Team and quality.")
    return count_waiting(db, "SELECT count(*), min(opened_at) FROM malpractice_cases WHERE status <> 'closed'", [])


@reads_centre_data()
def method_requests_waiting(db: Database, user: User) -> Waiting:
    """Requests for another assessment method waiting for a decision."""
    scope, params = centre_scope(user, "centre_id") if user.is_centre else ("TRUE", [])
    return count_waiting(db, f"SELECT count(*), min(requested_at) FROM method_requests WHERE {scope} "
                        "AND status = 'requested'", params)


@reads_centre_data()
def passes_to_claim(db: Database, user: User) -> Waiting:
    """Released passes (per unit) not yet claimed on Walled Garden and not held: the Walled Garden claims list."""
    require_role(user, (ASSESSMENT_TEAM,), "Walled Garden claims are made by the ILM Assessment Team.")
    return count_waiting(db, f"""SELECT count(*), min(d.released_at) FROM claims_due d
                                 WHERE d.submission_id NOT IN ({held_items()})""", [])
