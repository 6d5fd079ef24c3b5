"""Issue 26.2 and 26.3: on every list a heading click sorts the whole list (not the rows on the page) and becomes
the list's Sort by; a second click reverses it; Pending, Accounts and Centres have Filter, Sort and paging."""

from __future__ import annotations

import pytest

from tests.apptest_helpers import table_widget_key, texts, tick
from tests.conftest import open_test_database


def read(db_path, sql: str, params=None, change: str | None = None) -> list[tuple]:
    """Rows from the database before the app opens it (the app's process holds the file once it runs)."""
    database = open_test_database(db_path)
    try:
        if change:
            with database.cursor() as cursor:
                cursor.execute(change, params)
        return database.query_all(sql, params)
    finally:
        database.close()


def centre_id(db_path) -> int:
    return read(db_path, "SELECT centre_id FROM users WHERE username = 'centre.demo'")[0][0]


def click_heading(at, table_key: str, column: str):
    at.session_state[table_widget_key(at, table_key)] = {"selection": {"rows": [], "columns": [column], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    return at


def table(at, table_key: str):
    key = table_widget_key(at, table_key)
    return next(frame.value for frame in at.dataframe if frame.proto.id.endswith(key))


UNIT_LEARNERS = """SELECT l.first_name || ' ' || l.last_name FROM registrations r JOIN learners l ON l.id = r.learner_id
                   JOIN qualification_units qu ON qu.qualification_code = r.qualification_code
                   WHERE l.centre_id = ?"""
INTEGRATED_LEARNERS = """SELECT l.first_name || ' ' || l.last_name FROM registrations r
                         JOIN learners l ON l.id = r.learner_id
                         JOIN centre_approvals a ON a.centre_id = l.centre_id
                              AND a.qualification_code = r.qualification_code
                         WHERE l.centre_id = ? AND a.integrated"""


@pytest.mark.parametrize(("script", "key", "sql"), [
    ("pages/centre/unit_assessment_page.py", "units", UNIT_LEARNERS),
    ("pages/centre/integrated_assessment_page.py", "integrated", INTEGRATED_LEARNERS),
])
def test_a_heading_click_sorts_the_centres_whole_list_of_learners(as_role, db_path, script, key, sql):
    learners = sorted(row[0] for row in read(db_path, sql, [centre_id(db_path)]))
    assert len(learners) > 10, "the list is longer than a page"
    at = as_role("centre.demo", script)
    before = table(at, f"{key}_table").Learner.tolist()
    click_heading(at, f"{key}_table", "Learner")
    assert at.selectbox(key=f"{key}_sort").value == "Learner"
    shown = table(at, f"{key}_table").Learner.tolist()
    assert shown == learners[:len(shown)] and shown != before
    click_heading(at, f"{key}_table", "Learner")
    assert table(at, f"{key}_table").Learner.tolist() == learners[::-1][:len(shown)]


def test_pending_has_filter_sort_by_heading_and_paging(as_role, db_path):
    pending = read(db_path, """SELECT s.id, l.first_name || ' ' || l.last_name FROM submissions s
                               JOIN learners l ON l.id = s.learner_id WHERE s.centre_id = ? AND s.stage = 'pending'""",
                   [centre_id(db_path)],
                   change="""UPDATE submissions SET stage = 'pending', submitted_at = NULL WHERE id IN (
                             SELECT id FROM submissions WHERE centre_id = ? AND stage IN ('allocated', 'accepted'))
                             """)
    assert len(pending) > 10
    at = as_role("centre.demo", "pages/centre/pending_page.py")
    assert len(table(at, "pending_table")) == 10 and f"of {len(pending):,} items" in texts(at)
    click_heading(at, "pending_table", "Learner")
    assert table(at, "pending_table").Learner.tolist() == sorted(name for _, name in pending)[:10]
    tick(at, "pending_table", [0])
    ticked_id = int(table(at, "pending_table").ID.iloc[0])
    # Filter the ticked item out of view: it stays ticked and Submit still acts on it.
    other = next(name for item, name in pending if item != ticked_id and name != table(at, "pending_table").Learner[0])
    at.selectbox(key="pending_filter_column").select("Learner").run()
    at.selectbox(key="pending_filter_op1_Learner").select("Is equal to").run()
    at.text_input(key="pending_filter_value1_Learner").input(other)
    at.button(key="pending_filter_apply").click().run()
    assert set(table(at, "pending_table").Learner) == {other}
    assert "1 ticked item(s) not on this page are still ticked." in texts(at)
    at.button(key="pending_clear").click().run()
    assert ticked_id in table(at, "pending_table").ID.tolist()


@pytest.mark.parametrize(("script", "key", "column", "sql"), [
    ("pages/admin/accounts_page.py", "accounts", "Email", "SELECT email FROM users"),
    ("pages/admin/centres_page.py", "centres", "Name", "SELECT name FROM centres"),
])
def test_accounts_and_centres_sort_by_heading_and_page(as_role, db_path, script, key, column, sql):
    every = sorted(row[0] for row in read(db_path, sql))
    at = as_role("team.demo", script)
    click_heading(at, f"{key}_table", column)
    shown = table(at, f"{key}_table")[column].tolist()
    assert shown == every[:len(shown)] and at.selectbox(key=f"{key}_sort").value == column
    click_heading(at, f"{key}_table", column)
    assert table(at, f"{key}_table")[column].tolist() == every[::-1][:len(shown)]
    at.selectbox(key=f"{key}_filter_column").select(column).run()
    at.text_input(key=f"{key}_filter_value1_{column}").input(every[-1])
    at.button(key=f"{key}_filter_apply").click().run()
    assert table(at, f"{key}_table")[column].tolist() == [every[-1]]


def test_the_audit_trails_heading_sort_orders_the_whole_trail_as_its_export_does(as_role, db_path):
    users = sorted(row[0] for row in read(db_path, "SELECT DISTINCT username FROM audit_log WHERE username IS NOT NULL"))
    newest = read(db_path, "SELECT max(occurred_at) FROM audit_log")[0][0]
    at = as_role("team.demo", "pages/admin/audit_page.py")
    click_heading(at, "audit_table", "User")
    assert at.selectbox(key="audit_sort").value == "User" and at.toggle(key="audit_descending").value is False
    assert table(at, "audit_table").User.iloc[0] == users[0]
    at.selectbox(key="audit_sort").select("When").run()
    at.toggle(key="audit_descending").set_value(True).run()
    when = table(at, "audit_table").When.tolist()
    assert when == sorted(when, reverse=True) and when[0] >= newest, "a real Sort by is what the page shows"


def test_a_whole_list_without_a_grid_sorts_itself_on_a_heading_click(as_role):
    at = as_role("centre.demo", "pages/service/enquiries_page.py")
    key = "enquiries_raise_table"
    learners = sorted(table(at, key).Learner.tolist())
    assert len(set(learners)) > 1
    click_heading(at, key, "Learner")
    assert table(at, key).Learner.tolist() == learners
    click_heading(at, key, "Learner")
    assert table(at, key).Learner.tolist() == learners[::-1]
    tick(at, key, [0])
    assert f"Item {int(table(at, key).ID.iloc[0])}: {learners[-1]}" in texts(at), "the tick lands on the row clicked"
