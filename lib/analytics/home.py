"""Each role's home page: the few figures that say what to do next, each with its comparison and the page (and
filter) that lists what it counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from lib.accounts import navigation as nav
from lib.analytics import waiting
from lib.analytics.batch_review import flagged_batch_counts, reports_for_centre
from lib.analytics.eqa import STATUS_LABELS, alerts
from lib.analytics.funnel import ABOVE_95, ABOVE_998, BELOW_95, BELOW_998
from lib.analytics.referrals import Period, against_service, min_results, rates_by, service_rate
from lib.analytics.waiting import Waiting
from lib.centre.methods import STATUS_LABELS as METHOD_STATUS
from lib.centre.uploads import MISSING_SHEETS_SQL
from lib.hei import waiting as hei_waiting
from lib.hei.mapping import STATUS_LABELS as MAPPING_STATUS
from lib.rules.roles import ASSESSMENT_TEAM, ASSESSOR, CENTRE, LEAD_ASSESSOR, QUALITY, User
from lib.rules.status import REFERRED, REJECTED
from lib.service.enquiries import STATUS_LABELS as ENQUIRY_STATUS
from lib.service.settings import setting
from lib.service.sla import AT_RISK, BREACHED, ON_TRACK, SLA_ROLES, days_left, open_items
from lib.store.db import Database
from lib.store.figures import figures_db
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
    oldest: str = ""  # how long the longest-waiting item has waited ("oldest: 12 days"), for a waiting-items card

    @property
    def link(self) -> str:
        return self.link_label or f"Open {self.page.title}"


def _rate(referrals: int, results: int) -> float | None:
    return 100 * referrals / results if results else None


def _points(mine: float | None, other: float | None) -> str | None:
    return None if mine is None or other is None else f"{mine - other:+.1f} points"


def _percent(rate: float | None) -> str:
    return "no results" if rate is None else f"{rate:.1f}%"


def _waiting_card(label: str, waiting: Waiting, comparison: str, page: nav.PageSpec, today: date,
                  params: dict | None = None, link_label: str = "") -> Figure:
    return Figure(label, f"{waiting.count:,}", comparison, page, params or {}, link_label=link_label,
                  oldest=waiting.age(today))


def _stage_waiting(db: Database, today: date) -> dict[str, Waiting]:
    """Each open stage's count, and since when its oldest item has been at it."""
    rows = db.query_all(
        """SELECT stage, count(*), min(CASE stage WHEN 'submitted' THEN submitted_at
                                             WHEN 'accepted' THEN quality_checked_at
                                             WHEN 'allocated' THEN allocated_at ELSE marked_at END)
           FROM submissions WHERE list_contains(?, stage) GROUP BY 1""",
        [["submitted", "accepted", "allocated", "sampling", "ready"]])
    return {stage: Waiting(count, oldest.date() if oldest else None) for stage, count, oldest in rows}


def _last_year(today: date) -> tuple[Period, Period]:
    """The last 12 months and the same 12 months a year before."""
    now = Period(today - timedelta(days=YEAR), today)
    return now, Period(now.start - timedelta(days=YEAR), now.end - timedelta(days=YEAR))


def _team(db: Database, user: User, today: date, service: ServiceWide) -> list[Figure]:
    stages = _stage_waiting(db, today)
    nothing = Waiting(0, None)
    late_checks = db.query_one("SELECT count(*) FROM submissions WHERE stage = 'submitted' AND qc_due < ?", [today])[0]
    board = service.open_board
    at_risk, breached = (int(board[column].sum()) if len(board) else 0 for column in ("At risk", "Breached"))
    rate_now, rate_before = service.rate_last_year, service.rate_year_before
    return [
        _waiting_card("Awaiting quality check", stages.get("submitted", nothing),
                      f"{late_checks:,} past the 5 working days for a quality check", nav.QUALITY_CHECK, today),
        _waiting_card("Awaiting allocation", stages.get("accepted", nothing), "accepted and waiting for an assessor",
                      nav.ALLOCATION, today),
        _waiting_card("Being marked", stages.get("allocated", nothing), "with an assessor", nav.SUBMISSIONS, today,
                      {"stage": "With assessor"}, link_label="List in Submissions"),
        _waiting_card("In sampling", stages.get("sampling", nothing),
                      "marked and picked for the lead assessor's sampling", nav.SUBMISSIONS, today,
                      {"stage": "Lead assessor sampling"}, link_label="List in Submissions"),
        _waiting_card("Ready to release", stages.get("ready", nothing), "marked and, where sampled, agreed",
                      nav.RELEASE, today),
        _waiting_card("Enquiries awaiting a reviewer", waiting.enquiries_waiting(db, user, "awaiting_reviewer"),
                      "raised by centres: give each to a reviewer who did not mark it", nav.ENQUIRIES, today,
                      {"status": ENQUIRY_STATUS["awaiting_reviewer"]}),
        _waiting_card("Malpractice cases open", waiting.malpractice_open(db, user),
                      "their items are held until quality closes the case", nav.MALPRACTICE, today),
        _waiting_card("Method requests to decide", waiting.method_requests_waiting(db, user),
                      "centres asking for another assessment method", nav.ASSESSMENT_METHODS, today,
                      {"status": METHOD_STATUS["requested"]}),
        _waiting_card("Passes to claim on Walled Garden", waiting.passes_to_claim(db, user),
                      "released unit passes not yet claimed", nav.CLAIMS, today),
        Figure("At risk", f"{at_risk:,}", "open items within 5 working days of their SLA target", nav.SLA_DASHBOARD,
               {"show": AT_RISK}, link_label="List on SLA dashboard"),
        Figure("Breached", f"{breached:,}", "open items past their SLA target", nav.SLA_DASHBOARD, {"show": BREACHED},
               link_label="List on SLA dashboard"),
        Figure("Referral rate, last 12 months", _percent(rate_now),
               f"{_percent(rate_before)} in the same 12 months a year before", nav.REFERRALS,
               delta=_points(rate_now, rate_before)),
    ]


