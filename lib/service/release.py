"""Releasing results to centres, and the Walled Garden claims for released passes."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from lib.errors import Refused
from lib.rules.holds import hei_hold_condition, held_condition, held_items, open_case_condition
from lib.rules.roles import ASSESSMENT_TEAM, User
from lib.service.claims_due import refresh_claims_due
from lib.service.queues import EVERYTHING, QueuePage, QueueSql, QueueView, queue_ids, read_queue
from lib.service.settings import setting
from lib.service.transitions import move
from lib.store import grid
from lib.store.db import Database, Writer
from lib.store.export import frame_xlsx, write_xlsx
from lib.store.scope import NotAllowed, reads_centre_data, writes_centre_data


def _team_only(user: User) -> None:
    if user.role != ASSESSMENT_TEAM:
        raise NotAllowed("Only the ILM Assessment Team releases results and records claims.")


RELEASE_QUEUE = QueueSql(
    columns=(("ID", "s.id"), ("Centre", "c.number"), ("Centre name", "c.name"),
             ("Learner", "l.first_name || ' ' || l.last_name"), ("Unit(s)", "s.unit_codes"), ("SLA Target", "s.sla_target"),
             ("Result", "CASE WHEN (SELECT bool_or(u.result = 'Referral') FROM submission_units u "
                        "WHERE u.submission_id = s.id) THEN 'Referral' ELSE 'Pass' END"),
             ("Mark", "(SELECT CAST(round(avg(u.mark)) AS INTEGER) FROM submission_units u "
                      "WHERE u.submission_id = s.id)"),
             ("Hold", f"CASE WHEN {held_condition()} THEN 'Held' ELSE '' END"), ("centre_id", "s.centre_id")),
    source="submissions s", where="s.stage = 'ready'",
    tallies=(("held", f"s.id IN ({held_items()})", ()),))


@reads_centre_data()
def release_queue(db: Database, user: User, view: QueueView = EVERYTHING, today: date | None = None) -> QueuePage:
    """Items ready to release (a page of them as view asks), with the result the centre will see; breached and
    at-risk items flagged; tallies["held"] counts the held ones in the whole queue."""
    _team_only(user)
    return read_queue(db, RELEASE_QUEUE, view, today or date.today(), int(setting(db, "sla_at_risk_working_days")))


@reads_centre_data()
def releasable(db: Database, user: User) -> list[int]:
    """Every ready item that is not held: what *Release all* releases."""
    _team_only(user)
    return queue_ids(db, RELEASE_QUEUE, f"s.id NOT IN ({held_items()})")


def _release(writer: Writer, user: User, item_id: int, now: datetime) -> None:
    stage = writer.execute("SELECT stage FROM submissions WHERE id = ?", [item_id]).fetchone()
    if stage is None or stage[0] != "ready":
        raise Refused(f"Item {item_id} is not waiting to be released" + (
            " (there is no such item)." if stage is None else f" (it is {stage[0].replace('_', ' ')})."))
    if writer.execute(f"SELECT {open_case_condition('?')}", [item_id]).fetchone()[0]:
        raise Refused(f"Item {item_id} is held: a malpractice case is open on it. Quality releases the hold when "
                      "it closes the case.")
    if writer.execute(f"SELECT {hei_hold_condition()} FROM submissions s WHERE s.id = ?", [item_id]).fetchone()[0]:
        raise Refused(f"Item {item_id} is held: its learner follows a changed route of a mapped programme that is "
                      "waiting for its re-mapping.")
    outcome = writer.execute(
        """SELECT bool_or(result = 'Referral'), round(avg(mark)), count(*) FILTER (WHERE result IS NULL)
           FROM submission_units WHERE submission_id = ?""", [item_id]).fetchone()
    if outcome is None or outcome[1] is None:
        raise Refused(f"Item {item_id} is not waiting to be released: it has no marked units.")
    if outcome[2]:
        raise Refused(f"Item {item_id} has units without a result: it cannot be released.")
    result = "Referral" if outcome[0] else "Pass"
    move(writer, user, item_id, "release", "released_at = ?, result = ?, mark = ?", [now, result, int(outcome[1])],
         details={"result": result})
    refresh_claims_due(writer, [item_id])


@writes_centre_data(probes={"item_ids": "submission"})
def release(db: Database, user: User, item_ids: list[int], now: datetime | None = None) -> int:
    """Release the results of the given ready items, all or none."""
    _team_only(user)
    if not item_ids:
        raise Refused("Select the items to release.")
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        for item_id in sorted(set(item_ids)):
            _release(writer, user, int(item_id), now)
        return len(set(item_ids))

    return db.transact(user, work)


CLAIM_COLUMNS = grid.ColumnSet(
    columns=(
        grid.Column("ID", "s.id", grid.NUMBER),
        grid.Column("Unit", "u.unit_code"),
        grid.Column("Centre", "c.number"),
        grid.Column("ENR", "l.enr"),
        grid.Column("Learner", "(l.first_name || ' ' || l.last_name)", grid.NAME,
                    parts=("l.first_name", "l.last_name"), frame_parts=("first_name", "last_name"),
                    contains_sql="l.search_name"),
        grid.Column("Released", "CAST(s.released_at AS DATE)", grid.DATE),
        grid.Column("Claim", "(CAST(s.id AS VARCHAR) || '/' || u.unit_code)", shown=False),
    ),
    key="Claim",
)
# The passes to claim (claims_due, as u: its unit_code is the unit's), not held.
CLAIMS_FROM = """claims_due u JOIN submissions s ON s.id = u.submission_id
    JOIN centres c ON c.id = s.centre_id JOIN learners l ON l.id = s.learner_id"""
UNCLAIMED = "s.id NOT IN (" + held_items() + ")"
OLDEST_FIRST = grid.Sort("Released")


def _claims_query(query: grid.GridQuery | None) -> grid.GridQuery:
    query = query or grid.GridQuery()
    return query if query.sort else grid.GridQuery(query.filters, OLDEST_FIRST, query.offset, query.limit)


@reads_centre_data()
def claims_page(db: Database, user: User, query: grid.GridQuery | None = None) -> grid.GridPage:
    """One page of the released passes still to claim, oldest release first unless sorted otherwise, with how
    many there are in all (no silent cap)."""
    _team_only(user)
    return grid.run(db, grid.GridSource(CLAIMS_FROM, UNCLAIMED, [], (("first_name", "l.first_name"),
                                                                      ("last_name", "l.last_name"))),
                    CLAIM_COLUMNS, _claims_query(query))


@reads_centre_data()
def claims_export(db: Database, user: User, query: grid.GridQuery | None = None) -> bytes:
    """Every claim to make that matches the filters, as .xlsx."""
    _team_only(user)
    headers = [column.label for column in CLAIM_COLUMNS.columns if column.shown]
    return write_xlsx(headers, grid.iterate(db, grid.GridSource(CLAIMS_FROM, UNCLAIMED, []), CLAIM_COLUMNS,
                                            _claims_query(query)), title="Walled Garden claims")


@reads_centre_data()
def claims_to_make(db: Database, user: User, limit: int = 1_000_000) -> pd.DataFrame:
    """Released passes not yet claimed on Walled Garden, oldest release first."""
    _team_only(user)
    return db.query_df(
        f"""SELECT s.id AS "ID", u.unit_code AS "Unit", c.number AS "Centre", l.enr AS "ENR",
                   l.first_name || ' ' || l.last_name AS "Learner", CAST(s.released_at AS DATE) AS "Released",
                   s.centre_id
            FROM {CLAIMS_FROM} WHERE {UNCLAIMED}
            ORDER BY s.released_at, s.id, u.unit_code LIMIT ?""", [limit])


@writes_centre_data()
def mark_claimed(db: Database, user: User, pairs: list[tuple[int, str]], now: datetime | None = None) -> int:
    """Record that these (item, unit) passes were claimed on Walled Garden, with when and by whom."""
    _team_only(user)
    if not pairs:
        raise Refused("Select the passes you have claimed.")
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        new = 0
        for item_id, unit in pairs:
            passed = writer.execute(f"""SELECT 1 FROM submissions s JOIN submission_units u ON u.submission_id = s.id
                                        WHERE s.id = ? AND u.unit_code = ? AND s.stage = 'released'
                                          AND u.result = 'Pass' AND NOT {held_condition()}""",
                                    [item_id, unit]).fetchone()
            if not passed:
                raise Refused(f"Item {item_id} unit {unit} is not a released pass.")
            new += len(writer.execute("INSERT INTO claims VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
                                      [item_id, unit, now, user.id]).fetchall())
        if not new:
            raise Refused("These passes are already recorded as claimed: someone else has just claimed them.")
        refresh_claims_due(writer, [item_id for item_id, _ in pairs])
        writer.audit("claim", "submission", ",".join(str(p[0]) for p in pairs), after={"claims": new})
        return new

    return db.transact(user, work)


@reads_centre_data()
def withdrawals_to_make(db: Database, user: User) -> pd.DataFrame:
    """Claimed passes that an enquiry or appeal turned into referrals: to withdraw on Walled Garden."""
    _team_only(user)
    return db.query_df(
        """SELECT w.submission_id AS "ID", w.unit_code AS "Unit", c.number AS "Centre", l.enr AS "ENR",
                  l.first_name || ' ' || l.last_name AS "Learner", CAST(w.claimed_at AS DATE) AS "Claimed",
                  CAST(w.requested_at AS DATE) AS "Result changed"
           FROM claim_withdrawals w JOIN submissions s ON s.id = w.submission_id
           JOIN centres c ON c.id = s.centre_id JOIN learners l ON l.id = s.learner_id
           WHERE w.withdrawn_at IS NULL ORDER BY w.requested_at, w.submission_id, w.unit_code""")


@reads_centre_data()
def withdrawals_export(db: Database, user: User) -> bytes:
    """The claims to withdraw on Walled Garden, as .xlsx: the other half of the claims work, beside the claims to
    make."""
    return frame_xlsx(withdrawals_to_make(db, user), title="Walled Garden withdrawals")


@writes_centre_data()
def mark_withdrawn(db: Database, user: User, pairs: list[tuple[int, str]], now: datetime | None = None) -> int:
    """Record that these (item, unit) claims were withdrawn on Walled Garden."""
    _team_only(user)
    if not pairs:
        raise Refused("Select the claims you have withdrawn.")
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        for item_id, unit in pairs:
            done = writer.execute("""UPDATE claim_withdrawals SET withdrawn_at = ?, withdrawn_by = ?
                                     WHERE submission_id = ? AND unit_code = ? AND withdrawn_at IS NULL
                                     RETURNING 1""", [now, user.id, item_id, unit]).fetchall()
            if not done:
                raise Refused(f"Item {item_id} unit {unit} has no claim waiting to be withdrawn: someone may have "
                              "recorded it a moment ago.")
        writer.audit("claims_withdrawn", "submission", ",".join(str(p[0]) for p in pairs),
                     after={"withdrawn": len(pairs)})
        return len(pairs)

    return db.transact(user, work)
