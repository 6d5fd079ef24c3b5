"""Referral rates: referred unit results over released unit results, by group, against the service.

A rate counts unit results (an integrated item with one Referral among three Passes adds one
referral and three passes), over released work only, dated by release. Funnel-plot limits judge
a group against the service rate for its number of results, from the binomial distribution itself
(lib/analytics/funnel.py), so a small group is not flagged for noise; a group with fewer results than
the `funnel_min_results` setting is not judged at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from lib.analytics.funnel import standing
from lib.rules.roles import ASSESSMENT_TEAM, ASSESSOR, CENTRE, LEAD_ASSESSOR, QUALITY, User
from lib.service.settings import setting
from lib.store.db import Database
from lib.store.figures import figures_db
from lib.store.scope import NotAllowed, centre_scope, not_centre_data, reads_centre_data

# One key per grouping; names are joined on after counting, so the million-row scan joins nothing
# but the centres (for the centre filter).
GROUPS = {
    "centre": "s.centre_id",
    "unit": "u.unit_code",
    "qualification": "s.qualification_code",
    "assessor": "s.assessor_id",
    "batch": "s.batch_id",
    "month": "strftime(s.released_at, '%Y-%m')",
}
RESULT_ALIASES = {"centre": "centre_id", "unit": "unit", "qualification": "qualification",
                  "assessor": "assessor_id", "batch": "batch_id", "month": "month"}
GROUP_COLUMNS = {
    "centre": {"Centre": "c.number", "Centre name": "c.name"},
    "unit": {"Unit": "r.unit", "Unit title": "un.name"},
    "qualification": {"Qual": "r.qualification"},
    "assessor": {"Assessor": "a.username", "Assessor name": "a.name"},
    "batch": {"Batch ID": "r.batch_id", "Batch": "b.name", "Centre": "bc.number", "Centre name": "bc.name"},
    "month": {"Month": "r.month"},
}
MIN_RESULTS_SETTING = "funnel_min_results"
FROM = "submissions s JOIN submission_units u ON u.submission_id = s.id JOIN centres c ON c.id = s.centre_id"


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    qualification: str | None = None
    centre_number: str | None = None
    batch_id: int | None = None


ALL_TIME = Period(date(2000, 1, 1), date(2100, 1, 1))


def _where(user: User, period: Period, with_centre: bool = True) -> tuple[str, list]:
    # A range on the column itself (not on a cast of it) lets DuckDB skip row groups outside the period.
    clauses = ["s.stage = 'released'", "u.result IS NOT NULL", "s.released_at >= ?", "s.released_at < ?"]
    params: list = [datetime.combine(period.start, time.min), datetime.combine(period.end + timedelta(days=1), time.min)]
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
    """Service-wide averages are open to centres and assessors too (to compare their own rate with); they show no
    centre's own rows."""
    return User(user.id, user.username, user.name, QUALITY) if user.role in (CENTRE, ASSESSOR) else user


@not_centre_data("the service-wide average over all centres, which every role may compare against")
def service_rate(db: Database, user: User, period: Period) -> tuple[int, int]:
    """(referrals, results) over every centre in the period: the service average a group is held against."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    where, params = _where(_service_view(user), period, with_centre=False)
    referrals, results = db.query_one(
        f"SELECT count(*) FILTER (WHERE u.result = 'Referral'), count(*) FROM {FROM} WHERE {where}", params)
    return int(referrals), int(results)


@not_centre_data("the service-wide monthly averages over all centres")
def monthly_service_rates(db: Database, user: User, period: Period) -> dict[str, float]:
    """The service's referral rate (%) in each month of release, over all centres."""
    return {month: rate for month, (rate, _) in monthly_service_figures(db, user, period).items()}


