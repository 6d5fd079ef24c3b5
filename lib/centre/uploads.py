"""What a centre uploads before submitting: pending items, their files, and the lists to pick from."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from lib.centre.methods import terms_for
from lib.checks import accept
from lib.checks.accept import CheckedFile
from lib.errors import Refused
from lib.rules.naming import require_protocol_names
from lib.rules.roles import ASSESSOR, User
from lib.rules.status import centre_status
from lib.store import grid
from lib.store.db import Database, Writer
from lib.store.files import DECLARATION, EVIDENCE, MARKED_RESULT_SHEET, RESULT_SHEET, FileStore
from lib.store.fingerprints import store_fingerprint
from lib.store.objects import LINK_SECONDS
from lib.store.scope import (
    NotAllowed,
    NotFound,
    not_centre_data,
    reads_centre_data,
    submission_scope,
    writes_centre_data,
)

EMBEDDED, SEPARATE_FILE = "embedded", "file"


@dataclass(frozen=True)
class Upload:
    """One file as the browser sent it."""

    name: str
    data: bytes


@dataclass(frozen=True)
class UnitUpload:
    learner_id: int
    unit_code: str
    evidence: tuple[Upload, ...]
    result_sheet: Upload | None = None
    declaration: str | None = None
    declaration_file: Upload | None = None


@dataclass(frozen=True)
class IntegratedUpload:
    learner_id: int
    qualification_code: str
    evidence: tuple[Upload, ...]
    # unit code -> its result sheet (None: not uploaded yet)
    unit_sheets: dict[str, Upload | None] = field(default_factory=dict)
    single_result_sheet: Upload | None = None
    declaration: str | None = None
    declaration_file: Upload | None = None


def _centre_only(user: User) -> None:
    if not user.is_centre:
        raise NotAllowed("Only centre users upload and submit assessments.")


# ---- the lists to choose from -----------------------------------------------------------------

LEARNER = grid.Column("Learner", "(l.first_name || ' ' || l.last_name)", grid.NAME,
                      parts=("l.first_name", "l.last_name"), frame_parts=("first_name", "last_name"),
                      contains_sql="l.search_name")
# The learner's latest record of the unit, alone or in an integrated item: what the centre last did with it.
_LATEST_OF_UNIT = """FROM submission_units su JOIN submissions s ON s.id = su.submission_id
    WHERE s.learner_id = l.id AND su.unit_code = u.code ORDER BY s.id DESC LIMIT 1"""
UNIT_STATUSES = ("Not submitted", "In Pending", "Submitted", "Rejected", "Passed", "Referred")
UNIT_STATUS_SQL = f"""coalesce((SELECT CASE WHEN s.stage = 'pending' THEN 'In Pending'
        WHEN s.stage = 'rejected' THEN 'Rejected' WHEN s.stage <> 'released' THEN 'Submitted'
        WHEN su.result = 'Pass' THEN 'Passed' ELSE 'Referred' END {_LATEST_OF_UNIT}), 'Not submitted')"""
UNIT_ROWS = grid.ColumnSet((
    grid.Column("ENR", "l.enr"), LEARNER, grid.Column("Qual", "r.qualification_code"),
    grid.Column("Qual. Name", "q.name"), grid.Column("Registration Expiry", "r.expires_on", grid.DATE),
    grid.Column("Unit", "u.code"), grid.Column("Unit Name", "u.name"),
    grid.Column("Status", UNIT_STATUS_SQL, choices=UNIT_STATUSES),
    grid.Column("Last mark", f"(SELECT CASE WHEN s.stage = 'released' THEN su.mark END {_LATEST_OF_UNIT})",
                grid.NUMBER),
    grid.Column("Row", "(l.enr || '/' || u.code)", shown=False),
), key="Row", searched=("Learner", "ENR", "Unit", "Unit Name"))
UNIT_FROM = """registrations r JOIN learners l ON l.id = r.learner_id JOIN qualifications q ON q.code = r.qualification_code
    JOIN qualification_units qu ON qu.qualification_code = r.qualification_code JOIN units u ON u.code = qu.unit_code"""
INTEGRATED_ROWS = grid.ColumnSet((
    grid.Column("ENR", "l.enr"), LEARNER, grid.Column("Qual", "r.qualification_code"),
    grid.Column("Qual. Name", "q.name"), grid.Column("Registration Expiry", "r.expires_on", grid.DATE),
    grid.Column("Row", "r.id", grid.NUMBER, shown=False),
), key="Row", searched=("Learner", "ENR", "Qual", "Qual. Name"))
INTEGRATED_FROM = """registrations r JOIN learners l ON l.id = r.learner_id JOIN qualifications q ON q.code = r.qualification_code
    JOIN centre_approvals a ON a.centre_id = l.centre_id AND a.qualification_code = r.qualification_code"""
HIDDEN = (("learner_id", "l.id"), ("first_name", "l.first_name"), ("last_name", "l.last_name"))
DEFAULT_WORD_CAP = 100_000
UNIT_HIDDEN = (*HIDDEN, ("credits", "u.credits"), ("word_limit", "u.word_limit"))


def _centre_list(db: Database, user: User, source: grid.GridSource, columns: grid.ColumnSet,
                 query: grid.GridQuery | None, limit: int | None) -> grid.GridPage:
    _centre_only(user)
    return grid.run(db, source, columns, query or grid.GridQuery(limit=limit or 10))


@reads_centre_data()
def unit_assessment_rows(db: Database, user: User, query: grid.GridQuery | None = None,
                         limit: int | None = None) -> grid.GridPage:
    """Registered learners × the units of their qualification, for the Unit Assessment page."""
    source = grid.GridSource(UNIT_FROM, "l.centre_id = ?", [user.centre_id], UNIT_HIDDEN)
    return _centre_list(db, user, source, UNIT_ROWS, query, limit)


@reads_centre_data()
def integrated_rows(db: Database, user: User, query: grid.GridQuery | None = None,
                    limit: int | None = None) -> grid.GridPage:
    """Registered learners × qualifications the centre may assess as Integrated."""
    source = grid.GridSource(INTEGRATED_FROM, "l.centre_id = ? AND a.integrated", [user.centre_id], HIDDEN)
    return _centre_list(db, user, source, INTEGRATED_ROWS, query, limit)


@reads_centre_data(probes={"learner_id": "learner"})
def previous_status(db: Database, user: User, learner_id: int, unit_codes: list[str]) -> str | None:
    """What the centre sees of the latest record an upload for this learner and these units would follow: None
    for a first submission; otherwise a re-submission (its files named (2)), a charged Re-assessment when it is
    Referred."""
    _centre_only(user)
    found = db.query_one(
        """SELECT s.stage, s.result FROM learners l
           LEFT JOIN submissions s ON s.learner_id = l.id AND s.unit_codes = ?
           WHERE l.id = ? AND l.centre_id = ? ORDER BY s.id DESC NULLS LAST LIMIT 1""",
        [", ".join(sorted(unit_codes)), learner_id, user.centre_id])
    if found is None:
        raise NotFound(f"There is no learner {learner_id} at your centre.")
    return None if found[0] is None else centre_status(*found)


@reads_centre_data()
def integrated_approvals(db: Database, user: User) -> pd.DataFrame:
    """The centre's qualifications and whether each is approved for Integrated Assessment."""
    _centre_only(user)
    return db.query_df(
        """SELECT a.qualification_code AS "Qual", q.name AS "Qual. Name", a.integrated AS "Integrated approved"
           FROM centre_approvals a JOIN qualifications q ON q.code = a.qualification_code
           WHERE a.centre_id = ? ORDER BY a.qualification_code""", [user.centre_id])


