"""Malpractice cases: a quality check that rejects for suspected plagiarism or malpractice, or an assessor who
flags it while marking, opens a case for quality. The case moves open → investigating → closed with an outcome
(no case, learner malpractice, centre malpractice), with a note at every step. While it is open, nothing of the
item is released or claimed. Centres never see a case: their Tracker says the item is under review and that a
separate report will follow."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from lib.errors import Refused
from lib.rules.holds import REVIEW_CLOSED, UNDER_REVIEW
from lib.rules.roles import ASSESSMENT_TEAM, ASSESSOR, QUALITY, User
from lib.rules.text import check_text
from lib.store.db import Database, Writer
from lib.store.scope import NotFound, reads_centre_data, require_role, writes_centre_data

CASE_READERS = (QUALITY, ASSESSMENT_TEAM)
STATUS_LABELS = {"open": "Open", "investigating": "Investigating", "closed": "Closed"}
# Notes written in one transaction share their time: the order they were written in breaks the tie.
INSERTION_ORDER = {"duckdb": "n.rowid", "postgres": "n.ctid"}
OUTCOMES = {"no_case": "No case", "learner_malpractice": "Learner malpractice",
            "centre_malpractice": "Centre malpractice"}
def _concern(text: str) -> str:
    concern = check_text(text, "concern")
    if len(concern) < 10:
        raise Refused("Say what was found (the sources matched, the passages, why it looks like malpractice): quality "
                      "reads this when it opens the case.")
    return concern


@writes_centre_data(probes={"item_id": "submission"})
def open_case(writer: Writer, user: User, item_id: int, raised_in: str, concern: str, now: datetime) -> int:
    """Open a case on the item, in the caller's transaction (with the rejection or the flag that raised it)."""
    require_role(user, (ASSESSMENT_TEAM, ASSESSOR), "Cases are opened by a quality check or by the marking assessor.")
    case_id = writer.execute("SELECT nextval('seq_malpractice_cases')").fetchone()[0]
    writer.execute("""INSERT INTO malpractice_cases (id, submission_id, raised_in, concern, status, opened_at,
                          opened_by, updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?)""",
                   [case_id, item_id, raised_in, concern, now, user.id, now])
    writer.execute("INSERT INTO malpractice_notes VALUES (?, ?, ?, NULL, 'open', ?)", [case_id, now, user.id, concern])
    writer.audit("malpractice_case_opened", "malpractice_case", case_id, None,
                 {"submission_id": item_id, "raised_in": raised_in})
    return case_id


@writes_centre_data(probes={"item_id": "submission"})
def flag_while_marking(db: Database, user: User, item_id: int, concern: str, now: datetime | None = None) -> int:
    """An assessor flags suspected malpractice on an item allocated to them: a case opens and the item is held."""
    require_role(user, (ASSESSOR,), "Only the assessor marking an item flags it while marking.")
    concern = _concern(concern)
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        mine = writer.execute("SELECT 1 FROM submissions WHERE id = ? AND assessor_id = ? AND stage = 'allocated'",
                              [item_id, user.id]).fetchone()
        if mine is None:
            raise NotFound(f"Item {item_id} is not in your marking queue.")
        return open_case(writer, user, item_id, "marking", concern, now)

    return db.transact(user, work)


@reads_centre_data()
def cases(db: Database, user: User, include_closed: bool = False) -> pd.DataFrame:
    """Every case (open ones first, newest first), with its item, centre, learner and status."""
    require_role(user, CASE_READERS, "Malpractice cases are for quality and the assessment team.")
    frame = db.query_df(
        """SELECT m.id AS "Case", m.submission_id AS "Item", c.number AS "Centre", c.name AS "Centre name",
                  l.first_name || ' ' || l.last_name AS "Learner", s.unit_codes AS "Unit(s)",
                  CASE m.raised_in WHEN 'quality_check' THEN 'Quality check' ELSE 'Marking' END AS "Raised in",
                  m.status, m.outcome, CAST(m.opened_at AS DATE) AS "Opened", CAST(m.updated_at AS DATE) AS "Updated"
           FROM malpractice_cases m JOIN submissions s ON s.id = m.submission_id
           JOIN centres c ON c.id = s.centre_id JOIN learners l ON l.id = s.learner_id
           WHERE ? OR m.status <> 'closed'
           ORDER BY m.status = 'closed', m.opened_at DESC, m.id DESC""", [include_closed])
    frame.insert(7, "Status", frame.pop("status").map(STATUS_LABELS))
    frame.insert(8, "Outcome", frame.pop("outcome").map(OUTCOMES).fillna(""))
    return frame


