"""Change of assessment method: a centre requests recorded evidence (pre-recorded presentations, professional
discussions, recorded questions and answers) for some units of a qualification, saying the formats, sizes and
lengths it expects and why; quality or the assessment team approves it with conditions (the formats allowed, the
largest file, the longest recording) or declines it with a reason. An approval is what lets the centre's upload
screens take recordings for those units, and nothing else does."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from lib.checks.accept import RECORDING_FORMATS, RecordingTerms
from lib.checks.limits import MAX_UPLOAD_BYTES
from lib.errors import Refused
from lib.rules.roles import ASSESSMENT_TEAM, CENTRE, QUALITY, User
from lib.rules.text import check_text
from lib.store.db import Database, Writer
from lib.store.scope import NotFound, centre_scope, reads_centre_data, require_role, writes_centre_data

METHODS = {
    "presentation": "Pre-recorded presentation",
    "professional_discussion": "Professional discussion",
    "recorded_qa": "Recorded questions and answers",
}
FORMATS = tuple(dict.fromkeys(RECORDING_FORMATS.values()))  # MP4, M4A, MP3, WebM
STATUS_LABELS = {"requested": "Awaiting a decision", "approved": "Approved", "declined": "Declined"}
DECIDERS = (QUALITY, ASSESSMENT_TEAM)
LARGEST_MB = MAX_UPLOAD_BYTES // (1024 * 1024)
LONGEST_MINUTES = 180


def _check_limits(formats: list[str], mb, minutes) -> tuple[list[str], int, int]:
    formats = [f for f in FORMATS if f in set(formats)]
    if not formats:
        raise Refused(f"Choose at least one format ({', '.join(FORMATS)}).")
    try:
        mb, minutes = int(mb), int(minutes)
    except (TypeError, ValueError):
        raise Refused("The file size (MB) and the length (minutes) are whole numbers.") from None
    if not 1 <= mb <= LARGEST_MB:
        raise Refused(f"A recording can be at most {LARGEST_MB} MB, the service's limit for any upload.")
    if not 1 <= minutes <= LONGEST_MINUTES:
        raise Refused(f"A recording can last from 1 to {LONGEST_MINUTES} minutes.")
    return formats, mb, minutes


@writes_centre_data()
def request_change(db: Database, user: User, qualification_code: str, unit_codes: list[str], methods: list[str],
                   formats: list[str], expected_mb, expected_minutes, reason: str,
                   now: datetime | None = None) -> int:
    """The centre asks to send recordings for these units of one of its approved qualifications."""
    require_role(user, (CENTRE,), "Only centres request a change of assessment method.")
    methods = [m for m in METHODS if m in set(methods)]
    if not methods:
        raise Refused("Choose at least one assessment method.")
    formats, expected_mb, expected_minutes = _check_limits(formats, expected_mb, expected_minutes)
    reason = check_text(reason, "reason")
    if len(reason) < 20:
        raise Refused("Say why (20 characters at least): the learners, the units and how the recordings will "
                      "show the assessment criteria.")
    units = sorted(set(unit_codes))
    if not units:
        raise Refused("Choose the units the recordings will cover.")
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        if writer.execute("SELECT 1 FROM centre_approvals WHERE centre_id = ? AND qualification_code = ?",
                          [user.centre_id, qualification_code]).fetchone() is None:
            raise Refused(f"Your centre is not approved for {qualification_code}.")
        known = {unit for (unit,) in writer.execute(
            "SELECT unit_code FROM qualification_units WHERE qualification_code = ?", [qualification_code]).fetchall()}
        unknown = sorted(set(units) - known)
        if unknown:
            raise Refused(f"Unit {', '.join(unknown)} is not part of {qualification_code}.")
        if writer.execute("""SELECT 1 FROM method_requests WHERE centre_id = ? AND qualification_code = ?
                             AND status = 'requested'""", [user.centre_id, qualification_code]).fetchone():
            raise Refused(f"A request for {qualification_code} is already waiting for a decision.")
        request_id = writer.execute("SELECT nextval('seq_method_requests')").fetchone()[0]
        writer.execute("""INSERT INTO method_requests (id, centre_id, qualification_code, methods, formats,
                              expected_mb, expected_minutes, reason, requested_at, requested_by, status)
                          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'requested')""",
                       [request_id, user.centre_id, qualification_code, methods, formats, expected_mb,
                        expected_minutes, reason, now, user.id])
        writer.execute("INSERT INTO method_request_units SELECT ?, unnest(CAST(? AS VARCHAR[]))", [request_id, units])
        writer.audit("method_change_requested", "method_request", request_id, None,
                     {"qualification": qualification_code, "units": units, "methods": methods})
        return request_id

    return db.transact(user, work)


@writes_centre_data(probes={"request_id": "method_request"})
def decide_change(db: Database, user: User, request_id: int, approve: bool, note: str,
                  formats: list[str] | None = None, max_mb=None, max_minutes=None,
                  now: datetime | None = None) -> None:
    """Quality or the team approves with conditions, or declines with a reason."""
    require_role(user, DECIDERS, "Quality or the assessment team decides a change of assessment method.")
    note = check_text(note, "note")
    if len(note) < 10:
        raise Refused("Write the conditions of the approval, or the reason for declining (the centre reads it).")
    if approve:
        formats, max_mb, max_minutes = _check_limits(formats or [], max_mb, max_minutes)
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        row = writer.execute("SELECT status FROM method_requests WHERE id = ?", [request_id]).fetchone()
        if row is None:
            raise NotFound(f"There is no request {request_id}.")
        if row[0] != "requested":
            raise Refused(f"Request {request_id} has been decided already: refresh the page.")
        writer.execute("""UPDATE method_requests SET status = ?, decided_at = ?, decided_by = ?, decision_note = ?,
                              allowed_formats = ?, max_mb = ?, max_minutes = ? WHERE id = ? AND status = 'requested'""",
                       ["approved" if approve else "declined", now, user.id, note, formats if approve else None,
                        max_mb if approve else None, max_minutes if approve else None, request_id])
        writer.audit("method_change_decided", "method_request", request_id, {"status": "requested"},
                     {"status": "approved" if approve else "declined", "formats": formats if approve else None,
                      "max_mb": max_mb if approve else None, "max_minutes": max_minutes if approve else None})

    db.transact(user, work)


@reads_centre_data()
def requests(db: Database, user: User) -> pd.DataFrame:
    """The requests the user sees (a centre its own; quality and the team all), those waiting first."""
    require_role(user, (CENTRE, *DECIDERS), "Changes of assessment method are for centres, quality and the team.")
    scope, params = centre_scope(user, "r.centre_id")
    frame = db.query_df(
        f"""SELECT r.id AS "Request", c.number AS "Centre", c.name AS "Centre name",
                   r.qualification_code AS "Qualification",
                   (SELECT string_agg(unit_code, ', ' ORDER BY unit_code) FROM method_request_units u
                    WHERE u.request_id = r.id) AS "Units", r.methods, r.status,
                   array_to_string(coalesce(r.allowed_formats, r.formats), ', ') AS "Formats",
                   coalesce(r.max_mb, r.expected_mb) AS "Largest (MB)",
                   coalesce(r.max_minutes, r.expected_minutes) AS "Longest (minutes)",
                   CAST(r.requested_at AS DATE) AS "Requested", CAST(r.decided_at AS DATE) AS "Decided"
            FROM method_requests r JOIN centres c ON c.id = r.centre_id
            WHERE {scope} ORDER BY r.status <> 'requested', r.requested_at DESC, r.id DESC""", params)
    frame.insert(5, "Methods", [", ".join(METHODS[m] for m in methods) for methods in frame.pop("methods")])
    frame.insert(6, "Status", frame.pop("status").map(STATUS_LABELS))
    if user.is_centre:
        frame = frame.drop(columns=["Centre", "Centre name"])
    return frame


@reads_centre_data(probes={"request_id": "method_request"})
def request_detail(db: Database, user: User, request_id: int) -> dict:
    """One request with what was asked, and what was decided."""
    require_role(user, (CENTRE, *DECIDERS), "Changes of assessment method are for centres, quality and the team.")
    scope, params = centre_scope(user, "r.centre_id")
    row = db.query_one(
        f"""SELECT r.id, c.number, c.name, r.qualification_code, q.name, r.methods, r.formats, r.expected_mb,
                   r.expected_minutes, r.reason, r.status, r.decision_note, r.allowed_formats, r.max_mb,
                   r.max_minutes, CAST(r.requested_at AS DATE), CAST(r.decided_at AS DATE), d.name,
                   (SELECT list(unit_code ORDER BY unit_code) FROM method_request_units u WHERE u.request_id = r.id)
            FROM method_requests r JOIN centres c ON c.id = r.centre_id
            JOIN qualifications q ON q.code = r.qualification_code LEFT JOIN users d ON d.id = r.decided_by
            WHERE r.id = ? AND {scope}""", [request_id, *params])
    if row is None:
        raise NotFound(f"There is no request {request_id}.")
    keys = ("request_id", "centre", "centre_name", "qualification", "qualification_name", "methods", "formats",
            "expected_mb", "expected_minutes", "reason", "status", "decision_note", "allowed_formats", "max_mb",
            "max_minutes", "requested", "decided", "decided_by", "units")
    return dict(zip(keys, row))


_AGREED_UNITS = """
    SELECT "Unit", "Formats", "Largest (MB)", "Longest (minutes)" FROM (
        SELECT u.unit_code AS "Unit", array_to_string(r.allowed_formats, ', ') AS "Formats",
               r.max_mb AS "Largest (MB)", r.max_minutes AS "Longest (minutes)",
               row_number() OVER (PARTITION BY u.unit_code ORDER BY r.decided_at DESC, r.id DESC) AS newest
        FROM method_requests r JOIN method_request_units u ON u.request_id = r.id
        WHERE r.centre_id = ? AND r.status = 'approved') agreed
    WHERE newest = 1
    ORDER BY 1"""


def terms_from(agreed: pd.DataFrame, unit_codes: list[str]) -> RecordingTerms | None:
    """What recordings may be sent as evidence for all of these units: the formats every unit's latest approval
    allows, within the smallest of their limits; None when a unit has no approval (or no format is common)."""
    rows = agreed[agreed["Unit"].isin(unit_codes)]
    if not unit_codes or len(rows) != len(set(unit_codes)):
        return None
    common = set(FORMATS)
    for formats in rows["Formats"]:
        common &= set(formats.split(", "))
    if not common:
        return None
    return RecordingTerms(tuple(f for f in FORMATS if f in common), int(rows["Largest (MB)"].min()) * 1024 * 1024,
                          int(rows["Longest (minutes)"].min()) * 60)


def terms_for(db: Database, centre_id: int, unit_codes: list[str]) -> RecordingTerms | None:
    """terms_from the centre's approvals, read now."""
    return terms_from(db.query_df(_AGREED_UNITS, [centre_id]), unit_codes)


@reads_centre_data()
def agreed_units(db: Database, user: User) -> pd.DataFrame:
    """Each unit the centre may send recordings for, with the terms of its latest approval (for the upload
    screens: terms_from gives what a file for some units may be)."""
    require_role(user, (CENTRE,), "Only centres upload evidence.")
    return db.query_df(_AGREED_UNITS, [user.centre_id])
