"""Batch review by lead assessors: each batch's size, results and referral rate, which batches are flagged
and why, and the Feedback Summary Report a lead assessor writes for a batch."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
import pandas as pd

from lib.analytics.funnel import UPPER, quantiles
from lib.analytics.referrals import ALL_TIME, Period, rates_by, service_rate
from lib.errors import Refused
from lib.rules.roles import ASSESSMENT_TEAM, LEAD_ASSESSOR, QUALITY, User
from lib.rules.text import REPORT_MAX, check_text
from lib.service.settings import setting
from lib.store.db import Database, Writer
from lib.store.figures import figures_db
from lib.store.scope import NotFound, centre_scope, reads_centre_data, require_role, submission_scope, writes_centre_data

STAFF = (ASSESSMENT_TEAM, LEAD_ASSESSOR, QUALITY)
TOP_UNITS = 3


@dataclass(frozen=True)
class FlagRule:
    rate_percent: float
    min_results: int

    def describe(self) -> str:
        return (f"Flagged: at least {self.min_results} released results and more referrals than chance explains "
                f"(above the funnel's 99.8% limit around the service rate), the standard the referral-rate funnel "
                f"uses; a flagged batch at a rate of {self.rate_percent:g}% or more says so.")


def flag_rule(db: Database) -> FlagRule:
    return FlagRule(setting(db, "batch_flag_rate_percent"), int(setting(db, "batch_flag_min_results")))


def flag_reasons(referrals, results, service_percent: float, rule: FlagRule) -> list[str]:
    """Why each batch is flagged ('' when it is not): it has enough results and more referrals than chance explains
    at the service rate (above the 99.9% quantile of the binomial distribution: the funnel's 99.8% limit). A high
    rate alone is not enough: 2 referrals in 5 results happen by chance about a quarter of the time at a 20% service
    rate. The rate setting only adds, to a flagged batch, that its rate is that high."""
    referrals = np.asarray(referrals, dtype=np.int64)
    results = np.asarray(results, dtype=np.int64)
    enough = results >= max(rule.min_results, 1)
    rate = 100 * referrals / np.maximum(results, 1)
    above = enough & (referrals > quantiles(results, service_percent / 100, UPPER["99.8%"]))
    return [("above 99.8% limit" + (f" and rate ≥ {rule.rate_percent:g}%" if share >= rule.rate_percent else ""))
            if is_above else "" for is_above, share in zip(above, rate)]


@reads_centre_data()
def batches(db: Database, user: User, period: Period = ALL_TIME) -> pd.DataFrame:
    """Batches created in the period: size, released items, unit results, referrals, rate, the units with most
    referrals, whether flagged and why, and whether a Feedback Summary Report has been written; flagged ones
    first, then by referrals."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    require_role(user, STAFF, "Batch review is for lead assessors, the assessment team and quality.")
    scope, params = centre_scope(user, "b.centre_id")
    frame = db.query_df(
        f"""WITH chosen AS (
                SELECT b.id, b.name, b.centre_id, b.created_at FROM batches b JOIN centres c ON c.id = b.centre_id
                WHERE {scope} AND CAST(b.created_at AS DATE) BETWEEN ? AND ? AND (? IS NULL OR c.number = ?)),
            items AS (
                SELECT s.batch_id, count(*) AS items, count(*) FILTER (WHERE s.stage = 'released') AS released
                FROM submissions s JOIN chosen ON chosen.id = s.batch_id
                WHERE (? IS NULL OR s.qualification_code = ?) GROUP BY 1),
            per_unit AS (
                SELECT s.batch_id, u.unit_code, count(*) AS results,
                       count(*) FILTER (WHERE u.result = 'Referral') AS referrals
                FROM submissions s JOIN chosen ON chosen.id = s.batch_id
                JOIN submission_units u ON u.submission_id = s.id
                WHERE s.stage = 'released' AND u.result IS NOT NULL AND (? IS NULL OR s.qualification_code = ?)
                GROUP BY 1, 2)
            SELECT chosen.id AS "Batch ID", c.number AS "Centre", c.name AS "Centre name", chosen.name AS "Batch",
                   CAST(chosen.created_at AS DATE) AS "Created", coalesce(any_value(items.items), 0) AS "Items",
                   coalesce(any_value(items.released), 0) AS "Released items",
                   coalesce(sum(per_unit.results), 0)::BIGINT AS "Results",
                   coalesce(sum(per_unit.referrals), 0)::BIGINT AS "Referrals",
                   array_to_string(list_slice(list(per_unit.unit_code || ' (' || per_unit.referrals || ')'
                       ORDER BY per_unit.referrals DESC, per_unit.unit_code)
                       FILTER (WHERE per_unit.referrals > 0), 1, {TOP_UNITS}), ', ') AS "Most referred units",
                   bool_or(r.batch_id IS NOT NULL) AS "Report"
            FROM chosen JOIN centres c ON c.id = chosen.centre_id
            LEFT JOIN items ON items.batch_id = chosen.id LEFT JOIN per_unit ON per_unit.batch_id = chosen.id
            LEFT JOIN feedback_reports r ON r.batch_id = chosen.id
            WHERE items.items > 0
            GROUP BY chosen.id, c.number, c.name, chosen.name, chosen.created_at
            ORDER BY chosen.created_at DESC, chosen.id DESC""",
        [*params, period.start, period.end, period.centre_number, period.centre_number,
         period.qualification, period.qualification, period.qualification, period.qualification])
    results = frame["Results"].to_numpy(dtype=float)
    frame.insert(frame.columns.get_loc("Referrals") + 1, "Rate %",
                 np.round(np.divide(100 * frame["Referrals"].to_numpy(dtype=float), results,
                                    out=np.full(len(frame), np.nan), where=results > 0), 1))
    referrals, all_results = service_rate(db, user, Period(period.start, period.end, period.qualification))
    service = 100 * referrals / all_results if all_results else 0.0
    frame.insert(frame.columns.get_loc("Created"), "Flag",
                 flag_reasons(frame["Referrals"], frame["Results"], service, flag_rule(db)))
    frame["Most referred units"] = frame["Most referred units"].fillna("")
    # What a reviewer works through first: flagged batches, then the most referrals, the newest on a tie.
    return frame.assign(_flagged=frame.Flag != "").sort_values(
        ["_flagged", "Referrals"], ascending=False, kind="stable").drop(columns="_flagged").reset_index(drop=True)


@reads_centre_data()
def flagged_batch_counts(db: Database, user: User, period: Period = ALL_TIME,
                         service_percent: float | None = None) -> tuple[int, int]:
    """How many batches created in the period batches() flags, and how many of those have no Feedback Summary
    Report, counted without building the list: only batches with enough results can be flagged, so only they are
    read. The period's dates count; its centre and qualification filters are not used here. service_percent: the
    service's rate over the period when the caller has it already."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    require_role(user, STAFF, "Batch review is for lead assessors, the assessment team and quality.")
    scope, params = centre_scope(user, "b.centre_id")
    rule = flag_rule(db)
    counted = db.query_df(
        f"""WITH chosen AS (SELECT b.id FROM batches b WHERE {scope} AND CAST(b.created_at AS DATE) BETWEEN ? AND ?)
            SELECT s.batch_id, count(u.result) AS results, count(*) FILTER (WHERE u.result = 'Referral') AS referrals,
                   EXISTS (SELECT 1 FROM feedback_reports r WHERE r.batch_id = s.batch_id) AS report
            FROM submissions s JOIN chosen ON chosen.id = s.batch_id JOIN submission_units u ON u.submission_id = s.id
            WHERE s.stage = 'released' AND u.result IS NOT NULL AND s.batch_id IS NOT NULL
              AND s.submitted_at >= ?  -- a batch's items are submitted when it is made: lets DuckDB skip older ones
            GROUP BY s.batch_id HAVING count(u.result) >= ?""",
        [*params, period.start, period.end, period.start, max(rule.min_results, 1)])
    if counted.empty:
        return 0, 0
    if service_percent is None:
        referrals, all_results = service_rate(db, user, Period(period.start, period.end))
        service_percent = 100 * referrals / all_results if all_results else 0.0
    flagged = np.array(flag_reasons(counted.referrals, counted.results, service_percent, rule)) != ""
    return int(flagged.sum()), int((flagged & ~counted.report.to_numpy(dtype=bool)).sum())


@reads_centre_data(probes={"batch_id": "batch"})
def batch_items(db: Database, user: User, batch_id: int) -> pd.DataFrame:
    """The submissions in a batch with each unit's result and the assessor's feedback: the bottom of the
    drill-down. Results and feedback show once released; the assessor is named to the service's staff only."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    scope, params = centre_scope(user, "s.centre_id")
    items = db.query_df(
        f"""SELECT s.id AS "ID", l.enr AS "ENR", l.first_name || ' ' || l.last_name AS "Learner",
                   s.qualification_code AS "Qual", s.type AS "Type", s.category AS "Category",
                   CAST(s.submitted_at AS DATE) AS "Submitted", CAST(s.released_at AS DATE) AS "Released",
                   string_agg(u.unit_code || ': ' || CASE WHEN s.stage = 'released' THEN u.result
                                                            ELSE 'not released' END, ', ' ORDER BY u.unit_code)
                       AS "Unit results",
                   CASE WHEN s.stage = 'released' THEN s.result END AS "Result",
                   a.name AS "Assessor",
                   string_agg(CASE WHEN s.stage = 'released' AND u.feedback IS NOT NULL
                                   THEN u.unit_code || ': ' || u.feedback END, ' | ' ORDER BY u.unit_code)
                       AS "Feedback"
            FROM submissions s JOIN learners l ON l.id = s.learner_id
            JOIN submission_units u ON u.submission_id = s.id
            LEFT JOIN users a ON a.id = s.assessor_id
            WHERE s.batch_id = ? AND {scope}
            GROUP BY ALL ORDER BY s.id""", [batch_id, *params])
    return items.drop(columns=["Assessor"]) if user.is_centre else items


@dataclass(frozen=True)
class FeedbackReport:
    batch_id: int
    batch_name: str
    centre_number: str
    centre_name: str
    author: str
    written_at: datetime
    updated_at: datetime
    trends: str
    unit_advice: dict[str, str]
    # (unit, results, referrals) of the batch's released work
    unit_figures: tuple[tuple[str, int, int], ...]


def _batch_row(db_or_writer, user: User, batch_id: int) -> tuple:
    scope, params = centre_scope(user, "b.centre_id")
    sql = f"""SELECT b.id, b.name, c.number, c.name FROM batches b JOIN centres c ON c.id = b.centre_id
              WHERE b.id = ? AND {scope}"""
    row = (db_or_writer.execute(sql, [batch_id, *params]).fetchone() if isinstance(db_or_writer, Writer)
           else db_or_writer.query_one(sql, [batch_id, *params]))
    if row is None:
        raise NotFound("That batch does not exist, or it is not one of yours.")
    return row


def _unit_figures(db: Database, user: User, batch_id: int) -> tuple[tuple[str, int, int], ...]:
    units = rates_by(db, user, "unit", replace(ALL_TIME, batch_id=batch_id))
    return tuple((unit, int(results), int(referrals))
                 for unit, results, referrals in zip(units.Unit, units.Results, units.Referrals))


@reads_centre_data(probes={"batch_id": "batch"})
def feedback_report(db: Database, user: User, batch_id: int) -> FeedbackReport | None:
    """The batch's Feedback Summary Report, or None when none has been written (a centre sees its own only)."""
    batch = _batch_row(db, user, batch_id)
    row = db.query_one(
        """SELECT coalesce(u.name, 'Lead assessor'), r.written_at, r.updated_at, r.trends, r.unit_advice
           FROM feedback_reports r LEFT JOIN users u ON u.id = r.written_by WHERE r.batch_id = ?""", [batch_id])
    if row is None:
        return None
    author, written_at, updated_at, trends, advice = row
    return FeedbackReport(batch[0], batch[1], batch[2], batch[3], author, written_at, updated_at, trends,
                          json.loads(advice), _unit_figures(db, user, batch_id))


@reads_centre_data()
def reports_for_centre(db: Database, user: User) -> pd.DataFrame:
    """The batches that have a Feedback Summary Report, newest first (a centre sees its own)."""
    scope, params = centre_scope(user, "b.centre_id")
    return db.query_df(
        f"""SELECT b.id AS "Batch ID", b.name AS "Batch", c.number AS "Centre", CAST(r.updated_at AS DATE) AS "Written"
            FROM feedback_reports r JOIN batches b ON b.id = r.batch_id JOIN centres c ON c.id = b.centre_id
            WHERE {scope} ORDER BY r.updated_at DESC, b.id DESC""", params)


@writes_centre_data(probes={"batch_id": "batch"})
def save_feedback_report(db: Database, user: User, batch_id: int, trends: str, unit_advice: dict[str, str],
                         now: datetime | None = None) -> None:
    """Write or rewrite a batch's Feedback Summary Report: the trends seen, and advice per unit of the batch."""
    require_role(user, (LEAD_ASSESSOR,), "Only lead assessors write Feedback Summary Reports.")
    trends = check_text(trends, "report's trends", REPORT_MAX)
    if len(trends) < 20:
        raise Refused("Describe the trends you saw in this batch (at least a sentence).")
    advice = {unit: check_text(text, f"advice on {unit}", REPORT_MAX) for unit, text in unit_advice.items()
              if text and text.strip()}
    if len(trends) + sum(len(text) for text in advice.values()) > REPORT_MAX:
        raise Refused(f"The report is longer than {REPORT_MAX:,} characters in all: shorten it.")
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        _batch_row(writer, user, batch_id)
        units = {code for (code,) in writer.execute(
            "SELECT DISTINCT unit_code FROM submission_units u JOIN submissions s ON s.id = u.submission_id "
            "WHERE s.batch_id = ?", [batch_id]).fetchall()}
        strangers = sorted(set(advice) - units)
        if strangers:
            raise Refused(f"Advice can only be given on the batch's units; not on {', '.join(strangers)}.")
        before = writer.execute("SELECT trends, unit_advice FROM feedback_reports WHERE batch_id = ?",
                                [batch_id]).fetchone()
        if before is None:
            writer.execute("INSERT INTO feedback_reports VALUES (?, ?, ?, ?, ?, ?)",
                           [batch_id, trends, json.dumps(advice), user.id, now, now])
        else:
            writer.execute("UPDATE feedback_reports SET trends = ?, unit_advice = ?, written_by = ?, updated_at = ? "
                           "WHERE batch_id = ?", [trends, json.dumps(advice), user.id, now, batch_id])
        writer.audit("feedback_report_saved", "batch", batch_id,
                     None if before is None else {"trends": before[0], "unit_advice": json.loads(before[1])},
                     {"trends": trends, "unit_advice": advice})

    db.transact(user, work)


@reads_centre_data(probes={"submission_id": "submission"})
def report_for_item(db: Database, user: User, submission_id: int) -> FeedbackReport | None:
    """The Feedback Summary Report on the batch a submission was sent in, if one has been written."""
    scope, params = submission_scope(user)
    row = db.query_one(f"SELECT s.batch_id FROM submissions s WHERE s.id = ? AND {scope}", [submission_id, *params])
    if row is None or row[0] is None:
        return None
    return feedback_report(db, user, int(row[0]))
