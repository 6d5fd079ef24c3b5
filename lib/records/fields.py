"""The fields of a learner record: the User part (what the learner gives) and the Admin part (what the centre
records), which of them a programme's ILR template fills, and how each is shown and checked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from lib.errors import Refused
from lib.rules import ilr
from lib.rules.text import check_text

USER, ADMIN = "User", "Admin"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    part: str
    kind: str = "text"  # text, date, int, aims, finance
    # For a coded field: the ILR's codes and what each means (picked from a list, never typed).
    codes: dict | None = None


FIELDS = (
    Field("first_name", "Given names", USER),
    Field("last_name", "Family name", USER),
    Field("date_of_birth", "Date of birth", USER, "date"),
    Field("uln", "ULN", USER),
    Field("sex", "Sex", USER, codes=ilr.SEXES),
    Field("ethnicity", "Ethnicity", USER, "int", codes=ilr.ETHNICITIES),
    Field("lldd_health_prob", "Learning difficulty, disability or health problem", USER, "int",
          codes=ilr.LLDD_HEALTH),
    Field("email", "Email", USER),
    Field("telephone", "Telephone", USER),
    Field("postcode", "Postcode", USER),
    Field("postcode_prior", "Postcode before enrolment", USER),
    Field("learn_ref", "Learner reference", ADMIN),
    Field("prog_type", "Programme type", ADMIN, "int", codes=ilr.PROG_TYPES),
    Field("std_code", "Standard code", ADMIN, "int"),
    Field("fund_model", "Funding model", ADMIN, "int", codes=ilr.FUND_MODELS),
    Field("sof", "Source of funding", ADMIN, "int", codes=ilr.SOURCES_OF_FUNDING),
    Field("del_loc_postcode", "Delivery location postcode", ADMIN),
    Field("aims", "Learning aims", ADMIN, "aims"),
    Field("fin_records", "Financial records", ADMIN, "finance"),
    Field("start_date", "Learning start date", ADMIN, "date"),
    Field("planned_end_date", "Planned end date", ADMIN, "date"),
    Field("actual_end_date", "Actual end date", ADMIN, "date"),
    Field("comp_status", "Completion status", ADMIN, "int", codes=ilr.COMPLETION_STATUSES),
    Field("destination", "Destination", ADMIN),
)
BY_NAME = {field.name: field for field in FIELDS}
TEMPLATE_FIELDS = ("prog_type", "std_code", "fund_model", "sof", "del_loc_postcode", "aims", "fin_records")
JSON_FIELDS = ("aims", "fin_records")
COLUMNS = ", ".join(field.name for field in FIELDS)
# The record as it stands, as JSON (dates as YYYY-MM-DD): what a version keeps.
_PAIRS = ", ".join(f"'{f.name}', {f.name}" for f in FIELDS)
# DuckDB's json_object is PostgreSQL's json_build_object.
SNAPSHOT_SQL = {"duckdb": f"json_object({_PAIRS})", "postgres": f"json_build_object({_PAIRS})"}
TEXT_LIMITS = {"first_name": 100, "last_name": 100, "email": ilr.MAX_EMAIL, "telephone": 30, "postcode": 10,
               "postcode_prior": 10, "del_loc_postcode": 10, "destination": 200}
POSTCODES = ("postcode", "postcode_prior", "del_loc_postcode")
# What the funding return must have of every learner it carries, beyond a valid record.
RETURN_REQUIRES = ("sex", "ethnicity", "lldd_health_prob", "postcode", "postcode_prior", "fund_model",
                   "del_loc_postcode", "start_date", "planned_end_date")


def as_stored(name: str, value):
    """A field's value as the database column takes it (JSON text for aims and financial records)."""
    if name in JSON_FIELDS:
        return None if value is None else json.dumps(value, default=_iso)
    return value


def from_stored(name: str, value):
    if name in JSON_FIELDS:
        items = json.loads(value) if isinstance(value, str) else (value or [])
        if name == "fin_records":
            return [{**item, "date": date.fromisoformat(item["date"]) if item.get("date") else None}
                    for item in items]
        return items
    if isinstance(value, datetime):  # a frame's Timestamp for a DATE column
        return value.date() if BY_NAME[name].kind == "date" else value
    if hasattr(value, "item"):  # numpy scalars from a frame
        value = value.item()
    return value


