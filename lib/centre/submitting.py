"""Sending pending items to ILM (alone or as a named batch) and starting re-submissions from the Tracker."""

from __future__ import annotations

import re
from datetime import date, datetime

from lib.centre.first_submissions import check_many_first
from lib.centre.uploads import MISSING_SHEETS_SQL
from lib.errors import Refused
from lib.rules import workdays, workflow
from lib.rules.holds import open_case_condition, open_enquiry_condition
from lib.rules.roles import User
from lib.rules.status import REFERRED, REJECTED, centre_status
from lib.rules.text import check_batch_name
from lib.store.db import Database, Writer
from lib.store.scope import NotAllowed, NotFound, reads_centre_data, writes_centre_data

OLD_RECORD = ("You have already re-submitted this assessment. This is an old record. "
              "For further re-submissions, select the latest record on your Tracker.")
PURCHASE_ORDER = re.compile(r"\d{4,}")


def _category(writer: Writer, item_id: int, resubmits_id: int | None) -> str:
    if resubmits_id is None:
        return "New"
    stage, result = writer.execute("SELECT stage, result FROM submissions WHERE id = ?", [resubmits_id]).fetchone()
    status = centre_status(stage, result)
    if status == REJECTED:
        return "Updated"
    if status == REFERRED:
        return "Re-assessment"
    raise Refused(f"Item {item_id} re-submits record {resubmits_id}, which is {status}, not Rejected or Referred.")


def _check_ready(writer: Writer, user: User, item_id: int, today) -> tuple:
    row = writer.execute(
        f"""SELECT s.id, s.stage, s.resubmits_id, s.declaration, s.unit_codes, r.expires_on,
                   l.first_name || ' ' || l.last_name, {MISSING_SHEETS_SQL},
                   (SELECT count(*) FROM files f WHERE f.submission_id = s.id AND f.kind = 'evidence'
                    AND f.removed_at IS NULL)
            FROM submissions s JOIN learners l ON l.id = s.learner_id
            JOIN registrations r ON r.learner_id = s.learner_id AND r.qualification_code = s.qualification_code
            WHERE s.id = ? AND s.centre_id = ?""", [item_id, user.centre_id]).fetchone()
    if row is None:
        raise NotFound(f"There is no item {item_id} at your centre.")
    _, stage, resubmits_id, declaration, units, expires_on, learner, missing, evidence = row
    if stage != "pending":
        raise Refused(f"Item {item_id} ({learner}, {units}) has already been submitted: it was probably sent "
                      "from another tab or by a colleague. Nothing else was sent; refresh to see the Tracker.")
    if evidence == 0:
        raise Refused(f"Item {item_id} ({learner}, {units}) has no evidence files: add them in Pending Submission.")
    if missing:
        raise Refused(f"Item {item_id} ({learner}, {units}) has no result sheet for {missing} unit(s): "
                      "add it in Pending Submission before submitting.")
    if expires_on < today:
        raise Refused(f"The registration of {learner} expired on {expires_on:%d/%m/%Y}: renew it on Walled Garden "
                      f"before submitting item {item_id}.")
    if resubmits_id is None and declaration is None:
        raise Refused(f"Item {item_id} ({learner}, {units}) is a first submission and needs the learner's "
                      "authenticity declaration.")
    return row