def _given_to_me(db: Database, user: User, today: date) -> Figure:
    return _waiting_card("Enquiries given to me", waiting.enquiries_waiting(db, user, "in_review", user.id),
                         "results a centre queried: look at the work again and give the outcome", nav.ENQUIRIES,
                         today, {"status": ENQUIRY_STATUS["in_review"]}, link_label="List them")


def _assessor(db: Database, user: User, today: date, service: ServiceWide) -> list[Figure]:
    targets = [target for (target,) in db.query_all(
        "SELECT sla_target FROM submissions WHERE stage = 'allocated' AND assessor_id = ?", [user.id])]
    left = days_left(targets, today) if targets else np.array([], dtype=int)
    at_risk_days = int(setting(db, "sla_at_risk_working_days"))
    now, _ = _last_year(today)
    # Counted where the service's rate beside it is (the figures copy on PostgreSQL): the two agree.
    mine = figures_db(db).query_one(
        """SELECT count(*) FILTER (WHERE u.result = 'Referral'), count(*) FROM submissions s
           JOIN submission_units u ON u.submission_id = s.id
           WHERE s.stage = 'released' AND s.assessor_id = ? AND s.released_at >= ?""", [user.id, now.start])
    my_rate = _rate(*mine)
    buckets = (("Past the SLA target", left < 0, BREACHED),
               (f"{at_risk_days} working days or fewer left", (left >= 0) & (left <= at_risk_days), AT_RISK),
               (f"More than {at_risk_days} working days left", left > at_risk_days, ON_TRACK))
    return [
        *[Figure(words, f"{int(mask.sum()):,}", "of my items to mark", nav.MARKING, {"sla": flag},
                 link_label=f"List them ({flag.lower()})") for words, mask, flag in buckets],
        _given_to_me(db, user, today),
        Figure("My referral rate, last 12 months", _percent(my_rate),
               f"the service's: {_percent(service.rate_last_year)}", nav.MY_QUEUE,
               {"status": REFERRED}, delta=_points(my_rate, service.rate_last_year), link_label="List my referrals"),
    ]


def _lead(db: Database, user: User, today: date, service: ServiceWide) -> list[Figure]:
    to_sample = _stage_waiting(db, today).get("sampling", Waiting(0, None))
    board = service.open_board
    sampling = board[board.Stage == "Sampling"] if len(board) else board
    late = int(sampling["At risk"].sum() + sampling["Breached"].sum()) if len(sampling) else 0
    now, _ = _last_year(today)
    # The service's rate over the same 12 months: no need to count it again.
    rate = service.rate_last_year
    flagged, without_report = flagged_batch_counts(db, user, now, 0.0 if rate is None else rate)
    return [
        _waiting_card("Items to sample", to_sample, f"{late:,} of the marked items at risk or past their SLA target",
                      nav.SAMPLING, today),
        _given_to_me(db, user, today),
        Figure("Flagged batches without a Feedback Summary Report", f"{without_report:,}",
               f"of {flagged:,} flagged batches created in the last 12 months", nav.BATCH_REVIEW,
               {"without_report": "yes"}),
    ]