def _iso(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {value!r}")


def display(name: str, value) -> str:
    """A field's value as the record page and the comparison show it."""
    if value is None or value == [] or value == "":
        return ""
    if name == "aims":
        return "; ".join(f"{aim['ref']} (type {aim['type']}, sequence {aim['seq']})" for aim in value)
    if name == "fin_records":
        return "; ".join(f"{item['type']} {item['code']} on {_day(item['date'])}: £{item['amount']:,}"
                         for item in value)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    codes = BY_NAME[name].codes
    if codes:
        return f"{value} {codes.get(value, '')}".strip()
    return str(value)


def _day(value) -> str:
    return f"{value:%d/%m/%Y}" if isinstance(value, date) else str(value or "")


def cleaned(name: str, value):
    """A typed value made what the column holds, or Refused saying what is wrong with it."""
    field = BY_NAME.get(name)
    if field is None:
        raise Refused(f"A learner record has no field {name!r}.")
    if field.kind == "text":
        text = check_text(str(value or ""), field.label.lower()).strip()
        if name in POSTCODES:
            text = ilr.normal_postcode(text)
        elif name == "telephone":
            text = ilr.normal_telephone(text)
        elif name == "sex":
            text = text.upper()
        limit = TEXT_LIMITS.get(name)
        if limit and len(text) > limit:
            raise Refused(f"{field.label} is at most {limit} characters.")
        if name in ("first_name", "last_name", "uln", "learn_ref") and not text:
            raise Refused(f"{field.label} cannot be empty.")
        return text or None
    if field.kind == "int":
        if value in (None, ""):
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise Refused(f"{field.label} is a whole number.") from None
        if field.codes is not None and number not in field.codes:
            raise Refused(ilr.code_problem(number, field.codes, field.label))
        return number
    if field.kind == "date":
        if value in (None, ""):
            return None
        if not isinstance(value, date):
            raise Refused(f"{field.label} is a date.")
        return value
    return list(value or [])


def problems(values: dict, today: date) -> list[str]:
    """Every rule the record's values break, in the order of the form (empty: the record may be saved)."""
    found = [
        ilr.uln_problem(values.get("uln")),
        ilr.learn_ref_problem(values.get("learn_ref")),
        ilr.programme_problem(values.get("prog_type"), values.get("std_code"), values.get("fund_model")),
        ilr.aims_problem(values.get("aims") or []),
        ilr.finance_problem(values.get("fin_records") or []),
        ilr.dates_problem(values.get("start_date"), values.get("planned_end_date"), values.get("actual_end_date")),
    ]
    found += [ilr.person_name_problem(values.get(name), BY_NAME[name].label) for name in ("first_name", "last_name")]
    found += [ilr.postcode_problem(values.get(name), BY_NAME[name].label) for name in POSTCODES]
    found += [ilr.telephone_problem(values.get("telephone")), ilr.email_problem(values.get("email")),
              ilr.completion_problem(values.get("comp_status"), values.get("actual_end_date"))]
    found += [ilr.code_problem(values.get(f.name), f.codes, f.label) for f in FIELDS if f.codes and f.kind == "text"]
    birth = values.get("date_of_birth")
    if birth is not None and not date(1900, 1, 1) <= birth <= today:
        found.append("The date of birth must be a past date.")
    return [problem for problem in found if problem]


def return_problems(values: dict, today: date) -> list[str]:
    """Why the funding return cannot carry the record (empty: it can): its rules, then the fields the ILR requires
    of every learner and learning delivery, then ULN_02."""
    found = problems(values, today)
    found += [f"{BY_NAME[name].label} is required by the funding return." for name in RETURN_REQUIRES
              if values.get(name) in (None, "")]
    if not values.get("aims"):
        found.append("The funding return needs at least one learning aim.")
    found.append(ilr.temporary_uln_problem(values.get("uln"), values.get("fund_model"), values.get("sof")))
    return [problem for problem in found if problem]