@reads_centre_data()
def qualification_units(db: Database, user: User, qualification_code: str = "8000-14") -> pd.DataFrame:
    """The units of a qualification the centre is approved for (code, name, credits)."""
    _centre_only(user)
    return db.query_df(
        """SELECT u.code, u.name, u.credits, u.word_limit FROM qualification_units qu JOIN units u ON u.code = qu.unit_code
           JOIN centre_approvals a ON a.qualification_code = qu.qualification_code AND a.centre_id = ?
           WHERE qu.qualification_code = ? ORDER BY u.code""", [user.centre_id, qualification_code])


# ---- creating pending items -------------------------------------------------------------------

def _registration(writer: Writer, user: User, learner_id: int, qualification_code: str | None, unit_codes: list[str],
                  today: date) -> tuple:
    row = writer.execute(
        """SELECT l.id, l.enr, l.first_name || ' ' || l.last_name, r.qualification_code, r.expires_on
           FROM learners l JOIN registrations r ON r.learner_id = l.id
           WHERE l.id = ? AND l.centre_id = ? AND (? IS NULL OR r.qualification_code = ?)
             AND (SELECT count(*) FROM qualification_units qu WHERE qu.qualification_code = r.qualification_code
                  AND list_contains(CAST(? AS VARCHAR[]), qu.unit_code)) = len(CAST(? AS VARCHAR[]))""",
        [learner_id, user.centre_id, qualification_code, qualification_code, unit_codes, unit_codes],
    ).fetchone()
    if row is None:
        raise NotFound("That learner or unit is not registered at your centre.")
    if row[4] < today:
        raise Refused(f"The registration of {row[2]} ({row[1]}) on {row[3]} expired on {row[4]:%d/%m/%Y}. "
                      "Renew it on Walled Garden before uploading.")
    return row


