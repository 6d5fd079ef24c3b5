"""Enquiries about results and appeals. A centre enquires once about a released item, for some of its units and
within a window after release; the assessment team gives it to a reviewer who neither marked nor sampled the item
and has no conflict with the centre; the reviewer confirms or changes each unit's result (a change comes with a new
mark, feedback and a re-issued result sheet). The centre may appeal the outcome once, to quality, whose decision is
final. A changed result updates the item, keeps the earlier one in the item's results history, refunds the unit's
enquiry fee (a setting) and corrects the Walled Garden claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from lib.centre.uploads import StagedFiles, Upload, transact_with_files
from lib.checks import accept
from lib.errors import Refused
from lib.rules.holds import open_case_condition
from lib.rules.roles import ASSESSMENT_TEAM, ASSESSOR, CENTRE, LEAD_ASSESSOR, QUALITY, User
from lib.rules.text import check_text
from lib.rules.workdays import add_working_days, working_days_between
from lib.service.claims_due import refresh_claims_due
from lib.service.marking import check_mark
from lib.service.settings import setting
from lib.service.sla import in_words
from lib.store.db import Database, Writer
from lib.store.files import MARKED_RESULT_SHEET, FileStore
from lib.store.scope import NotAllowed, NotFound, reads_centre_data, require_role, writes_centre_data

ENQUIRY, APPEAL = "enquiry", "appeal"
STATUS_LABELS = {"awaiting_reviewer": "Awaiting a reviewer", "in_review": "In review", "decided": "Outcome given",
                 "appealed": "Appealed", "final": "Final"}
OPEN_STATUSES = ("awaiting_reviewer", "in_review", "appealed")
REVIEWER_ROLES = (ASSESSOR, LEAD_ASSESSOR)
READERS = (CENTRE, ASSESSMENT_TEAM, QUALITY, *REVIEWER_ROLES)
MIN_REASON = 20


@dataclass(frozen=True)
class UnitDecision:
    """One unit's outcome: confirmed as it is, or changed to a new result with a mark, feedback and a re-issued
    marked result sheet; the note says why either way (the centre reads it)."""

    unit_code: str
    changed: bool
    note: str
    result: str | None = None
    mark: int | None = None
    feedback: str | None = None
    sheet: Upload | None = None


def _reason(text: str, what: str) -> str:
    reason = check_text(text, what)
    if len(reason) < MIN_REASON:
        raise Refused(f"Say why ({MIN_REASON} characters at least): which criteria, and why the result should "
                      "be looked at again. The reviewer reads it first.")
    return reason


def _scope(user: User) -> tuple[str, list]:
    """Which enquiries the user sees: a centre its own, a reviewer those given to them, the team and quality all."""
    if user.role == CENTRE:
        return "e.centre_id = ?", [user.centre_id]
    if user.role in REVIEWER_ROLES:
        return "e.reviewer_id = ?", [user.id]
    if user.role in (ASSESSMENT_TEAM, QUALITY):
        return "TRUE", []
    raise NotAllowed("Enquiries are for centres and ILM staff.")


# Released items the centre may still enquire about: its own, within the window, not re-submitted, not held and
# not enquired about already.
_ENQUIRABLE = f"""
    s.stage = 'released' AND s.centre_id = ? AND CAST(s.released_at AS DATE) >= ?
    AND NOT EXISTS (SELECT 1 FROM enquiries e WHERE e.submission_id = s.id)
    AND NOT EXISTS (SELECT 1 FROM submissions r WHERE r.resubmits_id = s.id)
    AND NOT {open_case_condition()}"""


def _window_start(db_or_writer, today: date) -> date:
    """The earliest release date still inside the enquiry window on today."""
    window = int(setting(db_or_writer, "enquiry_window_working_days"))
    earliest = today
    # Step back a day at a time: a window is a few weeks, so this stays short.
    while working_days_between(earliest - timedelta(days=1), today) <= window:
        earliest -= timedelta(days=1)
    return earliest


@reads_centre_data()
def enquirable_items(db: Database, user: User, today: date | None = None) -> pd.DataFrame:
    """The centre's released items it can still enquire about, the newest release first, with the last day."""
    require_role(user, (CENTRE,), "Only centres enquire about results.")
    today = today or date.today()
    window = int(setting(db, "enquiry_window_working_days"))
    frame = db.query_df(
        f"""SELECT s.id AS "ID", l.enr AS "ENR", l.first_name || ' ' || l.last_name AS "Learner",
                   s.unit_codes AS "Unit(s)", CASE WHEN s.result = 'Pass' THEN 'Completed' ELSE 'Referred' END
                   AS "Status", CAST(s.released_at AS DATE) AS "Released"
            FROM submissions s JOIN learners l ON l.id = s.learner_id
            WHERE {_ENQUIRABLE} ORDER BY s.released_at DESC, s.id DESC""",
        [user.centre_id, _window_start(db, today)])
    frame["Enquire by"] = [add_working_days(day, window) for day in frame["Released"]]
    return frame


