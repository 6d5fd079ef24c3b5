"""Mapped programmes and their changes. Quality keeps an HEI's programmes (each mapped to an ILM qualification, the
ILM award coming at the end of the degree or part way through) and their mapping documents: numbered versions with
issue dates, the file and the table of HEI modules to ILM units; the newest is in force, the earlier ones stay
readable. The HEI asks for a change; quality decides a minor change (a new mapping version now) or a re-mapping,
which holds the results of the learners on the changed route and removes Direct Claim Status until it is done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from lib.centre.uploads import Upload
from lib.checks import accept
from lib.errors import Refused
from lib.rules.roles import ASSESSMENT_TEAM, CENTRE, QUALITY, User
from lib.rules.text import check_text
from lib.store.db import Database, Writer
from lib.store.scope import NotFound, centre_scope, not_centre_data, reads_centre_data, require_role, writes_centre_data

READERS = (CENTRE, QUALITY, ASSESSMENT_TEAM)
QUALITY_ONLY = "The quality team keeps mapped programmes and decides their changes."
POINTS = {"end_of_degree": "At the end of the full degree", "part_way": "Part way through a longer degree"}
CHANGES = {"title": "Title", "content": "Content", "assessments": "Assessments"}
STATUS_LABELS = {"submitted": "Waiting for a decision", "minor_change": "Minor change (new mapping version)",
                 "remapping": "Re-mapping: results held", "remapped": "Re-mapped"}
MAX_MAPPING_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class MappingRow:
    hei_module: str
    unit_code: str


def _checked_document(document: Upload | None) -> accept.CheckedFile:
    if document is None:
        raise Refused("Attach the mapping document (Word or PDF).")
    if len(document.data) > MAX_MAPPING_BYTES:
        raise Refused(f"{document.name} is over 10 MB: a mapping document is a Word or PDF file of at most 10 MB.")
    return accept.check_evidence(document.name, document.data)


def _checked_rows(writer: Writer, qualification: str, rows: list[MappingRow]) -> list[MappingRow]:
    if not rows:
        raise Refused("List the HEI modules and the ILM units each maps to.")
    units = {u for (u,) in writer.execute("SELECT unit_code FROM qualification_units WHERE qualification_code = ?",
                                          [qualification]).fetchall()}
    cleaned = []
    for row in rows:
        module = check_text(row.hei_module or "", "HEI module").strip()
        if not module:
            raise Refused("Each row needs its HEI module.")
        if row.unit_code not in units:
            raise Refused(f"Unit {row.unit_code} is not part of {qualification}.")
        cleaned.append(MappingRow(module, row.unit_code))
    return cleaned


def _add_version(writer: Writer, user: User, programme_id: int, qualification: str, document: accept.CheckedFile,
                 rows: list[MappingRow] | None, issued_on: date, note: str, now: datetime) -> int:
    """A new mapping version (rows None: the previous version's table carried over)."""
    version = writer.execute("SELECT coalesce(max(version), 0) + 1 FROM mapping_versions WHERE programme_id = ?",
                             [programme_id]).fetchone()[0]
    if rows is None:
        rows = [MappingRow(m, u) for m, u in writer.execute(
            "SELECT hei_module, unit_code FROM mapping_rows WHERE programme_id = ? AND version = ?",
            [programme_id, version - 1]).fetchall()]
    rows = _checked_rows(writer, qualification, rows)
    writer.execute("INSERT INTO mapping_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [programme_id, version, issued_on, note, document.original_name, document.data, now, user.id])
    for row in rows:
        writer.execute("INSERT INTO mapping_rows VALUES (?, ?, ?, ?)",
                       [programme_id, version, row.hei_module, row.unit_code])
    writer.audit("mapping_version_issued", "hei_programme", programme_id, None,
                 {"version": version, "issued_on": issued_on, "file": document.original_name, "rows": len(rows)})
    return version


@writes_centre_data()
def create_programme(db: Database, user: User, centre_number: str, title: str, qualification_code: str,
                     achievement_point: str, direct_claim_status: bool, document: Upload, rows: list[MappingRow],
                     issued_on: date, now: datetime | None = None) -> int:
    """A mapped programme of an HEI centre with its first mapping version."""
    require_role(user, (QUALITY,), QUALITY_ONLY)
    title = check_text(title or "", "title").strip()
    if not 3 <= len(title) <= 120:
        raise Refused("A programme's title is 3 to 120 characters.")
    if achievement_point not in POINTS:
        raise Refused("Say whether the ILM award comes at the end of the degree or part way through.")
    checked = _checked_document(document)
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        centre = writer.execute("SELECT id, is_hei FROM centres WHERE number = ?", [centre_number]).fetchone()
        if centre is None or not centre[1]:
            raise Refused(f"Centre {centre_number} is not an HEI centre.")
        if writer.execute("SELECT 1 FROM centre_approvals WHERE centre_id = ? AND qualification_code = ?",
                          [centre[0], qualification_code]).fetchone() is None:
            raise Refused(f"Centre {centre_number} is not approved for {qualification_code}.")
        programme_id = writer.execute("SELECT nextval('seq_hei_programmes')").fetchone()[0]
        writer.execute("INSERT INTO hei_programmes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [programme_id, centre[0], title, qualification_code, achievement_point, direct_claim_status,
                        now, user.id])
        _add_version(writer, user, programme_id, qualification_code, checked, rows, issued_on,
                     "First mapping", now)
        return programme_id

    return db.transact(user, work)


@reads_centre_data()
def mapped_programmes(db: Database, user: User) -> pd.DataFrame:
    """The mapped programmes the user sees (an HEI centre its own; quality and the team all)."""
    require_role(user, READERS, QUALITY_ONLY)
    scope, params = centre_scope(user, "p.centre_id")
    frame = db.query_df(
        f"""SELECT p.id AS "Programme", c.number AS "Centre", c.name AS "Centre name", p.title AS "Title",
                   p.qualification_code AS "Qualification", p.achievement_point,
                   (SELECT max(version) FROM mapping_versions v WHERE v.programme_id = p.id) AS "Mapping version",
                   CASE WHEN p.direct_claim_status THEN 'Yes' ELSE 'No' END AS "Direct Claim Status",
                   (SELECT count(*) FROM hei_change_requests h WHERE h.programme_id = p.id
                    AND h.status = 'remapping') AS "Re-mappings open"
            FROM hei_programmes p JOIN centres c ON c.id = p.centre_id WHERE {scope}
            ORDER BY c.number, p.title""", params)
    frame.insert(5, "ILM award", frame.pop("achievement_point").map(POINTS))
    return frame.drop(columns=["Centre", "Centre name"]) if user.is_centre else frame


def _programme(db: Database, user: User, programme_id: int) -> tuple:
    scope, params = centre_scope(user, "centre_id")
    row = db.query_one(f"""SELECT id, centre_id, title, qualification_code, achievement_point, direct_claim_status
                           FROM hei_programmes WHERE id = ? AND {scope}""", [programme_id, *params])
    if row is None:
        raise NotFound(f"There is no mapped programme {programme_id}.")
    return row


@reads_centre_data(probes={"programme_id": "hei_programme"})
def mapping_versions(db: Database, user: User, programme_id: int) -> pd.DataFrame:
    """Every mapping version of the programme, newest (in force) first."""
    require_role(user, READERS, QUALITY_ONLY)
    _programme(db, user, programme_id)
    frame = db.query_df(
        """SELECT v.version AS "Version", v.issued_on AS "Issued", v.note AS "Note", v.original_name AS "File",
                  (SELECT count(*) FROM mapping_rows r WHERE r.programme_id = v.programme_id
                   AND r.version = v.version) AS "Modules mapped"
           FROM mapping_versions v WHERE v.programme_id = ? ORDER BY v.version DESC""", [programme_id])
    frame.insert(1, "In force", ["Yes" if i == 0 else "" for i in range(len(frame))])
    return frame


@reads_centre_data(probes={"programme_id": "hei_programme"})
def mapping_table(db: Database, user: User, programme_id: int, version: int = 1) -> pd.DataFrame:
    """One version's table of HEI modules to ILM units."""
    require_role(user, READERS, QUALITY_ONLY)
    _programme(db, user, programme_id)
    return db.query_df("""SELECT r.hei_module AS "HEI module", r.unit_code AS "ILM unit", u.name AS "Unit title"
                          FROM mapping_rows r LEFT JOIN units u ON u.code = r.unit_code
                          WHERE r.programme_id = ? AND r.version = ? ORDER BY r.hei_module, r.unit_code""",
                       [programme_id, version])


@reads_centre_data(probes={"programme_id": "hei_programme"})
def mapping_document(db: Database, user: User, programme_id: int, version: int = 1) -> tuple[str, bytes]:
    require_role(user, READERS, QUALITY_ONLY)
    _programme(db, user, programme_id)
    row = db.query_one("SELECT original_name, content FROM mapping_versions WHERE programme_id = ? AND version = ?",
                       [programme_id, version])
    if row is None:
        raise NotFound(f"Programme {programme_id} has no mapping version {version}.")
    return row[0], bytes(row[1])


@writes_centre_data(probes={"programme_id": "hei_programme"})
def submit_change(db: Database, user: User, programme_id: int, changed: list[str], description: str,
                  effective_from: date, learner_ids: list[int], now: datetime | None = None) -> int:
    """The HEI centre asks for a change to its mapped programme: what changes, from when, who follows it."""
    require_role(user, (CENTRE,), "The HEI centre submits changes to its mapped programmes.")
    changed = [c for c in CHANGES if c in set(changed)]
    if not changed:
        raise Refused("Say what changes: the title, the content or the assessments.")
    description = check_text(description or "", "description").strip()
    if len(description) < 20:
        raise Refused("Describe the change (20 characters at least): the modules, and what is new.")
    if effective_from is None:
        raise Refused("Say from when the change applies.")
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        row = writer.execute("SELECT qualification_code FROM hei_programmes WHERE id = ? AND centre_id = ?",
                             [programme_id, user.centre_id]).fetchone()
        if row is None:
            raise NotFound(f"There is no mapped programme {programme_id} at your centre.")
        ours = {learner for (learner,) in writer.execute("""SELECT learner_id FROM registrations r JOIN learners l
                                                ON l.id = r.learner_id WHERE l.centre_id = ?
                                                AND r.qualification_code = ?""",
                                             [user.centre_id, row[0]]).fetchall()}
        strangers = sorted(set(learner_ids) - ours)
        if strangers:
            raise Refused(f"Learner {strangers[0]} is not registered at your centre on {row[0]}.")
        return _open_change_request(writer, user, programme_id, user.centre_id, changed, description, effective_from,
                            sorted(set(learner_ids)), now)

    return db.transact(user, work)


def _open_change_request(writer: Writer, user: User, programme_id: int, centre_id: int, changed: list[str],
                 description: str, effective_from: date, learner_ids: list[int], now: datetime) -> int:
    request_id = writer.execute("SELECT nextval('seq_hei_change_requests')").fetchone()[0]
    writer.execute("""INSERT INTO hei_change_requests (id, programme_id, centre_id, changed, description,
                          effective_from, learner_ids, status, submitted_at, submitted_by)
                      VALUES (?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?)""",
                   [request_id, programme_id, centre_id, changed, description, effective_from, learner_ids, now,
                    user.id])
    writer.audit("hei_change_submitted", "hei_change_request", request_id, None,
                 {"programme": programme_id, "changed": changed, "learners": len(learner_ids)})
    return request_id


@writes_centre_data(probes={"request_id": "hei_change"})
def decide_change(db: Database, user: User, request_id: int, remapping: bool, note: str,
                  document: Upload | None = None, cost_note: str = "", now: datetime | None = None) -> str:
    """Quality's judgement: a minor change (the Quality Delivery Team issues a new mapping version now, from the
    document given) or a re-mapping (referred to the mapping service; the learners on the changed route are held
    and the programme's Direct Claim Status is removed until it is done). Returns the new status."""
    require_role(user, (QUALITY,), QUALITY_ONLY)
    note = check_text(note or "", "note").strip()
    if len(note) < 10:
        raise Refused("Say why (the HEI reads it).")
    checked = None if remapping else _checked_document(document) if document else None
    if not remapping and checked is None:
        raise Refused("A minor change is a new version of the mapping document: attach it.")
    now = now or datetime.now()

    def work(writer: Writer) -> str:
        row = writer.execute("""SELECT h.status, h.programme_id, p.qualification_code, p.direct_claim_status
                                FROM hei_change_requests h JOIN hei_programmes p ON p.id = h.programme_id
                                WHERE h.id = ?""", [request_id]).fetchone()
        if row is None:
            raise NotFound(f"There is no change request {request_id}.")
        status, programme_id, qualification, dcs = row
        if status != "submitted":
            raise Refused(f"Change request {request_id} has been decided already.")
        if remapping:
            writer.execute("""UPDATE hei_change_requests SET status = 'remapping', decided_at = ?, decided_by = ?,
                                  decision_note = ?, cost_note = ?, dcs_removed = ? WHERE id = ?""",
                           [now, user.id, note, check_text(cost_note or "", "cost note").strip() or None, dcs,
                            request_id])
            if dcs:
                writer.execute("UPDATE hei_programmes SET direct_claim_status = FALSE WHERE id = ?", [programme_id])
                writer.audit("direct_claim_status_removed", "hei_programme", programme_id, {"dcs": True},
                             {"dcs": False, "change_request": request_id})
            new = "remapping"
        else:
            _add_version(writer, user, programme_id, qualification, checked, None, now.date(),
                         f"Minor change (request {request_id}): {note}", now)
            writer.execute("""UPDATE hei_change_requests SET status = 'minor_change', decided_at = ?, decided_by = ?,
                                  decision_note = ?, closed_at = ?, closed_by = ? WHERE id = ?""",
                           [now, user.id, note, now, user.id, request_id])
            new = "minor_change"
        writer.audit("hei_change_decided", "hei_change_request", request_id, {"status": status}, {"status": new})
        return new

    return db.transact(user, work)


@writes_centre_data(probes={"request_id": "hei_change"})
def finish_remapping(db: Database, user: User, request_id: int, document: Upload, rows: list[MappingRow] | None,
                     note: str, now: datetime | None = None) -> int:
    """The re-mapping is done: a new mapping version (its table, or the last one's), the hold ends, and Direct Claim
    Status comes back if it was removed. Returns the new version."""
    require_role(user, (QUALITY,), QUALITY_ONLY)
    checked = _checked_document(document)
    note = check_text(note or "", "note").strip() or "Re-mapping done"
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        row = writer.execute("""SELECT h.status, h.programme_id, p.qualification_code, h.dcs_removed
                                FROM hei_change_requests h JOIN hei_programmes p ON p.id = h.programme_id
                                WHERE h.id = ?""", [request_id]).fetchone()
        if row is None:
            raise NotFound(f"There is no change request {request_id}.")
        status, programme_id, qualification, dcs_removed = row
        if status != "remapping":
            raise Refused(f"Change request {request_id} is not waiting for a re-mapping.")
        version = _add_version(writer, user, programme_id, qualification, checked, rows, now.date(),
                               f"Re-mapping (request {request_id}): {note}", now)
        writer.execute("UPDATE hei_change_requests SET status = 'remapped', closed_at = ?, closed_by = ? WHERE id = ?",
                       [now, user.id, request_id])
        if dcs_removed:
            writer.execute("UPDATE hei_programmes SET direct_claim_status = TRUE WHERE id = ?", [programme_id])
            writer.audit("direct_claim_status_restored", "hei_programme", programme_id, {"dcs": False},
                         {"dcs": True, "change_request": request_id})
        writer.audit("hei_remapping_done", "hei_change_request", request_id, {"status": status},
                     {"status": "remapped", "version": version})
        return version

    return db.transact(user, work)


@reads_centre_data()
def change_requests(db: Database, user: User) -> pd.DataFrame:
    """The change requests the user sees, those waiting or holding results first."""
    require_role(user, READERS, QUALITY_ONLY)
    scope, params = centre_scope(user, "h.centre_id")
    frame = db.query_df(
        f"""SELECT h.id AS "Request", c.number AS "Centre", p.title AS "Programme",
                   array_to_string(h.changed, ', ') AS "What changes", h.effective_from AS "From",
                   len(h.learner_ids) AS "Learners on the route", h.status,
                   CAST(h.submitted_at AS DATE) AS "Submitted", CAST(h.decided_at AS DATE) AS "Decided",
                   coalesce(h.decision_note, '') AS "Decision note", coalesce(h.cost_note, '') AS "Cost note"
            FROM hei_change_requests h JOIN hei_programmes p ON p.id = h.programme_id
            JOIN centres c ON c.id = h.centre_id WHERE {scope}
            ORDER BY h.status NOT IN ('submitted', 'remapping'), h.submitted_at DESC, h.id DESC""", params)
    frame.insert(6, "Status", frame.pop("status").map(STATUS_LABELS))
    return frame.drop(columns=["Centre"]) if user.is_centre else frame


@reads_centre_data()
def held_learners(db: Database, user: User) -> pd.DataFrame:
    """The learners whose results are held for a re-mapping, with the request and programme."""
    require_role(user, READERS, QUALITY_ONLY)
    scope, params = centre_scope(user, "h.centre_id")
    return db.query_df(
        f"""SELECT h.id AS "Request", p.title AS "Programme", l.enr AS "ENR",
                   l.first_name || ' ' || l.last_name AS "Learner"
            FROM (SELECT id, programme_id, centre_id, unnest(learner_ids) AS learner_id FROM hei_change_requests
                  WHERE status = 'remapping') h
            JOIN hei_programmes p ON p.id = h.programme_id JOIN learners l ON l.id = h.learner_id
            WHERE {scope} ORDER BY h.id, l.last_name""", params)


@reads_centre_data(probes={"programme_id": "hei_programme"})
def route_learners(db: Database, user: User, programme_id: int) -> pd.DataFrame:
    """The HEI's learners registered on the programme's qualification (who may follow a changed route)."""
    require_role(user, READERS, QUALITY_ONLY)
    _, centre_id, _, qualification, *_ = _programme(db, user, programme_id)
    return db.query_df("""SELECT l.id AS "Learner ID", l.enr AS "ENR", l.first_name || ' ' || l.last_name AS "Learner"
                          FROM learners l JOIN registrations r ON r.learner_id = l.id
                          WHERE l.centre_id = ? AND r.qualification_code = ? ORDER BY l.last_name, l.first_name""",
                       [centre_id, qualification])


@not_centre_data("the list of university centres and the qualifications they are approved for, for quality")
def hei_centres(db: Database, user: User) -> pd.DataFrame:
    require_role(user, (QUALITY,), QUALITY_ONLY)
    return db.query_df("""SELECT c.number AS "Centre", c.name AS "Name", list(a.qualification_code ORDER BY a.qualification_code)
                              AS qualifications
                          FROM centres c JOIN centre_approvals a ON a.centre_id = c.id
                          WHERE c.is_hei GROUP BY c.number, c.name ORDER BY c.number""")