def _previous_record(writer: Writer, learner_id: int, unit_label: str, learner: str) -> int | None:
    """The record this upload re-submits, or None for a first submission; refuses when not yet possible."""
    latest = writer.execute(
        "SELECT id, stage, result FROM submissions WHERE learner_id = ? AND unit_codes = ? ORDER BY id DESC LIMIT 1",
        [learner_id, unit_label]).fetchone()
    if latest is None:
        return None
    status = centre_status(latest[1], latest[2])
    if status in ("Rejected", "Referred"):
        return latest[0]
    reasons = {
        "Pending": "is already in Pending Submission: edit it there",
        "Submitted": "has been submitted and is with ILM: wait for the result",
        "Completed": "has already been passed",
    }
    raise Refused(f"{learner}, {unit_label} {reasons[status]} (ID {latest[0]}).")


def _checked(uploads: tuple[Upload, ...], check) -> list[CheckedFile]:
    return [check(upload.name, upload.data) for upload in uploads]


def evidence_word_cap(db: Database) -> int:
    """The most words evidence may have (the setting evidence_word_cap)."""
    found = db.query_one("SELECT value FROM settings WHERE key = 'evidence_word_cap'")
    return int(float(found[0])) if found else DEFAULT_WORD_CAP


def word_cap_problem(checked: CheckedFile, cap: int, word_limit: int | None) -> str | None:
    """Why evidence is refused for its length (far beyond any guidance), or None."""
    if checked.word_count is None or (checked.word_count <= cap and not checked.words_capped):
        return None
    guidance = f"the guidance for this unit is at most {word_limit:,} words" if word_limit else \
        "the units' guidance is a few thousand words"
    return (f"{checked.original_name} has {checked.words_label()}: {guidance}, and the service does not accept "
            f"evidence over {cap:,} words. Upload the learner's own evidence for this unit.")


