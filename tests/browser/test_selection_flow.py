"""In a real browser, a tick belongs to its record: tick a learner's unit on page 1, go to page 2, filter it out
of view, and Upload Files opens exactly that learner and unit, nobody else."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lib import demo
from lib.accounts.auth import user_by_username
from lib.centre.uploads import unit_assessment_rows
from lib.demo import DEMO_PASSWORD
from lib.store import devserver, grid
from lib.store.db import Database
from tests.browser.conftest import open_page, settle, sign_in, start_app, tick_row


@pytest.fixture(scope="module")
def app_and_pages(tmp_path_factory):
    """The demo app, and the first two pages of the centre's Unit Assessment list as lib lists them."""
    folder = tmp_path_factory.mktemp("selection")
    path = folder / "ilma.duckdb"
    demo.build(path, 300, seed_value=3)
    db = Database.open(path)
    centre = user_by_username(db, "centre.demo")
    pages = [unit_assessment_rows(db, centre, grid.GridQuery(offset=offset)).rows for offset in (0, 10)]
    db.close()
    process, url = start_app(folder, path)
    yield url, pages
    devserver.stop(process)


def test_a_tick_on_page_one_survives_paging_and_a_filter_and_the_action_lands_on_it(page, app_and_pages):
    url, (first, second) = app_and_pages
    sign_in(page, url, "centre.demo", DEMO_PASSWORD)
    open_page(page, "Unit Assessment")
    tick_row(page, "units_table", 0)
    page.locator(".st-key-units_next button").click()
    settle(page)
    expect(page.get_by_text("1 ticked item(s) not on this page are still ticked.")).to_be_visible()
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    # A filter that leaves the ticked record out of view.
    page.get_by_test_id("stPopover").get_by_role("button").first.click()
    page.locator(".st-key-units_filter_column").click()
    page.get_by_role("option", name="Unit", exact=True).click()
    settle(page)
    other_unit = next(unit for unit in second.Unit if unit != first.Unit.iloc[0])
    page.locator(".st-key-units_filter_value1_Unit input").fill(other_unit)
    page.locator(".st-key-units_filter_apply button").click()
    settle(page)
    expect(page.get_by_text(f'Filtered: Unit contains "{other_unit}"')).to_be_visible(timeout=30_000)
    page.keyboard.press("Escape")
    expect(page.get_by_text("1 ticked item(s) not on this page are still ticked.")).to_be_visible()
    page.locator(".st-key-units_upload button").click()
    settle(page)
    headers = page.get_by_text("Learner Name :")
    expect(headers.first).to_be_visible(timeout=30_000)
    assert headers.count() == 1, "only the ticked record opens"
    expect(headers.first).to_contain_text(f"Learner Name : {first.Learner.iloc[0]},")
    expect(headers.first).to_contain_text(f"Unit : {first.Unit.iloc[0]} -")
