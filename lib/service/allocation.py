"""Allocating accepted items to assessors: by hand or automatically, never to an assessor with a conflict."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from lib.errors import Refused
from lib.rules.roles import ASSESSMENT_TEAM, User
from lib.rules.text import check_text
from lib.service.queues import EVERYTHING, QueuePage, QueueSql, QueueView, queue_ids, read_queue
from lib.service.settings import setting
from lib.service.transitions import move
from lib.store.db import Database, Writer
from lib.store.scope import NotAllowed, NotFound, reads_centre_data, writes_centre_data

OPEN_WORK = "('allocated')"


def _team_only(user: User) -> None:
    if user.role != ASSESSMENT_TEAM:
        raise NotAllowed("Only the ILM Assessment Team allocates work and keeps the conflict-of-interest register.")


@reads_centre_data()
def conflicts(db: Database, user: User) -> pd.DataFrame:
    """The conflict-of-interest register: assessor × centre, with the reason."""
    _team_only(user)
    return db.query_df(
        """SELECT a.name AS "Assessor", c.number AS "Centre", c.name AS "Centre name", k.reason AS "Reason",
                  CAST(k.recorded_at AS DATE) AS "Recorded", k.assessor_id, k.centre_id
           FROM conflicts_of_interest k JOIN users a ON a.id = k.assessor_id JOIN centres c ON c.id = k.centre_id
           ORDER BY a.name, c.number""")


@writes_centre_data()
def record_conflict(db: Database, user: User, assessor_id: int, centre_id: int, reason: str,
                    now: datetime | None = None) -> list[int]:
    """Put the conflict on the register; returns the centre's items already with the assessor and not yet marked
    (the work the conflict now touches, for reallocation)."""
    _team_only(user)
    reason = check_text(reason, "reason")
    if not reason:
        raise Refused("Say why the assessor has a conflict of interest with the centre.")

    def work(writer: Writer) -> list[int]:
        if not writer.execute("SELECT 1 FROM users WHERE id = ? AND role = 'assessor'", [assessor_id]).fetchone():
            raise NotFound("There is no such assessor.")
        if not writer.execute("SELECT 1 FROM centres WHERE id = ?", [centre_id]).fetchone():
            raise NotFound("There is no such centre.")
        if writer.execute("SELECT 1 FROM conflicts_of_interest WHERE assessor_id = ? AND centre_id = ?",
                          [assessor_id, centre_id]).fetchone():
            raise Refused("That conflict of interest is already on the register.")
        writer.execute("INSERT INTO conflicts_of_interest VALUES (?, ?, ?, ?, ?)",
                       [assessor_id, centre_id, reason, now or datetime.now(), user.id])
        touched = _conflicted_work(writer, assessor_id, centre_id)
        writer.audit("record_conflict", "conflict", f"{assessor_id}/{centre_id}",
                     after={"reason": reason, "open_items_with_the_assessor": touched})
        return touched

    return db.transact(user, work)


def _conflicted_work(db_or_writer: Database | Writer, assessor_id: int | None = None,
                     centre_id: int | None = None) -> list[int]:
    """Open items allocated to an assessor with a conflict of interest with their centre (of one pair, or all)."""
    sql = f"""SELECT s.id FROM submissions s JOIN conflicts_of_interest k
                  ON k.assessor_id = s.assessor_id AND k.centre_id = s.centre_id
              WHERE s.stage IN {OPEN_WORK} AND (CAST(? AS INTEGER) IS NULL OR s.assessor_id = ?)
                AND (CAST(? AS INTEGER) IS NULL OR s.centre_id = ?) ORDER BY s.sla_target, s.id"""
    params = [assessor_id, assessor_id, centre_id, centre_id]
    rows = db_or_writer.execute(sql, params).fetchall() if isinstance(db_or_writer, Writer) \
        else db_or_writer.query_all(sql, params)
    return [item for (item,) in rows]


@writes_centre_data()
def reallocate_conflicted(db: Database, user: User, now: datetime | None = None) -> dict[int, int]:
    """Move every open item allocated to an assessor with a conflict of interest with its centre to the
    least-loaded assessor without one; returns item -> new assessor (an item no one can take stays, flagged)."""
    _team_only(user)
    now = now or datetime.now()

    def work(writer: Writer) -> dict[int, int]:
        items = writer.execute("SELECT id, centre_id FROM submissions WHERE list_contains(?, id) "
                               "ORDER BY sla_target, id", [_conflicted_work(writer)]).fetchall()
        return _spread(writer, user, items, now)

    return db.transact(user, work)


def _spread(writer: Writer, user: User, items: list[tuple[int, int]], now: datetime) -> dict[int, int]:
    """Give each (item, centre), in order, to the least-loaded active assessor without a conflict with its centre;
    returns item -> assessor (an item no one can take is left where it is)."""
    load = dict(writer.execute(
        f"""SELECT u.id, (SELECT count(*) FROM submissions s WHERE s.assessor_id = u.id AND s.stage IN {OPEN_WORK})
            FROM users u WHERE u.role = 'assessor' AND u.status = 'active'""").fetchall())
    blocked = set(writer.execute("SELECT assessor_id, centre_id FROM conflicts_of_interest").fetchall())
    chosen = {}
    for item_id, centre_id in items:
        candidates = [a for a in load if (a, centre_id) not in blocked]
        if candidates:
            chosen[item_id] = min(candidates, key=lambda a: (load[a], a))
            _allocate(writer, user, item_id, chosen[item_id], now)
            load[chosen[item_id]] += 1
    return chosen


@reads_centre_data()
def assessor_workload(db: Database, user: User) -> pd.DataFrame:
    """Each active assessor with the items allocated to them and not yet marked."""
    _team_only(user)
    return db.query_df(
        f"""SELECT u.id, u.name AS "Assessor",
                   (SELECT count(*) FROM submissions s WHERE s.assessor_id = u.id AND s.stage IN {OPEN_WORK})
                     AS "Open items"
            FROM users u WHERE u.role = 'assessor' AND u.status = 'active' ORDER BY u.name""")


def _conflict(writer: Writer, assessor_id: int, item_id: int) -> str | None:
    row = writer.execute(
        """SELECT k.reason, c.number FROM submissions s JOIN conflicts_of_interest k
               ON k.centre_id = s.centre_id AND k.assessor_id = ?
           JOIN centres c ON c.id = s.centre_id WHERE s.id = ?""", [assessor_id, item_id]).fetchone()
    return f"a conflict of interest with centre {row[1]} ({row[0]})" if row else None


def _allocate(writer: Writer, user: User, item_id: int, assessor_id: int, now: datetime) -> None:
    assessor = writer.execute("SELECT name FROM users WHERE id = ? AND role = 'assessor' AND status = 'active'",
                              [assessor_id]).fetchone()
    if assessor is None:
        raise NotFound("There is no such active assessor.")
    conflict = _conflict(writer, assessor_id, item_id)
    if conflict:
        raise Refused(f"Item {item_id} cannot go to {assessor[0]}: {conflict}.")
    move(writer, user, item_id, "allocate", "assessor_id = ?, allocated_at = ?", [assessor_id, now],
         details={"assessor_id": assessor_id})


@writes_centre_data(probes={"item_id": "submission"})
def allocate(db: Database, user: User, item_id: int, assessor_id: int, now: datetime | None = None) -> None:
    """Allocate (or reallocate, until it is marked) one item to an assessor."""
    _team_only(user)
    db.transact(user, lambda writer: _allocate(writer, user, item_id, assessor_id, now or datetime.now()))


@writes_centre_data()
def auto_allocate(db: Database, user: User, now: datetime | None = None,
                  item_ids: list[int] | None = None) -> dict[int, int]:
    """Allocate accepted items (every one, or those of item_ids still awaiting), the nearest SLA target first,
    each to the least-loaded assessor without a conflict."""
    _team_only(user)
    now = now or datetime.now()

    def work(writer: Writer) -> dict[int, int]:
        items = writer.execute("""SELECT id, centre_id FROM submissions WHERE stage = 'accepted'
                                  AND (? IS NULL OR list_contains(?, id)) ORDER BY sla_target, id""",
                               [item_ids, item_ids]).fetchall()
        chosen = _spread(writer, user, items, now)
        if not chosen:
            writer.audit("auto_allocate", "submission", None, after={"allocated": 0})
        return chosen

    return db.transact(user, work)


def _allocation_sql(with_assessors: bool) -> QueueSql:
    return QueueSql(
        columns=(("ID", "s.id"), ("Centre", "c.number"), ("Centre name", "c.name"),
                 ("Learner", "l.first_name || ' ' || l.last_name"), ("Unit(s)", "s.unit_codes"), ("Type", "s.type"),
                 ("SLA Target", "s.sla_target"), ("Assessor", "coalesce(a.name, '')"),
                 ("Stage", "CASE s.stage WHEN 'accepted' THEN 'Awaiting allocation' ELSE 'With assessor' END"),
                 ("Conflict", "CASE WHEN s.stage = 'allocated' AND EXISTS (SELECT 1 FROM conflicts_of_interest k "
                              "WHERE k.assessor_id = s.assessor_id AND k.centre_id = s.centre_id) "
                              "THEN 'Conflict of interest: reallocate' ELSE '' END"),
                 ("centre_id", "s.centre_id")),
        source="submissions s",
        where="s.stage = 'accepted'" + (" OR s.stage = 'allocated'" if with_assessors else ""),
        joins="LEFT JOIN users a ON a.id = s.assessor_id", order="s.stage, s.sla_target, s.id", with_sla=False)


@reads_centre_data()
def allocation_queue(db: Database, user: User, with_assessors: bool = False, view: QueueView = EVERYTHING,
                     today: date | None = None) -> QueuePage:
    """Accepted items waiting for an assessor, the nearest SLA target first (a page of them as view asks);
    with_assessors, also the allocated ones not yet marked (they can be reallocated)."""
    _team_only(user)
    return read_queue(db, _allocation_sql(with_assessors), view, today or date.today(),
                      int(setting(db, "sla_at_risk_working_days")))


@reads_centre_data()
def awaiting_allocation(db: Database, user: User) -> list[int]:
    """Every accepted item still without an assessor, the nearest SLA target first: what automatic allocation takes."""
    _team_only(user)
    return queue_ids(db, _allocation_sql(False))


@reads_centre_data()
def conflicted_work(db: Database, user: User) -> list[int]:
    """Open items allocated to an assessor who has a conflict of interest with their centre."""
    _team_only(user)
    return _conflicted_work(db)


@reads_centre_data()
def centre_choices(db: Database, user: User) -> pd.DataFrame:
    _team_only(user)
    return db.query_df("SELECT id, number, name FROM centres ORDER BY number")
