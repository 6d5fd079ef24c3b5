"""Referral rates: referred unit results over released unit results, by group, against the service.

A rate counts unit results (an integrated item with one Referral among three Passes adds one
referral and three passes), over released work only, dated by release. Funnel-plot limits judge
a centre against the service rate for its number of results, so a small centre is not flagged
for noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from lib.db import Database
from lib.scope import NotAllowed, not_centre_data, reads_centre_data
from lib.users import ASSESSMENT_TEAM, CENTRE, LEAD_ASSESSOR, QUALITY, User

GROUPS = {
    "centre": ("c.number", "c.name"),
    "unit": ("u.unit_code",),
    "qualification": ("s.qualification_code",),
    "assessor": ("a.name",),
    "batch": ("b.id", "b.name", "c.number"),
    "month": ("strftime(s.released_at, '%Y-%m')",),
}
GROUP_LABELS = {"c.number": "Centre", "c.name": "Centre name", "u.unit_code": "Unit",
                "s.qualification_code": "Qual", "a.name": "Assessor", "b.id": "Batch ID", "b.name": "Batch",
                "strftime(s.released_at, '%Y-%m')": "Month"}
Z_95, Z_998 = 1.959964, 3.090232
FROM = """submissions s JOIN submission_units u ON u.submission_id = s.id JOIN centres c ON c.id = s.centre_id
    LEFT JOIN users a ON a.id = s.assessor_id LEFT JOIN batches b ON b.id = s.batch_id"""


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    qualification: str | None = None
    centre_number: str | None = None
    batch_id: int | None = None


ALL_TIME = Period(date(2000, 1, 1), date(2100, 1, 1))


def _where(user: User, period: Period, with_centre: bool = True) -> tuple[str, list]:
    clauses = ["s.stage = 'released'", "u.result IS NOT NULL", "CAST(s.released_at AS DATE) BETWEEN ? AND ?"]
    params: list = [period.start, period.end]
    if period.qualification:
        clauses.append("s.qualification_code = ?")
        params.append(period.qualification)
    if user.role == CENTRE:
        clauses.append("s.centre_id = ?")
        params.append(user.centre_id)
    elif user.role not in (ASSESSMENT_TEAM, LEAD_ASSESSOR, QUALITY):
        raise NotAllowed("Referral rates are for the assessment team, lead assessors, quality and centres.")
    if with_centre and period.centre_number:
        clauses.append("c.number = ?")
        params.append(period.centre_number)
    if with_centre and period.batch_id is not None:
        clauses.append("s.batch_id = ?")
        params.append(period.batch_id)
    return " AND ".join(clauses), params


def _service_view(user: User) -> User:
    """Service-wide averages are open to centres too; they show no centre's own rows."""
    return User(user.id, user.username, user.name, QUALITY) if user.role == CENTRE else user


@not_centre_data("the service-wide average over all centres, which every role may compare against")
def service_rate(db: Database, user: User, period: Period) -> tuple[int, int]:
    """(referrals, results) over every centre in the period: the service average a group is held against."""
    where, params = _where(_service_view(user), period, with_centre=False)
    referrals, results = db.query_one(
        f"SELECT count(*) FILTER (WHERE u.result = 'Referral'), count(*) FROM {FROM} WHERE {where}", params)
    return int(referrals), int(results)


@not_centre_data("the service-wide monthly averages over all centres")
def monthly_service_rates(db: Database, user: User, period: Period) -> dict[str, float]:
    """The service's referral rate (%) in each month of release, over all centres."""
    where, params = _where(_service_view(user), period, with_centre=False)
    rows = db.query_all(
        f"""SELECT strftime(s.released_at, '%Y-%m'), 100.0 * count(*) FILTER (WHERE u.result = 'Referral') / count(*)
            FROM {FROM} WHERE {where} GROUP BY 1""", params)
    return dict(rows)


@reads_centre_data()
def rates_by(db: Database, user: User, group: str = "centre", period: Period | None = None) -> pd.DataFrame:
    """Results, referrals and rate (%) per group in the period (a centre sees only its own results)."""
    period = period or ALL_TIME
    keys = GROUPS[group]
    where, params = _where(user, period)
    select = ", ".join(f'{key} AS "{GROUP_LABELS[key]}"' for key in keys)
    frame = db.query_df(
        f"""SELECT {select}, count(*) AS "Results", count(*) FILTER (WHERE u.result = 'Referral') AS "Referrals"
            FROM {FROM} WHERE {where} GROUP BY ALL ORDER BY 1""", params)
    frame["Rate %"] = (100 * frame.Referrals / frame.Results).round(1)
    return frame


def against_service(frame: pd.DataFrame, service_percent) -> pd.DataFrame:
    """Add the service rate beside each group and whether the group is above the funnel's limits.

    service_percent: one rate for every row, or a mapping from Month to that month's rate.
    """
    frame = frame.copy()
    if isinstance(service_percent, dict):
        service = frame.Month.map(service_percent).to_numpy(dtype=float)
    else:
        service = np.full(len(frame), float(service_percent))
    frame["Service %"] = np.round(service, 1)
    rate = service / 100
    observed = (frame.Referrals / frame.Results).to_numpy(dtype=float)
    frame["Above 95% limit"] = observed > funnel_limit(rate, frame.Results.to_numpy(), Z_95)
    frame["Above 99.8% limit"] = observed > funnel_limit(rate, frame.Results.to_numpy(), Z_998)
    return frame


def funnel_limit(rate, results, z: float, upper: bool = True):
    """The control limit around a service rate for a group of `results` results (normal approximation)."""
    rate = np.asarray(rate, dtype=float)
    results = np.maximum(np.asarray(results, dtype=float), 1)
    spread = z * np.sqrt(rate * (1 - rate) / results)
    return np.clip(rate + spread if upper else rate - spread, 0, 1)
