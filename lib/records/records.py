"""One learner's record: enrolled from the centre's registrations onto a programme, edited field by field (each
change a version: who, when, what, why), and moved Newly submitted → Signature required → Signed → QA verified →
Completed. Checks refuse what the ILR would reject, each with a plain message; a duplicate ULN or learner
reference is refused naming the record that has it, and the attempt is kept in the audit trail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from lib.errors import Refused
from lib.records.fields import (
    BY_NAME,
    COLUMNS,
    FIELDS,
    JSON_FIELDS,
    SNAPSHOT_SQL,
    TEMPLATE_FIELDS,
    as_stored,
    cleaned,
    display,
    from_stored,
    problems,
    return_problems,
)
from lib.records.programmes import CENTRE_ONLY, READERS
from lib.rules import ilr
from lib.rules.roles import CENTRE, User
from lib.rules.text import check_text
from lib.store.db import Database, Writer
from lib.store.scope import NotFound, centre_scope, reads_centre_data, require_role, writes_centre_data

STATUSES = {"newly_submitted": "Newly submitted", "signature_required": "Signature required", "signed": "Signed",
            "qa_verified": "QA verified", "completed": "Completed"}
SIGNED_STATUSES = ("signed", "qa_verified", "completed")
SIGNED_HOW = ("Signed on paper", "Signed electronically", "Signed in person on a tablet")
TEMPLATE, OWN, NOT_SET = "From the template", "Set for this learner", ""


@dataclass(frozen=True)
class RecordView:
    """A record as its page shows it: values, where each template field comes from, and where it stands."""

    record_id: int
    programme_id: int
    programme: str
    values: dict
    sources: dict
    status: str
    status_reason: str | None
    version: int
    verified: bool
    allow_sign_without_verification: bool
    last_edited_by: int
    signed_on: date | None
    signed_how: str | None


def _listed(value) -> list:
    """A list column as a frame gives it (an array, or None)."""
    return [] if value is None else list(value)


def _snapshot_values(row: dict) -> dict:
    return {field.name: from_stored(field.name, row[field.name]) for field in FIELDS}


@reads_centre_data(probes={"record_id": "learner_record"})
def record(db: Database, user: User, record_id: int) -> RecordView:
    require_role(user, READERS, CENTRE_ONLY)
    scope, params = centre_scope(user, "r.centre_id")
    frame = db.query_df(
        f"""SELECT r.*, p.name AS programme, p.template_filled_at IS NOT NULL AS template_filled,
                   p.allow_sign_without_verification FROM learner_records r JOIN programmes p ON p.id = r.programme_id
            WHERE r.id = ? AND {scope}""", [record_id, *params])
    if frame.empty:
        raise NotFound(f"There is no learner record {record_id}.")
    row = frame.astype(object).where(frame.notna(), None).iloc[0].to_dict()
    values = _snapshot_values(row)
    own = set(_listed(row["own_fields"]))
    sources = {field.name: (TEMPLATE if field.name in TEMPLATE_FIELDS and row["template_filled"]
                            and field.name not in own else OWN if values[field.name] not in (None, "", []) else NOT_SET)
               for field in FIELDS}
    return RecordView(record_id, int(row["programme_id"]), row["programme"], values, sources, row["status"],
                      row["status_reason"], int(row["version"]), row["verified_by"] is not None,
                      bool(row["allow_sign_without_verification"]), int(row["last_edited_by"]),
                      row["signed_on"].date() if isinstance(row["signed_on"], datetime) else row["signed_on"],
                      row["signed_how"])


def _duplicate(writer: Writer, user: User, record_id: int | None, column: str, value: str) -> str | None:
    """The other record of the centre with this ULN or learner reference, named, or None."""
    other = writer.execute(
        f"""SELECT r.id, r.first_name || ' ' || r.last_name, p.name FROM learner_records r
            JOIN programmes p ON p.id = r.programme_id
            WHERE r.centre_id = ? AND r.{column} = ? AND r.id IS DISTINCT FROM ?""",
        [user.centre_id, value, record_id]).fetchone()
    return None if other is None else f"record {other[0]} ({other[1]}, {other[2]})"


def _refuse_duplicates(db: Database, writer: Writer, user: User, record_id: int | None, values: dict) -> None:
    for column, label in (("uln", "ULN"), ("learn_ref", "learner reference")):
        if column == "uln" and values["uln"] == ilr.TEMPORARY_ULN:
            continue
        other = _duplicate(writer, user, record_id, column, values[column])
        if other:
            raise DuplicateRecord(f"{'ULN' if column == 'uln' else 'The learner reference'} {values[column]} is "
                                  f"already on {other}: a centre keeps one record per {label}.", column,
                                  values[column], record_id)


class DuplicateRecord(Refused):
    """A ULN or learner reference that another record of the centre has."""

    def __init__(self, message: str, column: str, value: str, record_id: int | None):
        super().__init__(message)
        self.column, self.value, self.record_id = column, value, record_id


def _keep_attempt(db: Database, user: User, refused: DuplicateRecord) -> None:
    """A refused duplicate stays in the audit trail (duplicates are what funding returns trip on most)."""
    db.transact(user, lambda writer: writer.audit(
        "learner_record_duplicate_refused", "learner_record", refused.record_id, None,
        {"field": refused.column, "value": refused.value, "message": str(refused)}))


@writes_centre_data(probes={"programme_id": "programme"})
def enrol(db: Database, user: User, programme_id: int, learner_ids: list[int], now: datetime | None = None) -> list[int]:
    """Records for these learners (registered at the centre on the programme's qualification), prefilled from the
    programme's template; all or none."""
    require_role(user, (CENTRE,), CENTRE_ONLY)
    if not learner_ids:
        raise Refused("Choose the learners to enrol.")
    now = now or datetime.now()

    def work(writer: Writer) -> list[int]:
        programme = writer.execute(
            f"""SELECT qualification_code, name, {', '.join(TEMPLATE_FIELDS)} FROM programmes
                WHERE id = ? AND centre_id = ?""", [programme_id, user.centre_id]).fetchone()
        if programme is None:
            raise NotFound(f"There is no programme {programme_id} at your centre.")
        created = []
        for learner_id in sorted(set(learner_ids)):
            learner = writer.execute(
                """SELECT l.first_name, l.last_name, l.enr FROM learners l JOIN registrations g
                   ON g.learner_id = l.id AND g.qualification_code = ? WHERE l.id = ? AND l.centre_id = ?""",
                [programme[0], learner_id, user.centre_id]).fetchone()
            if learner is None:
                raise NotFound(f"Learner {learner_id} is not registered at your centre on {programme[0]}.")
            existing = writer.execute("""SELECT r.id, p.name FROM learner_records r JOIN programmes p
                                         ON p.id = r.programme_id WHERE r.centre_id = ? AND r.learner_id = ?""",
                                      [user.centre_id, learner_id]).fetchone()
            if existing:
                raise Refused(f"{learner[0]} {learner[1]} already has a learner record (record {existing[0]}, "
                              f"{existing[1]}): a centre keeps one record a learner.")
            values = {name: None for name in BY_NAME} | {
                "first_name": learner[0], "last_name": learner[1], "uln": ilr.TEMPORARY_ULN,
                "learn_ref": learner[2][:12]} | dict(zip(TEMPLATE_FIELDS, programme[2:]))
            _refuse_duplicates(db, writer, user, None, values)
            record_id = writer.execute("SELECT nextval('seq_learner_records')").fetchone()[0]
            writer.execute(
                f"""INSERT INTO learner_records (id, centre_id, programme_id, learner_id, search_name, status,
                        version, last_edited_by, updated_at, {COLUMNS})
                    VALUES (?, ?, ?, ?, ?, 'newly_submitted', 1, ?, ?, {', '.join('?' for _ in FIELDS)})""",
                [record_id, user.centre_id, programme_id, learner_id, f"{learner[0]} {learner[1]}".lower(), user.id,
                 now, *(values[field.name] for field in FIELDS)])
            _version(writer, user, record_id, 1, "Enrolled on " + programme[1], {}, now)
            created.append(record_id)
        writer.audit("learners_enrolled", "programme", programme_id, None, {"records": created})
        return created

    try:
        return db.transact(user, work)
    except DuplicateRecord as refused:
        _keep_attempt(db, user, refused)
        raise


def _version(writer: Writer, user: User, record_id: int, version: int, reason: str, changes: dict,
             now: datetime) -> None:
    writer.execute(f"""INSERT INTO learner_record_versions SELECT id, ?, ?, ?, ?, ?, {SNAPSHOT_SQL[writer.dialect]}
                       FROM learner_records WHERE id = ?""",
                   [version, now, user.id, reason, json.dumps(changes, default=str), record_id])


def _current(writer: Writer, user: User, record_id: int) -> dict:
    frame = writer.execute("""SELECT r.*, p.allow_sign_without_verification FROM learner_records r
                               JOIN programmes p ON p.id = r.programme_id
                               WHERE r.id = ? AND r.centre_id = ?""", [record_id, user.centre_id]).df()
    if frame.empty:
        raise NotFound(f"There is no learner record {record_id} at your centre.")
    return frame.astype(object).where(frame.notna(), None).iloc[0].to_dict()


def _comparable(name: str, value):
    return as_stored(name, value) if name in JSON_FIELDS else value


@writes_centre_data(probes={"record_id": "learner_record"})
def edit_record(db: Database, user: User, record_id: int, changes: dict, reason: str, expected_version: int,
                today: date | None = None, now: datetime | None = None) -> int:
    """Change some fields of a record as one new version; returns the version. A record signed already goes back
    for signature, saying why; an aim reference changed after the funding qualifying period needs a reason."""
    require_role(user, (CENTRE,), CENTRE_ONLY)
    typed = {name: cleaned(name, value) for name, value in changes.items()}
    reason = check_text(reason or "", "reason").strip()
    now = now or datetime.now()
    today = today or now.date()

    def work(writer: Writer) -> int:
        row = _current(writer, user, record_id)
        if int(row["version"]) != expected_version:
            raise Refused(f"Record {record_id} was changed by someone else a moment ago (it is now at version "
                          f"{row['version']}): reload it and make your change again.")
        before = _snapshot_values(row)
        after = before | typed
        changed = {name: [before[name], after[name]] for name in typed
                   if _comparable(name, before[name]) != _comparable(name, after[name])}
        if not changed:
            raise Refused("Nothing has changed.")
        found = problems(after, today)
        if found:
            raise Refused(found[0])
        if "aims" in changed and _aim_refs(before["aims"]) != _aim_refs(after["aims"]) and \
                ilr.past_qualifying_period(after["start_date"], after["planned_end_date"], today) and len(reason) < 10:
            raise Refused("The learning aims' references changed after the funding qualifying period: say why (10 "
                          "characters at least), as the funding return will be asked.")
        _refuse_duplicates(db, writer, user, record_id, after)
        version = int(row["version"]) + 1
        status, status_reason = row["status"], row["status_reason"]
        if status in SIGNED_STATUSES:
            status = "signature_required"
            status_reason = (f"Edited after it was signed ({', '.join(BY_NAME[n].label for n in changed)}) by "
                             f"{user.name} on {now:%d/%m/%Y}: {reason or 'no reason given'}. The learner signs "
                             "again.")
        own = sorted(set(_listed(row["own_fields"])) | (set(changed) & set(TEMPLATE_FIELDS)))
        assignments = ", ".join(f"{name} = ?" for name in changed)
        writer.execute(
            f"""UPDATE learner_records SET {assignments}, search_name = ?, own_fields = ?, version = ?, status = ?,
                    status_reason = ?, last_edited_by = ?, updated_at = ?,
                    qa_by = CASE WHEN ? = 'signature_required' THEN NULL ELSE qa_by END
                WHERE id = ? AND version = ?""",
            [*(as_stored(name, after[name]) for name in changed),
             f"{after['first_name']} {after['last_name']}".lower(), own, version, status, status_reason, user.id,
             now, status, record_id, expected_version])
        _version(writer, user, record_id, version, reason or "Edited", {
            name: [display(name, old), display(name, new)] for name, (old, new) in changed.items()}, now)
        writer.audit("learner_record_edited", "learner_record", record_id, {"version": version - 1},
                     {"version": version, "fields": sorted(changed), "status": status})
        return version

    try:
        return db.transact(user, work)
    except DuplicateRecord as refused:
        _keep_attempt(db, user, refused)
        raise


def _aim_refs(aims: list[dict] | None) -> list[str]:
    return sorted(str(aim.get("ref")) for aim in aims or [])


MOVES = {  # action: (from, to, label)
    "verify": ("newly_submitted", "newly_submitted", "Verified"),
    "request_signature": ("newly_submitted", "signature_required", "Sent for the learner's signature"),
    "sign": ("signature_required", "signed", "Signed by the learner"),
    "qa_verify": ("signed", "qa_verified", "QA verified"),
    "complete": ("qa_verified", "completed", "Completed"),
}


@writes_centre_data(probes={"record_id": "learner_record"})
def move_record(db: Database, user: User, record_id: int, action: str, expected_version: int,
                signed_on: date | None = None, signed_how: str | None = None, now: datetime | None = None) -> str:
    """Move a record on (see MOVES); returns its status. Learners have no accounts: the centre records when and how
    the learner signed."""
    require_role(user, (CENTRE,), CENTRE_ONLY)
    if action not in MOVES:
        raise Refused(f"There is no step {action!r}.")
    now = now or datetime.now()
    if action == "sign":
        if signed_how not in SIGNED_HOW:
            raise Refused("Say how the learner signed.")
        if signed_on is None or signed_on > now.date():
            raise Refused("Give the date the learner signed (today or earlier).")

    def work(writer: Writer) -> str:
        row = _current(writer, user, record_id)
        if int(row["version"]) != expected_version:
            raise Refused(f"Record {record_id} was changed by someone else a moment ago: reload it.")
        source, target, label = MOVES[action]
        if row["status"] != source:
            raise Refused(f"Record {record_id} is {STATUSES[row['status']]}: it cannot be {label.lower()} now.")
        if action == "verify" and row["verified_by"] is not None:
            raise Refused(f"Record {record_id} has been verified already.")
        if action == "request_signature" and row["verified_by"] is None and not row["allow_sign_without_verification"]:
            raise Refused("A centre user verifies the record before the learner signs it (the programme's template "
                          "does not allow signing without verification).")
        if action == "qa_verify" and int(row["last_edited_by"]) == user.id:
            raise Refused("QA verification is done by someone other than the last person who edited the record.")
        if action in ("request_signature", "sign"):
            found = problems(_snapshot_values(row), now.date())
            if found:
                raise Refused(f"The record cannot go for signature yet: {found[0]}")
        if action == "qa_verify":
            found = return_problems(_snapshot_values(row), now.date())
            if found:
                raise Refused(f"QA verification passes a record to the funding return, which cannot take it yet: "
                              f"{found[0]}")
        version = int(row["version"]) + 1
        extra = {"verify": "verified_by = ?, verified_at = ?", "sign": "signed_on = ?, signed_how = ?",
                 "qa_verify": "qa_by = ?, qa_at = ?"}.get(action)
        extra_params = {"verify": [user.id, now], "sign": [signed_on, signed_how], "qa_verify": [user.id, now]}.get(
            action, [])
        writer.execute(
            f"""UPDATE learner_records SET status = ?, version = ?, updated_at = ?,
                    status_reason = CASE WHEN ? = 'signed' THEN NULL ELSE status_reason END{', ' + extra if extra else ''}
                WHERE id = ? AND version = ?""",
            [target, version, now, target, *extra_params, record_id, expected_version])
        detail = f"{label}" + (f" on {signed_on:%d/%m/%Y} ({signed_how.lower()})" if action == "sign" else "")
        _version(writer, user, record_id, version, detail,
                 {"status": [STATUSES[source], STATUSES[target]]} if source != target else {"verified": ["", "Yes"]},
                 now)
        writer.audit(f"learner_record_{action}", "learner_record", record_id, {"status": source}, {"status": target})
        return target

    return db.transact(user, work)


@reads_centre_data(probes={"record_id": "learner_record"})
def versions(db: Database, user: User, record_id: int) -> pd.DataFrame:
    """Every version of the record, newest first: who, when, what changed and why."""
    require_role(user, READERS, CENTRE_ONLY)
    scope, params = centre_scope(user, "r.centre_id")
    frame = db.query_df(
        f"""SELECT v.version AS "Version", v.changed_at AS "When", coalesce(u.name, '?') AS "By",
                   v.reason AS "Why", CAST(v.changes AS VARCHAR) AS changes
            FROM learner_record_versions v JOIN learner_records r ON r.id = v.record_id
            LEFT JOIN users u ON u.id = v.changed_by
            WHERE v.record_id = ? AND {scope} ORDER BY v.version DESC""", [record_id, *params])
    frame["What changed"] = [_describe(json.loads(changes)) for changes in frame.pop("changes")]
    return frame


def _describe(changes: dict) -> str:
    parts = []
    for name, (before, after) in changes.items():
        label = BY_NAME[name].label if name in BY_NAME else name.capitalize()
        shown_before = before if isinstance(before, str) else display(name, before)
        shown_after = after if isinstance(after, str) else display(name, after)
        parts.append(f"{label}: {shown_before or '(empty)'} → {shown_after or '(empty)'}")
    return "; ".join(parts) or "Record created"


@reads_centre_data(probes={"record_id": "learner_record"})
def compare_versions(db: Database, user: User, record_id: int, first: int = 1, second: int = 2) -> pd.DataFrame:
    """Two versions side by side, field by field, with the fields that differ marked."""
    require_role(user, READERS, CENTRE_ONLY)
    scope, params = centre_scope(user, "r.centre_id")
    rows = dict(db.query_all(
        f"""SELECT v.version, CAST(v.snapshot AS VARCHAR) FROM learner_record_versions v
            JOIN learner_records r ON r.id = v.record_id
            WHERE v.record_id = ? AND v.version IN (?, ?) AND {scope}""", [record_id, first, second, *params]))
    missing = [number for number in (first, second) if number not in rows]
    if missing:
        raise NotFound(f"Record {record_id} has no version {missing[0]}.")
    left, right = json.loads(rows[first]), json.loads(rows[second])
    table = []
    for field in FIELDS:
        a = _from_snapshot(field.name, left.get(field.name))
        b = _from_snapshot(field.name, right.get(field.name))
        table.append({"Part": field.part, "Field": field.label, f"Version {first}": display(field.name, a),
                      f"Version {second}": display(field.name, b),
                      "Changed": "Yes" if display(field.name, a) != display(field.name, b) else ""})
    return pd.DataFrame(table)


def _from_snapshot(name: str, value):
    if value is None:
        return None
    if BY_NAME[name].kind == "date":
        return date.fromisoformat(value)
    if name in JSON_FIELDS:
        return from_stored(name, value if isinstance(value, str) else json.dumps(value))
    return value


@reads_centre_data(probes={"programme_id": "programme"})
def enrolable_learners(db: Database, user: User, programme_id: int) -> pd.DataFrame:
    """The centre's learners registered on the programme's qualification who have no learner record yet."""
    require_role(user, (CENTRE,), CENTRE_ONLY)
    return db.query_df(
        """SELECT l.id AS "Learner ID", l.enr AS "ENR", l.first_name || ' ' || l.last_name AS "Learner",
                  g.registered_on AS "Registered", g.expires_on AS "Registration expiry"
           FROM programmes p JOIN registrations g ON g.qualification_code = p.qualification_code
           JOIN learners l ON l.id = g.learner_id AND l.centre_id = p.centre_id
           WHERE p.id = ? AND p.centre_id = ?
             AND NOT EXISTS (SELECT 1 FROM learner_records r WHERE r.centre_id = p.centre_id AND r.learner_id = l.id)
           ORDER BY l.last_name, l.first_name""", [programme_id, user.centre_id])