def _check_enquirable(writer: Writer, user: User, item_id: int, units: list[str] | None, today: date) -> None:
    """Raise NotFound or Refused saying why the centre cannot enquire about these units of item_id today (any of
    its units when units is None)."""
    row = writer.execute("SELECT stage, unit_codes, CAST(released_at AS DATE) FROM submissions "
                         "WHERE id = ? AND centre_id = ?", [item_id, user.centre_id]).fetchone()
    if row is None:
        raise NotFound(f"There is no item {item_id} at your centre.")
    stage, item_units, released = row
    if stage != "released":
        raise Refused(f"Item {item_id} has no released result to enquire about.")
    unknown = sorted(set(units or ()) - set(item_units.split(", ")))
    if unknown:
        raise Refused(f"Unit {', '.join(unknown)} is not part of item {item_id}.")
    if writer.execute("SELECT 1 FROM enquiries WHERE submission_id = ?", [item_id]).fetchone():
        raise Refused(f"Item {item_id} already has an enquiry: follow it on Enquiries and appeals.")
    if writer.execute("SELECT 1 FROM submissions WHERE resubmits_id = ?", [item_id]).fetchone():
        raise Refused(f"Item {item_id} has been re-submitted: the re-submission is marked afresh instead.")
    if writer.execute(f"SELECT {open_case_condition('?')}", [item_id]).fetchone()[0]:
        raise Refused(f"Item {item_id} is under review: ILM will send you a separate report.")
    if released < _window_start(writer, today):
        window = int(setting(writer, "enquiry_window_working_days"))
        raise Refused(f"The enquiry window for item {item_id} closed on "
                      f"{add_working_days(released, window):%d/%m/%Y} ({window} working days after release).")


@reads_centre_data(probes={"item_id": "submission"})
def enquiry_refusal(db: Database, user: User, item_id: int, today: date | None = None) -> str | None:
    """Why the centre cannot enquire about item_id today, or None when it can: the Tracker disables Enquire with
    it. Another centre's item is NotFound, as it is to the enquiry itself."""
    require_role(user, (CENTRE,), "Only centres enquire about results.")
    with db.checking() as writer:
        try:
            _check_enquirable(writer, user, item_id, None, today or date.today())
        except Refused as refused:
            return str(refused)
    return None


@writes_centre_data(probes={"item_id": "submission"})
def raise_enquiry(db: Database, user: User, item_id: int, unit_codes: list[str], reason: str,
                  now: datetime | None = None) -> int:
    """The centre enquires about some units of one released item; the enquiry fee is billed with the weekly run."""
    require_role(user, (CENTRE,), "Only centres enquire about results.")
    reason = _reason(reason, "reason")
    units = sorted(set(unit_codes))
    if not units:
        raise Refused("Choose the units you are enquiring about.")
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        _check_enquirable(writer, user, item_id, units, now.date())
        enquiry_id = writer.execute("SELECT nextval('seq_enquiries')").fetchone()[0]
        writer.execute("""INSERT INTO enquiries (id, submission_id, centre_id, reason, raised_at, raised_by, status)
                          VALUES (?, ?, ?, ?, ?, ?, 'awaiting_reviewer')""",
                       [enquiry_id, item_id, user.centre_id, reason, now, user.id])
        writer.execute("INSERT INTO enquiry_units SELECT ?, unnest(CAST(? AS VARCHAR[]))", [enquiry_id, units])
        writer.audit("enquiry_raised", "submission", item_id, None, {"enquiry": enquiry_id, "units": units})
        return enquiry_id

    return db.transact(user, work)