def _checked_evidence(db: Database, user: User, uploads: tuple[Upload, ...], unit_codes: list[str]) -> list[CheckedFile]:
    """Evidence files checked by content, each within the word cap; recordings within the terms agreed for these
    units, if any."""
    recordings = None
    if any(Path(upload.name or "").suffix.lower() in accept.RECORDING_FORMATS for upload in uploads):
        recordings = terms_for(db, user.centre_id, unit_codes)
    checked = [accept.check_evidence(upload.name, upload.data, recordings) for upload in uploads]
    cap = evidence_word_cap(db)
    limits = [row[0] for row in db.query_all("SELECT word_limit FROM units WHERE code IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
                                             "AND word_limit IS NOT NULL", [list(unit_codes)])]
    for file in checked:
        problem = word_cap_problem(file, cap, max(limits) if limits else None)
        if problem:
            raise Refused(problem)
    return checked


def _declaration(kind: str | None, upload: Upload | None, first: bool, learner: str) -> tuple[str | None, list]:
    if not first:
        return None, []
    if kind == EMBEDDED:
        return EMBEDDED, []
    if kind == SEPARATE_FILE:
        if upload is None:
            raise Refused(f"Attach the signed authenticity declaration for {learner}, or say it is in the evidence.")
        return SEPARATE_FILE, [accept.check_declaration(upload.name, upload.data)]
    raise Refused(f"A first submission needs the learner's signed authenticity declaration: say whether it is "
                  f"embedded in {learner}'s evidence or attach it as a separate file.")