@writes_centre_data()
def submit(db: Database, user: User, submission_ids: list[int], batch_name: str | None = None,
           quality_confirmed: bool = False, now: datetime | None = None,
           many_first_confirmed: bool = False) -> list[int]:
    """Send the selected pending items to ILM, all or none, fixing their category and SLA target.

    More than 10 items of a unit the centre has never submitted need many_first_confirmed (the policy's
    advice on first submissions)."""
    workflow.check("submit", user.role, "pending")
    if not submission_ids:
        raise Refused("Select at least one item to submit.")
    if not quality_confirmed:
        raise Refused("Confirm the quality of the submission before it is sent.")
    batch_name = check_batch_name(batch_name) if batch_name is not None else None
    now = now or datetime.now()
    ids = sorted(set(int(i) for i in submission_ids))

    def work(writer: Writer) -> list[int]:
        check_many_first(writer, user.centre_id, ids, many_first_confirmed)
        batch_id = None
        if batch_name:
            batch_id = writer.execute("SELECT nextval('seq_batches')").fetchone()[0]
            writer.execute("INSERT INTO batches (id, centre_id, name, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                           [batch_id, user.centre_id, batch_name, now, user.id])
            writer.audit("create_batch", "batch", batch_id, after={"name": batch_name})
        for item_id in ids:
            row = _check_ready(writer, user, item_id, now.date())
            category = _category(writer, item_id, row[2])
            if category == "Re-assessment" and not (batch_name and PURCHASE_ORDER.search(batch_name)):
                raise Refused(f"Item {item_id} is a Re-assessment, which is charged: submit it as a batch named "
                              "with your purchase order number, for example PO 2345678.")
            updated = writer.execute(
                """UPDATE submissions SET stage = 'submitted', category = ?, submitted_at = ?, submitted_by = ?,
                       received_on = ?, sla_target = ?, qc_due = ?, batch_id = ?
                   WHERE id = ? AND stage = 'pending' RETURNING id""",
                [category, now, user.id, workdays.received_on(now), workdays.sla_target(now),
                 workdays.quality_check_due(now), batch_id, item_id]).fetchall()
            if len(updated) != 1:
                raise Refused(f"Item {item_id} has already been submitted.")
            writer.audit("submit", "submission", item_id, before={"stage": "pending"},
                         after={"stage": "submitted", "category": category, "batch": batch_name,
                                "sla_target": workdays.sla_target(now)})
        return ids

    return db.transact(user, work)


def _check_resubmittable(writer: Writer, user: User, submission_id: int, today: date) -> tuple:
    """The item's learner, qualification, type, units and status when it may be re-submitted now; else NotFound or
    Refused saying why."""
    row = writer.execute(
        """SELECT s.id, s.stage, s.result, s.learner_id, s.qualification_code, s.type, s.unit_codes, r.expires_on
           FROM submissions s JOIN registrations r ON r.learner_id = s.learner_id
                AND r.qualification_code = s.qualification_code
           WHERE s.id = ? AND s.centre_id = ?""", [submission_id, user.centre_id]).fetchone()
    if row is None:
        raise NotFound(f"There is no item {submission_id} at your centre.")
    _, stage, result, learner_id, qualification, kind, units, expires_on = row
    latest = writer.execute("SELECT max(id) FROM submissions WHERE learner_id = ? AND unit_codes = ?",
                            [learner_id, units]).fetchone()[0]
    if latest != submission_id:
        raise Refused(OLD_RECORD)
    status = centre_status(stage, result)
    if status not in (REJECTED, REFERRED):
        raise Refused(f"Only Rejected or Referred items can be re-submitted; item {submission_id} is {status}.")
    if writer.execute(f"SELECT {open_case_condition('?')}", [submission_id]).fetchone()[0]:
        raise Refused(f"Item {submission_id} is under review: ILM will send you a separate report. It can be "
                      "re-submitted once the review is over.")
    if writer.execute(f"SELECT {open_enquiry_condition('?')}", [submission_id]).fetchone()[0]:
        raise Refused(f"Item {submission_id} has an enquiry or appeal waiting for its outcome: re-submit only "
                      "if the result stands.")
    if expires_on < today:
        raise Refused(f"The learner's registration expired on {expires_on:%d/%m/%Y}: renew it on Walled Garden "
                      "before re-submitting.")
    return learner_id, qualification, kind, units, status


@reads_centre_data(probes={"submission_id": "submission"})
def resubmission_refusal(db: Database, user: User, submission_id: int, today: date | None = None) -> str | None:
    """Why the centre cannot re-submit this item now, or None when it can: the Tracker disables Re-submit with it.
    Another centre's item is NotFound, as it is to the re-submission itself."""
    if not user.is_centre:
        raise NotAllowed("Only centre users re-submit assessments.")
    with db.checking() as writer:
        try:
            _check_resubmittable(writer, user, submission_id, today or date.today())
        except Refused as refused:
            return str(refused)
    return None


@writes_centre_data(probes={"submission_id": "submission"})
def start_resubmission(db: Database, user: User, submission_id: int, now: datetime | None = None) -> int:
    """A new pending record re-submitting a Rejected or Referred one; only the latest record may be used."""
    if not user.is_centre:
        raise NotAllowed("Only centre users re-submit assessments.")
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        learner_id, qualification, kind, units, status = _check_resubmittable(writer, user, submission_id, now.date())
        new_id = writer.execute("SELECT nextval('seq_submissions')").fetchone()[0]
        writer.execute(
            """INSERT INTO submissions (id, centre_id, learner_id, qualification_code, type, stage, resubmits_id,
                                        unit_codes, uploaded_at, uploaded_by)
               VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)""",
            [new_id, user.centre_id, learner_id, qualification, kind, submission_id, units, now, user.id])
        writer.execute("INSERT INTO submission_units (submission_id, unit_code) SELECT ?, unnest(string_split(?, ', '))",
                       [new_id, units])
        writer.audit("start_resubmission", "submission", new_id, after={"resubmits": submission_id, "was": status})
        return new_id

    return db.transact(user, work)
