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
# The specification the funding return follows: the ESFA's 2025-26 ILR (schemafile25.xsd, kept in tests/ilr/).
# A new year's specification is a new namespace and year here and its schema beside the other in the tests.
NAMESPACE = "ESFA/ILR/2025-26"
COLLECTION_YEAR = "2526"
PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE-Personal"
# The 2025-26 specification's code lists for the fields the return requires of every learner and delivery.
SEXES = {"F": "Female", "M": "Male"}
ETHNICITIES = {31: "English / Welsh / Scottish / Northern Irish / British", 32: "Irish", 33: "Gypsy or Irish Traveller",
               34: "Any other White background", 35: "White and Black Caribbean", 36: "White and Black African",
               37: "White and Asian", 38: "Any other Mixed / multiple ethnic background", 39: "Indian",
               40: "Pakistani", 41: "Bangladeshi", 42: "Chinese", 43: "Any other Asian background", 44: "African",
               45: "Caribbean", 46: "Any other Black / African / Caribbean background", 47: "Arab",
               98: "Any other ethnic group", 99: "Not provided"}
LLDD_HEALTH = {1: "Has a learning difficulty, disability or health problem",
               2: "No learning difficulty, disability or health problem", 9: "No information provided"}
COMPLETION_STATUSES = {1: "Continuing", 2: "Completed", 3: "Withdrawn", 6: "Break in learning"}
SOURCES_OF_FUNDING = {1: "Office for Students", 105: "ESFA (adult)", 107: "ESFA (16-19)", 108: "Other",
                      110: "Greater Manchester Combined Authority", 111: "Liverpool City Region Combined Authority",
                      112: "West Midlands Combined Authority", 113: "West of England Combined Authority",
                      114: "Tees Valley Combined Authority", 115: "Cambridgeshire and Peterborough Combined Authority",
                      116: "Greater London Authority"}
# ULN_02: the temporary ULN is not accepted for these funding models unless the delivery is Office for Students
# funded (SOF 1).
NO_TEMPORARY_ULN_FUND_MODELS = (10, 99)
OFFICE_FOR_STUDENTS = 1
# The schema's RestrictedString: the characters every coded text field may hold.
RESTRICTED = re.compile(r"[A-Za-z0-9 ~!@#$%&'()*+,\-./:;<=>?\[\\\]_{}^£€]*")
# FamilyName and GivenNames: any character but digits, line breaks, tabs, | and ".
PERSON_NAME = re.compile(r'[^0-9\r\n\t|"]{1,100}')
# A UK postcode as the ILR takes it (ZZ99 9ZZ when it is not known): at most 8 characters with its space.
POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")
UNKNOWN_POSTCODE = "ZZ99 9ZZ"
TELEPHONE = re.compile(r"[0-9]{1,18}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
MAX_EMAIL = 100
UKPRN_RANGE = (10_000_000, 99_999_999)


def uln_problem(uln: str | None) -> str | None:
    """The ULN's check: 10 digits from 1000000000; the tenth is 10 minus (the weighted sum of the first nine mod
    11); a remainder of 0 makes no valid ULN. 9999999999 is the temporary ULN and is not checked."""
    value = (uln or "").strip()
    if value == TEMPORARY_ULN:
        return None
    if not re.fullmatch(r"[0-9]{10}", value):  # ASCII digits only: \d takes Arabic-Indic and other digits too
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


def person_name_problem(value: str | None, label: str) -> str | None:
    if not PERSON_NAME.fullmatch(value or ""):
        return f"{label}: 1 to 100 characters, without digits, tabs, line breaks, | or \" (the ILR refuses them)."
    return None


def normal_postcode(value: str | None) -> str:
    """A postcode in capitals with one space before its last three characters (how the ILR writes them)."""
    compact = re.sub(r"\s+", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def postcode_problem(value: str | None, label: str) -> str | None:
    if value and not POSTCODE.fullmatch(value):
        return f"{label} {value!r} is not a UK postcode (like SW1A 1AA; {UNKNOWN_POSTCODE} when it is not known)."
    return None


def normal_telephone(value: str | None) -> str:
    """The number without the spaces, hyphens and brackets people write in it."""
    return re.sub(r"[\s\-()]", "", value or "")


def telephone_problem(value: str | None) -> str | None:
    if value and not TELEPHONE.fullmatch(value):
        return "The telephone number is up to 18 digits (write +44 as 0: 07700 900123)."
    return None


def email_problem(value: str | None) -> str | None:
    if not value:
        return None
    if len(value) > MAX_EMAIL:
        return f"The email address is at most {MAX_EMAIL} characters in the ILR."
    if not EMAIL.fullmatch(value) or not RESTRICTED.fullmatch(value):
        return "The email address is name@domain, in plain letters, digits and punctuation."
    return None


def code_problem(value: int | str | None, codes: dict, label: str) -> str | None:
    if value is not None and value not in codes:
        return f"{label} {value} is not one of the ILR's codes ({', '.join(map(str, codes))})."
    return None


def temporary_uln_problem(uln: str | None, fund_model: int | None, sof: int | None) -> str | None:
    """ULN_02: the temporary ULN is refused for community learning and non-funded learning unless the delivery is
    Office for Students funded."""
    if (uln or "").strip() == TEMPORARY_ULN and fund_model in NO_TEMPORARY_ULN_FUND_MODELS \
            and sof != OFFICE_FOR_STUDENTS:
        return (f"The temporary ULN {TEMPORARY_ULN} is not accepted for funding model {fund_model} "
                f"({FUND_MODELS[fund_model]}): give the learner's ULN.")
    return None


def ukprn_problem(value: int | None) -> str | None:
    if value is None or not UKPRN_RANGE[0] <= value <= UKPRN_RANGE[1]:
        return "A UKPRN is 8 digits starting with 1 (the UK Register of Learning Providers number)."
    return None


def completion_status(recorded: int | None, actual_end: date | None) -> int:
    """CompStatus as recorded, else as the dates say: completed once there is an actual end date, else continuing."""
    if recorded is not None:
        return recorded
    return 2 if actual_end is not None else 1


def completion_problem(recorded: int | None, actual_end: date | None) -> str | None:
    """The completion status and the actual end date agree: a learner who has finished, withdrawn or is on a break
    has an end date, and one still learning has none."""
    if recorded in (2, 3, 6) and actual_end is None:
        return f"A learner {COMPLETION_STATUSES[recorded].lower()} has an actual end date."
    if recorded == 1 and actual_end is not None:
        return "A learner with an actual end date is not continuing: set the completion status."
    return None