def _due(frame: pd.DataFrame, db: Database) -> list[date | None]:
    assign, decide, appeal = (int(setting(db, key)) for key in (
        "enquiry_assign_working_days", "enquiry_target_working_days", "appeal_target_working_days"))
    due = []
    for status, raised, appealed in zip(frame["status"], frame["Raised"], frame["appealed_at"]):
        if status == "awaiting_reviewer":
            due.append(add_working_days(raised, assign))
        elif status == "in_review":
            due.append(add_working_days(raised, decide))
        elif status == "appealed":
            due.append(add_working_days(appealed, appeal))
        else:
            due.append(None)
    return due


@reads_centre_data()
def enquiries(db: Database, user: User, open_only: bool = False, today: date | None = None) -> pd.DataFrame:
    """The enquiries the user sees (see _scope), the ones waiting first, each with its stage's due date. Waiting:
    for a reviewer, those waiting for their outcome; for everyone else, any stage not yet decided."""
    waiting = ("in_review",) if user.role in REVIEWER_ROLES else OPEN_STATUSES
    frame = _listing(db, *_scope(user), waiting if open_only else None, today)
    if user.is_centre:
        frame = frame.drop(columns=["Reviewer", "Centre", "Centre name"])
    return frame


def _listing(db: Database, scope: str, params: list, statuses: tuple[str, ...] | None,
             today: date | None) -> pd.DataFrame:
    frame = db.query_df(
        f"""SELECT e.id AS "Enquiry", e.submission_id AS "Item", c.number AS "Centre", c.name AS "Centre name",
                   l.first_name || ' ' || l.last_name AS "Learner",
                   (SELECT string_agg(unit_code, ', ' ORDER BY unit_code) FROM enquiry_units u
                    WHERE u.enquiry_id = e.id) AS "Units enquired",
                   e.status, coalesce(r.name, '') AS "Reviewer", CAST(e.raised_at AS DATE) AS "Raised",
                   CAST(e.appealed_at AS DATE) AS appealed_at,
                   (SELECT count(*) FILTER (WHERE o.changed) FROM enquiry_outcomes o WHERE o.enquiry_id = e.id)
                   AS changed
            FROM enquiries e JOIN submissions s ON s.id = e.submission_id JOIN centres c ON c.id = e.centre_id
            JOIN learners l ON l.id = s.learner_id LEFT JOIN users r ON r.id = e.reviewer_id
            WHERE {scope} AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], e.status))
            ORDER BY e.status NOT IN ('awaiting_reviewer', 'in_review', 'appealed'), e.raised_at, e.id""",
        [*params, statuses, statuses])
    today = today or date.today()
    due = _due(frame, db)
    frame["Stage due"] = due
    frame["Time left"] = ["" if day is None else in_words(working_days_between(today, day)) for day in due]
    frame.insert(6, "Status", frame["status"].map(STATUS_LABELS))
    frame.insert(7, "Outcome", [
        "" if status in ("awaiting_reviewer", "in_review") else
        (f"{changed} unit(s) changed" if changed else "Confirmed") for status, changed in
        zip(frame["status"], frame["changed"])])
    return frame.drop(columns=["status", "appealed_at", "changed"])


def _reviewer_problem(cursor_or_writer, reviewer_id: int, enquiry_id: int) -> str | None:
    """Why this person cannot review this enquiry, or None."""
    row = cursor_or_writer.execute(
        """SELECT u.name, u.role, u.status,
                   s.assessor_id = u.id OR EXISTS (SELECT 1 FROM submission_units su WHERE su.submission_id = s.id
                                                   AND su.marked_by = u.id) AS marked,
                   EXISTS (SELECT 1 FROM sampling p WHERE p.submission_id = s.id AND p.decided_by = u.id) AS sampled,
                   (SELECT k.reason FROM conflicts_of_interest k WHERE k.assessor_id = u.id
                    AND k.centre_id = s.centre_id) AS conflict
            FROM enquiries e JOIN submissions s ON s.id = e.submission_id, users u
            WHERE e.id = ? AND u.id = ?""", [enquiry_id, reviewer_id]).fetchone()
    if row is None:
        return "there is no such account"
    name, role, status, marked, sampled, conflict = row
    if role not in REVIEWER_ROLES or status != "active":
        return f"{name} is not an active assessor or lead assessor"
    if marked:
        return f"{name} marked this item"
    if sampled:
        return f"{name} sampled this item's marking"
    if conflict:
        return f"{name} has a conflict of interest with the centre ({conflict})"
    return None


