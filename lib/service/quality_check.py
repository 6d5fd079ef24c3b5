"""Quality check by the assessment team: submitted items oldest first; accept, or reject with a reason.

Word counts are guidance. Evidence over its units' guidance is a decision here, recorded with the check: accept
and agree the excess fee (per further 10,000 words, billed with the week of the check), or reject for a concise
re-submission at no cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lib.errors import Refused
from lib.rules.holds import UNDER_REVIEW
from lib.rules.roles import ASSESSMENT_TEAM, User
from lib.rules.text import check_text
from lib.service.malpractice import open_case
from lib.service.queues import EVERYTHING, QueuePage, QueueSql, QueueView, read_queue
from lib.service.settings import setting
from lib.service.transitions import move
from lib.store.db import Database, Writer
from lib.store.scope import NotAllowed, reads_centre_data, writes_centre_data


def _team_only(user: User) -> None:
    if user.role != ASSESSMENT_TEAM:
        raise NotAllowed("Only the ILM Assessment Team quality-checks submissions.")


def _qc_sql(today: date) -> QueueSql:
    return QueueSql(
        columns=(("ID", "s.id"), ("Centre", "c.number"), ("Centre name", "c.name"),
                 ("Submitted", "CAST(s.submitted_at AS DATE)"), ("QC due", "s.qc_due"),
                 ("Overdue", "CASE WHEN s.qc_due < ? THEN 'Overdue' ELSE '' END"), ("ENR", "l.enr"),
                 ("Learner", "l.first_name || ' ' || l.last_name"), ("Unit(s)", "s.unit_codes"), ("Type", "s.type"),
                 ("Category", "s.category"), ("SLA Target", "s.sla_target"), ("centre_id", "s.centre_id")),
        column_params=(today,), source="submissions s", where="s.stage = 'submitted'",
        order="s.submitted_at, s.id", with_sla=False, tallies=(("overdue", "s.qc_due < ?", (today,)),))


@reads_centre_data()
def qc_queue(db: Database, user: User, view: QueueView = EVERYTHING, today: date | None = None) -> QueuePage:
    """Items waiting for their quality check, oldest first (a page of them as view asks), with the check's due date
    and whether it is late; tallies["overdue"] counts the late ones in the whole queue."""
    _team_only(user)
    today = today or date.today()
    return read_queue(db, _qc_sql(today), view, today, int(setting(db, "sla_at_risk_working_days")))


EXCESS_BLOCK_WORDS = 10_000


@dataclass(frozen=True)
class WordExcess:
    words: int
    guidance: int

    @property
    def blocks(self) -> int:
        return -(-(self.words - self.guidance) // EXCESS_BLOCK_WORDS)

    def concise_reason(self) -> str:
        return (f"The evidence is {self.words:,} words against the units' guidance of {self.guidance:,}: please "
                "re-submit a concise version; there is no fee for it.")


@reads_centre_data(probes={"item_id": "submission"})
def word_excess(db: Database, user: User, item_id: int) -> WordExcess | None:
    """How far the item's evidence is over its units' word-count guidance, for the team's quality check."""
    _team_only(user)
    return _word_excess(db, item_id)


def _word_excess(db_or_writer: Database | Writer, item_id: int) -> WordExcess | None:
    """How far the item's evidence is over its units' word-count guidance (an integrated item: the sum of its
    units'), or None when it is within it or a unit has none."""
    sql = """SELECT (SELECT sum(f.word_count) FROM files f WHERE f.submission_id = s.id AND f.kind = 'evidence'
                     AND f.removed_at IS NULL),
                    (SELECT CASE WHEN bool_and(un.word_limit IS NOT NULL) THEN sum(un.word_limit) END
                     FROM submission_units su JOIN units un ON un.code = su.unit_code WHERE su.submission_id = s.id)
             FROM submissions s WHERE s.id = ?"""
    row = db_or_writer.execute(sql, [item_id]).fetchone() if isinstance(db_or_writer, Writer) \
        else db_or_writer.query_one(sql, [item_id])
    if row is None or row[0] is None or row[1] is None or row[0] <= row[1]:
        return None
    return WordExcess(int(row[0]), int(row[1]))


def _checked(writer: Writer, user: User, item_id: int, action: str, now: datetime, **extra) -> None:
    sets = ["quality_checked_at = ?", "quality_checked_by = ?"]
    params: list = [now, user.id]
    for column, value in extra.items():
        sets.append(f"{column} = ?")
        params.append(value)
    move(writer, user, item_id, action, ", ".join(sets), params, details=extra or None)


@writes_centre_data(probes={"item_id": "submission"})
def accept(db: Database, user: User, item_id: int, now: datetime | None = None, agree_excess_fee: bool = False) -> None:
    """Accept the item for marking. Evidence over its word-count guidance is accepted only with the excess fee
    agreed (else reject it for a concise re-submission at no cost)."""
    _team_only(user)
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        excess = _word_excess(writer, item_id)
        if excess is None:
            _checked(writer, user, item_id, "accept", now)
            return
        if not agree_excess_fee:
            raise Refused(f"Item {item_id}'s evidence is {excess.words:,} words against its guidance of "
                          f"{excess.guidance:,}: agree the excess fee ({excess.blocks} × 10,000 words) to accept it, "
                          "or reject it for a concise re-submission at no cost.")
        _checked(writer, user, item_id, "accept", now, excess_fee_blocks=excess.blocks)

    db.transact(user, work)


@writes_centre_data(probes={"item_id": "submission"})
def reject(db: Database, user: User, item_id: int, reason: str, now: datetime | None = None,
           malpractice: bool = False) -> None:
    """Reject with the reason the centre will read; its SLA target goes blank on the Tracker.

    malpractice: the reason is suspected plagiarism or malpractice. The reason written becomes the concern of a
    case opened for quality in the same transaction, and the centre reads only that the item is under review."""
    _team_only(user)
    reason = check_text(reason, "reason for the rejection")
    if len(reason) < 5:
        raise Refused("Give the centre a reason for the rejection (at least a few words).")
    if malpractice and len(reason) < 10:
        raise Refused("Say what was found (the sources matched, the passages): quality reads it when it opens "
                      "the case; the centre does not.")
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        _checked(writer, user, item_id, "reject", now, rejected_at=now,
                 rejection_reason=UNDER_REVIEW if malpractice else reason)
        if malpractice:
            open_case(writer, user, item_id, "quality_check", reason, now)

    db.transact(user, work)