@dataclass
class StagedFiles:
    """Files written to the store during one transaction, removed again if it does not commit."""

    store: FileStore
    names: list[str] = field(default_factory=list)

    def put(self, writer: Writer, user: User, submission_id: int, checked: CheckedFile, kind: str,
            unit_code: str | None, now: datetime) -> int:
        stored = self.store.put(checked.data)
        self.names.append(stored)
        file_id = writer.execute("SELECT nextval('seq_files')").fetchone()[0]
        writer.execute(
            """INSERT INTO files (id, submission_id, unit_code, kind, original_name, stored_name, size_bytes, sha256,
                                  word_count, uploaded_at, uploaded_by, duration_seconds)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [file_id, submission_id, unit_code, kind, checked.original_name, stored, checked.size, checked.sha256,
             checked.word_count, now, user.id, checked.seconds])
        if kind == EVIDENCE:
            store_fingerprint(writer, file_id, checked.samples, checked.not_compared)
        return file_id


@not_centre_data("runs the caller's own scoped work")
def transact_with_files(db: Database, store: FileStore, user: User, work):
    """Run work(writer, staged) in one transaction; files it stored are removed again if it does not commit."""
    staged = StagedFiles(store)
    try:
        return db.transact(user, lambda writer: work(writer, staged))
    except BaseException:
        store.discard(staged.names)
        raise


def _new_pending(writer: Writer, user: User, registration: tuple, kind: str, unit_label: str, previous: int | None,
                 declaration: str | None, now: datetime) -> int:
    submission_id = writer.execute("SELECT nextval('seq_submissions')").fetchone()[0]
    writer.execute(
        """INSERT INTO submissions (id, centre_id, learner_id, qualification_code, type, stage, resubmits_id,
                                    unit_codes, uploaded_at, uploaded_by, declaration)
           VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)""",
        [submission_id, user.centre_id, registration[0], registration[3], kind, previous, unit_label, now, user.id,
         declaration])
    writer.execute("INSERT INTO submission_units (submission_id, unit_code) SELECT ?, unnest(string_split(?, ', '))",
                   [submission_id, unit_label])
    return submission_id


@writes_centre_data()
def upload_units(db: Database, store: FileStore, user: User, uploads: list[UnitUpload],
                 now: datetime | None = None) -> list[int]:
    """One pending Unit item per upload row, all or none; returns their IDs."""
    _centre_only(user)
    if not uploads:
        raise Refused("Select at least one learner and unit to upload files for.")
    now = now or datetime.now()
    checked_rows = []
    for upload in uploads:
        if not upload.evidence:
            raise Refused("Every row needs at least one evidence file.")
        evidence = _checked_evidence(db, user, upload.evidence, [upload.unit_code])
        sheet = accept.check_result_sheet(upload.result_sheet.name, upload.result_sheet.data) \
            if upload.result_sheet else None
        checked_rows.append((upload, evidence, sheet))

    def work(writer: Writer, staged: StagedFiles) -> list[int]:
        created = []
        for upload, evidence, sheet in checked_rows:
            registration = _registration(writer, user, upload.learner_id, None, [upload.unit_code], now.date())
            previous = _previous_record(writer, upload.learner_id, upload.unit_code, registration[2])
            declaration, declaration_files = _declaration(upload.declaration, upload.declaration_file,
                                                          previous is None, registration[2])
            require_protocol_names([file.original_name for file in evidence], registration[2], registration[1],
                                   previous is not None, user.centre_number, (upload.unit_code,))
            submission_id = _new_pending(writer, user, registration, "Unit", upload.unit_code, previous,
                                         declaration, now)
            for checked in evidence:
                staged.put(writer, user, submission_id, checked, EVIDENCE, None, now)
            if sheet:
                staged.put(writer, user, submission_id, sheet, RESULT_SHEET, upload.unit_code, now)
            for checked in declaration_files:
                staged.put(writer, user, submission_id, checked, DECLARATION, None, now)
            writer.audit("upload", "submission", submission_id,
                         after={"type": "Unit", "unit": upload.unit_code, "learner_id": upload.learner_id,
                                "files": len(evidence) + bool(sheet) + len(declaration_files)})
            created.append(submission_id)
        return created

    return transact_with_files(db, store, user, work)


@writes_centre_data()
def upload_integrated(db: Database, store: FileStore, user: User, upload: IntegratedUpload,
                      now: datetime | None = None) -> int:
    """One pending Integrated item: evidence once, two or more units, a sheet per unit or one for all."""
    _centre_only(user)
    now = now or datetime.now()
    units = sorted(set(upload.unit_sheets))
    if len(units) < 2 or len(units) != len(upload.unit_sheets):
        raise Refused("An integrated assessment needs at least two different units.")
    if not upload.evidence:
        raise Refused("Add at least one evidence file.")
    evidence = _checked_evidence(db, user, upload.evidence, units)
    sheets = {unit: accept.check_result_sheet(sheet.name, sheet.data)
              for unit, sheet in upload.unit_sheets.items() if sheet is not None}
    single = accept.check_result_sheet(upload.single_result_sheet.name, upload.single_result_sheet.data) \
        if upload.single_result_sheet else None
    unit_label = ", ".join(units)

    def work(writer: Writer, staged: StagedFiles) -> int:
        approved = writer.execute(
            "SELECT integrated FROM centre_approvals WHERE centre_id = ? AND qualification_code = ?",
            [user.centre_id, upload.qualification_code]).fetchone()
        if not approved or not approved[0]:
            raise Refused(f"Your centre is not approved for Integrated Assessment on {upload.qualification_code}. "
                          "Upload each unit from Unit Assessment, or ask ILM for approval first.")
        registration = _registration(writer, user, upload.learner_id, upload.qualification_code, units, now.date())
        previous = _previous_record(writer, upload.learner_id, unit_label, registration[2])
        declaration, declaration_files = _declaration(upload.declaration, upload.declaration_file,
                                                      previous is None, registration[2])
        require_protocol_names([file.original_name for file in evidence], registration[2], registration[1],
                               previous is not None, user.centre_number, tuple(units))
        submission_id = _new_pending(writer, user, registration, "Integrated", unit_label, previous, declaration, now)
        for checked in evidence:
            staged.put(writer, user, submission_id, checked, EVIDENCE, None, now)
        if single:
            staged.put(writer, user, submission_id, single, RESULT_SHEET, None, now)
        for unit, sheet in sheets.items():
            staged.put(writer, user, submission_id, sheet, RESULT_SHEET, unit, now)
        for checked in declaration_files:
            staged.put(writer, user, submission_id, checked, DECLARATION, None, now)
        writer.audit("upload", "submission", submission_id,
                     after={"type": "Integrated", "units": units, "learner_id": upload.learner_id})
        return submission_id

    return transact_with_files(db, store, user, work)


# ---- pending items and their files ------------------------------------------------------------

MISSING_SHEETS_SQL = """
    CASE WHEN EXISTS (SELECT 1 FROM files f WHERE f.submission_id = s.id AND f.kind = 'result_sheet'
                      AND f.removed_at IS NULL AND f.unit_code IS NULL AND s.type = 'Integrated') THEN 0
         ELSE len(string_split(s.unit_codes, ', ')) - (SELECT count(DISTINCT f.unit_code) FROM files f
              WHERE f.submission_id = s.id AND f.kind = 'result_sheet' AND f.removed_at IS NULL
              AND f.unit_code IS NOT NULL) END"""


@reads_centre_data()
def pending_items(db: Database, user: User) -> pd.DataFrame:
    """The centre's items not yet submitted, newest first, with how many result sheets are missing."""
    _centre_only(user)
    return db.query_df(
        f"""SELECT s.id AS "ID", l.enr AS "ENR", l.first_name || ' ' || l.last_name AS "Learner",
                   s.qualification_code AS "Qual", q.name AS "Qual. Name", r.expires_on AS "Registration Expiry",
                   s.unit_codes AS "Unit(s)", s.type AS "Type", {MISSING_SHEETS_SQL} AS missing_sheets,
                   s.resubmits_id, s.declaration, s.centre_id
            FROM submissions s JOIN learners l ON l.id = s.learner_id
            JOIN qualifications q ON q.code = s.qualification_code
            JOIN registrations r ON r.learner_id = s.learner_id AND r.qualification_code = s.qualification_code
            WHERE s.stage = 'pending' AND s.centre_id = ? ORDER BY s.id DESC""",
        [user.centre_id])