@reads_centre_data(probes={"enquiry_id": "enquiry"})
def possible_reviewers(db: Database, user: User, enquiry_id: int) -> pd.DataFrame:
    """Assessors and lead assessors who may review the enquiry (not its marker or sampler, no conflict)."""
    require_role(user, (ASSESSMENT_TEAM,), "The assessment team gives enquiries to reviewers.")
    if db.query_one("SELECT 1 FROM enquiries WHERE id = ?", [enquiry_id]) is None:
        raise NotFound(f"There is no enquiry {enquiry_id}.")
    people = db.query_df("""SELECT id, name AS "Name", role FROM users WHERE role IN ('assessor', 'lead_assessor')
                            AND status = 'active' ORDER BY role DESC, name""")
    with db.cursor() as cursor:
        allowed = [_reviewer_problem(cursor, int(person), enquiry_id) is None for person in people["id"]]
    people = people[allowed].reset_index(drop=True)
    people["role"] = people["role"].map({ASSESSOR: "Assessor", LEAD_ASSESSOR: "Lead Assessor"})
    return people.rename(columns={"role": "Role"})


@writes_centre_data(probes={"enquiry_id": "enquiry"})
def assign_reviewer(db: Database, user: User, enquiry_id: int, reviewer_id: int, now: datetime | None = None) -> None:
    """Give the enquiry (or an appeal's predecessor still in review) to a reviewer with no part in the result."""
    require_role(user, (ASSESSMENT_TEAM,), "The assessment team gives enquiries to reviewers.")
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        row = writer.execute("SELECT status, submission_id, reviewer_id FROM enquiries WHERE id = ?",
                             [enquiry_id]).fetchone()
        if row is None:
            raise NotFound(f"There is no enquiry {enquiry_id}.")
        status, item_id, before = row
        if status not in ("awaiting_reviewer", "in_review"):
            raise Refused(f"Enquiry {enquiry_id} has its outcome already.")
        problem = _reviewer_problem(writer, reviewer_id, enquiry_id)
        if problem:
            raise Refused(f"Enquiry {enquiry_id} cannot go to this reviewer: {problem}.")
        writer.execute("""UPDATE enquiries SET status = 'in_review', reviewer_id = ?, assigned_at = ?
                          WHERE id = ? AND status = ?""", [reviewer_id, now, enquiry_id, status])
        writer.audit("enquiry_assigned", "submission", item_id, {"reviewer": before},
                     {"enquiry": enquiry_id, "reviewer": reviewer_id})

    db.transact(user, work)


@reads_centre_data(probes={"enquiry_id": "enquiry"})
def enquiry_detail(db: Database, user: User, enquiry_id: int) -> tuple[dict, pd.DataFrame]:
    """The enquiry (its item, reason, appeal) and each enquired unit's result now, with its mark and feedback."""
    scope, params = _scope(user)
    row = db.query_one(
        f"""SELECT e.submission_id, e.status, e.reason, e.appeal_reason, CAST(e.raised_at AS DATE),
                   CAST(e.decided_at AS DATE), c.number, c.name, l.first_name || ' ' || l.last_name, s.unit_codes
            FROM enquiries e JOIN submissions s ON s.id = e.submission_id JOIN centres c ON c.id = e.centre_id
            JOIN learners l ON l.id = s.learner_id WHERE e.id = ? AND {scope}""", [enquiry_id, *params])
    if row is None:
        raise NotFound(f"There is no enquiry {enquiry_id}.")
    keys = ("item_id", "status", "reason", "appeal_reason", "raised", "decided", "centre", "centre_name", "learner",
            "units")
    detail = dict(zip(keys, row)) | {"enquiry_id": enquiry_id}
    units = db.query_df(
        """SELECT u.unit_code AS "Unit", n.name AS "Title", su.result AS "Result", su.mark AS "Mark",
                  su.feedback AS "Feedback"
           FROM enquiry_units u JOIN enquiries e ON e.id = u.enquiry_id
           JOIN submission_units su ON su.submission_id = e.submission_id AND su.unit_code = u.unit_code
           JOIN units n ON n.code = u.unit_code WHERE u.enquiry_id = ? ORDER BY u.unit_code""", [enquiry_id])
    return detail, units


