"""EQA alerts: centres whose referral rate stays above the service's monthly rate for months in a row, with
enough results each month to mean something; each alert is followed up open → contacted → action plan → closed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from lib.errors import Refused
from lib.rules.roles import ASSESSMENT_TEAM, LEAD_ASSESSOR, QUALITY, User
from lib.rules.text import check_text
from lib.service.settings import setting
from lib.store.db import Database, Writer
from lib.store.scope import NotFound, reads_centre_data, require_role, writes_centre_data

STATUSES = ("open", "contacted", "action_plan", "closed")
STATUS_LABELS = {"open": "Open", "contacted": "Contacted", "action_plan": "Action plan", "closed": "Closed"}
NEXT_STATUS = {"open": "contacted", "contacted": "action_plan", "action_plan": "closed"}
FOLLOWERS = (QUALITY,)
READERS = (QUALITY, ASSESSMENT_TEAM, LEAD_ASSESSOR)
MONTHS_SCANNED = 36


@dataclass(frozen=True)
class AlertRule:
    months_in_a_row: int
    min_results: int

    def describe(self) -> str:
        return (f"A centre is alerted when its referral rate is above the service's rate for that month in at least "
                f"{self.months_in_a_row} months in a row, with at least {self.min_results} released results in each.")


def alert_rule(db: Database | Writer) -> AlertRule:
    return AlertRule(int(setting(db, "eqa_consecutive_months")), int(setting(db, "eqa_min_results_per_month")))


def _month_index(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def find_runs(monthly: pd.DataFrame, rule: AlertRule) -> list[dict]:
    """Runs of calendar-consecutive months in which a centre had enough results and a rate above the service's.

    monthly: one row per centre and month with centre_id, month ('YYYY-MM'), results, referrals, service (%).
    """
    runs = []
    qualifying = monthly[(monthly.results >= rule.min_results)
                         & (100 * monthly.referrals / monthly.results > monthly.service)]
    for centre_id, rows in qualifying.sort_values(["centre_id", "month"]).groupby("centre_id", sort=True):
        current: list[dict] = []
        for row in rows.itertuples(index=False):
            if current and _month_index(row.month) != _month_index(current[-1]["month"]) + 1:
                if len(current) >= rule.months_in_a_row:
                    runs.append({"centre_id": int(centre_id), "months": current})
                current = []
            current.append({"month": row.month, "results": int(row.results), "referrals": int(row.referrals),
                            "rate": round(100 * row.referrals / row.results, 1), "service": round(float(row.service), 1)})
        if len(current) >= rule.months_in_a_row:
            runs.append({"centre_id": int(centre_id), "months": current})
    return runs


def _monthly(cursor, first_month: date, end: date) -> pd.DataFrame:
    """Released unit results and referrals per centre and month, with the service's rate that month."""
    return cursor.execute(
        """WITH per AS (
               SELECT s.centre_id, strftime(s.released_at, '%Y-%m') AS month, count(*) AS results,
                      count(*) FILTER (WHERE u.result = 'Referral') AS referrals
               FROM submissions s JOIN submission_units u ON u.submission_id = s.id
               WHERE s.stage = 'released' AND u.result IS NOT NULL AND s.released_at >= ? AND s.released_at < ?
               GROUP BY 1, 2)
           SELECT per.*, 100.0 * sum(referrals) OVER m / sum(results) OVER m AS service
           FROM per WINDOW m AS (PARTITION BY month)""", [first_month, end]).df()


def _changes(cursor, today: date, rule: AlertRule) -> list[tuple[dict, tuple | None]]:
    """Each run that is not yet an alert, or whose alert lacks some of its months, with that alert's row."""
    month_start = today.replace(day=1)  # the current month is not complete yet
    first = (pd.Timestamp(month_start) - pd.DateOffset(months=MONTHS_SCANNED)).date()
    changes = []
    for run in find_runs(_monthly(cursor, first, month_start), rule):
        existing = cursor.execute("SELECT id, months FROM eqa_alerts WHERE centre_id = ? AND first_month = ?",
                                  [run["centre_id"], run["months"][0]["month"]]).fetchone()
        if existing is None or json.loads(existing[1]) != run["months"]:
            changes.append((run, existing))
    return changes


@writes_centre_data()
def raise_alerts(db: Database, user: User, today: date | None = None, now: datetime | None = None) -> int:
    """Open an alert for each new run of complete months; extend the months of an alert whose run goes on.

    An alert is its centre's run from its first month: a run that continues updates the alert (whatever its
    status), a run that starts after a gap is a new alert. Writes nothing when nothing changed; returns how
    many alerts were opened.
    """
    require_role(user, READERS, "EQA alerts are for quality, the assessment team and lead assessors.")
    today = today or date.today()
    with db.cursor() as cursor:
        if not _changes(cursor, today, alert_rule(db)):
            return 0
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        opened = 0
        for run, existing in _changes(writer.cursor, today, alert_rule(writer)):
            months = run["months"]
            if existing is None:
                alert_id = writer.execute("SELECT nextval('seq_eqa_alerts')").fetchone()[0]
                writer.execute("INSERT INTO eqa_alerts VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
                               [alert_id, run["centre_id"], months[0]["month"], months[-1]["month"], json.dumps(months),
                                now, now])
                writer.audit("eqa_alert_raised", "eqa_alert", alert_id, None, {"centre_id": run["centre_id"],
                                                                               "months": months})
                opened += 1
            else:
                writer.execute("UPDATE eqa_alerts SET last_month = ?, months = ? WHERE id = ?",
                               [months[-1]["month"], json.dumps(months), existing[0]])
                writer.audit("eqa_alert_extended", "eqa_alert", existing[0], {"months": json.loads(existing[1])},
                             {"months": months})
        if not writer.audited:
            writer.audit("eqa_alerts_checked", "eqa_alert", None, None, {"changes": 0})
        return opened

    return db.transact(user, work)


