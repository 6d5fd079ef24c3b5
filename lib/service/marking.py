"""Marking by assessors: their queue, and a result, mark, feedback and marked result sheet for each unit."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from lib.centre.uploads import StagedFiles, Upload, transact_with_files
from lib.checks import accept
from lib.errors import Refused
from lib.rules.roles import ASSESSOR, User
from lib.rules.text import check_text
from lib.rules.unit_criteria import criteria, marking_guidance
from lib.service.queues import EVERYTHING, QueuePage, QueueSql, QueueView, read_queue
from lib.service.sampling import after_marking
from lib.service.settings import setting
from lib.service.transitions import move
from lib.store.db import Database, Writer
from lib.store.files import MARKED_RESULT_SHEET, FileStore
from lib.store.scope import NotAllowed, NotFound, reads_centre_data, writes_centre_data

RESULTS = ("Pass", "Referral")


def _assessor_only(user: User) -> None:
    if user.role != ASSESSOR:
        raise NotAllowed("Only assessors mark work.")


def _marking_sql(assessor_id: int) -> QueueSql:
    return QueueSql(
        columns=(("ID", "s.id"), ("Centre", "c.number"), ("Centre name", "c.name"),
                 ("Learner", "l.first_name || ' ' || l.last_name"), ("Unit(s)", "s.unit_codes"), ("Type", "s.type"),
                 ("Category", "s.category"), ("SLA Target", "s.sla_target"),
                 ("Units marked", "(SELECT count(*) FROM submission_units u WHERE u.submission_id = s.id "
                                  "AND u.result IS NOT NULL)"),
                 ("Lead assessor's note", "(SELECT p.note FROM sampling p WHERE p.submission_id = s.id "
                                          "AND p.decision = 'sent_back' ORDER BY p.round DESC LIMIT 1)"),
                 ("centre_id", "s.centre_id")),
        source="submissions s", where="s.stage = 'allocated' AND s.assessor_id = ?", where_params=(assessor_id,))


@reads_centre_data()
def my_queue(db: Database, user: User, view: QueueView = EVERYTHING, today: date | None = None) -> QueuePage:
    """The items allocated to this assessor and not yet marked, the nearest SLA target first (a page of them as
    view asks)."""
    _assessor_only(user)
    return read_queue(db, _marking_sql(user.id), view, today or date.today(),
                      int(setting(db, "sla_at_risk_working_days")))


@dataclass(frozen=True)
class UnitGuide:
    """What an assessor needs beside the form for one unit of an item."""

    code: str
    name: str
    credits: int
    criteria: tuple[tuple[str, str], ...]
    guidance: list[str]
    result: str | None  # saved already (the item waits for its other units)
    mark: int | None
    feedback: str | None
    last_time: str | None  # a re-submission: the referred attempt's result and feedback


@reads_centre_data(probes={"item_id": "submission"})
def marking_guide(db: Database, user: User, item_id: int) -> list[UnitGuide]:
    """Each unit of an item allocated to this assessor, in the item's order: its title, criteria, the policy's
    guidance, what is saved already and, for a re-submission, what was said last time."""
    _assessor_only(user)
    item = db.query_one("SELECT unit_codes, resubmits_id FROM submissions WHERE id = ? AND assessor_id = ?",
                        [item_id, user.id])
    if item is None:
        raise NotFound(f"Item {item_id} is not allocated to you.")
    codes, resubmits = item[0].split(", "), item[1]
    units = db.query_df(
        """SELECT u.code, u.name, u.credits, u.word_limit, u.criteria AS kept_criteria, su.result, su.mark, su.feedback,
                  (SELECT max(f.word_count) FROM files f WHERE f.submission_id = ? AND f.kind = 'evidence'
                     AND f.removed_at IS NULL AND (f.unit_code = u.code OR f.unit_code IS NULL)) AS words,
                  (SELECT p.result || coalesce(', mark ' || CAST(p.mark AS VARCHAR), '') || ': ' || p.feedback
                   FROM submission_units p WHERE p.submission_id = ? AND p.unit_code = u.code) AS last_time
           FROM units u LEFT JOIN submission_units su ON su.submission_id = ? AND su.unit_code = u.code
           WHERE u.code = ANY(?)""",
        [item_id, resubmits, item_id, codes]).set_index("code")
    guides = []
    for code in codes:
        unit = units.loc[code]
        known = lambda value: None if pd.isna(value) else value  # noqa: E731
        words = known(unit.words)
        guides.append(UnitGuide(
            code, unit["name"], int(unit.credits), criteria(code, known(unit.kept_criteria)),
            marking_guidance(code, known(unit.word_limit), int(words) if words is not None else None,
                             resubmits is not None),
            known(unit.result), int(unit.mark) if known(unit.mark) is not None else None, known(unit.feedback),
            known(unit.last_time)))
    return guides


def check_mark(result: str, mark, feedback: str) -> int:
    if result not in RESULTS:
        raise Refused("Choose Pass or Referral.")
    if isinstance(mark, bool):  # True == 1 in Python: a tick is not a mark
        raise Refused("The mark must be a whole number from 0 to 100.")
    try:
        value = int(mark)
    except (TypeError, ValueError, OverflowError):  # OverflowError: infinity
        raise Refused("The mark must be a whole number from 0 to 100.") from None
    if value != mark or not 0 <= value <= 100:
        raise Refused("The mark must be a whole number from 0 to 100.")
    if not (feedback or "").strip():
        raise Refused("Write feedback for the centre.")
    check_text(feedback, "feedback")
    return value


@writes_centre_data(probes={"item_id": "submission"})
def mark_unit(db: Database, store: FileStore, user: User, item_id: int, unit_code: str, result: str, mark,
              feedback: str, marked_sheet: Upload | None, now: datetime | None = None,
              chance: random.Random | None = None) -> str:
    """Record one unit's result; once every unit has one, the item is marked and the sampling rules apply.

    Returns the item's stage afterwards.
    """
    _assessor_only(user)
    value = check_mark(result, mark, feedback)
    if marked_sheet is None:
        raise Refused("Attach the marked result sheet (Word .docx).")
    sheet = accept.check_result_sheet(marked_sheet.name, marked_sheet.data)
    now = now or datetime.now()
    chance = chance or random.Random()

    def work(writer: Writer, staged: StagedFiles) -> str:
        row = writer.execute("SELECT stage, unit_codes FROM submissions WHERE id = ? AND assessor_id = ?",
                             [item_id, user.id]).fetchone()
        if row is None:
            raise NotFound(f"Item {item_id} is not allocated to you.")
        if row[0] != "allocated":
            raise Refused(f"Item {item_id} is no longer waiting for your marking.")
        if unit_code not in row[1].split(", "):
            raise Refused(f"Unit {unit_code} is not part of item {item_id}.")
        writer.execute("""INSERT INTO submission_units
                          (submission_id, unit_code, result, mark, feedback, marked_at, marked_by)
                          VALUES (?, ?, ?, ?, ?, ?, ?)
                          ON CONFLICT (submission_id, unit_code) DO UPDATE SET result = excluded.result,
                              mark = excluded.mark, feedback = excluded.feedback, marked_at = excluded.marked_at,
                              marked_by = excluded.marked_by""",
                       [item_id, unit_code, result, value, feedback.strip(), now, user.id])
        writer.execute("""UPDATE files SET removed_at = ? WHERE submission_id = ? AND unit_code = ?
                          AND kind = 'marked_result_sheet' AND removed_at IS NULL""", [now, item_id, unit_code])
        staged.put(writer, user, item_id, sheet, MARKED_RESULT_SHEET, unit_code, now)
        writer.audit("mark_unit", "submission", item_id, after={"unit": unit_code, "result": result, "mark": value})
        unmarked = writer.execute("""SELECT count(*) FROM submission_units WHERE submission_id = ?
                                     AND result IS NULL""", [item_id]).fetchone()[0]
        if unmarked:
            return "allocated"
        move(writer, user, item_id, "mark", "marked_at = ?", [now])
        return after_marking(writer, user, item_id, now, chance)

    return transact_with_files(db, store, user, work)
