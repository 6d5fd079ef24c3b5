"""Moving one submission to its next stage in the database, as lib/rules/workflow.py allows, with its audit row."""

from __future__ import annotations

from lib.errors import Refused
from lib.rules import workflow
from lib.rules.roles import User
from lib.store.db import Writer
from lib.store.scope import NotFound, writes_centre_data


@writes_centre_data()
def move(writer: Writer, user: User, item_id: int, action: str, set_sql: str = "", params: list | None = None,
         details: dict | None = None) -> str:
    """Check the move against the item's stage now, make it only if nobody moved the item meanwhile."""
    row = writer.execute("SELECT stage, centre_id FROM submissions WHERE id = ?", [item_id]).fetchone()
    if row is None or (user.is_centre and row[1] != user.centre_id):
        raise NotFound(f"There is no item {item_id}.")
    stage = row[0]
    to_stage = workflow.check(action, user.role, stage)
    updated = writer.execute(
        f"UPDATE submissions SET stage = ?{', ' + set_sql if set_sql else ''} WHERE id = ? AND stage = ? RETURNING id",
        [to_stage, *(params or []), item_id, stage]).fetchall()
    if not updated:
        raise Refused(f"Item {item_id} was changed by someone else a moment ago: refresh and look again.")
    writer.audit(action, "submission", item_id, before={"stage": stage}, after={"stage": to_stage, **(details or {})})
    return to_stage
