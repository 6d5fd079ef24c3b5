"""Copied work in Chromium: the assessor opens an item of the queue that shares a passage with an item at
another centre, reads both texts side by side with the passages marked, and flags it from the match; quality
finds the case with both items and the passages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lib.service.copied_work import copied_work
from lib.store import devserver
from lib.store.db import Database
from lib.store.files import FileStore
from tests.browser.conftest import as_user, notice, open_page, settle, start_app, tick_row
from tests.conftest import load_user


@pytest.fixture
def matched_item(db_path):
    """An item in the demo assessor's queue whose evidence shares text with another centre's, and the app."""
    db = Database.open(db_path)
    try:
        assessor = load_user(db, "assessor.demo")
        queue = [row[0] for row in db.query_all(
            "SELECT id FROM submissions WHERE stage = 'allocated' AND assessor_id = ? ORDER BY id", [assessor.id])]
        found = [(item, work.matches[0]) for item in queue
                 if (work := copied_work(db, assessor, item, FileStore(db_path.parent / "files"))).to_act_on]
    finally:
        db.close()
    assert found, "the demo puts a passage shared across two centres in the demo assessor's queue"
    process, url = start_app(db_path.parent, db_path)
    yield url, *found[0]
    devserver.stop(process)


def test_the_assessor_reads_a_match_side_by_side_and_flags_it_for_quality(browser, matched_item):
    url, item, match = matched_item
    context, page = as_user(browser, url, "assessor.demo")
    try:
        page.goto(f"{url}/marking?item={item}")
        expect(page.get_by_role("heading", name="My marking queue", exact=True)).to_be_visible(timeout=30_000)
        settle(page)
        # The link opens the queue on that one item: its ID in the search box, one row to tick.
        expect(page.locator(".st-key-marking_table_search input")).to_have_value(str(item), timeout=30_000)
        expect(page.get_by_text("1 match the search")).to_be_visible(timeout=30_000)
        tick_row(page, "marking_table", 0)
        line = page.get_by_text(f"Shares {match.share:.0%} of its text with item {match.other_item} (")
        expect(line).to_be_visible(timeout=30_000)
        line.click()
        settle(page)
        for side in ("mine", "theirs"):
            marked = page.locator(f".st-key-marking_copied_match_0_{side} mark")
            expect(marked.first).to_be_visible(timeout=30_000)
        passage_start = " ".join(match.shared.passages[0].split()[:5])
        expect(page.locator(".st-key-marking_copied_match_0_theirs mark").filter(has_text=passage_start).first
               ).to_be_attached()
        flag = page.locator(".st-key-marking_copied_case_0 button")
        expect(flag).to_be_visible()
        flag.click()
        notice(page, f"Item {item} is flagged with the match")
    finally:
        context.close()
    context, page = as_user(browser, url, "quality.demo")
    try:
        open_page(page, "Malpractice cases")
        expect(page.get_by_text(str(item), exact=True).first).to_be_attached(timeout=30_000)
    finally:
        context.close()