@reads_centre_data(probes={"case_id": "malpractice_case"})
def case_detail(db: Database, user: User, case_id: int) -> tuple[dict, pd.DataFrame]:
    """The case (its item, concern, status) and its notes, oldest first."""
    require_role(user, CASE_READERS, "Malpractice cases are for quality and the assessment team.")
    row = db.query_one("""SELECT m.submission_id, m.concern, m.status, m.outcome, u.name
                          FROM malpractice_cases m LEFT JOIN users u ON u.id = m.opened_by WHERE m.id = ?""",
                       [case_id])
    if row is None:
        raise NotFound(f"There is no case {case_id}.")
    notes = db.query_df(
        f"""SELECT n.written_at AS "When", coalesce(u.name, '?') AS "By", n.from_status AS "From",
                  n.to_status AS "To", n.note AS "Note"
           FROM malpractice_notes n LEFT JOIN users u ON u.id = n.written_by
           WHERE n.case_id = ? ORDER BY n.written_at, {INSERTION_ORDER[db.dialect]}""", [case_id])
    item_id, concern, status, outcome, opened_by = row
    return {"case_id": case_id, "item_id": int(item_id), "concern": concern, "status": status, "outcome": outcome,
            "opened_by": opened_by}, notes


@writes_centre_data(probes={"case_id": "malpractice_case"})
def follow_up_case(db: Database, user: User, case_id: int, to_status: str, note: str, outcome: str | None = None,
                   now: datetime | None = None) -> None:
    """Quality moves a case on (open → investigating → closed with an outcome), or adds a note only."""
    require_role(user, (QUALITY,), "Only the quality team follows up malpractice cases.")
    note = check_text(note, "note")
    if len(note) < 5:
        raise Refused("Write a note: what was done or decided.")
    if to_status not in STATUS_LABELS:
        raise Refused(f"A case is open, investigating or closed, not {to_status!r}.")
    if (to_status == "closed") != (outcome is not None):
        raise Refused("Closing a case needs its outcome (no case, learner malpractice, centre malpractice); "
                      "only closing does.")
    if outcome is not None and outcome not in OUTCOMES:
        raise Refused(f"There is no outcome {outcome!r}.")
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        row = writer.execute("SELECT status FROM malpractice_cases WHERE id = ?", [case_id]).fetchone()
        if row is None:
            raise NotFound(f"There is no case {case_id}.")
        status = row[0]
        if status == "closed":
            raise Refused(f"Case {case_id} is closed. Refresh the page: someone may have closed it.")
        if to_status == "open" and status != "open":
            raise Refused(f"Case {case_id} is already being investigated.")
        writer.execute("UPDATE malpractice_cases SET status = ?, outcome = ?, updated_at = ? WHERE id = ?",
                       [to_status, outcome, now, case_id])
        if to_status == "closed":  # the centre no longer reads "under review" on its rejected item
            writer.execute("""UPDATE submissions SET rejection_reason = ? WHERE rejection_reason = ?
                              AND id = (SELECT submission_id FROM malpractice_cases WHERE id = ?)""",
                           [REVIEW_CLOSED, UNDER_REVIEW, case_id])
        writer.execute("INSERT INTO malpractice_notes VALUES (?, ?, ?, ?, ?, ?)",
                       [case_id, now, user.id, status, to_status, note])
        writer.audit("malpractice_case_followed_up", "malpractice_case", case_id, {"status": status},
                     {"status": to_status, "outcome": outcome})

    db.transact(user, work)
