"""The learner records list on the shared grid (search by name, ULN, learner reference and status; sort; page;
Excel), and the batch export for the funding return: Excel, and XML of the ILR fields in the specification's order
and formats."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date, datetime

from lib.records.fields import from_stored
from lib.records.programmes import CENTRE_ONLY, READERS
from lib.records.records import STATUSES
from lib.rules.roles import User
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


def _return_rows(db: Database, user: User, include_all: bool) -> list[dict]:
    scope, params = centre_scope(user, "r.centre_id")
    frame = db.query_df(
        f"""SELECT r.learn_ref, r.uln, r.last_name, r.first_name, r.date_of_birth, r.postcode, r.email,
                   r.telephone, r.prog_type, r.std_code, r.fund_model, CAST(r.aims AS VARCHAR) AS aims,
                   CAST(r.fin_records AS VARCHAR) AS fin_records, r.start_date, r.planned_end_date,
                   r.actual_end_date, r.status, p.name AS programme
            FROM learner_records r JOIN programmes p ON p.id = r.programme_id
            WHERE {scope} AND (? OR r.status IN ('qa_verified', 'completed'))
            ORDER BY r.learn_ref""", [*params, include_all])
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in rows:
        row["aims"] = from_stored("aims", row["aims"])
        row["fin_records"] = from_stored("fin_records", row["fin_records"])
    return rows


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
    headers = ["LearnRefNumber", "ULN", "FamilyName", "GivenNames", "DateOfBirth", "Status", "Programme",
               "LearnAimRef", "AimType", "AimSeqNumber", "LearnStartDate", "LearnPlanEndDate", "FundModel",
               "ProgType", "StdCode", "LearnActEndDate", "FinancialRecords"]

    def rows():
        for row in _return_rows(db, user, include_all):
            finance = "; ".join(f"{f['type']} {f['code']} {_day(f['date'])} {f['amount']}" for f in row["fin_records"])
            for aim in row["aims"] or [{"ref": "", "type": "", "seq": ""}]:
                yield [row["learn_ref"], row["uln"], row["last_name"], row["first_name"], _day(row["date_of_birth"]),
                       STATUSES[row["status"]], row["programme"], aim["ref"], aim["type"], aim["seq"],
                       _day(row["start_date"]), _day(row["planned_end_date"]), row["fund_model"], row["prog_type"],
                       row["std_code"], _day(row["actual_end_date"]), finance if aim["ref"] == "ZPROG001" else ""]

    return write_xlsx(headers, rows(), title="Funding return")


def _add(parent, tag: str, value) -> None:
    """An element for a value the return has (none for an empty one, as the ILR omits them)."""
    if value is None or value == "":
        return
    text = _day(value) if isinstance(value, (date, datetime)) else str(value)
    # Entry and import refuse what XML cannot hold; a value kept before that rule shows U+FFFD in its place.
    ElementTree.SubElement(parent, tag).text = XML_UNSAFE.sub("\ufffd", text)


@reads_centre_data()
def funding_return_xml(db: Database, user: User, include_all: bool = False, today: date | None = None) -> bytes:
    """The same records as XML of the ILR's fields, in the specification's order: the learner (LearnRefNumber, ULN,
    FamilyName, GivenNames, DateOfBirth, contact), then each learning delivery (LearnAimRef, AimType,
    AimSeqNumber, LearnStartDate, LearnPlanEndDate, FundModel, ProgType, StdCode, LearnActEndDate) with its
    financial records (AFinType, AFinCode, AFinDate, AFinAmount) on the programme aim. Dates are YYYY-MM-DD."""
    require_role(user, READERS, CENTRE_ONLY)
    today = today or date.today()
    year = today.year if today.month >= 8 else today.year - 1
    message = ElementTree.Element("Message", xmlns=f"ESFA/ILR/{year}-{(year + 1) % 100:02d}")
    header = ElementTree.SubElement(message, "Header")
    collection = ElementTree.SubElement(header, "CollectionDetails")
    _add(collection, "Collection", "ILR")
    _add(collection, "Year", f"{year % 100:02d}{(year + 1) % 100:02d}")
    _add(collection, "FilePreparationDate", today)
    source = ElementTree.SubElement(header, "Source")
    _add(source, "SoftwareSupplier", "ILM Assessment Portal")
    _add(source, "DateTime", datetime.combine(today, datetime.min.time()).isoformat())
    for row in _return_rows(db, user, include_all):
        learner = ElementTree.SubElement(message, "Learner")
        for tag, key in (("LearnRefNumber", "learn_ref"), ("ULN", "uln"), ("FamilyName", "last_name"),
                         ("GivenNames", "first_name"), ("DateOfBirth", "date_of_birth")):
            _add(learner, tag, row[key])
        if row["postcode"] or row["email"] or row["telephone"]:
            contact = ElementTree.SubElement(learner, "LearnerContact")
            _add(contact, "PostCode", row["postcode"])
            _add(contact, "Email", row["email"])
            _add(contact, "TelNo", row["telephone"])
        for aim in sorted(row["aims"], key=lambda a: a["seq"]):
            delivery = ElementTree.SubElement(learner, "LearningDelivery")
            for tag, value in (("LearnAimRef", aim["ref"]), ("AimType", aim["type"]), ("AimSeqNumber", aim["seq"]),
                               ("LearnStartDate", row["start_date"]), ("LearnPlanEndDate", row["planned_end_date"]),
                               ("FundModel", row["fund_model"]), ("ProgType", row["prog_type"]),
                               ("StdCode", row["std_code"]), ("LearnActEndDate", row["actual_end_date"])):
                _add(delivery, tag, value)
            if aim["ref"] == "ZPROG001":
                for finance in row["fin_records"]:
                    record = ElementTree.SubElement(delivery, "AppFinRecord")
                    for tag, value in (("AFinType", finance["type"]), ("AFinCode", finance["code"]),
                                       ("AFinDate", finance["date"]), ("AFinAmount", finance["amount"])):
                        _add(record, tag, value)
    ElementTree.indent(message)
    return ElementTree.tostring(message, encoding="utf-8", xml_declaration=True)
