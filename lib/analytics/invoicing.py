"""Weekly re-assessment invoicing: each Wednesday bills the re-submissions made Monday to Sunday of the week
before, per centre and purchase order (the batch name), with fees from the Guide to Fees, per unit re-submitted
after a Referral (the units the earlier attempt referred, not those it passed); an excess fee per further 10,000
words when the quality check agreed one (word counts are guidance: see lib/service/quality_check); an item rejected
after it was billed is credited what it was billed. Enquiries about
results are billed per unit in the week they are raised; a unit whose result an enquiry or appeal changed is
credited back in the week of that decision (when the refund setting said so)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pandas as pd

from lib.errors import Refused
from lib.rules.roles import ASSESSMENT_TEAM, User
from lib.service.settings import fee_amounts
from lib.store.db import Database, Writer
from lib.store.scope import centre_scope, reads_centre_data, require_role, writes_centre_data

RE_ASSESSMENT, WORD_COUNT_EXCESS = "re_assessment", "word_count_excess"
ENQUIRY, ENQUIRY_REFUND, APPEAL_REFUND = "enquiry", "enquiry_refund", "appeal_refund"
REJECTION_CREDIT = "rejection_credit"
# Credits of what was charged: the charged amount travels with the line (charged_unit).
REFUNDS = (ENQUIRY_REFUND, APPEAL_REFUND, REJECTION_CREDIT)
NO_PURCHASE_ORDER = "(no batch name)"
TEAM_ONLY = "Only the ILM Assessment Team runs invoicing."
FEE_LABELS = {RE_ASSESSMENT: "Re-assessment", WORD_COUNT_EXCESS: "Word count over guidance (agreed at quality check)",
              ENQUIRY: "Enquiry about results", ENQUIRY_REFUND: "Enquiry fee refunded (result changed)",
              APPEAL_REFUND: "Enquiry fee refunded (appeal changed a result)",
              REJECTION_CREDIT: "Credit: item rejected after it was billed"}


def week_to_bill(today: date) -> date:
    """The Monday of the week before today's: the week a run on today's Wednesday bills."""
    return today - timedelta(days=today.weekday() + 7)


def _week_bounds(week_start: date) -> tuple[datetime, datetime]:
    if week_start.weekday() != 0:
        raise Refused("An invoicing week starts on a Monday.")
    start = datetime.combine(week_start, datetime.min.time())
    return start, start + timedelta(days=7)


# Words per item: its evidence files' counts; the limit: the unit's guidance, or for an integrated
# item the sum over its units (each unit's guidance applies to its part of the evidence).
_BILLABLE = """
    WITH week_items AS (
        SELECT s.id, s.centre_id, s.category, s.stage, s.unit_codes, s.resubmits_id,
               coalesce(b.name, $no_po) AS purchase_order
        FROM submissions s LEFT JOIN batches b ON b.id = s.batch_id
        WHERE s.submitted_at >= $start AND s.submitted_at < $end),
    limits AS (
        SELECT su.submission_id, count(*) AS units
        FROM submission_units su JOIN week_items w ON w.id = su.submission_id GROUP BY 1),
    -- A re-assessment re-assesses only what was referred: the units of the item it re-submits whose result was a
    -- Referral (an integrated item with one unit passed and one referred pays for one).
    referred AS (
        SELECT w.id AS submission_id, count(*) AS units
        FROM week_items w JOIN submission_units before ON before.submission_id = w.resubmits_id
        JOIN submission_units now ON now.submission_id = w.id AND now.unit_code = before.unit_code
        WHERE w.category = 'Re-assessment' AND w.stage <> 'rejected' AND before.result = 'Referral' GROUP BY 1),
    enquiry_items AS (
        SELECT e.id AS enquiry_id, e.submission_id, e.centre_id, e.raised_at,
               coalesce(b.name, $no_po) AS purchase_order
        FROM enquiries e JOIN submissions s ON s.id = e.submission_id LEFT JOIN batches b ON b.id = s.batch_id),
    lines AS (
        SELECT w.id, w.centre_id, w.purchase_order, $re_assessment AS fee_code,
               coalesce(referred.units, limits.units) AS quantity
        FROM week_items w JOIN limits ON limits.submission_id = w.id
        LEFT JOIN referred ON referred.submission_id = w.id
        WHERE w.category = 'Re-assessment' AND w.stage <> 'rejected'
        UNION ALL
        -- The excess fee the quality check agreed, in the week of that decision.
        SELECT s.id, s.centre_id, coalesce(b.name, $no_po), $word_count_excess, s.excess_fee_blocks
        FROM submissions s LEFT JOIN batches b ON b.id = s.batch_id
        WHERE s.excess_fee_blocks > 0 AND s.quality_checked_at >= $start AND s.quality_checked_at < $end
        UNION ALL
        -- An item rejected after it was billed is credited what it was billed, in the week of the rejection.
        SELECT s.id, s.centre_id, coalesce(b.name, $no_po), $rejection_credit, 1
        FROM submissions s LEFT JOIN batches b ON b.id = s.batch_id
        WHERE s.stage = 'rejected' AND s.rejected_at >= $start AND s.rejected_at < $end
          AND EXISTS (SELECT 1 FROM invoice_lines il WHERE il.submission_id = s.id
                      AND il.fee_code IN ($re_assessment, $word_count_excess))
        UNION ALL
        SELECT q.submission_id, q.centre_id, q.purchase_order, $enquiry, CAST(count(*) AS INTEGER)
        FROM enquiry_items q JOIN enquiry_units u ON u.enquiry_id = q.enquiry_id
        WHERE q.raised_at >= $start AND q.raised_at < $end GROUP BY q.submission_id, q.centre_id, q.purchase_order
        UNION ALL
        SELECT q.submission_id, q.centre_id, q.purchase_order,
               CASE o.stage WHEN 'enquiry' THEN $enquiry_refund ELSE $appeal_refund END, CAST(count(*) AS INTEGER)
        FROM enquiry_items q JOIN enquiry_outcomes o ON o.enquiry_id = q.enquiry_id
        WHERE o.fee_refunded AND o.decided_at >= $start AND o.decided_at < $end
        GROUP BY q.submission_id, q.centre_id, q.purchase_order, o.stage)
    SELECT lines.*, c.number, c.name,
           CAST(CASE WHEN lines.fee_code = $rejection_credit THEN billed.amount ELSE charged.unit_amount END
                AS VARCHAR) AS charged_unit
    FROM lines JOIN centres c ON c.id = lines.centre_id
    LEFT JOIN invoice_lines charged ON charged.submission_id = lines.id AND charged.fee_code = $enquiry
                                   AND lines.fee_code IN ($enquiry_refund, $appeal_refund)
    LEFT JOIN (SELECT submission_id, sum(amount) AS amount FROM invoice_lines
               WHERE fee_code IN ($re_assessment, $word_count_excess) GROUP BY 1) billed
           ON billed.submission_id = lines.id AND lines.fee_code = $rejection_credit
    WHERE NOT EXISTS (SELECT 1 FROM invoice_lines il WHERE il.submission_id = lines.id AND il.fee_code = lines.fee_code)
    ORDER BY c.number, lines.purchase_order, lines.id, lines.fee_code"""


def _billable(cursor, week_start: date) -> pd.DataFrame:
    start, end = _week_bounds(week_start)
    return cursor.execute(_BILLABLE, {
        "no_po": NO_PURCHASE_ORDER, "start": start, "end": end, "re_assessment": RE_ASSESSMENT,
        "word_count_excess": WORD_COUNT_EXCESS, "enquiry": ENQUIRY, "enquiry_refund": ENQUIRY_REFUND,
        "appeal_refund": APPEAL_REFUND, "rejection_credit": REJECTION_CREDIT}).df()


def _priced(lines: pd.DataFrame, fees: dict[str, Decimal]) -> pd.DataFrame:
    lines = lines.copy()
    # A refund is a credit of what was charged: the enquiry's own line when it has been billed (the fee may have
    # changed since), the fee otherwise.
    charged = lines["charged_unit"] if "charged_unit" in lines else [None] * len(lines)
    lines["unit_amount"] = [(-Decimal(paid) if isinstance(paid, str) else -fees[code]) if code in REFUNDS
                            else fees[code] for code, paid in zip(lines.fee_code, charged)]
    lines["amount"] = [Decimal(int(q)) * a for q, a in zip(lines.quantity, lines.unit_amount)]
    return lines


@reads_centre_data()
def preview(db: Database, user: User, week_start: date | None = None) -> pd.DataFrame:
    """What a run for this week would bill now: the lines not billed yet, priced from the Guide to Fees."""
    require_role(user, (ASSESSMENT_TEAM,), TEAM_ONLY)
    with db.cursor() as cursor:
        lines = _priced(_billable(cursor, week_start or week_to_bill(date.today())), fee_amounts(db))
    return pd.DataFrame({
        "Centre": lines.number, "Centre name": lines.name, "Purchase order": lines.purchase_order,
        "ID": lines.id, "Fee": lines.fee_code.map(FEE_LABELS), "Quantity": lines.quantity,
        "Unit £": lines.unit_amount.astype(float), "Amount £": lines.amount.astype(float)})


@writes_centre_data()
def run_week(db: Database, user: User, week_start: date, today: date | None = None) -> list[int]:
    """Bill the week's unbilled lines: one invoice per centre and purchase order. Returns the new invoice ids;
    running a week again bills only what was not billed before (usually nothing)."""
    require_role(user, (ASSESSMENT_TEAM,), TEAM_ONLY)
    today = today or date.today()
    _, end = _week_bounds(week_start)
    if today < end.date():
        raise Refused(f"The week of {week_start:%d/%m/%Y} has not ended yet: it can be billed from "
                      f"{end:%A %d/%m/%Y}.")
    now = datetime.now()

    def work(writer: Writer) -> list[int]:
        lines = _priced(_billable(writer.cursor, week_start), fee_amounts(writer))
        if lines.empty:
            writer.audit("invoicing_run_empty", "invoice", None, None, {"week_start": week_start})
            return []
        invoices = lines.groupby(["centre_id", "purchase_order"], sort=True).agg(total=("amount", "sum")).reset_index()
        ids = [row[0] for row in writer.execute("SELECT nextval('seq_invoices') FROM generate_series(1, ?)",
                                                [len(invoices)]).fetchall()]
        invoices["id"] = ids
        lines = lines.merge(invoices[["centre_id", "purchase_order", "id"]].rename(columns={"id": "invoice_id"}),
                            on=["centre_id", "purchase_order"])
        # Amounts travel as text so that DuckDB reads exact pounds and pence, not binary floats.
        invoices["total"] = invoices.total.astype(str)
        lines["unit_amount"], lines["amount"] = lines.unit_amount.astype(str), lines.amount.astype(str)
        writer.cursor.register("new_invoices", invoices)
        writer.cursor.register("new_lines", lines)
        writer.execute("""INSERT INTO invoices SELECT id, centre_id, ?, purchase_order, ?, ?, CAST(total AS DECIMAL(12, 2))
                          FROM new_invoices""", [week_start, now, user.id])
        writer.execute("""INSERT INTO invoice_lines SELECT invoice_id, id, fee_code, quantity,
                              CAST(unit_amount AS DECIMAL(10, 2)), CAST(amount AS DECIMAL(12, 2)) FROM new_lines""")
        writer.cursor.unregister("new_invoices")
        writer.cursor.unregister("new_lines")
        writer.audit("invoices_raised", "invoice", None, None, {
            "week_start": week_start,
            "invoices": [{"id": int(row.id), "centre_id": int(row.centre_id), "purchase_order": row.purchase_order,
                          "total": row.total} for row in invoices.itertuples(index=False)]})
        return [int(i) for i in ids]

    return db.transact(user, work)


@reads_centre_data()
def invoices(db: Database, user: User, week_start: date | None = None) -> pd.DataFrame:
    """Invoices raised (for one week, or all), newest first; a centre sees its own."""
    scope, params = centre_scope(user, "i.centre_id")
    return db.query_df(
        f"""SELECT i.id AS "Invoice", i.week_start AS "Week from", c.number AS "Centre", c.name AS "Centre name",
                   i.purchase_order AS "Purchase order", count(l.submission_id) AS "Lines",
                   CAST(i.total AS DOUBLE PRECISION) AS "Total £", CAST(i.run_at AS DATE) AS "Raised"
            FROM invoices i JOIN centres c ON c.id = i.centre_id JOIN invoice_lines l ON l.invoice_id = i.id
            WHERE {scope} AND (?::DATE IS NULL OR i.week_start = ?::DATE)
            GROUP BY i.id, i.week_start, c.number, c.name, i.purchase_order, i.total, i.run_at
            ORDER BY i.week_start DESC, c.number, i.purchase_order""",
        [*params, week_start, week_start])


@reads_centre_data()
def invoice_lines(db: Database, user: User, week_start: date | None = None) -> pd.DataFrame:
    """Every billed line of a week's invoices (or of all weeks), for the Excel export."""
    scope, params = centre_scope(user, "i.centre_id")
    lines = db.query_df(
        f"""SELECT i.id AS "Invoice", c.number AS "Centre", c.name AS "Centre name", i.purchase_order AS "Purchase order",
                   l.submission_id AS "ID", le.enr AS "ENR", le.first_name || ' ' || le.last_name AS "Learner",
                   s.unit_codes AS "Unit(s)", CAST(s.submitted_at AS DATE) AS "Submitted",
                   l.fee_code AS "Fee",
                   l.quantity AS "Quantity", CAST(l.unit_amount AS DOUBLE PRECISION) AS "Unit £",
                   CAST(l.amount AS DOUBLE PRECISION) AS "Amount £"
            FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id JOIN centres c ON c.id = i.centre_id
            JOIN submissions s ON s.id = l.submission_id JOIN learners le ON le.id = s.learner_id
            WHERE {scope} AND (?::DATE IS NULL OR i.week_start = ?::DATE)
            ORDER BY i.week_start, c.number, i.purchase_order, l.submission_id, l.fee_code""",
        [*params, week_start, week_start])
    lines["Fee"] = lines["Fee"].map(FEE_LABELS)
    return lines
