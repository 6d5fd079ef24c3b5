import json

import pytest

from lib.store.db import AuditMissing
from tests.conftest import load_user


def test_a_write_without_its_audit_row_is_rolled_back(db):
    before = db.query_one("SELECT name FROM centres WHERE number = '012345'")[0]

    def rename(writer):
        writer.execute("UPDATE centres SET name = 'Renamed' WHERE number = '012345'")

    with pytest.raises(AuditMissing):
        db.transact(None, rename)
    assert db.query_one("SELECT name FROM centres WHERE number = '012345'")[0] == before


def test_a_failure_rolls_back_the_change_and_its_audit_row(db):
    audit_rows = db.query_one("SELECT count(*) FROM audit_log")[0]

    def half_done(writer):
        writer.execute("UPDATE centres SET name = 'Renamed' WHERE number = '012345'")
        writer.audit("rename", "centre", 1)
        raise RuntimeError("crash in the middle")

    with pytest.raises(RuntimeError):
        db.transact(None, half_done)
    assert db.query_one("SELECT name FROM centres WHERE number = '012345'")[0] == "Northbridge Training Ltd"
    assert db.query_one("SELECT count(*) FROM audit_log")[0] == audit_rows


def test_the_audit_row_says_who_what_and_before_after(db):
    team = load_user(db, "team.demo")

    def rename(writer):
        writer.execute("UPDATE centres SET name = 'Northbridge Skills' WHERE id = 1")
        writer.audit("rename_centre", "centre", 1, before={"name": "Northbridge Training Ltd"},
                     after={"name": "Northbridge Skills"})

    db.transact(team, rename)
    row = db.query_one("SELECT user_id, username, action, entity, entity_id, before, after, occurred_at "
                       "FROM audit_log ORDER BY id DESC LIMIT 1")
    assert row[:5] == (team.id, "team.demo", "rename_centre", "centre", "1")
    assert json.loads(row[5]) == {"name": "Northbridge Training Ltd"}
    assert json.loads(row[6]) == {"name": "Northbridge Skills"}
    assert row[7] is not None
