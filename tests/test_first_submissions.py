"""The policy's advice on first submissions: more than 10 first-time items of a unit need the centre's word."""

from __future__ import annotations

from datetime import datetime

import pytest

from lib.centre.first_submissions import first_time_units, many_first
from lib.centre.submitting import submit
from lib.errors import Refused
from tests.conftest import load_user, open_test_database


def pending_items_of_a_new_unit(db, user, how_many: int) -> tuple[str, list[int]]:
    """how_many pending items, at the user's centre, of a unit it has never submitted."""
    unit = db.query_one(
        """SELECT min(code) FROM units WHERE code NOT IN (
               SELECT u.unit_code FROM submissions s JOIN submission_units u ON u.submission_id = s.id
               WHERE s.centre_id = ?)""", [user.centre_id])[0]
    learners = db.query_all(  # one pending item per learner and unit: a learner each
        """SELECT l.id, any_value(r.qualification_code) FROM learners l JOIN registrations r ON r.learner_id = l.id
           WHERE l.centre_id = ? GROUP BY l.id ORDER BY l.id LIMIT ?""", [user.centre_id, how_many])
    first_id = db.query_one("SELECT max(id) + 1 FROM submissions")[0]
    ids = list(range(first_id, first_id + how_many))
    with db.cursor() as cursor:
        for item_id, (learner, qualification) in zip(ids, learners):
            cursor.execute("""INSERT INTO submissions (id, centre_id, learner_id, qualification_code, type, stage,
                                  unit_codes, uploaded_at) VALUES (?, ?, ?, ?, 'Unit', 'pending', ?, ?)""",
                           [item_id, user.centre_id, learner, qualification, unit, datetime(2026, 11, 20)])
            cursor.execute("INSERT INTO submission_units (submission_id, unit_code) VALUES (?, ?)", [item_id, unit])
    return unit, ids


def test_more_than_ten_first_items_of_a_unit_need_the_centres_word(db):
    user = load_user(db, "centre.demo")
    unit, ids = pending_items_of_a_new_unit(db, user, 11)
    assert first_time_units(db, user, [unit]) == [unit]
    assert many_first(db, user, ids) == {unit: 11}
    with pytest.raises(Refused, match=rf"first submission of a unit with more than 10 items \(11 of unit {unit}\)"):
        submit(db, user, ids, quality_confirmed=True)
    # Confirmed, the advice no longer stops it: the next check does (these items have no files).
    with pytest.raises(Refused, match="has no evidence files"):
        submit(db, user, ids, quality_confirmed=True, many_first_confirmed=True)


def test_ten_first_items_or_a_unit_sent_before_need_no_confirmation(db):
    user = load_user(db, "centre.demo")
    unit, ids = pending_items_of_a_new_unit(db, user, 10)
    assert many_first(db, user, ids) == {}
    with pytest.raises(Refused, match="has no evidence files"):
        submit(db, user, ids, quality_confirmed=True)
    sent = db.query_one("""SELECT min(u.unit_code) FROM submissions s JOIN submission_units u ON u.submission_id = s.id
                           WHERE s.centre_id = ? AND s.stage <> 'pending'""", [user.centre_id])[0]
    assert first_time_units(db, user, [sent, unit]) == [unit]


def test_the_submit_dialog_gives_the_advice_and_asks_before_more_than_ten_first_items(centre_app, db_path):
    from tests.apptest_helpers import open_page, texts, tick

    database = open_test_database(db_path)  # after the app has opened it, as the server would have
    try:
        unit, ids = pending_items_of_a_new_unit(database, load_user(database, "centre.demo"), 11)
    finally:
        database.close()
    at = open_page(centre_app, "pages/centre/pending_page.py")
    at.selectbox(key="pending_per_page").select(50).run()  # all eleven on one page
    table = at.dataframe[0].value
    tick(at, "pending_table", [i for i, item_id in enumerate(table.ID) if item_id in ids])
    at.button(key="pending_submit").click().run()
    assert f"you are sending 11 items of unit {unit}" in texts(at) and "5 to 10" in texts(at)
    at.checkbox(key="pending_quality_confirmed").check().run()
    assert at.button(key="pending_confirm_ok").disabled  # not until the centre says it means to
    at.checkbox(key="pending_many_first").check().run()
    assert not at.button(key="pending_confirm_ok").disabled
    at.button(key="pending_confirm_ok").click().run()
    assert "has no evidence files" in texts(at)  # past the advice, stopped by the next check
