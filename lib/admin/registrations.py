"""Walled Garden registration imports: check a CSV or Excel export row by row (writing nothing), then apply the
accepted rows in one transaction, audited and idempotent.

The check says per row what would happen (new learner, new registration, changed name, changed expiry,
unchanged) or why it is refused, with a code. Apply never deletes: learners and registrations of the file's
centres that the file lacks are listed for review instead.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from lib.checks.tables import read_uploaded_table
from lib.errors import NotAllowed, Refused
from lib.rules.roles import ASSESSMENT_TEAM, User
from lib.store.db import Database, Writer
from lib.store.scope import not_centre_data

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000
REVIEW_ROWS = 1_000  # registrations a file does not mention, listed for review (all are counted)

# field -> the headings a Walled Garden export may use for it (compared lower-case, without spaces or _ . -)
FIELDS = {
    "centre_number": ("centrenumber", "centre", "centreno", "centrenum"),
    "enr": ("enr", "enrolmentnumber", "learnerenr", "enrolmentno"),
    "first_name": ("firstname", "forename", "forenames", "givenname"),
    "last_name": ("lastname", "surname", "familyname"),
    "qualification_code": ("qualificationcode", "qualification", "qualcode", "qual"),
    "registered_on": ("registrationdate", "registeredon", "registered", "dateofregistration"),
    "expires_on": ("expirydate", "expireson", "expiry", "registrationexpiry"),
    "uln": ("uln", "uniquelearnernumber"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate"),
}
REQUIRED = ("centre_number", "enr", "first_name", "last_name", "qualification_code", "registered_on", "expires_on")
LABELS = {"centre_number": "centre number", "enr": "ENR", "first_name": "first name", "last_name": "last name",
          "qualification_code": "qualification code", "registered_on": "registration date",
          "expires_on": "expiry date", "uln": "ULN", "date_of_birth": "date of birth"}

ERRORS = {
    "E01": "missing or malformed field",
    "E02": "unknown centre",
    "E03": "centre not approved for the qualification",
    "E04": "unknown qualification, or one the service does not assess",
    "E05": "ENR already belongs to another centre",
    "E06": "duplicate row in the file",
    "E07": "expiry before registration",
}
NEW_LEARNER, NEW_REGISTRATION, CHANGED_NAME, CHANGED_EXPIRY, UNCHANGED = (
    "new learner", "new registration", "changed name", "changed expiry", "unchanged")
ENR_PATTERN = re.compile(r"[A-Z]{3}\d{4}")


@dataclass
class ImportCheck:
    """What applying a file would do, row by row; nothing has been written."""

    file_name: str
    sha256: str
    rows: pd.DataFrame  # one row per data row: Row, the fields, Outcome, Code, Problem
    already_applied: datetime | None = None
    for_review: pd.DataFrame = field(default_factory=pd.DataFrame)  # the first REVIEW_ROWS of them
    for_review_total: int = 0
    # The accepted rows with the database ids they joined to: what apply writes.
    accepted_rows: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def accepted(self) -> pd.DataFrame:
        return self.rows[self.rows.Code == ""]

    @property
    def errors(self) -> pd.DataFrame:
        return self.rows[self.rows.Code != ""]

    def counts(self) -> dict[str, int]:
        outcomes = self.accepted.Outcome.str.split(", ").explode().value_counts().to_dict() if len(self.accepted) else {}
        return {"rows": len(self.rows), "accepted": len(self.accepted), "errors": len(self.errors),
                **{label: int(outcomes.get(label, 0)) for label in
                   (NEW_LEARNER, NEW_REGISTRATION, CHANGED_NAME, CHANGED_EXPIRY, UNCHANGED)},
                **{code: int((self.rows.Code == code).sum()) for code in ERRORS}}

    def summary(self) -> dict:
        return {"file": self.file_name, "sha256": self.sha256, **self.counts(),
                "already_applied": self.already_applied.isoformat() if self.already_applied else None,
                "for_review": self.for_review_total}


def _team_only(user: User) -> None:
    if user.role != ASSESSMENT_TEAM:
        raise NotAllowed("Registration imports are for the ILM Assessment Team.")


def _heading(text: object) -> str:
    return re.sub(r"[\s_.\-]+", "", str(text)).lower()


def read_table(file_name: str, data: bytes) -> pd.DataFrame:
    """The file's rows as text, with the service's field names; refuses a file it cannot read, saying why."""
    raw = read_uploaded_table(file_name, data, MAX_ROWS, MAX_FILE_BYTES,
                              "import the Walled Garden export as CSV (.csv) or Excel (.xlsx)")
    renamed = {}
    for column in raw.columns:
        for name, headings in FIELDS.items():
            if _heading(column) in headings and name not in renamed.values():
                renamed[column] = name
    missing = [LABELS[name] for name in REQUIRED if name not in renamed.values()]
    if missing:
        raise Refused(f"{file_name} has no column for: {', '.join(missing)}. The first row must name the columns "
                      "(centre number, ENR, first name, last name, qualification code, registration date, expiry "
                      "date; ULN and date of birth when present).")
    table = raw.rename(columns=renamed)[[name for name in FIELDS if name in renamed.values()]]
    table = table.fillna("").astype(str).apply(lambda column: column.str.strip())
    for optional in ("uln", "date_of_birth"):
        if optional not in table:
            table[optional] = ""
    return table.reset_index(drop=True)


def _dates(column: pd.Series) -> pd.Series:
    """ISO (2026-01-31), UK (31/01/2026) or Excel's date-time text; NaT where it is none of them."""
    iso = pd.to_datetime(column.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(column, format="%d/%m/%Y", errors="coerce")
    return iso.fillna(uk).dt.date


# Control characters and what XML cannot hold: names go out in the ILR funding return.
CONTROL_OR_NON_CHARACTER = re.compile("[\x00-\x1f\x7f\ufffe\uffff]")


def _field_problems(table: pd.DataFrame) -> pd.Series:
    problems = pd.Series("", index=table.index)

    def note(mask: pd.Series, text: str) -> None:
        problems[mask & (problems == "")] = text

    for name in REQUIRED:
        note(table[name] == "", f"no {LABELS[name]}")
    note(~table.centre_number.str.fullmatch(r"\d{6}"), "the centre number is not 6 digits")
    note(~table.enr.str.upper().str.fullmatch(ENR_PATTERN.pattern), "the ENR is not 3 letters and 4 digits")
    note(table.registered_on_date.isna(), "the registration date is not a date (DD/MM/YYYY or YYYY-MM-DD)")
    note(table.expires_on_date.isna(), "the expiry date is not a date (DD/MM/YYYY or YYYY-MM-DD)")
    note((table.uln != "") & ~table.uln.str.fullmatch(r"\d{10}"), "the ULN is not 10 digits")
    note((table.date_of_birth != "") & table.date_of_birth_date.isna(), "the date of birth is not a date")
    for name in ("first_name", "last_name"):
        note(table[name].str.len() > 100, f"the {LABELS[name]} is longer than 100 characters")
        note(table[name].map(lambda text: CONTROL_OR_NON_CHARACTER.search(text) is not None).astype(bool),
             f"the {LABELS[name]} has control characters or non-characters")
    return problems


def _classify(db: Database, table: pd.DataFrame) -> pd.DataFrame:
    """Join the file's rows with what the database holds, in DuckDB."""
    with db.cursor() as cursor:
        cursor.register("import_rows", table[["row", "centre_number", "enr", "qualification_code"]])
        joined = cursor.execute(
            """SELECT f.row, c.id AS centre_id, q.code IS NOT NULL AS qualification_known,
                      a.centre_id IS NOT NULL AS approved, l.id AS learner_id, l.centre_id AS learner_centre_id,
                      l.first_name AS known_first, l.last_name AS known_last, r.id AS registration_id,
                      r.expires_on AS known_expiry, o.number AS learner_centre_number
               FROM import_rows f
               LEFT JOIN centres c ON c.number = f.centre_number
               LEFT JOIN qualifications q ON q.code = f.qualification_code AND coalesce(q.assessed, TRUE)
               LEFT JOIN centre_approvals a ON a.centre_id = c.id AND a.qualification_code = f.qualification_code
               LEFT JOIN learners l ON l.enr = f.enr
               LEFT JOIN centres o ON o.id = l.centre_id
               LEFT JOIN registrations r ON r.learner_id = l.id AND r.qualification_code = f.qualification_code
               ORDER BY f.row""").df()
        cursor.unregister("import_rows")
    return table.merge(joined, on="row", how="left")


@not_centre_data("the assessment team's import of every centre's registrations")
def check_import(db: Database, user: User, file_name: str, data: bytes) -> ImportCheck:
    """What applying the file would do, row by row, with every error's code and plain message; writes nothing."""
    _team_only(user)
    table = read_table(file_name, data)
    table.insert(0, "row", range(2, len(table) + 2))  # row 1 holds the headings
    table["enr"] = table.enr.str.upper()
    table["qualification_code"] = table.qualification_code.str.upper()
    table["registered_on_date"] = _dates(table.registered_on)
    table["expires_on_date"] = _dates(table.expires_on)
    table["date_of_birth_date"] = _dates(table.date_of_birth)
    problems = _field_problems(table)
    table = _classify(db, table)
    code = pd.Series("", index=table.index)
    message = pd.Series("", index=table.index)

    def refuse(mask: pd.Series, error_code: str, text) -> None:
        chosen = mask & (code == "")
        code[chosen] = error_code
        message[chosen] = text[chosen] if isinstance(text, pd.Series) else text

    refuse(problems != "", "E01", problems)
    refuse(table.centre_id.isna(), "E02", "centre " + table.centre_number + " is not a centre of the service")
    refuse(~table.qualification_known.fillna(False).astype(bool), "E04",
           "qualification " + table.qualification_code + " is not one the service assesses")
    refuse(~table.approved.fillna(False).astype(bool), "E03",
           "centre " + table.centre_number + " is not approved for " + table.qualification_code)
    other_centre = table.learner_centre_id.notna() & (table.learner_centre_id != table.centre_id)
    refuse(other_centre, "E05", "ENR " + table.enr + " belongs to centre " + table.learner_centre_number.fillna(""))
    # One ENR under two centres within the file: the first row's centre has it, later rows for another are refused.
    first_centre = table.groupby("enr").centre_number.transform("first")
    refuse(table.duplicated(["enr"], keep="first") & (table.centre_number != first_centre), "E05",
           "ENR " + table.enr + " is under centre " + first_centre + " on an earlier row of the file")
    duplicate = table.duplicated(["enr", "qualification_code"], keep="first")
    refuse(duplicate, "E06", "the same ENR and qualification appear on an earlier row")
    registered = pd.to_datetime(table.registered_on_date)
    expires = pd.to_datetime(table.expires_on_date)
    refuse(expires < registered, "E07", "the expiry date is before the registration date")
    # One learner, two spellings in one file: the first row's name wins, later ones are refused.
    renamed_in_file = table.duplicated(["enr"], keep="first") & (
        table.groupby("enr").first_name.transform("first") + table.groupby("enr").last_name.transform("first")
        != table.first_name + table.last_name)
    refuse(renamed_in_file, "E06", "the same ENR appears earlier in the file with another name")

    outcome = []
    for row in table.itertuples(index=False):
        if pd.isna(row.learner_id):
            outcome.append(f"{NEW_LEARNER}, {NEW_REGISTRATION}")
            continue
        changes = []
        if pd.isna(row.registration_id):
            changes.append(NEW_REGISTRATION)
        if (row.known_first, row.known_last) != (row.first_name, row.last_name):
            changes.append(CHANGED_NAME)
        if not pd.isna(row.registration_id) and pd.Timestamp(row.known_expiry).date() != row.expires_on_date:
            changes.append(CHANGED_EXPIRY)
        outcome.append(", ".join(changes) or UNCHANGED)
    first_in_file = ~table.duplicated(["enr"], keep="first")
    table["Outcome"] = [o if code.iloc[i] == "" else "" for i, o in enumerate(outcome)]
    # A learner new to the service is created by its first row only; later rows add registrations.
    later_new = (~first_in_file) & table.Outcome.str.startswith(NEW_LEARNER)
    table.loc[later_new, "Outcome"] = NEW_REGISTRATION
    rows = pd.DataFrame({
        "Row": table.row, "Centre": table.centre_number, "ENR": table.enr, "First name": table.first_name,
        "Last name": table.last_name, "Qualification": table.qualification_code,
        "Registered": table.registered_on, "Expires": table.expires_on, "ULN": table.uln,
        "Date of birth": table.date_of_birth, "Outcome": table.Outcome, "Code": code,
        "Problem": [f"{c} {ERRORS[c]}: {m}" if c else "" for c, m in zip(code, message)],
    })
    check = ImportCheck(file_name, hashlib.sha256(data).hexdigest(), rows)
    check.for_review, check.for_review_total = _not_in_file(db, table[code == ""])
    applied = db.query_one("SELECT applied_at FROM registration_imports WHERE sha256 = ?", [check.sha256])
    check.already_applied = applied[0] if applied else None
    check.accepted_rows = table[code == ""]
    return check


def _not_in_file(db: Database, accepted: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Live registrations at the file's centres that the file does not mention: listed (the first REVIEW_ROWS,
    and how many in all), never deleted. A file of new registrations only leaves most of a centre here."""
    columns = ["Centre", "ENR", "Learner", "Qualification", "Expires"]
    if accepted.empty:
        return pd.DataFrame(columns=columns), 0
    with db.cursor() as cursor:
        cursor.register("import_keys", accepted[["enr", "qualification_code", "centre_number"]])
        missing = """FROM registrations r JOIN learners l ON l.id = r.learner_id JOIN centres c ON c.id = l.centre_id
               WHERE c.number IN (SELECT DISTINCT centre_number FROM import_keys)
                 AND r.expires_on >= current_date
                 AND NOT EXISTS (SELECT 1 FROM import_keys k WHERE k.enr = l.enr
                                 AND k.qualification_code = r.qualification_code)"""
        total = cursor.execute(f"SELECT count(*) {missing}").fetchall()[0][0]
        found = cursor.execute(
            f"""SELECT c.number AS "Centre", l.enr AS "ENR", l.first_name || ' ' || l.last_name AS "Learner",
                       r.qualification_code AS "Qualification", r.expires_on AS "Expires"
                {missing} ORDER BY 1, 2, 4 LIMIT ?""", [REVIEW_ROWS]).df()
        cursor.unregister("import_keys")
    return found, total


@not_centre_data("the assessment team's import of every centre's registrations")
def apply_import(db: Database, user: User, file_name: str, data: bytes,
                 now: datetime | None = None) -> tuple[dict, ImportCheck]:
    """Apply the accepted rows in one transaction (all or none), audited; the same file twice changes nothing.

    Returns what was done and the check it was done from.
    """
    _team_only(user)
    check = check_import(db, user, file_name, data)
    now = now or datetime.now()
    accepted = check.accepted_rows
    summary = check.summary()
    if check.already_applied:
        return {**summary, "applied": False,
                "reason": f"this file was applied on {check.already_applied:%d/%m/%Y %H:%M}"}, check

    def work(writer: Writer) -> dict:
        writer.cursor.register("accepted_rows", accepted[[
            "row", "centre_id", "enr", "first_name", "last_name", "qualification_code", "registered_on_date",
            "expires_on_date", "uln", "date_of_birth_date"]].rename(columns={
                "registered_on_date": "registered_on", "expires_on_date": "expires_on",
                "date_of_birth_date": "date_of_birth"}))
        # The first row of each ENR speaks for the learner.
        writer.execute("""CREATE TEMP TABLE import_learners AS
                          SELECT DISTINCT ON (enr) enr, centre_id::INTEGER AS centre_id, first_name, last_name,
                                 nullif(uln, '') AS uln, date_of_birth::DATE AS date_of_birth
                          FROM accepted_rows ORDER BY enr, row""")
        new_learners = writer.execute(
            """INSERT INTO learners (id, enr, first_name, last_name, centre_id, search_name, uln, date_of_birth)
               SELECT nextval('seq_learners'), i.enr, i.first_name, i.last_name, i.centre_id,
                      lower(i.first_name || ' ' || i.last_name), i.uln, i.date_of_birth
               FROM import_learners i WHERE NOT EXISTS (SELECT 1 FROM learners l WHERE l.enr = i.enr)
               RETURNING id""").fetchall()
        renamed = writer.execute(
            """UPDATE learners l SET first_name = i.first_name, last_name = i.last_name,
                      search_name = lower(i.first_name || ' ' || i.last_name),
                      uln = coalesce(i.uln, l.uln), date_of_birth = coalesce(i.date_of_birth, l.date_of_birth)
               FROM import_learners i
               WHERE l.enr = i.enr AND (l.first_name <> i.first_name OR l.last_name <> i.last_name
                     OR (i.uln IS NOT NULL AND l.uln IS DISTINCT FROM i.uln)
                     OR (i.date_of_birth IS NOT NULL AND l.date_of_birth IS DISTINCT FROM i.date_of_birth))
               RETURNING l.id""").fetchall()
        new_registrations = writer.execute(
            """INSERT INTO registrations (id, learner_id, qualification_code, registered_on, expires_on)
               SELECT nextval('seq_registrations'), l.id, a.qualification_code, a.registered_on::DATE,
                      a.expires_on::DATE
               FROM accepted_rows a JOIN learners l ON l.enr = a.enr
               WHERE NOT EXISTS (SELECT 1 FROM registrations r WHERE r.learner_id = l.id
                                 AND r.qualification_code = a.qualification_code)
               RETURNING id""").fetchall()
        extended = writer.execute(
            """UPDATE registrations r SET expires_on = a.expires_on::DATE
               FROM accepted_rows a JOIN learners l ON l.enr = a.enr
               WHERE r.learner_id = l.id AND r.qualification_code = a.qualification_code
                 AND r.expires_on <> a.expires_on::DATE
               RETURNING r.id""").fetchall()
        writer.execute("DROP TABLE import_learners")
        writer.cursor.unregister("accepted_rows")
        done = {"new_learners": len(new_learners), "changed_learners": len(renamed),
                "new_registrations": len(new_registrations), "changed_expiries": len(extended)}
        writer.execute("INSERT INTO registration_imports VALUES (?, ?, ?, ?, ?, ?)",
                       [check.sha256, file_name, len(check.rows), now, user.id, json.dumps({**summary, **done})])
        writer.audit("import_registrations", "registration_import", check.sha256,
                     after={"file": file_name, **done, "errors": summary["errors"]})
        return done

    done = db.transact(user, work)
    return {**summary, **done, "applied": True}, check


def error_rows(check: ImportCheck) -> pd.DataFrame:
    """The refused rows, for the spreadsheet the team sends back to the centre."""
    return check.errors.reset_index(drop=True)



@not_centre_data("the assessment team's import history")
def recent_imports(db: Database, user: User, limit: int = 50) -> pd.DataFrame:
    """The files applied, newest first, with who applied them and what they did."""
    _team_only(user)
    return db.query_df(
        """SELECT i.applied_at AS "Applied", i.file_name AS "File", i.rows AS "Rows", u.name AS "By",
                  (i.summary->>'new_learners')::INTEGER AS "New learners",
                  (i.summary->>'new_registrations')::INTEGER AS "New registrations",
                  (i.summary->>'errors')::INTEGER AS "Refused rows"
           FROM registration_imports i LEFT JOIN users u ON u.id = i.applied_by
           ORDER BY i.applied_at DESC LIMIT ?""", [limit])