def _apply(writer: Writer, staged: StagedFiles, user: User, enquiry_id: int, item_id: int, stage: str,
           decisions: list[UnitDecision], sheets: dict, now: datetime) -> int:
    """Record each unit's outcome; a change rewrites the unit's result, its sheet, the item and the claims."""
    refund = bool(setting(writer, "enquiry_refund_when_changed"))
    changed = 0
    for decision in decisions:
        before_result, before_mark = writer.execute(
            "SELECT result, mark FROM submission_units WHERE submission_id = ? AND unit_code = ?",
            [item_id, decision.unit_code]).fetchone()
        after_result, after_mark = (decision.result, decision.mark) if decision.changed else (before_result,
                                                                                             before_mark)
        writer.execute("INSERT INTO enquiry_outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [enquiry_id, stage, decision.unit_code, decision.changed, before_result, before_mark,
                        after_result, after_mark, decision.note, decision.changed and refund, now, user.id])
        if not decision.changed:
            continue
        changed += 1
        writer.execute("UPDATE submission_units SET result = ?, mark = ?, feedback = ? WHERE submission_id = ? "
                       "AND unit_code = ?", [after_result, after_mark, decision.feedback.strip(), item_id,
                                              decision.unit_code])
        writer.execute("""UPDATE files SET removed_at = ? WHERE submission_id = ? AND unit_code = ?
                          AND kind = 'marked_result_sheet' AND removed_at IS NULL""",
                       [now, item_id, decision.unit_code])
        staged.put(writer, user, item_id, sheets[decision.unit_code], MARKED_RESULT_SHEET, decision.unit_code, now)
        _correct_claim(writer, user, item_id, decision.unit_code, before_result, after_result, now)
        writer.audit(f"{stage}_changed_result", "submission", item_id,
                     {"unit": decision.unit_code, "result": before_result, "mark": before_mark},
                     {"unit": decision.unit_code, "result": after_result, "mark": after_mark,
                      "enquiry": enquiry_id})
    if changed:
        writer.execute(
            """UPDATE submissions SET
                   result = (SELECT CASE WHEN bool_or(result = 'Referral') THEN 'Referral' ELSE 'Pass' END
                             FROM submission_units WHERE submission_id = ?),
                   mark = (SELECT CAST(round(avg(mark)) AS INTEGER) FROM submission_units WHERE submission_id = ?)
               WHERE id = ?""", [item_id, item_id, item_id])
        refresh_claims_due(writer, [item_id])
    return changed


def _correct_claim(writer: Writer, user: User, item_id: int, unit: str, before: str, after: str,
                   now: datetime) -> None:
    """A claimed pass that became a referral waits to be withdrawn on Walled Garden; a referral that became a
    pass again takes back a withdrawal not made yet, or else joins the passes to claim (the claims list)."""
    if before == "Pass" and after == "Referral":
        claim = writer.execute("DELETE FROM claims WHERE submission_id = ? AND unit_code = ? "
                               "RETURNING claimed_at, claimed_by", [item_id, unit]).fetchone()
        if claim:
            writer.execute("INSERT INTO claim_withdrawals VALUES (?, ?, ?, ?, ?, NULL, NULL)",
                           [item_id, unit, claim[0], claim[1], now])
    elif before == "Referral" and after == "Pass":
        waiting = writer.execute("""DELETE FROM claim_withdrawals WHERE submission_id = ? AND unit_code = ?
                                    AND withdrawn_at IS NULL RETURNING claimed_at, claimed_by""",
                                 [item_id, unit]).fetchone()
        if waiting:
            writer.execute("INSERT INTO claims VALUES (?, ?, ?, ?)", [item_id, unit, waiting[0], waiting[1]])


