"""Running the service without a database console: a real installation, centres, accounts with one-time
passwords, blocking, closing (never deleting) and the audit trail."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pandas as pd
import pytest

from lib.accounts import auth
from lib.admin import accounts, audit, centres
from lib.admin.install import initialise
from lib.config import PROJECT_ROOT
from lib.demo import DEMO_PASSWORD
from lib.errors import NotAllowed, Refused
from lib.store import grid
from lib.store.db import Database
from tests.conftest import load_user


@pytest.fixture
def team(db):
    return load_user(db, "team.demo")


def new_centre(db, team, number="078901", contact="Priya Shah"):
    centres.create_centre(db, team, number, "Lakeside Leadership Institute", contact, "priya@lakeside.example")
    centres.set_approval(db, team, number, "8600-31", True, integrated=False)
    return number


def test_a_real_installation_starts_empty_with_one_team_account(tmp_path):
    path = tmp_path / "ilma.duckdb"
    first = initialise(path, "Sam.Carter", "Sam Carter", "sam@example.org")
    db = Database.open(path)
    try:
        assert db.query_one("SELECT count(*) FROM submissions")[0] == 0
        assert db.query_one("SELECT count(*) FROM centres")[0] == 0
        assert db.query_one("SELECT count(*) FROM qualifications")[0] == 5
        assert db.query_one("SELECT count(*) FROM app_meta WHERE key LIKE '%demo%'")[0] == 0
        signed = auth.sign_in(db, "sam.carter", first.password)
        assert isinstance(signed, auth.SignedIn) and signed.user.must_change_password
        with pytest.raises(Refused, match="stronger"):
            auth.change_own_password(db, signed.user, first.password, "password123")
        auth.change_own_password(db, signed.user, first.password, "quartz lantern meadow 42")
        again = auth.sign_in(db, "sam.carter", "quartz lantern meadow 42")
        assert isinstance(again, auth.SignedIn) and not again.user.must_change_password
    finally:
        db.close()
    with pytest.raises(FileExistsError):
        initialise(path, "other", "Other", "other@example.org")


def test_the_init_command_prints_the_one_time_password_once(tmp_path):
    path = tmp_path / "new.duckdb"
    done = subprocess.run([sys.executable, "-m", "lib", "init", "--db", str(path), "--admin", "sam.carter",
                           "--email", "sam@example.org"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "one-time password" in done.stdout
    password = done.stdout.split("one-time password ")[1].split()[0]
    db = Database.open(path)
    try:
        assert isinstance(auth.sign_in(db, "sam.carter", password), auth.SignedIn)
        assert password not in str(db.query_all("SELECT * FROM users")), "only a hash is kept"
    finally:
        db.close()


def test_a_centre_account_needs_its_quality_contact_and_is_never_a_learner(db, team):
    number = new_centre(db, team)
    with pytest.raises(Refused, match="not the quality contact of centre 078901 \\(Priya Shah is\\)"):
        accounts.create_account(db, team, "jo.bloggs", "Jo Bloggs", "jo@lakeside.example", "centre", number, "Someone")
    made = accounts.create_account(db, team, "jo.bloggs", "Jo Bloggs", "jo@lakeside.example", "centre", number,
                                   "priya shah", now=datetime(2026, 11, 20, 9))
    assert db.query_one("SELECT approved_by, approved_at::VARCHAR, must_change_password FROM users "
                        "WHERE username = 'jo.bloggs'") == ("priya shah", "2026-11-20 09:00:00", True)
    with pytest.raises(Refused, match="taken"):
        accounts.create_account(db, team, "jo.bloggs", "Jo B", "jo2@lakeside.example", "centre", number, "Priya Shah")
    learner = db.query_one(
        """SELECT l.first_name || ' ' || l.last_name, c.number FROM learners l JOIN centres c ON c.id = l.centre_id
           JOIN registrations r ON r.learner_id = l.id WHERE r.expires_on > current_date AND c.number = '012345'
           LIMIT 1""")
    db.query_one("UPDATE centres SET quality_contact = 'Ann Lee' WHERE number = '012345' RETURNING 1")
    with pytest.raises(Refused, match="learners never get portal accounts"):
        accounts.create_account(db, team, "learner.x", learner[0], "x@example.org", "centre", "012345", "Ann Lee")
    with pytest.raises(NotAllowed):
        accounts.create_account(db, load_user(db, "quality.demo"), "q.x", "Q X", "q@example.org", "quality")
    signed = auth.sign_in(db, "jo.bloggs", made.password)
    assert isinstance(signed, auth.SignedIn) and signed.user.centre_number == number


def test_closed_accounts_are_refused_end_their_sessions_and_are_never_deleted(db, team):
    signed = auth.sign_in(db, "harbourside.demo", DEMO_PASSWORD)
    with pytest.raises(Refused, match="reason"):
        accounts.close_account(db, team, "harbourside.demo", "")
    accounts.close_account(db, team, "harbourside.demo", "Left the centre")
    assert auth.resume_session(db, signed.token).reason == "account_closed"
    assert auth.sign_in(db, "harbourside.demo", DEMO_PASSWORD).reason == "closed"
    assert db.query_one("SELECT count(*) FROM users WHERE username = 'harbourside.demo'")[0] == 1
    with pytest.raises(Refused, match="not the quality contact"):
        db.query_one("UPDATE centres SET quality_contact = 'Mo Khan' WHERE number = '023456' RETURNING 1")
        accounts.reopen_account(db, team, "harbourside.demo", "Not Mo")
    reopened = accounts.reopen_account(db, team, "harbourside.demo", "Mo Khan")
    back = auth.sign_in(db, "harbourside.demo", reopened.password)
    assert isinstance(back, auth.SignedIn) and back.user.must_change_password
    with pytest.raises(Refused, match="your own account"):
        accounts.close_account(db, team, "team.demo", "Testing")


def test_reset_and_unlock(db, team):
    for _ in range(6):
        auth.sign_in(db, "centre.demo", "wrong")
    assert auth.sign_in(db, "centre.demo", DEMO_PASSWORD).reason == "wait"
    accounts.unlock(db, team, "centre.demo")
    assert isinstance(auth.sign_in(db, "centre.demo", DEMO_PASSWORD), auth.SignedIn)
    fresh = accounts.reset_password(db, team, "centre.demo")
    assert auth.sign_in(db, "centre.demo", DEMO_PASSWORD).reason == "wrong_credentials"
    assert auth.sign_in(db, "centre.demo", fresh.password).user.must_change_password


def test_blocking_a_centre_ends_its_sessions_at_once_with_the_reason(db, team):
    signed = auth.sign_in(db, "centre.demo", DEMO_PASSWORD)
    assert centres.block_centre(db, team, "012345", "Invoice 4411 unpaid") == 1
    ended = auth.resume_session(db, signed.token)
    assert ended.reason == "centre_blocked" and "Invoice 4411 unpaid" in ended.message
    assert "Invoice 4411 unpaid" in auth.sign_in(db, "centre.demo", DEMO_PASSWORD).message
    centres.unblock_centre(db, team, "012345", "Paid on 24/11")
    assert isinstance(auth.sign_in(db, "centre.demo", DEMO_PASSWORD), auth.SignedIn)
    changes = audit.history(db, team, "centre", "012345")
    assert list(changes.Action)[:2] == ["centre_unblocked", "centre_blocked"]
    assert list(changes.Action)[-1] == "centre_created", "the demo set its centres up through the same calls"


def test_approvals_with_and_without_integrated_assessment(db, team):
    number = new_centre(db, team)
    centres.set_approval(db, team, number, "8000-14", True, integrated=True)
    listed = centres.centres(db, team).set_index("Centre").loc[number]
    assert listed["Approved for"] == "8000-14 (integrated), 8600-31"
    centres.set_approval(db, team, number, "8000-14", False)
    assert centres.centres(db, team).set_index("Centre").loc[number, "Approved for"] == "8600-31"
    with pytest.raises(Refused, match="already exists"):
        new_centre(db, team)
    with pytest.raises(Refused, match="6 digits"):
        centres.create_centre(db, team, "12ab", "X", "Y", "y@example.org")


def test_the_audit_trail_filters_by_centre_and_action_and_quality_reads_it(db, team):
    number = new_centre(db, team)
    quality = load_user(db, "quality.demo")
    page = audit.audit_page(db, quality, grid.GridQuery(filters=(
        grid.ColumnFilter("Centre", grid.Condition(grid.EQUALS, number)),)))
    assert list(page.rows.Action) == ["centre_approval", "centre_created"]
    export = audit.audit_export(db, team)
    assert export[:2] == b"PK"
    with pytest.raises(NotAllowed):
        audit.audit_page(db, load_user(db, "centre.demo"))


def test_reference_data_is_checked_and_audited(db, team):
    from lib.admin import reference

    reference.save_qualification(db, team, "8601-31", "Level 3 Award in Team Leading", 3)
    reference.save_unit(db, team, "8601-301", "Leading a team", 3, 3, 2500, ["8601-31"])
    listed = reference.units(db, team).set_index("Code").loc["8601-301"]
    assert (listed.Credits, listed["Word-count guidance"], listed.Qualifications) == (3, 2500, "8601-31")
    with pytest.raises(Refused, match="level is a whole number"):
        reference.save_qualification(db, team, "8601-31", "X", 9)
    with pytest.raises(Refused, match="four digits"):
        reference.save_qualification(db, team, "86", "X", 3)
    with pytest.raises(Refused, match="Word-count guidance"):
        reference.save_unit(db, team, "8601-301", "Leading a team", 3, 3, 5, ["8601-31"])
    with pytest.raises(Refused, match="no qualification 9999-99"):
        reference.save_unit(db, team, "8601-302", "Other", 3, 3, None, ["9999-99"])
    reference.save_qualification(db, team, "8601-31", "Level 3 Award in Team Leading", 3, assessed=False)
    from lib.admin.registrations import check_import
    from tests.test_registrations_import import csv, row

    centres.set_approval(db, team, "012345", "8601-31", True)
    check = check_import(db, team, "x.csv", csv(row(enr="NEW0701", qualification="8601-31")))
    assert list(check.rows.Code) == ["E04"], "a qualification no longer assessed is refused by imports"
    actions = [r[0] for r in db.query_all("SELECT action FROM audit_log WHERE entity IN ('qualification', 'unit') "
                                          "ORDER BY id")]
    assert actions == ["qualification_saved", "unit_saved", "qualification_saved"]


def test_unit_criteria_kept_on_reference_data_are_what_the_assessor_marks_against(db, team):
    from lib.admin import reference
    from lib.rules.unit_criteria import CRITERIA
    from lib.service.marking import marking_guide

    assessor = load_user(db, "assessor.demo")
    item_id, units = db.query_one("SELECT id, unit_codes FROM submissions WHERE stage = 'allocated' AND assessor_id = ? "
                                  "ORDER BY id LIMIT 1", [assessor.id])
    code = units.split(", ")[0]
    unit = reference.units(db, team).set_index("Code").loc[code]
    assert unit.Criteria == len(CRITERIA[code])  # the published ones until the team keeps its own
    assert unit.criteria_text.splitlines()[0] == " ".join(CRITERIA[code][0])

    def save(criteria):
        reference.save_unit(db, team, code, unit.Name, int(unit.Level), int(unit.Credits),
                            None if pd.isna(unit["Word-count guidance"]) else int(unit["Word-count guidance"]),
                            unit.Qualifications.split(", "), criteria)

    save("1.1  Explain the **purpose** of =SUM(A1)\n\n1.2. <b>Plan</b> the change\n2.1 Review it")
    guide = next(g for g in marking_guide(db, assessor, item_id) if g.code == code)
    assert guide.criteria == (("1.1", "Explain the **purpose** of =SUM(A1)"), ("1.2", "<b>Plan</b> the change"),
                              ("2.1", "Review it"))
    assert reference.units(db, team).set_index("Code").loc[code].Criteria == 3
    assert db.query_one("SELECT count(*) FROM audit_log WHERE action = 'unit_saved' AND entity_id = ?", [code])[0] == 1

    with pytest.raises(Refused, match="Line 2 of the criteria does not start with its number"):
        save("1.1 Explain\nExplain again")
    with pytest.raises(Refused, match="Criterion 1.1 is given twice"):
        save("1.1 Explain\n1.1 Plan")
    assert next(g for g in marking_guide(db, assessor, item_id) if g.code == code).criteria[2] == ("2.1", "Review it")

    save("")  # empty: the published criteria again
    assert next(g for g in marking_guide(db, assessor, item_id) if g.code == code).criteria == CRITERIA[code]


def test_a_new_unit_has_no_criteria_until_the_team_writes_them(db, team):
    from lib.admin import reference

    reference.save_qualification(db, team, "8601-31", "Level 3 Award in Team Leading", 3)
    reference.save_unit(db, team, "8601-301", "Leading a team", 3, 3, 2500, ["8601-31"])
    assert reference.units(db, team).set_index("Code").loc["8601-301"].Criteria == 0
    reference.save_unit(db, team, "8601-301", "Leading a team", 3, 3, 2500, ["8601-31"], "1.1 Lead a team meeting")
    assert reference.units(db, team).set_index("Code").loc["8601-301"].criteria_text == "1.1 Lead a team meeting"
