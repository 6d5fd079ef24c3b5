"""The service level: open items by stage with working days left, at risk and breached; on-time rate by month."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from lib.rules import workdays
from lib.rules.roles import ASSESSMENT_TEAM, LEAD_ASSESSOR, QUALITY, User
from lib.service.settings import setting
from lib.store.db import Database
from lib.store.figures import figures_db
from lib.store.scope import NotAllowed, reads_centre_data

OPEN_STAGES = ("submitted", "accepted", "allocated", "marked", "sampling", "ready")
DASHBOARD_STAGES = {
    "submitted": "Quality check", "accepted": "Allocation", "allocated": "Marking",
    "marked": "Sampling", "sampling": "Sampling", "ready": "Release",
}


SLA_ROLES = (ASSESSMENT_TEAM, LEAD_ASSESSOR, QUALITY)  # who sees the open work against the SLA


def _staff_only(user: User) -> None:
    if user.role not in SLA_ROLES:
        raise NotAllowed("The service-level dashboard is for the ILM Assessment Service.")


@reads_centre_data()
def open_items(db: Database, user: User, today: date | None = None) -> pd.DataFrame:
    """Open items by dashboard stage: how many, at risk (few working days left), breached (past the target)."""
    _staff_only(user)
    today = today or date.today()
    at_risk_days = int(setting(db, "sla_at_risk_working_days"))
    rows = db.query_df("SELECT stage, sla_target, count(*) AS items FROM submissions "
                       "WHERE list_contains(?, stage) GROUP BY stage, sla_target", [list(OPEN_STAGES)])
    if rows.empty:
        return pd.DataFrame(columns=["Stage", "Open items", "At risk", "Breached", "Nearest target"])
    left = days_left(rows.sla_target, today)
    rows["left"] = left
    rows["Stage"] = rows.stage.map(DASHBOARD_STAGES)
    rows["at_risk"] = np.where((left >= 0) & (left <= at_risk_days), rows["items"], 0)
    rows["breached"] = np.where(left < 0, rows["items"], 0)
    summary = rows.groupby("Stage", sort=False).agg(**{
        "Open items": ("items", "sum"), "At risk": ("at_risk", "sum"), "Breached": ("breached", "sum"),
        "Nearest target": ("left", "min")})
    summary["Nearest target"] = [in_words(int(left)) for left in summary["Nearest target"]]
    order = list(dict.fromkeys(DASHBOARD_STAGES.values()))
    return summary.reindex([s for s in order if s in summary.index]).reset_index()


def in_words(left: int) -> str:
    """'3 working days left', 'due today' or '2 working days overdue': never a negative number of days left."""
    if left < 0:
        return f"{-left} working day{'s' if left != -1 else ''} overdue"
    return "due today" if left == 0 else f"{left} working day{'s' if left != 1 else ''} left"


def days_left(targets, today: date) -> np.ndarray:
    """Working days from today to each SLA target: 0 on the day itself, negative once it has passed."""
    targets = pd.to_datetime(pd.Series(targets)).to_numpy().astype("datetime64[D]")
    start = np.datetime64(today, "D") + 1
    return np.where(targets >= start,
                    np.busday_count(start, targets + 1, busdaycal=workdays.calendar()),
                    -np.busday_count(targets + 1, start, busdaycal=workdays.calendar()))


AT_RISK, BREACHED, ON_TRACK = "At risk", "Breached", "On track"


def sla_flags(targets, today: date, at_risk_days: int) -> list[str]:
    """'Breached: 3 working days overdue', 'At risk: 2 working days left' or '' for each SLA target."""
    flags = []
    for left in days_left(targets, today):
        if left < 0:
            flags.append(f"{BREACHED}: {in_words(int(left))}")
        elif left <= at_risk_days:
            flags.append(f"{AT_RISK}: {in_words(int(left))}")
        else:
            flags.append("")
    return flags


@reads_centre_data()
def sla_items(db: Database, user: User, today: date | None = None) -> pd.DataFrame:
    """Every open item with its dashboard stage, assessor, SLA target, working days left or overdue, and
    whether it is on track, at risk or breached; the nearest target first."""
    _staff_only(user)
    today = today or date.today()
    at_risk_days = int(setting(db, "sla_at_risk_working_days"))
    items = db.query_df(
        """SELECT s.id AS "ID", c.number AS "Centre", l.first_name || ' ' || l.last_name AS "Learner",
                  s.unit_codes AS "Unit(s)", s.stage, coalesce(a.name, '') AS "Assessor", s.sla_target AS "SLA Target"
           FROM submissions s JOIN centres c ON c.id = s.centre_id JOIN learners l ON l.id = s.learner_id
           LEFT JOIN users a ON a.id = s.assessor_id
           WHERE list_contains(?, s.stage) ORDER BY s.sla_target, s.id""", [list(OPEN_STAGES)])
    left = days_left(items["SLA Target"], today) if len(items) else np.array([], dtype=int)
    items.insert(4, "Stage", items.pop("stage").map(DASHBOARD_STAGES))
    items["Working days left"] = pd.Series(left, dtype="Int64", index=items.index).where(left >= 0)
    items["Working days overdue"] = pd.Series(-left, dtype="Int64", index=items.index).where(left < 0)
    items["SLA"] = np.select([left < 0, left <= at_risk_days], [BREACHED, AT_RISK], default=ON_TRACK)
    return items


@reads_centre_data()
def on_time_by_month(db: Database, user: User, months: int = 12, today: date | None = None) -> pd.DataFrame:
    """Per month of release: results released, how many by their SLA target, and the rate."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    _staff_only(user)
    today = today or date.today()
    return db.query_df(
        """SELECT strftime(date_trunc('month', released_at), '%Y-%m') AS "Month", count(*) AS "Released",
                  count(*) FILTER (WHERE CAST(released_at AS DATE) <= sla_target) AS "On time",
                  round(100.0 * count(*) FILTER (WHERE CAST(released_at AS DATE) <= sla_target) / count(*), 1)
                    AS "On-time %"
           FROM submissions WHERE stage = 'released' AND released_at >= date_trunc('month', ?::DATE) - to_months(?)
           GROUP BY ALL ORDER BY 1""", [today, months - 1])


