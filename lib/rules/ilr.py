"""The Individual Learner Record's field rules (from the public ILR specification, as the domain note gives them),
each answering with a plain message or None. No I/O: the record store and the pages both ask these."""

from __future__ import annotations

import re
from datetime import date

TEMPORARY_ULN = "9999999999"
LEARN_REF = re.compile(r"[A-Za-z0-9 ]{1,12}")
AIM_REF = re.compile(r"[A-Za-z0-9]{1,8}")
FUND_MODELS = {10: "Community learning", 25: "16-19 (excluding apprenticeships)", 35: "Adult skills",
               36: "Apprenticeships (from 1 May 2017)", 70: "ESF", 81: "Other adult", 82: "Other 16-19",
               99: "Non-funded"}
PROG_TYPES = {2: "Advanced-level apprenticeship", 3: "Intermediate-level apprenticeship",
              20: "Higher apprenticeship - level 4", 24: "Traineeship", 25: "Apprenticeship standard",
              30: "T Level transition programme", 31: "T Level"}
APPRENTICESHIP_STANDARD = 25
PROGRAMME_AIM = "ZPROG001"
MAX_PLANNED_YEARS = 10
MAX_FIN_AMOUNT = 999_999
FIN_TYPES = {"TNP": "Total negotiated price", "PMR": "Payment record"}


def uln_problem(uln: str | None) -> str | None:
    """The ULN's check: 10 digits from 1000000000; the tenth is 10 minus (the weighted sum of the first nine mod
    11); a remainder of 0 makes no valid ULN. 9999999999 is the temporary ULN and is not checked."""
    value = (uln or "").strip()
    if value == TEMPORARY_ULN:
        return None
    if not re.fullmatch(r"\d{10}", value):
        return "A ULN is 10 digits (use 9999999999 until the learner's ULN is known)."
    if value[0] == "0":
        return "A ULN is from 1000000000 to 9999999999: it cannot start with 0."
    remainder = sum(int(digit) * weight for digit, weight in zip(value[:9], range(10, 1, -1))) % 11
    if remainder == 0:
        return f"{value} is not a valid ULN: its check digit does not work out (check the number with the learner)."
    if int(value[9]) != 10 - remainder:
        return f"{value} is not a valid ULN: its last digit should be {10 - remainder} (check the number with the learner)."
    return None


def learn_ref_problem(learn_ref: str | None) -> str | None:
    if not LEARN_REF.fullmatch(learn_ref or ""):
        return "The learner reference is 1 to 12 letters, digits or spaces."
    return None


def _years_after(day: date, years: int) -> date:
    """The same day so many years on (29 February becomes 28 February in a year without one)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def dates_problem(start: date | None, planned_end: date | None, actual_end: date | None = None) -> str | None:
    if planned_end is not None and start is None:
        return "Give the learning start date before the planned end date."
    if start is not None and planned_end is not None:
        if planned_end <= start:
            return "The planned end date must be after the start date."
        if planned_end >= _years_after(start, MAX_PLANNED_YEARS):
            return f"The planned end date must be less than {MAX_PLANNED_YEARS} years after the start date."
    if actual_end is not None and start is not None and actual_end < start:
        return "The actual end date cannot be before the start date."
    return None


def programme_problem(prog_type: int | None, std_code: int | None, fund_model: int | None) -> str | None:
    if prog_type is not None and prog_type not in PROG_TYPES:
        return f"Programme type {prog_type} is not one of {', '.join(map(str, PROG_TYPES))}."
    if fund_model is not None and fund_model not in FUND_MODELS:
        return f"Funding model {fund_model} is not one of {', '.join(map(str, FUND_MODELS))}."
    if prog_type == APPRENTICESHIP_STANDARD and std_code is None:
        return "An apprenticeship standard (programme type 25) needs its standard code (the LARS code)."
    if std_code is not None and not 1 <= std_code <= 99_999:
        return "A standard code is up to 5 digits."
    return None


def aims_problem(aims: list[dict]) -> str | None:
    """Each aim: a reference (up to 8 letters or digits), a type (1 digit) and a sequence number (1-98, unique)."""
    sequences = []
    for aim in aims:
        if not AIM_REF.fullmatch(str(aim.get("ref") or "")):
            return f"Aim reference {aim.get('ref')!r} is 1 to 8 letters or digits (ZPROG001 is the programme aim)."
        if not (isinstance(aim.get("type"), int) and 0 <= aim["type"] <= 9):
            return f"Aim {aim['ref']}: the aim type is one digit."
        if not (isinstance(aim.get("seq"), int) and 1 <= aim["seq"] <= 98):
            return f"Aim {aim['ref']}: the sequence number is from 1 to 98."
        sequences.append(aim["seq"])
    if len(sequences) != len(set(sequences)):
        return "Two aims have the same sequence number."
    return None


def finance_problem(records: list[dict]) -> str | None:
    for record in records:
        if record.get("type") not in FIN_TYPES:
            return f"A financial record's type is {' or '.join(FIN_TYPES)}."
        if not (isinstance(record.get("code"), int) and 1 <= record["code"] <= 99):
            return "A financial record's code is a number from 1 to 99."
        if not isinstance(record.get("date"), date):
            return "A financial record needs its date."
        amount = record.get("amount")
        if not (isinstance(amount, int) and 0 <= amount <= MAX_FIN_AMOUNT):
            return f"A financial record's amount is a whole number of pounds from 0 to {MAX_FIN_AMOUNT:,}."
    return None


def qualifying_days(start: date, planned_end: date | None) -> int:
    """The funding qualifying period: 42 days for learning planned to last 168 days or more, 14 days for 14 to 167
    days, 1 day for less."""
    if planned_end is None:
        return 42
    planned = (planned_end - start).days
    return 42 if planned >= 168 else 14 if planned >= 14 else 1


def past_qualifying_period(start: date | None, planned_end: date | None, today: date) -> bool:
    return start is not None and (today - start).days >= qualifying_days(start, planned_end)


def with_check_digit(first_nine: str) -> str | None:
    """The valid ULN that starts with these nine digits, or None when none does (a remainder of 0)."""
    remainder = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1))) % 11
    return None if remainder == 0 else f"{first_nine}{10 - remainder}"