def _own_pending(db_or_writer, user: User, submission_id: int) -> tuple:
    row = db_or_writer.execute(
        "SELECT id, stage, type, unit_codes FROM submissions WHERE id = ? AND centre_id = ?",
        [submission_id, user.centre_id]).fetchone()
    if row is None:
        raise NotFound(f"There is no item {submission_id} at your centre.")
    if row[1] != "pending":
        raise Refused(f"Item {submission_id} has already been submitted, so it can no longer be changed.")
    return row


def _file_scope(user: User) -> tuple[str, list]:
    """Files (alias f) of submissions (alias s) the user may see; a centre sees a marked result sheet only once
    its item is released."""
    scope_sql, params = submission_scope(user)
    if user.is_centre:
        scope_sql = f"{scope_sql} AND (f.kind <> '{MARKED_RESULT_SHEET}' OR s.stage = 'released')"
    if user.role == ASSESSOR:  # an assessor reviewing an enquiry reads the work they review
        scope_sql = (f"({scope_sql} OR EXISTS (SELECT 1 FROM enquiries e WHERE e.submission_id = s.id "
                     "AND e.reviewer_id = ?))")
        params = [*params, user.id]
    return scope_sql, params


@reads_centre_data(probes={"submission_id": "submission"})
def submission_files(db: Database, user: User, submission_id: int) -> pd.DataFrame:
    """The files of one of the user's items (removed ones left out)."""
    scope_sql, params = _file_scope(user)
    return db.query_df(
        f"""SELECT f.id, f.kind, f.unit_code, f.original_name, f.size_bytes, f.word_count, f.sha256, s.centre_id,
                   f.duration_seconds
            FROM files f JOIN submissions s ON s.id = f.submission_id
            WHERE f.submission_id = ? AND f.removed_at IS NULL AND {scope_sql}
            ORDER BY f.kind, f.unit_code NULLS FIRST, f.id""",
        [submission_id, *params])