def _checked_decisions(decisions: list[UnitDecision]) -> tuple[list[UnitDecision], dict]:
    sheets, checked = {}, []
    for decision in decisions:
        note = check_text(decision.note or "", "note")
        if len(note) < 10:
            raise Refused(f"Unit {decision.unit_code}: say why the result stands or changes (the centre reads it).")
        if decision.changed:
            mark = check_mark(decision.result, decision.mark, decision.feedback)
            if decision.sheet is None:
                raise Refused(f"Unit {decision.unit_code}: attach the re-issued marked result sheet (Word .docx).")
            sheets[decision.unit_code] = accept.check_result_sheet(decision.sheet.name, decision.sheet.data)
            decision = UnitDecision(decision.unit_code, True, note, decision.result, mark, decision.feedback)
        else:
            decision = UnitDecision(decision.unit_code, False, note)
        checked.append(decision)
    return checked, sheets


def _decide(db: Database, store: FileStore, user: User, enquiry_id: int, decisions: list[UnitDecision],
            stage: str, now: datetime | None) -> int:
    decisions, sheets = _checked_decisions(decisions)
    now = now or datetime.now()
    waiting, to_status = ("in_review", "decided") if stage == ENQUIRY else ("appealed", "final")

    def work(writer: Writer, staged: StagedFiles) -> int:
        row = writer.execute("SELECT status, submission_id, reviewer_id FROM enquiries WHERE id = ?",
                             [enquiry_id]).fetchone()
        if row is None or (stage == ENQUIRY and row[2] != user.id):
            raise NotFound(f"Enquiry {enquiry_id} is not yours to review.")
        status, item_id, _ = row
        if status != waiting:
            raise Refused(f"Enquiry {enquiry_id} is now {STATUS_LABELS[status].lower()}: refresh the page, "
                          "someone may have decided it a moment ago.")
        if stage == ENQUIRY:
            problem = _reviewer_problem(writer, user.id, enquiry_id)
            if problem:
                raise Refused(f"You cannot review enquiry {enquiry_id}: {problem}.")
        units = [unit for (unit,) in writer.execute(
            "SELECT unit_code FROM enquiry_units WHERE enquiry_id = ? ORDER BY unit_code", [enquiry_id]).fetchall()]
        if sorted(d.unit_code for d in decisions) != units:
            raise Refused(f"Give an outcome for each unit enquired about: {', '.join(units)}.")
        changed = _apply(writer, staged, user, enquiry_id, item_id, stage, decisions, sheets, now)
        stamp = "decided_at = ?" if stage == ENQUIRY else "appeal_decided_at = ?, appeal_decided_by = ?"
        writer.execute(f"UPDATE enquiries SET status = ?, {stamp} WHERE id = ? AND status = ?",
                       [to_status, now, *([] if stage == ENQUIRY else [user.id]), enquiry_id, waiting])
        writer.audit(f"{stage}_decided", "submission", item_id, {"status": status},
                     {"enquiry": enquiry_id, "changed_units": changed})
        return changed

    return transact_with_files(db, store, user, work)


@writes_centre_data(probes={"enquiry_id": "enquiry"})
def decide_enquiry(db: Database, store: FileStore, user: User, enquiry_id: int, decisions: list[UnitDecision],
                   now: datetime | None = None) -> int:
    """The reviewer confirms or changes each enquired unit's result. Returns how many units changed."""
    require_role(user, REVIEWER_ROLES, "Enquiries are decided by the reviewer they were given to.")
    return _decide(db, store, user, enquiry_id, decisions, ENQUIRY, now)