PERFORMANCE_GROUPS = {"month": ("strftime(s.released_at, '%Y-%m')", "Month"), "centre": ("c.number", "Centre")}


@reads_centre_data()
def performance(db: Database, user: User, start: date = date(2000, 1, 1), end: date = date(2100, 1, 1),
                by: str | None = "month",
                centre_number: str | None = None) -> pd.DataFrame:
    """Results released in [start, end] by month or centre (or overall when by is None): how many, the share
    on time, the median working days from received to result, and the share of their quality checks made
    within the 5 working days the service aims for."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    _staff_only(user)
    key, label = PERFORMANCE_GROUPS[by] if by else ("'All'", "Overall")
    with db.cursor() as cursor:
        cursor.register("workday_numbers", workdays.working_day_numbers())
        return cursor.execute(
            f"""SELECT {key} AS "{label}", count(*) AS "Released",
                       round(100.0 * count(*) FILTER (WHERE CAST(s.released_at AS DATE) <= s.sla_target) / count(*), 1)
                           AS "On-time %",
                       median(done.n - received.n) AS "Median working days",
                       round(100.0 * count(*) FILTER (WHERE CAST(s.quality_checked_at AS DATE) <= s.qc_due)
                             / nullif(count(s.quality_checked_at), 0), 1) AS "QC within 5 working days %"
                FROM submissions s JOIN centres c ON c.id = s.centre_id
                JOIN workday_numbers received ON received.day = s.received_on
                JOIN workday_numbers done ON done.day = CAST(s.released_at AS DATE)
                WHERE s.stage = 'released' AND CAST(s.released_at AS DATE) BETWEEN ? AND ?
                  AND (? IS NULL OR c.number = ?)
                GROUP BY ALL ORDER BY 1""", [start, end, centre_number, centre_number]).df()
