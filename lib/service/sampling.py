"""Lead-assessor sampling: which marked items are checked before release, why, and the lead's decision."""

from __future__ import annotations

import random
from datetime import date, datetime

import pandas as pd

from lib.errors import Refused
from lib.rules.roles import LEAD_ASSESSOR, User
from lib.rules.text import check_text
from lib.service.queues import EVERYTHING, QueuePage, QueueSql, QueueView, read_queue
from lib.service.settings import setting
from lib.service.transitions import move
from lib.store.db import Database, Writer
from lib.store.scope import NotAllowed, NotFound, reads_centre_data, writes_centre_data


def reasons_for(writer: Writer, item_id: int, chance: random.Random) -> list[str]:
    """Why the rules pick this just-marked item for sampling; empty when they do not."""
    assessor_id, assessor, category, centre_id, units = writer.execute(
        """SELECT s.assessor_id, u.name, s.category, s.centre_id, s.unit_codes FROM submissions s
           JOIN users u ON u.id = s.assessor_id WHERE s.id = ?""", [item_id]).fetchone()
    reasons = []
    first_n = int(setting(writer, "sampling_first_markings"))
    earlier = writer.execute("SELECT count(*) FROM submissions WHERE assessor_id = ? AND marked_at IS NOT NULL "
                             "AND id <> ?", [assessor_id, item_id]).fetchone()[0]
    if earlier < first_n:
        reasons.append(f"one of {assessor}'s first {first_n} markings")
    if category == "Re-assessment":
        reasons.append("every re-assessment is sampled")
    for unit in units.split(", "):
        before = writer.execute(
            """SELECT count(*) FROM submissions s JOIN submission_units u ON u.submission_id = s.id
               WHERE s.centre_id = ? AND u.unit_code = ? AND s.marked_at IS NOT NULL AND s.id <> ?""",
            [centre_id, unit, item_id]).fetchone()[0]
        if before == 0:
            reasons.append(f"the centre's first submission of unit {unit}")
    if not reasons and chance.random() * 100 < setting(writer, "sampling_random_percent"):
        reasons.append("picked at random")
    return reasons


@writes_centre_data()
def after_marking(writer: Writer, user: User, item_id: int, now: datetime, chance: random.Random) -> str:
    """Apply the sampling rules to a just-marked item: to the lead assessor with its reasons, or ready."""
    marked_by_user = writer.execute("SELECT 1 FROM submissions WHERE id = ? AND stage = 'marked' AND assessor_id = ?",
                                    [item_id, user.id]).fetchone()
    if marked_by_user is None:
        raise NotFound(f"Item {item_id} is not one you have just marked.")
    reasons = reasons_for(writer, item_id, chance)
    if not reasons:
        return move(writer, user, item_id, "clear_unsampled")
    round_number = writer.execute("SELECT coalesce(max(round), 0) + 1 FROM sampling WHERE submission_id = ?",
                                  [item_id]).fetchone()[0]
    writer.execute("INSERT INTO sampling (submission_id, round, reasons, selected_at) VALUES (?, ?, ?, ?)",
                   [item_id, round_number, "; ".join(reasons), now])
    return move(writer, user, item_id, "sample", details={"reasons": reasons})


def _lead_only(user: User) -> None:
    if user.role != LEAD_ASSESSOR:
        raise NotAllowed("Only a lead assessor decides on sampled work.")


SAMPLING_QUEUE = QueueSql(
    columns=(("ID", "s.id"), ("Centre", "c.number"), ("Centre name", "c.name"),
             ("Learner", "l.first_name || ' ' || l.last_name"), ("Unit(s)", "s.unit_codes"), ("Category", "s.category"),
             ("Assessor", "a.name"), ("SLA Target", "s.sla_target"), ("Why sampled", "p.reasons"),
             ("centre_id", "s.centre_id")),
    source="submissions s JOIN sampling p ON p.submission_id = s.id AND p.decision IS NULL",
    where="s.stage = 'sampling'", joins="JOIN users a ON a.id = s.assessor_id")


@reads_centre_data()
def sampling_queue(db: Database, user: User, view: QueueView = EVERYTHING, today: date | None = None) -> QueuePage:
    """Marked items picked for sampling, with why, oldest SLA target first (a page of them as view asks); breached
    and at-risk items flagged."""
    _lead_only(user)
    return read_queue(db, SAMPLING_QUEUE, view, today or date.today(), int(setting(db, "sla_at_risk_working_days")))


@reads_centre_data(probes={"item_id": "submission"})
def unit_results(db: Database, user: User, item_id: int) -> pd.DataFrame:
    """Each unit of an item with the assessor's result, mark and feedback: what the lead agrees to or sends back."""
    _lead_only(user)
    return db.query_df(
        """SELECT u.unit_code AS "Unit", un.name AS "Title", u.result AS "Result", u.mark AS "Mark",
                  u.feedback AS "Feedback"
           FROM submission_units u LEFT JOIN units un ON un.code = u.unit_code
           WHERE u.submission_id = ? ORDER BY u.unit_code""", [item_id])


def _decide(writer: Writer, user: User, item_id: int, decision: str, note: str | None, now: datetime) -> None:
    writer.execute("""UPDATE sampling SET decision = ?, note = ?, decided_at = ?, decided_by = ?
                      WHERE submission_id = ? AND decision IS NULL""", [decision, note, now, user.id, item_id])


@writes_centre_data(probes={"item_id": "submission"})
def agree(db: Database, user: User, item_id: int, now: datetime | None = None) -> None:
    """The marking stands: the item is ready for release."""
    _lead_only(user)
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        move(writer, user, item_id, "agree")
        _decide(writer, user, item_id, "agreed", None, now)

    db.transact(user, work)


@writes_centre_data(probes={"item_id": "submission"})
def send_back(db: Database, user: User, item_id: int, note: str, now: datetime | None = None) -> None:
    """Back to the assessor with the lead's note; the item is marked again."""
    _lead_only(user)
    note = check_text(note, "note for the assessor")
    if len(note) < 5:
        raise Refused("Write the assessor a note saying what to look at again.")
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        move(writer, user, item_id, "send_back", "marked_at = NULL", details={"note": note})
        _decide(writer, user, item_id, "sent_back", note, now)

    db.transact(user, work)