@not_centre_data("the service-wide monthly rates and counts over all centres")
def monthly_service_figures(db: Database, user: User, period: Period) -> dict[str, tuple[float, int]]:
    """The service's referral rate (%) and number of released unit results in each month, over all centres."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    where, params = _where(_service_view(user), period, with_centre=False)
    rows = db.query_all(
        f"""SELECT strftime(s.released_at, '%Y-%m'), 100.0 * count(*) FILTER (WHERE u.result = 'Referral') / count(*),
                   count(*)
            FROM {FROM} WHERE {where} GROUP BY 1""", params)
    return {month: (rate, int(results)) for month, rate, results in rows}


def _split(frame: pd.DataFrame, groups: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The rows of each grouping set under the grouping's column labels, ordered by its first column."""
    tables = {}
    for group in groups:
        rows = frame[frame.grouping == group]
        table = pd.DataFrame({label: rows[label.lower().replace(" ", "_") + f"_{group}"] for label in GROUP_COLUMNS[group]})
        table["Results"], table["Referrals"] = rows.results.to_numpy(), rows.referrals.to_numpy()
        if group == "batch":  # work sent without a batch is not a batch
            table = table[table["Batch ID"].notna()].astype({"Batch ID": "int64"})
        table = table.sort_values(table.columns[0], kind="stable").reset_index(drop=True)
        table["Rate %"] = (100 * table.Referrals / table.Results).round(1)
        tables[group] = table
    return tables


@not_centre_data("the service-wide rate of each unit over all centres")
def unit_service_rates(db: Database, user: User, period: Period) -> dict[str, float]:
    """The service's referral rate (%) for each unit, over all centres: what one centre's unit is held against."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    whole_service = Period(period.start, period.end, period.qualification)
    units = rates_by_all(db, _service_view(user), ("unit",), whole_service)["unit"]
    return dict(zip(units.Unit, 100 * units.Referrals / units.Results))


@reads_centre_data()
def rates_by_all(db: Database, user: User, groups: tuple[str, ...] = tuple(GROUPS),
                 period: Period | None = None) -> dict[str, pd.DataFrame]:
    """Results, referrals and rate (%) per group for several groupings, in one pass over the results
    (GROUPING SETS); a centre sees only its own results."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    where, params = _where(user, period or ALL_TIME)
    keys = [GROUPS[group] for group in groups]
    which = " ".join(f"WHEN GROUPING({key}) = 0 THEN '{group}'" for group, key in zip(groups, keys))
    named = ", ".join(f'{column} AS "{label.lower().replace(" ", "_")}_{group}"'
                      for group in groups for label, column in GROUP_COLUMNS[group].items())
    selected = ", ".join(f"{GROUPS[group] if group in groups else 'NULL'} AS {alias}"
                         for group, alias in RESULT_ALIASES.items())
    frame = db.query_df(
        f"""WITH r AS (
                SELECT CASE {which} END AS grouping, {selected}, count(*) AS results,
                       count(*) FILTER (WHERE u.result = 'Referral') AS referrals
                FROM {FROM} WHERE {where}
                GROUP BY GROUPING SETS ({", ".join(f"({key})" for key in keys)}))
            SELECT r.grouping, r.results, r.referrals, {named}
            FROM r LEFT JOIN centres c ON c.id = r.centre_id LEFT JOIN users a ON a.id = r.assessor_id
            LEFT JOIN batches b ON b.id = r.batch_id LEFT JOIN centres bc ON bc.id = b.centre_id
            LEFT JOIN units un ON un.code = r.unit""", params)
    return _split(frame, groups)