def _quality(db: Database, user: User, today: date, service: ServiceWide) -> list[Figure]:
    counts = alerts(db, user).Status.value_counts()
    now, _ = _last_year(today)
    centres = against_service(rates_by(db, user, "centre", now), service.rate_last_year or 0.0,
                              fewest=min_results(db))
    standing = centres.Standing.value_counts()
    return [
        *[Figure(f"EQA alerts: {label}", f"{int(counts.get(label, 0)):,}", "alerts at this step of the follow-up",
                 nav.EQA_ALERTS, {"status": label}) for key, label in STATUS_LABELS.items() if key != "closed"],
        _waiting_card("Appeals to decide", waiting.enquiries_waiting(db, user, "appealed"),
                      "centres disagreeing with an enquiry's outcome: your decision is final", nav.ENQUIRIES, today,
                      {"status": ENQUIRY_STATUS["appealed"]}),
        _waiting_card("Malpractice cases open", waiting.malpractice_open(db, user),
                      "open or being investigated; their items are held", nav.MALPRACTICE, today),
        _waiting_card("Method requests to decide", waiting.method_requests_waiting(db, user),
                      "centres asking for another assessment method", nav.ASSESSMENT_METHODS, today,
                      {"status": METHOD_STATUS["requested"]}),
        *_university_cards(db, user, today),
        Figure("Centres above the 99.8% limit", f"{int(standing.get(ABOVE_998, 0)):,}",
               f"{int(standing.get(ABOVE_95, 0)):,} more above the 95% limit only; "
               f"{int(standing.get(BELOW_998, 0) + standing.get(BELOW_95, 0)):,} below the lower limits; last 12 months",
               nav.REFERRALS),
    ]


def _university_cards(db: Database, user: User, today: date) -> list[Figure]:
    """A university's mapped programmes' waiting items (all universities' for quality)."""
    return [
        _waiting_card("Change requests to decide" if user.role == QUALITY else "Change requests waiting",
                      hei_waiting.change_requests_waiting(db, user), "mapped programmes' changes waiting for a decision",
                      nav.MAPPED_PROGRAMMES, today, {"status": MAPPING_STATUS["submitted"]}),
        _waiting_card("Learners held", hei_waiting.learners_held(db, user),
                      "results held until a changed route is re-mapped", nav.MAPPED_PROGRAMMES, today,
                      {"status": MAPPING_STATUS["remapping"]}, link_label="See them"),
        _waiting_card("Failed release checks", hei_waiting.failed_release_checks(db, user),
                      "failed and not since passed for the same order", nav.RELEASE_CHECKS, today,
                      {"result": "Failed"}),
    ]


def _centre(db: Database, user: User, today: date, service: ServiceWide) -> list[Figure]:
    now, _ = _last_year(today)
    mine = figures_db(db).query_one(  # beside the service's rate, from the same copy (see _assessor)
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
    centre_cards = [
        Figure("My referral rate, last 12 months", _percent(my_rate),
               f"the service's: {_percent(service.rate_last_year)}", nav.CENTRE_REFERRALS,
               delta=_points(my_rate, service.rate_last_year)),
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
    if not user.is_hei:
        return centre_cards
    # A university submits little through the portal: its programmes' cards, then only the centre cards that
    # have something in them (never a row of "no results", 0, 0, 0).
    return [*_university_cards(db, user, today),
            *(figure for figure in centre_cards if figure.value not in ("0", "no results", "none yet"))]


FIGURES = {ASSESSMENT_TEAM: _team, ASSESSOR: _assessor, LEAD_ASSESSOR: _lead, QUALITY: _quality, CENTRE: _centre}


@dataclass(frozen=True)
class ServiceWide:
    """What Home holds a user's own figures against, the same for every user of a role: a page may count it once
    for all of them and keep it a minute or two (counting the rates over every result, and the open work by
    stage, was half of the team's Home)."""

    rate_last_year: float | None  # the service's referral rate (%) over the last 12 months
    rate_year_before: float | None  # over the same 12 months a year before
    open_board: pd.DataFrame | None  # open items by stage (open_items), for the roles that see the SLA


@not_centre_data("the service-wide rates every Home compares with, and the open work by stage for the roles that "
                 "see the SLA (open_items checks the role); a centre's own figures are counted beside it")
def service_wide(db: Database, user: User, today: date | None = None) -> ServiceWide:
    """The service's referral rates (last 12 months, and the 12 months a year before) and, for the roles that see
    the SLA dashboard, the open work by stage."""
    today = today or date.today()
    now, before = _last_year(today)
    return ServiceWide(_rate(*service_rate(db, user, now)), _rate(*service_rate(db, user, before)),
                       open_items(db, user, today) if user.role in SLA_ROLES else None)


@reads_centre_data()
def home_figures(db: Database, user: User, service: ServiceWide, today: date | None = None) -> list[Figure]:
    """The figures on the user's home page, in the order they are shown; service is service_wide(), what a user's
    own figures are held against."""
    return FIGURES[user.role](db, user, today or date.today(), service)
