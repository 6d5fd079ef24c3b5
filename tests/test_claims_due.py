"""The passes to claim are kept in a table of their own (claims_due) so that the Home card and the claims list
read a few hundred rows: after every kind of change it must hold exactly the released passes not yet claimed."""

from __future__ import annotations

from datetime import datetime

from lib.analytics.waiting import passes_to_claim
from lib.rules.holds import held_items
from lib.service import release
from tests.conftest import load_user

TRUTH = """SELECT s.id, u.unit_code FROM submissions s JOIN submission_units u ON u.submission_id = s.id
           WHERE s.stage = 'released' AND u.result = 'Pass'
             AND NOT EXISTS (SELECT 1 FROM claims k WHERE k.submission_id = s.id AND k.unit_code = u.unit_code)"""


def kept_right(db) -> set:
    due = set(db.query_all("SELECT submission_id, unit_code FROM claims_due"))
    assert due == set(db.query_all(TRUTH))
    return due


def test_the_demo_release_and_claims_keep_the_passes_to_claim_exactly(db):
    team = load_user(db, "team.demo")
    before = kept_right(db)
    assert before, "the demo has passes to claim"
    unheld = db.query_one(f"SELECT count(*) FROM claims_due WHERE submission_id NOT IN ({held_items()})")[0]
    assert passes_to_claim(db, team).count == unheld
    ready = [row[0] for row in db.query_all(f"""SELECT id FROM submissions WHERE stage = 'ready'
                                                AND id NOT IN ({held_items()}) ORDER BY id""")]
    release.release(db, team, ready, now=datetime(2026, 11, 30, 10))
    after_release = kept_right(db)
    new = after_release - before
    assert new and {item for item, _ in new} <= set(ready)
    to_claim = sorted(new)[:3]
    release.mark_claimed(db, team, to_claim)
    assert kept_right(db) == after_release - set(to_claim)
    page = release.claims_page(db, team)
    assert page.total == passes_to_claim(db, team).count
