"""The service policy's expectations on first submissions: when a centre sends a unit for the first time, ILM
advises starting with 5 to 10 assessments, so that its feedback can shape the rest. A centre sending more than
10 first-time items of one unit in one submission confirms that it means to."""

from __future__ import annotations

from collections import Counter

from lib.errors import Refused
from lib.rules.roles import User
from lib.store.db import Database, Writer
from lib.store.scope import reads_centre_data

ADVISED_FIRST = 10
ADVICE = ("ILM advises a centre's first submission of a unit to be 5 to 10 assessments, so that the feedback on "
          "them can shape the rest; a first submission does not guarantee a pass, and re-submissions may be needed.")


def _submitted_units(reader, centre_id: int, units: list[str]) -> set[str]:
    rows = reader.execute(
        """SELECT DISTINCT u.unit_code FROM submissions s JOIN submission_units u ON u.submission_id = s.id
           WHERE s.centre_id = ? AND s.stage <> 'pending' AND list_contains(?, u.unit_code)""",
        [centre_id, units]).fetchall()
    return {unit for (unit,) in rows}


@reads_centre_data()
def first_time_units(db: Database, user: User, unit_codes: list[str] | None = None) -> list[str]:
    """Of these units (every unit the service assesses when None), those the user's centre has never submitted;
    none for staff."""
    if not user.is_centre:
        return []
    if unit_codes is None:
        unit_codes = [code for (code,) in db.query_all("SELECT code FROM units ORDER BY code")]
    if not unit_codes:
        return []
    with db.cursor() as cursor:
        sent = _submitted_units(cursor, user.centre_id, list(unit_codes))
    return [unit for unit in dict.fromkeys(unit_codes) if unit not in sent]


def many_first_items(writer: Writer, centre_id: int, item_ids: list[int]) -> dict[str, int]:
    """Units of which these pending items hold more than ADVISED_FIRST that the centre has never submitted
    before, with how many."""
    rows = writer.execute(
        """SELECT u.unit_code FROM submissions s JOIN submission_units u ON u.submission_id = s.id
           WHERE list_contains(?, s.id) AND s.centre_id = ? AND s.stage = 'pending'""",
        [item_ids, centre_id]).fetchall()
    counts = Counter(unit for (unit,) in rows)
    sent = _submitted_units(writer, centre_id, list(counts))
    return {unit: n for unit, n in sorted(counts.items()) if unit not in sent and n > ADVISED_FIRST}


@reads_centre_data(probes={"item_ids": "submission"})
def many_first(db: Database, user: User, item_ids: list[int]) -> dict[str, int]:
    """many_first_items for the user's centre: what the submit dialog asks to confirm."""
    if not user.is_centre:
        return {}
    with db.cursor() as cursor:
        return many_first_items(cursor, user.centre_id, [int(i) for i in item_ids])


def check_many_first(writer: Writer, centre_id: int, item_ids: list[int], confirmed: bool) -> None:
    """Refuse a submission with more than ADVISED_FIRST first-time items of a unit unless the centre confirmed."""
    many = many_first_items(writer, centre_id, item_ids)
    if many and not confirmed:
        units = ", ".join(f"{n} of unit {unit}" for unit, n in many.items())
        raise Refused(f"This would be your centre's first submission of a unit with more than {ADVISED_FIRST} "
                      f"items ({units}). {ADVICE} Confirm that you want to send them all, or submit fewer.")