@reads_centre_data()
def rates_by(db: Database, user: User, group: str = "centre", period: Period | None = None) -> pd.DataFrame:
    """Results, referrals and rate (%) per group in the period (a centre sees only its own results)."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    return rates_by_all(db, user, (group,), period)[group]


UNDER_REVIEW = "Under review"


@reads_centre_data()
def under_review(db: Database, user: User) -> dict[str, int]:
    """Items held under an open malpractice case, by centre number: their results are not released, so they are
    not in the rates; the figures say so beside them."""
    scope, params = centre_scope(user, "s.centre_id")
    return dict(db.query_all(
        f"""SELECT c.number, count(*) FROM malpractice_cases m JOIN submissions s ON s.id = m.submission_id
            JOIN centres c ON c.id = s.centre_id WHERE m.status <> 'closed' AND {scope} GROUP BY c.number""", params))


def _with_under_review(frame: pd.DataFrame, held: dict[str, int]) -> pd.DataFrame:
    return frame.assign(**{UNDER_REVIEW: frame.Centre.map(held).fillna(0).astype(int)})


def min_results(db: Database) -> int:
    """Groups with fewer results than this are not called above or below a limit (a setting)."""
    return int(setting(db, MIN_RESULTS_SETTING))


@dataclass(frozen=True)
class RateView:
    """What the referral-rates page shows for one choice of filters."""

    tables: dict[str, pd.DataFrame]  # each grouping with the service rate and where it stands beside it
    centres: pd.DataFrame  # every centre over the whole service (the funnel plot and the centre list)
    referrals: int
    results: int
    monthly: dict[str, float]  # the service's rate by month
    min_results: int = 1

    @property
    def service_percent(self) -> float:
        return 100 * self.referrals / self.results if self.results else 0.0


def beside_service(tables: dict[str, pd.DataFrame], service_percent: float, monthly: dict[str, float],
                   by_unit: dict[str, float] | None = None, fewest: int = 1) -> dict[str, pd.DataFrame]:
    """Each grouping with the service's rate beside it (its monthly rate for months; with by_unit, the
    service's rate for that unit) and where it stands against the funnel's limits. Months stay in
    order; every other grouping is ordered by how far beyond its limit it stands."""
    def service_for(group: str):
        if group == "month":
            return monthly, "Month"
        if group == "unit" and by_unit is not None:
            return by_unit, "Unit"
        return service_percent, "Month"

    return {group: against_service(table, *service_for(group), fewest=fewest, ordered=group != "month")
            for group, table in tables.items()}


@reads_centre_data()
def rate_view(db: Database, user: User, period: Period = ALL_TIME, groups: tuple[str, ...] = tuple(GROUPS)) -> RateView:
    """Every grouping of the staff page for the period; for the whole service (no centre chosen) one query
    does it all. A centre's own view is built from rates_by_all and the service-wide functions instead."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    if user.role == CENTRE:
        raise NotAllowed("The service-wide view is for the ILM Assessment Service.")
    whole_service = Period(period.start, period.end, period.qualification)
    derive = period == whole_service
    wanted = tuple(dict.fromkeys((*groups, "centre", "month"))) if derive else groups
    tables = rates_by_all(db, user, wanted, period)
    if derive:
        centres = tables["centre"]
        referrals, results = int(centres.Referrals.sum()), int(centres.Results.sum())
        monthly = dict(zip(tables["month"].Month, 100 * tables["month"].Referrals / tables["month"].Results))
    else:
        centres = rates_by(db, user, "centre", whole_service)
        referrals, results = service_rate(db, user, whole_service)
        monthly = monthly_service_rates(db, user, whole_service)
    service = 100 * referrals / results if results else 0.0
    fewest = min_results(db)
    held = under_review(db, user) if user.role in (ASSESSMENT_TEAM, LEAD_ASSESSOR, QUALITY) else {}
    shown = beside_service({g: tables[g] for g in groups}, service, monthly, fewest=fewest)
    if "centre" in shown:
        shown["centre"] = _with_under_review(shown["centre"], held)
    return RateView(shown, _with_under_review(against_service(centres, service, fewest=fewest), held), referrals,
                    results, monthly, fewest)


BEYOND = "Beyond limit (points)"


def against_service(frame: pd.DataFrame, service_percent, key: str = "Month", fewest: int = 1,
                    ordered: bool = True) -> pd.DataFrame:
    """Add the service rate beside each group, where the group stands against the funnel's limits
    (Standing) and how far beyond its 95% limit it is, in points of rate (negative: inside the limits).

    service_percent: one rate for every row, or a mapping from the key column (a month, a unit) to the
    service's rate for it. fewest: groups with fewer results are "Too few results", not judged.
    ordered: the groups furthest beyond their limits first (groups too small to judge last).
    """
    frame = frame.copy()
    if isinstance(service_percent, dict):
        service = frame[key].map(service_percent).to_numpy(dtype=float)
    else:
        service = np.full(len(frame), float(service_percent))
    frame["Service %"] = np.round(service, 1)
    frame["Standing"], frame[BEYOND] = standing(frame.Referrals.to_numpy(), frame.Results.to_numpy(),
                                                np.nan_to_num(service / 100), fewest)
    if ordered:
        frame = frame.sort_values(BEYOND, ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    return frame
