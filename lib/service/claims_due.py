"""The passes to claim (table claims_due), kept in step with what decides them: an item released, a pass claimed,
an enquiry's changed result, an archived item restored. Each is worked out again from those facts in the caller's
transaction, never adjusted by a count, so a retried or concurrent transaction cannot leave it out of step."""

from __future__ import annotations

from lib.store.db import Writer

_DUE = """SELECT s.id, u.unit_code, s.released_at
          FROM submissions s JOIN submission_units u ON u.submission_id = s.id
          WHERE s.stage = 'released' AND u.result = 'Pass'
            AND NOT EXISTS (SELECT 1 FROM claims k WHERE k.submission_id = s.id AND k.unit_code = u.unit_code)"""


def refresh_claims_due(writer: Writer, item_ids: list[int]) -> None:
    """Work out again these items' passes to claim."""
    ids = sorted({int(item) for item in item_ids})
    writer.execute("DELETE FROM claims_due WHERE list_contains(?, submission_id)", [ids])
    writer.execute(f"INSERT INTO claims_due {_DUE} AND list_contains(?, s.id)", [ids])


def rebuild_claims_due(writer: Writer) -> None:
    """Work out every pass to claim again (after data is loaded in bulk, as the demo's is)."""
    writer.execute("DELETE FROM claims_due")
    due = writer.execute(f"INSERT INTO claims_due {_DUE} RETURNING 1").fetchall()
    writer.audit("claims_due_rebuilt", "claims_due", None, after={"passes": len(due)})