@reads_centre_data(probes={"file_id": "file"})
def read_file(db: Database, user: User, file_id: int, store: FileStore | None = None) -> tuple[str, bytes]:
    """(original name, bytes) of one file the user may see."""
    original_name, stored_name = _visible_file(db, user, file_id)
    return original_name, store.read(stored_name)


def _visible_file(db: Database, user: User, file_id: int) -> tuple[str, str]:
    """(original name, stored name) of one file the user may see; NotFound for any other."""
    scope_sql, params = _file_scope(user)
    row = db.query_one(
        f"""SELECT f.original_name, f.stored_name FROM files f JOIN submissions s ON s.id = f.submission_id
            WHERE f.id = ? AND f.removed_at IS NULL AND {scope_sql}""", [file_id, *params])
    if row is None:
        raise NotFound(f"There is no file {file_id} that you may open.")
    return row


@reads_centre_data(probes={"file_id": "file"})
def file_link(db: Database, user: User, file_id: int, store, seconds: int = LINK_SECONDS) -> str:
    """A download link that expires, for one file the user may see, in a store that signs links (a bucket)."""
    original_name, stored_name = _visible_file(db, user, file_id)
    if not hasattr(store, "link"):
        raise Refused("Files kept in a folder are downloaded through the page, not from a link.")
    return store.link(stored_name, original_name, seconds)


@reads_centre_data(probes={"submission_id": "submission"})
def evidence_zip(db: Database, user: User, submission_id: int, store: FileStore | None = None) -> bytes:
    """Every evidence file of one item, as one zip."""
    listing = submission_files(db, user, submission_id)
    evidence = listing[listing.kind == EVIDENCE]
    if evidence.empty:
        raise NotFound(f"Item {submission_id} has no evidence files you may open.")
    return zip_files([read_file(db, user, int(file_id), store) for file_id in evidence.id])


