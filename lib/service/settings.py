"""The numbers an assessment team tunes (sampling, SLA, flags and alerts) and the Guide to Fees."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pandas as pd

from lib.errors import Refused
from lib.rules.roles import ASSESSMENT_TEAM, User
from lib.store.db import Database, Writer
from lib.store.scope import not_centre_data, require_role

TEAM_ONLY = "Only the ILM Assessment Team changes settings and fees."
TITLES = {
    "batch_flag_rate_percent": "Batch flag: referral rate (%)",
    "batch_flag_min_results": "Batch flag: fewest results",
    "funnel_min_results": "Referral limits: fewest results to judge a group",
    "eqa_consecutive_months": "EQA alert: months in a row",
    "eqa_min_results_per_month": "EQA alert: fewest results a month",
    "sampling_first_markings": "Sampling: an assessor's first markings",
    "sampling_random_percent": "Sampling: random share (%)",
    "sla_at_risk_working_days": "SLA: at risk with working days left",
    "retention_years": "Retention: years before items are archived",
    "money_retention_years": "Retention: years invoices are kept",
    "jobs_hour": "Jobs: hour of the nightly run",
    "backup_interval_hours": "Backups: hours between backups",
    "backup_keep": "Backups: how many are kept",
    "copied_work_percent": "Copied work: share of text shown as a match (%)",
}
# Settings whose sensible values are narrower than "zero or more": (lowest, highest).
BOUNDS = {"jobs_hour": (0, 23), "backup_interval_hours": (1, 24 * 7), "backup_keep": (1, 365),
          "copied_work_percent": (1, 100),
          "batch_flag_min_results": (5, 10**9), "funnel_min_results": (5, 10**9)}
# Why a group smaller than 5 cannot be judged: at the service's usual referral rate (about 20%) even every result
# referred in 4 (0.2⁴ = 0.16%) is within what chance gives at the 99.8% limit; from 5 (0.03%) it is not.
TOO_SMALL_TO_JUDGE = ("below 5 results no referral count is beyond the 99.8% limit at a referral rate like the "
                      "service's (about 20%), so a smaller group could never be judged")


def setting(db_or_writer: Database | Writer, key: str) -> float:
    """A setting's value as a number (every setting is one), read live: a figures copy reads its source's, so that a
    changed setting counts at once (lib/store/figures.py)."""
    db_or_writer = getattr(db_or_writer, "live", None) or db_or_writer
    row = db_or_writer.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone() \
        if isinstance(db_or_writer, Writer) else db_or_writer.query_one("SELECT value FROM settings WHERE key = ?", [key])
    if row is None:
        raise KeyError(f"no setting {key!r}")
    return float(row[0])


def all_settings(db: Database) -> pd.DataFrame:
    frame = db.query_df('SELECT key AS "Setting", value AS "Value", description AS "Meaning" FROM settings ORDER BY key')
    frame.insert(1, "Title", [TITLES.get(key, key.replace("_", " ").capitalize()) for key in frame.Setting])
    return frame


MAX_FEE = Decimal("99999999.99")  # the fees table's DECIMAL(10, 2)
MAX_SETTING = Decimal(10) ** 9


def _non_negative_number(raw, what: str) -> Decimal:
    text = str(raw).strip().lstrip("£")
    if isinstance(raw, bool) or not text.isascii():  # Decimal reads other scripts' digits too (١٢, １２)
        raise Refused(f"{what} must be a number written with the digits 0 to 9, not {raw!r}.")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise Refused(f"{what} must be a number, not {raw!r}.") from None
    if not value.is_finite() or value < 0:
        raise Refused(f"{what} must be zero or more.")
    if value > MAX_SETTING:
        raise Refused(f"{what} of {value:,} is far larger than any the service uses.")
    return value


@not_centre_data("changes a service-wide setting")
def update_setting(db: Database, user: User, key: str, raw_value) -> None:
    """Change one setting; the value must be a number of zero or more."""
    require_role(user, (ASSESSMENT_TEAM,), TEAM_ONLY)
    title = TITLES.get(key, key)
    value = _non_negative_number(raw_value, title)
    if key.endswith("_percent") and value > 100:
        raise Refused(f"{title} is a percentage: at most 100.")
    if not key.endswith("_percent") and value != value.to_integral_value():
        raise Refused(f"{title} is a whole number.")
    if key in BOUNDS and not BOUNDS[key][0] <= value <= BOUNDS[key][1]:
        why = f": {TOO_SMALL_TO_JUDGE}" if key in ("batch_flag_min_results", "funnel_min_results") else ""
        raise Refused(f"{title} must be from {BOUNDS[key][0]} to {BOUNDS[key][1]:,}{why}.")
    text = str(int(value)) if value == value.to_integral_value() else str(value)

    def work(writer: Writer) -> None:
        before = writer.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        if before is None:
            raise Refused(f"There is no setting called {key}.")
        if before[0] == text:
            writer.audit("setting_unchanged", "settings", key, {"value": before[0]}, {"value": text})
            return
        writer.execute("UPDATE settings SET value = ? WHERE key = ?", [text, key])
        writer.audit("setting_changed", "settings", key, {"value": before[0]}, {"value": text})

    db.transact(user, work)


def fees(db: Database) -> pd.DataFrame:
    """The Guide to Fees as the invoicing run uses it."""
    return db.query_df('SELECT code AS "Code", description AS "Fee", amount AS "Amount £" FROM fees ORDER BY code')


def fee_amounts(db_or_writer: Database | Writer) -> dict[str, Decimal]:
    rows = db_or_writer.execute("SELECT code, amount FROM fees").fetchall() if isinstance(db_or_writer, Writer) \
        else db_or_writer.query_all("SELECT code, amount FROM fees")
    return {code: Decimal(amount) for code, amount in rows}


@not_centre_data("changes the service-wide Guide to Fees")
def update_fee(db: Database, user: User, code: str, raw_amount) -> None:
    """Change one fee in the Guide to Fees (pounds and pence, zero or more)."""
    require_role(user, (ASSESSMENT_TEAM,), TEAM_ONLY)
    amount = _non_negative_number(raw_amount, "A fee")
    if amount != amount.quantize(Decimal("0.01")):
        raise Refused("A fee is in pounds and pence: at most two decimal places.")
    if amount > MAX_FEE:
        raise Refused(f"A fee of £{amount:,.2f} is more than the Guide to Fees can hold (at most £{MAX_FEE:,.2f}).")

    def work(writer: Writer) -> None:
        before = writer.execute("SELECT amount FROM fees WHERE code = ?", [code]).fetchone()
        if before is None:
            raise Refused(f"There is no fee called {code}.")
        writer.execute("UPDATE fees SET amount = ? WHERE code = ?", [amount, code])
        writer.audit("fee_changed", "fees", code, {"amount": before[0]}, {"amount": amount})

    db.transact(user, work)
