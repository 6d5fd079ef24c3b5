"""Each role's home page: the few figures that say what to do next, each with its comparison and the page (and
filter) that lists what it counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from lib.accounts import navigation as nav
from lib.analytics.batch_review import flagged_batch_counts, reports_for_centre
from lib.analytics.eqa import STATUS_LABELS, alerts
from lib.analytics.funnel import ABOVE_95, ABOVE_998, BELOW_95, BELOW_998
from lib.analytics.referrals import Period, against_service, min_results, rates_by, service_rate
from lib.centre.uploads import MISSING_SHEETS_SQL
from lib.rules.roles import ASSESSMENT_TEAM, ASSESSOR, CENTRE, LEAD_ASSESSOR, QUALITY, User
from lib.rules.status import REFERRED, REJECTED
from lib.service.settings import setting
from lib.service.sla import AT_RISK, BREACHED, days_left, open_items
from lib.store.db import Database
from lib.store.scope import not_centre_data, reads_centre_data

YEAR = 365


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    comparison: str  # what the figure is held against, in words
    page: nav.PageSpec  # where the items behind it are listed
    params: dict = field(default_factory=dict)  # the filter that page opens with
    delta: str | None = None  # a change of referral rate beside the value ("+2.3 points"): up is worse
    link_label: str = ""

    @property
    def link(self) -> str:
        return self.link_label or f"Open {self.page.title}"


def _rate(referrals: int, results: int) -> float | None:
    return 100 * referrals / results if results else None


def _points(mine: float | None, other: float | None) -> str | None:
    return None if mine is None or other is None else f"{mine - other:+.1f} points"


def _percent(rate: float | None) -> str:
    return "no results" if rate is None else f"{rate:.1f}%"


def _last_year(today: date) -> tuple[Period, Period]:
    """The last 12 months and the same 12 months a year before."""
    now = Period(today - timedelta(days=YEAR), today)
    return now, Period(now.start - timedelta(days=YEAR), now.end - timedelta(days=YEAR))


def _team(db: Database, user: User, today: date, service: float | None) -> list[Figure]:
    counts = dict(db.query_all("SELECT stage, count(*) FROM submissions WHERE list_contains(?, stage) GROUP BY 1",
                               [["submitted", "accepted", "allocated", "marked", "sampling", "ready"]]))
    late_checks = db.query_one("SELECT count(*) FROM submissions WHERE stage = 'submitted' AND qc_due < ?", [today])[0]
    board = open_items(db, user, today)
    at_risk, breached = (int(board[column].sum()) if len(board) else 0 for column in ("At risk", "Breached"))
    now, before = _last_year(today)
    rate_now, rate_before = service, _rate(*service_rate(db, user, before))
    return [
        Figure("Awaiting quality check", f"{counts.get('submitted', 0):,}",
               f"{late_checks:,} past the 5 working days for a quality check", nav.QUALITY_CHECK),
        Figure("Awaiting allocation", f"{counts.get('accepted', 0):,}", "accepted and waiting for an assessor",
               nav.ALLOCATION),
        Figure("Being marked", f"{counts.get('allocated', 0):,}", "with an assessor", nav.SUBMISSIONS,
               {"stage": "With assessor"}, link_label="List in Submissions"),
        Figure("In sampling", f"{counts.get('sampling', 0):,}",
               "marked and picked for the lead assessor's sampling", nav.SUBMISSIONS,
               {"stage": "Lead assessor sampling"}, link_label="List in Submissions"),
        Figure("Ready to release", f"{counts.get('ready', 0):,}", "marked and, where sampled, agreed", nav.RELEASE),
        Figure("At risk", f"{at_risk:,}", "open items within 5 working days of their SLA target", nav.SLA_DASHBOARD,
               {"show": AT_RISK}, link_label="List on SLA dashboard"),
        Figure("Breached", f"{breached:,}", "open items past their SLA target", nav.SLA_DASHBOARD, {"show": BREACHED},
               link_label="List on SLA dashboard"),
        Figure("Referral rate, last 12 months", _percent(rate_now),
               f"{_percent(rate_before)} in the same 12 months a year before", nav.REFERRALS,
               delta=_points(rate_now, rate_before)),
    ]


def _assessor(db: Database, user: User, today: date, service: float | None) -> list[Figure]:
    targets = [target for (target,) in db.query_all(
        "SELECT sla_target FROM submissions WHERE stage = 'allocated' AND assessor_id = ?", [user.id])]
    left = days_left(targets, today) if targets else np.array([], dtype=int)
    at_risk_days = int(setting(db, "sla_at_risk_working_days"))
    now, _ = _last_year(today)
    mine = db.query_one(
        """SELECT count(*) FILTER (WHERE u.result = 'Referral'), count(*) FROM submissions s
           JOIN submission_units u ON u.submission_id = s.id
           WHERE s.stage = 'released' AND s.assessor_id = ? AND s.released_at >= ?""", [user.id, now.start])
    my_rate = _rate(*mine)
    buckets = (("Past the SLA target", left < 0),
               (f"{at_risk_days} working days or fewer left", (left >= 0) & (left <= at_risk_days)),
               (f"More than {at_risk_days} working days left", left > at_risk_days))
    return [
        *[Figure(words, f"{int(mask.sum()):,}", "of my items to mark", nav.MARKING) for words, mask in buckets],
        Figure("My referral rate, last 12 months", _percent(my_rate),
               f"the service's: {_percent(service)}", nav.MY_QUEUE, {"status": REFERRED},
               delta=_points(my_rate, service), link_label="List my referrals"),
    ]


def _lead(db: Database, user: User, today: date, service: float | None) -> list[Figure]:
    to_sample = db.query_one("SELECT count(*) FROM submissions WHERE stage = 'sampling'")[0]
    board = open_items(db, user, today)
    sampling = board[board.Stage == "Sampling"] if len(board) else board
    late = int(sampling["At risk"].sum() + sampling["Breached"].sum()) if len(sampling) else 0
    now, _ = _last_year(today)
    # service is the rate over the same 12 months (service_percent): no need to count it again.
    flagged, without_report = flagged_batch_counts(db, user, now, 0.0 if service is None else service)
    return [
        Figure("Items to sample", f"{to_sample:,}", f"{late:,} of the marked items at risk or past their SLA target",
               nav.SAMPLING),
        Figure("Flagged batches without a Feedback Summary Report", f"{without_report:,}",
               f"of {flagged:,} flagged batches created in the last 12 months", nav.BATCH_REVIEW,
               {"without_report": "yes"}),
    ]


def _quality(db: Database, user: User, today: date, service: float | None) -> list[Figure]:
    counts = alerts(db, user).Status.value_counts()
    now, _ = _last_year(today)
    centres = against_service(rates_by(db, user, "centre", now), service or 0.0, fewest=min_results(db))
    standing = centres.Standing.value_counts()
    return [
        *[Figure(f"EQA alerts: {label}", f"{int(counts.get(label, 0)):,}", "alerts at this step of the follow-up",
                 nav.EQA_ALERTS, {"status": label}) for key, label in STATUS_LABELS.items() if key != "closed"],
        Figure("Centres above the 99.8% limit", f"{int(standing.get(ABOVE_998, 0)):,}",
               f"{int(standing.get(ABOVE_95, 0)):,} more above the 95% limit only; "
               f"{int(standing.get(BELOW_998, 0) + standing.get(BELOW_95, 0)):,} below the lower limits; last 12 months",
               nav.REFERRALS),
    ]


def _centre(db: Database, user: User, today: date, service: float | None) -> list[Figure]:
    now, _ = _last_year(today)
    mine = db.query_one(
        """SELECT count(*) FILTER (WHERE u.result = 'Referral'), count(*) FROM submissions s
           JOIN submission_units u ON u.submission_id = s.id
           WHERE s.stage = 'released' AND s.centre_id = ? AND s.released_at >= ?""", [user.centre_id, now.start])
    my_rate = _rate(*mine)
    missing = db.query_one(
        f"SELECT count(*) FROM submissions s WHERE s.centre_id = ? AND s.stage = 'pending' AND {MISSING_SHEETS_SQL} > 0",
        [user.centre_id])[0]
    to_act = dict(db.query_all(
        """SELECT s.stage, count(*) FROM submissions s
           WHERE s.centre_id = ? AND (s.stage = 'rejected' OR (s.stage = 'released' AND s.result = 'Referral'))
             AND NOT EXISTS (SELECT 1 FROM submissions r WHERE r.resubmits_id = s.id) GROUP BY 1""", [user.centre_id]))
    reports = reports_for_centre(db, user)
    latest = reports.iloc[0] if len(reports) else None
    return [
        Figure("My referral rate, last 12 months", _percent(my_rate), f"the service's: {_percent(service)}",
               nav.CENTRE_REFERRALS, delta=_points(my_rate, service)),
        Figure("Missing a result sheet", f"{missing:,}", "pending items: add the result sheet before submitting",
               nav.PENDING, link_label="Open Pending"),
        Figure("Referred items to re-submit", f"{to_act.get('released', 0):,}", "referred and not yet re-submitted",
               nav.TRACKER, {"status": REFERRED, "resubmitted": "No"}, link_label="List on the Tracker"),
        Figure("Rejected items to re-submit", f"{to_act.get('rejected', 0):,}", "rejected and not yet re-submitted",
               nav.TRACKER, {"status": REJECTED, "resubmitted": "No"}, link_label="List on the Tracker"),
        Figure("Latest feedback report", "none yet" if latest is None else f"{latest['Written']:%d/%m/%Y}",
               "a lead assessor writes one when a batch's referral rate is high" if latest is None
               else f"Feedback Summary Report on batch {latest['Batch']}", nav.CENTRE_REFERRALS,
               link_label="Read it"),
    ]


FIGURES = {ASSESSMENT_TEAM: _team, ASSESSOR: _assessor, LEAD_ASSESSOR: _lead, QUALITY: _quality, CENTRE: _centre}


@not_centre_data("the service-wide rate over all centres, which every role's home page compares against")
def service_percent(db: Database, user: User, today: date | None = None) -> float | None:
    """The service's referral rate (%) over the last 12 months."""
    now, _ = _last_year(today or date.today())
    return _rate(*service_rate(db, user, now))


@reads_centre_data()
def home_figures(db: Database, user: User, service_percent: float | None, today: date | None = None) -> list[Figure]:
    """The figures on the user's home page, in the order they are shown; service_percent is the service's rate
    over the last 12 months (service_percent()), what a user's own rate is held against."""
    return FIGURES[user.role](db, user, today or date.today(), service_percent)