@reads_centre_data()
def alerts(db: Database, user: User, include_closed: bool = True) -> pd.DataFrame:
    """Every alert, newest run first: the centre, its months above the service, latest rates, status and dates."""
    require_role(user, READERS, "EQA alerts are for quality, the assessment team and lead assessors.")
    frame = db.query_df(
        """SELECT a.id AS "Alert", c.number AS "Centre", c.name AS "Centre name", a.first_month AS "From",
                  a.last_month AS "To", a.months AS "Months above", a.months AS "Latest rate %",
                  a.months AS "Latest service %", a.status AS "Status", CAST(a.raised_at AS DATE) AS "Raised",
                  CAST(a.updated_at AS DATE) AS "Updated",
                  -- Items held under an open malpractice case: not in the rates until the case closes.
                  (SELECT count(*) FROM malpractice_cases m JOIN submissions s ON s.id = m.submission_id
                   WHERE s.centre_id = a.centre_id AND m.status <> 'closed') AS "Under review"
           FROM eqa_alerts a JOIN centres c ON c.id = a.centre_id
           WHERE ? OR a.status <> 'closed'
           ORDER BY a.status = 'closed', a.last_month DESC, c.number""", [include_closed])
    frame["Status"] = frame["Status"].map(STATUS_LABELS)
    # The months are read here, not in SQL: the engines spell JSON paths differently.
    months = frame["Months above"].map(json.loads)
    frame["Months above"] = months.map(len).astype("Int64")
    frame["Latest rate %"] = months.map(lambda run: float(run[-1]["rate"])).astype("float64")
    frame["Latest service %"] = months.map(lambda run: float(run[-1]["service"])).astype("float64")
    return frame


@dataclass(frozen=True)
class AlertDetail:
    alert_id: int
    centre_number: str
    centre_name: str
    status: str
    months: list[dict]
    notes: pd.DataFrame


@reads_centre_data(probes={"alert_id": "alert"})
def alert_detail(db: Database, user: User, alert_id: int) -> AlertDetail:
    """An alert's months (rate against the service) and its history of notes."""
    require_role(user, READERS, "EQA alerts are for quality, the assessment team and lead assessors.")
    row = db.query_one("""SELECT c.number, c.name, a.status, a.months FROM eqa_alerts a
                          JOIN centres c ON c.id = a.centre_id WHERE a.id = ?""", [alert_id])
    if row is None:
        raise NotFound("There is no such alert.")
    notes = db.query_df(
        """SELECT n.written_at AS "When", coalesce(u.name, '?') AS "By", n.from_status AS "From",
                  n.to_status AS "To", n.note AS "Note"
           FROM eqa_alert_notes n LEFT JOIN users u ON u.id = n.written_by WHERE n.alert_id = ?
           ORDER BY n.written_at""", [alert_id])
    for column in ("From", "To"):
        notes[column] = notes[column].map(STATUS_LABELS)
    return AlertDetail(alert_id, row[0], row[1], row[2], json.loads(row[3]), notes)


def allowed_moves(status: str) -> list[str]:
    """Where an alert may go next: the next step, straight to closed, or stay (a note only)."""
    if status == "closed":
        return []
    return list(dict.fromkeys([status, NEXT_STATUS[status], "closed"]))


@writes_centre_data(probes={"alert_id": "alert"})
def follow_up(db: Database, user: User, alert_id: int, to_status: str, note: str, now: datetime | None = None) -> None:
    """Record a note on an alert and move it on (or keep its status to add a note only)."""
    require_role(user, FOLLOWERS, "Only the quality team follows up EQA alerts.")
    note = check_text(note, "note")
    if len(note) < 5:
        raise Refused("Write a note of what was done (who was contacted, what was agreed).")
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        row = writer.execute("SELECT status FROM eqa_alerts WHERE id = ?", [alert_id]).fetchone()
        if row is None:
            raise NotFound("There is no such alert.")
        status = row[0]
        if to_status not in allowed_moves(status):
            raise Refused(f"An alert that is {STATUS_LABELS[status]} cannot move to "
                          f"{STATUS_LABELS.get(to_status, to_status)}. Refresh the page: someone may have moved it.")
        writer.execute("UPDATE eqa_alerts SET status = ?, updated_at = ? WHERE id = ?", [to_status, now, alert_id])
        writer.execute("INSERT INTO eqa_alert_notes VALUES (?, ?, ?, ?, ?, ?)",
                       [alert_id, now, user.id, status, to_status, note])
        writer.audit("eqa_alert_followed_up", "eqa_alert", alert_id, {"status": status},
                     {"status": to_status, "note": note})

    db.transact(user, work)