@writes_centre_data(probes={"enquiry_id": "enquiry"})
def appeal(db: Database, user: User, enquiry_id: int, reason: str, now: datetime | None = None) -> None:
    """The centre appeals an enquiry's outcome, once, within the appeal window; quality decides."""
    require_role(user, (CENTRE,), "Only centres appeal an enquiry outcome.")
    reason = _reason(reason, "reason")
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        row = writer.execute("SELECT status, submission_id, decided_at, appealed_at FROM enquiries "
                             "WHERE id = ? AND centre_id = ?", [enquiry_id, user.centre_id]).fetchone()
        if row is None:
            raise NotFound(f"There is no enquiry {enquiry_id} at your centre.")
        status, item_id, decided_at, appealed_at = row
        if appealed_at is not None:
            raise Refused(f"Enquiry {enquiry_id} has been appealed already: an outcome is appealed once.")
        if status != "decided":
            raise Refused(f"Enquiry {enquiry_id} has no outcome yet to appeal.")
        # As for an enquiry: once re-submitted, the re-submission is marked afresh, and an appeal would leave its
        # re-assessment charge live on an item the appeal might pass.
        if writer.execute("SELECT 1 FROM submissions WHERE resubmits_id = ?", [item_id]).fetchone():
            raise Refused(f"Item {item_id} has been re-submitted since the enquiry's outcome: the re-submission is "
                          "marked afresh, so the outcome can no longer be appealed.")
        window = int(setting(writer, "appeal_window_working_days"))
        last_day = add_working_days(decided_at, window)
        if now.date() > last_day:
            raise Refused(f"The appeal window for enquiry {enquiry_id} closed on {last_day:%d/%m/%Y} ({window} "
                          "working days after its outcome).")
        updated = writer.execute("""UPDATE enquiries SET status = 'appealed', appeal_reason = ?, appealed_at = ?,
                                        appealed_by = ? WHERE id = ? AND status = 'decided' RETURNING id""",
                                 [reason, now, user.id, enquiry_id]).fetchall()
        if not updated:
            raise Refused(f"Enquiry {enquiry_id} was appealed a moment ago.")
        writer.audit("appeal_raised", "submission", item_id, {"status": status}, {"enquiry": enquiry_id})

    db.transact(user, work)


@writes_centre_data(probes={"enquiry_id": "enquiry"})
def decide_appeal(db: Database, store: FileStore, user: User, enquiry_id: int, decisions: list[UnitDecision],
                  now: datetime | None = None) -> int:
    """Quality's final decision on an appeal, per enquired unit. Returns how many units changed."""
    require_role(user, (QUALITY,), "Appeals are decided by the quality team.")
    return _decide(db, store, user, enquiry_id, decisions, APPEAL, now)


@reads_centre_data(probes={"item_id": "submission"})
def results_history(db: Database, user: User, item_id: int) -> pd.DataFrame:
    """Each unit's result as released and after every enquiry or appeal outcome, oldest first (empty when the
    result never went to an enquiry)."""
    scope, params = _scope(user)
    return db.query_df(
        f"""SELECT o.decided_at AS "When", CASE o.stage WHEN 'enquiry' THEN 'Enquiry' ELSE 'Appeal' END AS "Stage",
                   o.unit_code AS "Unit", o.before_result || ' (' || o.before_mark || ')' AS "Before",
                   o.after_result || ' (' || o.after_mark || ')' AS "After",
                   CASE WHEN o.changed THEN 'Changed' ELSE 'Confirmed' END AS "Outcome", o.note AS "Why"
            FROM enquiry_outcomes o JOIN enquiries e ON e.id = o.enquiry_id
            WHERE e.submission_id = ? AND {scope} ORDER BY o.decided_at, o.stage = 'appeal', o.unit_code""",
        [item_id, *params])


@reads_centre_data()
def stage_clocks(db: Database, user: User, today: date | None = None) -> pd.DataFrame:
    """For the SLA dashboard: each stage's open enquiries or appeals, with how many are at risk or overdue."""
    require_role(user, (ASSESSMENT_TEAM, QUALITY, LEAD_ASSESSOR), "The SLA dashboard is for ILM staff.")
    today = today or date.today()
    at_risk = int(setting(db, "sla_at_risk_working_days"))
    frame = _listing(db, "TRUE", [], OPEN_STATUSES, today)  # the whole service's clocks, whoever watches them
    targets = {"Awaiting a reviewer": "enquiry_assign_working_days", "In review": "enquiry_target_working_days",
               "Appealed": "appeal_target_working_days"}
    rows = []
    for status, key in targets.items():
        due = frame.loc[frame["Status"] == status, "Stage due"]
        left = [working_days_between(today, day) for day in due]
        rows.append({"Stage": status, "Target (working days)": int(setting(db, key)), "Open": len(left),
                     "At risk": sum(0 <= days <= at_risk for days in left), "Overdue": sum(days < 0 for days in left)})
    return pd.DataFrame(rows)
