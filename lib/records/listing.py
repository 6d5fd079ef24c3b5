"""The learner records list on the shared grid (search by name, ULN, learner reference and status; sort; page;
Excel), and the batch export for the funding return: Excel, and XML of the ILR fields in the specification's order
and formats."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date, datetime

from lib.errors import NotFound, Refused
from lib.records.fields import FIELDS, JSON_FIELDS, from_stored, return_problems
from lib.records.programmes import CENTRE_ONLY, READERS
from lib.records.records import STATUSES
from lib.rules import ilr
from lib.rules.roles import CENTRE, User
from lib.rules.text import XML_UNSAFE
from lib.store import grid
from lib.store.db import Database
from lib.store.export import write_xlsx
from lib.store.scope import centre_scope, reads_centre_data, require_role

STATUS_SQL = "CASE r.status " + " ".join(f"WHEN '{key}' THEN '{label}'" for key, label in STATUSES.items()) + " END"
RECORD_COLUMNS = grid.ColumnSet(
    columns=(
        grid.Column("Record", "r.id", grid.NUMBER),
        grid.Column("Learner", "(r.first_name || ' ' || r.last_name)", grid.NAME,
                    parts=("r.first_name", "r.last_name"), contains_sql="r.search_name"),
        grid.Column("ULN", "r.uln"),
        grid.Column("Learner reference", "r.learn_ref"),
        grid.Column("Programme", "p.name"),
        grid.Column("Year", "p.academic_year"),
        grid.Column("Status", STATUS_SQL, choices=tuple(STATUSES.values()),
                    equals_sql={label: f"r.status = '{key}'" for key, label in STATUSES.items()}),
        grid.Column("Start", "r.start_date", grid.DATE),
        grid.Column("Planned end", "r.planned_end_date", grid.DATE),
        grid.Column("Updated", "CAST(r.updated_at AS DATE)", grid.DATE),
    ),
    key="Record",
)
FROM = "learner_records r JOIN programmes p ON p.id = r.programme_id JOIN centres c ON c.id = r.centre_id"


def _source(user: User) -> grid.GridSource:
    scope, params = centre_scope(user, "r.centre_id")
    return grid.GridSource(FROM, scope, params)


@reads_centre_data()
def records_page(db: Database, user: User, query: grid.GridQuery | None = None) -> grid.GridPage:
    """One page of the learner records the user sees, filtered and sorted, with how many match."""
    require_role(user, READERS, CENTRE_ONLY)
    query = query or grid.GridQuery()
    if query.sort is None:
        query = grid.GridQuery(query.filters, grid.Sort("Learner"), query.offset, query.limit)
    return grid.run(db, _source(user), RECORD_COLUMNS, query)


@reads_centre_data()
def records_export(db: Database, user: User, query: grid.GridQuery | None = None) -> bytes:
    """Every record matching the filters, as .xlsx (formula-safe)."""
    require_role(user, READERS, CENTRE_ONLY)
    headers = [column.label for column in RECORD_COLUMNS.columns]
    return write_xlsx(headers, grid.iterate(db, _source(user), RECORD_COLUMNS, query or grid.GridQuery()),
                      title="Learner records")


def _return_rows(db: Database, user: User, include_all: bool, centre_id: int | None = None) -> list[dict]:
    """The records of the return (of one centre when centre_id is given), each its fields' values with its id,
    status and programme."""
    scope, params = centre_scope(user, "r.centre_id")
    frame = db.query_df(
        f"""SELECT r.id AS record_id, r.status, p.name AS programme,
                   {", ".join(f"CAST(r.{name} AS VARCHAR) AS {name}" if name in JSON_FIELDS else f"r.{name}"
                              for name in (field.name for field in FIELDS))}
            FROM learner_records r JOIN programmes p ON p.id = r.programme_id
            WHERE {scope} AND (? OR r.status IN ('qa_verified', 'completed'))
              AND (CAST(? AS INTEGER) IS NULL OR r.centre_id = ?)
            ORDER BY r.learn_ref, r.id""", [*params, include_all, centre_id, centre_id])
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{**row, **{field.name: from_stored(field.name, row[field.name]) for field in FIELDS}} for row in rows]


def _day(value) -> str:
    """YYYY-MM-DD, as the ILR writes dates (a frame gives DATE columns as timestamps)."""
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, date) else ""


@reads_centre_data()
def funding_return_xlsx(db: Database, user: User, include_all: bool = False) -> bytes:
    """The records ready for the funding return (QA verified or completed; all with include_all), one row per
    learning aim, as .xlsx."""
    require_role(user, READERS, CENTRE_ONLY)
    headers = ["LearnRefNumber", "ULN", "FamilyName", "GivenNames", "DateOfBirth", "Ethnicity", "Sex",
               "LLDDHealthProb", "PostcodePrior", "Postcode", "Status", "Programme", "LearnAimRef", "AimType",
               "AimSeqNumber", "LearnStartDate", "LearnPlanEndDate", "FundModel", "ProgType", "StdCode",
               "DelLocPostCode", "SOF", "CompStatus", "LearnActEndDate", "FinancialRecords"]

    def rows():
        for row in _return_rows(db, user, include_all):
            finance = "; ".join(f"{f['type']} {f['code']} {_day(f['date'])} {f['amount']}" for f in row["fin_records"])
            for aim in row["aims"] or [{"ref": "", "type": "", "seq": ""}]:
                yield [row["learn_ref"], row["uln"], row["last_name"], row["first_name"], _day(row["date_of_birth"]),
                       row["ethnicity"], row["sex"], row["lldd_health_prob"], row["postcode_prior"], row["postcode"],
                       STATUSES[row["status"]], row["programme"], aim["ref"], aim["type"], aim["seq"],
                       _day(row["start_date"]), _day(row["planned_end_date"]), row["fund_model"], row["prog_type"],
                       row["std_code"], row["del_loc_postcode"], row["sof"],
                       ilr.completion_status(row["comp_status"], row["actual_end_date"]),
                       _day(row["actual_end_date"]), finance if aim["ref"] == ilr.PROGRAMME_AIM else ""]

    return write_xlsx(headers, rows(), title="Funding return")


def _add(parent, tag: str, value) -> None:
    """An element for a value the return has (none for an empty one, as the ILR omits them)."""
    if value is None or value == "":
        return
    text = _day(value) if isinstance(value, (date, datetime)) else str(value)
    # Entry and import refuse what XML cannot hold; a value kept before that rule shows U+FFFD in its place.
    _element(parent, tag).text = XML_UNSAFE.sub("\ufffd", text)


def _element(parent, tag: str):
    return ElementTree.SubElement(parent, f"{{{ilr.NAMESPACE}}}{tag}")


@dataclass(frozen=True)
class FundingReturn:
    """The ILR file of one provider, and the records it could not carry with why (learner, the first reason)."""

    xml: bytes
    learners: int
    left_out: list[tuple[str, str]]


def _provider(db: Database, user: User, centre_number: str | None) -> tuple[int, str, int | None]:
    """The centre whose return it is (the user's own; the team names one) as id, name and UKPRN."""
    if user.role == CENTRE:
        row = db.query_one("SELECT id, name, ukprn FROM centres WHERE id = ?", [user.centre_id])
    elif not centre_number:
        raise Refused("A funding return is one provider's: choose the centre.")
    else:
        row = db.query_one("SELECT id, name, ukprn FROM centres WHERE number = ?", [centre_number.strip()])
    if row is None:
        raise NotFound(f"There is no centre {centre_number}.")
    return int(row[0]), row[1], row[2]


@reads_centre_data()
def return_version(db: Database, user: User, centre_number: str | None = None) -> tuple:
    """What the provider's funding return is made from, in a few numbers (its centre, UKPRN, how many records and
    when one last changed): the same version, the same file, so a page need not make it again on every rerun."""
    require_role(user, READERS, CENTRE_ONLY)
    centre_id, _, ukprn = _provider(db, user, centre_number)
    count, changed = db.query_one("SELECT count(*), max(updated_at) FROM learner_records WHERE centre_id = ?",
                                  [centre_id])
    return centre_id, ukprn, count, changed


def _learner(message, row: dict) -> None:
    learner = _element(message, "Learner")
    for tag, key in (("LearnRefNumber", "learn_ref"), ("ULN", "uln"), ("FamilyName", "last_name"),
                     ("GivenNames", "first_name"), ("DateOfBirth", "date_of_birth"), ("Ethnicity", "ethnicity"),
                     ("Sex", "sex"), ("LLDDHealthProb", "lldd_health_prob"), ("PostcodePrior", "postcode_prior"),
                     ("Postcode", "postcode"), ("TelNo", "telephone"), ("Email", "email")):
        _add(learner, tag, row[key])
    for aim in sorted(row["aims"], key=lambda a: a["seq"]):
        delivery = _element(learner, "LearningDelivery")
        for tag, value in (("LearnAimRef", aim["ref"]), ("AimType", aim["type"]), ("AimSeqNumber", aim["seq"]),
                           ("LearnStartDate", row["start_date"]), ("LearnPlanEndDate", row["planned_end_date"]),
                           ("FundModel", row["fund_model"]), ("ProgType", row["prog_type"]),
                           ("StdCode", row["std_code"]), ("DelLocPostCode", row["del_loc_postcode"]),
                           ("CompStatus", ilr.completion_status(row["comp_status"], row["actual_end_date"])),
                           ("LearnActEndDate", row["actual_end_date"])):
            _add(delivery, tag, value)
        if row["sof"] is not None:
            monitoring = _element(delivery, "LearningDeliveryFAM")
            _add(monitoring, "LearnDelFAMType", "SOF")
            _add(monitoring, "LearnDelFAMCode", row["sof"])
        if aim["ref"] == ilr.PROGRAMME_AIM:
            for finance in row["fin_records"]:
                record = _element(delivery, "AppFinRecord")
                for tag, value in (("AFinType", finance["type"]), ("AFinCode", finance["code"]),
                                   ("AFinDate", finance["date"]), ("AFinAmount", finance["amount"])):
                    _add(record, tag, value)


@reads_centre_data()
def funding_return(db: Database, user: User, include_all: bool = False, today: date | None = None,
                   centre_number: str | None = None, now: datetime | None = None) -> FundingReturn:
    """The provider's ILR file for the 2025-26 collection (schemafile25.xsd): the header with the centre's UKPRN,
    then each record QA verified or completed (all with include_all) that the return can carry, in the schema's
    order and formats; a record missing what the ILR requires is left out and named with why. Refused when the
    centre has no UKPRN or no record can go."""
    require_role(user, READERS, CENTRE_ONLY)
    today = today or date.today()
    now = now or datetime.now()
    centre_id, centre_name, ukprn = _provider(db, user, centre_number)
    if ilr.ukprn_problem(ukprn):
        raise Refused(f"{centre_name} has no UKPRN on file, and the return is filed under it: the ILM team records "
                      "it on Centres.")
    carried, left_out = [], []
    for row in _return_rows(db, user, include_all, centre_id):
        found = return_problems(row, today)
        if found:
            left_out.append((f"{row['first_name']} {row['last_name']} (record {row['record_id']})", found[0]))
        else:
            carried.append(row)
    if not carried:
        raise Refused("No record can go in the funding return yet: " + (
            f"{len(left_out)} miss what the ILR requires (the first: {left_out[0][0]}: {left_out[0][1]})."
            if left_out else "none is QA verified or completed."))
    message = ElementTree.Element(f"{{{ilr.NAMESPACE}}}Message")
    header = _element(message, "Header")
    collection = _element(header, "CollectionDetails")
    _add(collection, "Collection", "ILR")
    _add(collection, "Year", ilr.COLLECTION_YEAR)
    _add(collection, "FilePreparationDate", today)
    source = _element(header, "Source")
    for tag, value in (("ProtectiveMarking", ilr.PROTECTIVE_MARKING), ("UKPRN", ukprn),
                       ("SoftwareSupplier", "ILM"), ("SoftwarePackage", "ILM Assessment Portal"),
                       ("SerialNo", "01"), ("DateTime", now.replace(microsecond=0).isoformat())):
        _add(source, tag, value)
    _add(_element(message, "LearningProvider"), "UKPRN", ukprn)
    for row in carried:
        _learner(message, row)
    ElementTree.indent(message)
    xml = ElementTree.tostring(message, encoding="utf-8", xml_declaration=True, default_namespace=ilr.NAMESPACE)
    return FundingReturn(xml, len(carried), left_out)