def zip_files(named: list[tuple[str, bytes]]) -> bytes:
    """A zip of (name, bytes), with repeated names numbered so nothing is overwritten."""
    buffer, seen = io.BytesIO(), {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in named:
            count = seen.get(name, 0)
            seen[name] = count + 1
            if count:
                stem, dot, extension = name.rpartition(".")
                name = f"{stem} ({count + 1}).{extension}" if dot else f"{name} ({count + 1})"
            archive.writestr(name, data)
    return buffer.getvalue()


@writes_centre_data(probes={"submission_id": "submission"})
def add_files(db: Database, store: FileStore, user: User, submission_id: int, evidence: tuple[Upload, ...] = (),
              result_sheets: dict[str | None, Upload] | None = None, now: datetime | None = None) -> None:
    """Add evidence or result sheets to a pending item (a sheet replaces the one for the same unit)."""
    _centre_only(user)
    now = now or datetime.now()
    result_sheets = result_sheets or {}
    own = db.query_one("SELECT unit_codes FROM submissions WHERE id = ? AND centre_id = ?",
                       [submission_id, user.centre_id]) if evidence else None
    units = own[0].split(", ") if own else []
    checked_evidence = _checked_evidence(db, user, tuple(evidence), units)
    checked_sheets = {unit: accept.check_result_sheet(u.name, u.data) for unit, u in result_sheets.items()}
    if not checked_evidence and not checked_sheets:
        raise Refused("Choose at least one file to add.")

    def work(writer: Writer, staged: StagedFiles) -> None:
        _, _, kind, unit_label = _own_pending(writer, user, submission_id)
        units = unit_label.split(", ")
        if checked_evidence:
            enr, learner, resubmits = writer.execute(
                """SELECT l.enr, l.first_name || ' ' || l.last_name, s.resubmits_id FROM submissions s
                   JOIN learners l ON l.id = s.learner_id WHERE s.id = ?""", [submission_id]).fetchone()
            require_protocol_names([file.original_name for file in checked_evidence], learner, enr,
                                   resubmits is not None, user.centre_number, tuple(units))
        for unit in checked_sheets:
            if unit is None and kind != "Integrated":
                raise Refused("A single result sheet for all units is only for integrated assessments.")
            if unit is not None and unit not in units:
                raise Refused(f"Unit {unit} is not part of item {submission_id}.")
        for checked in checked_evidence:
            staged.put(writer, user, submission_id, checked, EVIDENCE, None, now)
        for unit, checked in checked_sheets.items():
            writer.execute("""UPDATE files SET removed_at = ? WHERE submission_id = ? AND kind = 'result_sheet'
                              AND unit_code IS NOT DISTINCT FROM ? AND removed_at IS NULL""",
                           [now, submission_id, unit])
            staged.put(writer, user, submission_id, checked, RESULT_SHEET, unit, now)
        writer.audit("add_files", "submission", submission_id,
                     after={"evidence": len(checked_evidence), "result_sheets": sorted(map(str, checked_sheets))})

    transact_with_files(db, store, user, work)


@writes_centre_data(probes={"file_id": "file"})
def remove_file(db: Database, user: User, file_id: int, now: datetime | None = None) -> None:
    """Take a file off a pending item (kept on disk and in the database, marked removed)."""
    _centre_only(user)

    def work(writer: Writer) -> None:
        row = writer.execute(
            """SELECT f.submission_id, f.kind, f.original_name FROM files f JOIN submissions s ON s.id = f.submission_id
               WHERE f.id = ? AND s.centre_id = ? AND f.removed_at IS NULL""", [file_id, user.centre_id]).fetchone()
        if row is None:
            raise NotFound(f"There is no file {file_id} at your centre.")
        _own_pending(writer, user, row[0])
        if row[1] == EVIDENCE:
            left = writer.execute("SELECT count(*) FROM files WHERE submission_id = ? AND kind = 'evidence' "
                                  "AND removed_at IS NULL", [row[0]]).fetchone()[0]
            if left <= 1:
                raise Refused("An item needs at least one evidence file: add the new one before removing the last.")
        writer.execute("UPDATE files SET removed_at = ? WHERE id = ?", [now or datetime.now(), file_id])
        writer.audit("remove_file", "file", file_id, before={"name": row[2], "submission_id": row[0]})

    db.transact(user, work)


@writes_centre_data()
def remove_pending(db: Database, store: FileStore, user: User, submission_ids: list[int]) -> int:
    """Delete items that were never submitted, and their stored files once the deletion has committed."""
    _centre_only(user)
    if not submission_ids:
        raise Refused("Select the items to remove from Pending.")

    def work(writer: Writer) -> list[str]:
        for submission_id in submission_ids:
            _own_pending(writer, user, submission_id)
        stored = [row[0] for row in writer.execute(
            "SELECT stored_name FROM files WHERE list_contains(?, submission_id)", [submission_ids]).fetchall()]
        for fingerprints in ("evidence_samples", "evidence_fingerprints"):
            writer.execute(f"DELETE FROM {fingerprints} WHERE file_id IN "
                           "(SELECT id FROM files WHERE list_contains(?, submission_id))", [submission_ids])
        writer.execute("DELETE FROM files WHERE list_contains(?, submission_id)", [submission_ids])
        writer.execute("DELETE FROM submission_units WHERE list_contains(?, submission_id)", [submission_ids])
        writer.execute("DELETE FROM submissions WHERE list_contains(?, id)", [submission_ids])
        writer.audit("remove_pending", "submission", ",".join(map(str, submission_ids)),
                     before={"ids": submission_ids, "files": len(stored)})
        return stored

    store.discard(db.transact(user, work))
    return len(submission_ids)
