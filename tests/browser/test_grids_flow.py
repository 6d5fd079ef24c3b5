"""Issue 26 in a real browser, on every grid people act from: a tick on page 1 survives page 2, a heading sort
(which orders the whole list, checked against the database) and a filter that hides it and brings it back, and
the action lands on the ticked record. And a tick box answers the first click after a refused action."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lib import demo
from lib.store import devserver
from lib.store.db import Database
from tests.browser.conftest import as_user, open_page, settle, start_app, tick_row
from tests.browser.test_admin_flow import choose, go


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The demo app, with enough of the demo centre's items waiting in Pending for two pages."""
    folder = tmp_path_factory.mktemp("grids")
    path = folder / "ilma.duckdb"
    demo.build(path, 800, seed_value=5)
    db = Database.open(path)
    with db.cursor() as cursor:
        cursor.execute("""UPDATE submissions SET stage = 'pending', submitted_at = NULL WHERE id IN (
                              SELECT s.id FROM submissions s JOIN centres c ON c.id = s.centre_id
                              WHERE c.number = '012345' AND s.stage IN ('allocated', 'accepted'))""")
        for number in range(5):  # centres enough for a second page
            cursor.execute("""INSERT INTO centres (id, number, name, created_at)
                              VALUES (nextval('seq_centres'), ?, ?, now())""", [f"09000{number}", f"Grid Centre {number}"])
    db.close()
    process, url = start_app(folder, path)
    yield url, path
    devserver.stop(process)


def first_cells(page, table_key: str, column: int) -> str:
    """The text of a column (by position, the tick column being 0) in the first row shown."""
    return page.locator(f".st-key-{table_key} [role='row']").nth(1).locator("[role='gridcell']").nth(column - 1) \
        .inner_text()


def sorted_by(page, sort_key: str) -> str:
    """The column the Sort by box shows."""
    return page.locator(f".st-key-{sort_key} input").first.input_value().strip()


def sort_state(page, sort_key: str) -> tuple[str, bool]:
    """The Sort by column and the Descending toggle."""
    toggle = page.locator(f".st-key-{sort_key.removesuffix('_sort')}_descending input").first
    return sorted_by(page, sort_key), toggle.is_checked()


def click_and_wait_for_sort(page, sort_key: str, x: float, y: float) -> None:
    """Click at (x, y) on a heading and wait for the sort to change: on a loaded machine the rerun a click
    starts may begin after settle() has looked, and a second click on a column already sorted reverses it."""
    before = sort_state(page, sort_key)
    page.mouse.click(x, y)
    for _ in range(12):  # a click between headings sorts nothing: give up after a few seconds
        settle(page)
        if sort_state(page, sort_key) != before:
            return
        page.wait_for_timeout(250)


def click_heading(page, table_key: str, sort_key: str, label: str, labels: list[str]) -> None:
    """Click a column heading of a canvas-drawn table. Where each column starts is not in the page, so click
    along the heading row, moving towards the column by what the last click sorted by."""
    grid = page.locator(f".st-key-{table_key} [data-testid='stDataFrame']")
    grid.wait_for(state="visible", timeout=60_000)  # a loaded machine draws it late
    box = grid.bounding_box()
    x, step = box["x"] + 60, 70
    for _ in range(25):
        click_and_wait_for_sort(page, sort_key, x, box["y"] + 17)
        chosen = sorted_by(page, sort_key)
        if chosen == label:
            return
        if chosen in labels:
            x += step if labels.index(chosen) < labels.index(label) else -step / 2
        else:
            x += step
        box = grid.bounding_box()
    raise AssertionError(f"no heading {label} found on {table_key}")


def filter_on(page, key: str, column: str, value: str) -> None:
    page.get_by_test_id("stPopover").filter(has_text="Filter").get_by_role("button").first.click()
    choose(page, f"{key}_filter_column", column)
    page.locator(f".st-key-{key}_filter_value1_{column} input").fill(value)
    page.locator(f".st-key-{key}_filter_apply button").click()
    settle(page)
    page.keyboard.press("Escape")
    expect(page.get_by_text("Filtered: ").first).to_be_visible(timeout=30_000)


def walk(page, key: str, table_key: str, sort_label: str, labels: list[str], every_sorted: list[str],
         hide_with: tuple[str, str]) -> None:
    """Tick the first row of page 1, go to page 2, sort by a heading, filter the ticked row out and back."""
    tick_row(page, table_key, 0)
    page.locator(f".st-key-{key}_next button").click()
    settle(page)
    expect(page.get_by_text("1 ticked item(s) not on this page are still ticked.")).to_be_visible()
    click_heading(page, table_key, f"{key}_sort", sort_label, labels)
    column = labels.index(sort_label)
    assert first_cells(page, table_key, column) == every_sorted[0], "the heading sorts the whole list"
    filter_on(page, key, *hide_with)
    page.locator(f".st-key-{key}_clear button").click()
    settle(page)


def test_unit_assessment_tick_page_sort_filter_then_upload_lands_on_the_ticked_row(browser, app):
    url, path = app
    context, page = as_user(browser, url, "centre.demo")
    open_page(page, "Unit Assessment")
    ticked_learner = first_cells(page, "units_table", 2)
    ticked_unit = first_cells(page, "units_table", 6)
    labels = ["Default order", "ENR", "Learner", "Qual", "Qual. Name", "Registration Expiry", "Unit", "Unit Name",
              "Status", "Last mark"]
    enrs = sorted(row[0] for row in _centre_rows(path, """SELECT l.enr FROM registrations r
        JOIN learners l ON l.id = r.learner_id JOIN qualification_units qu ON qu.qualification_code = r.qualification_code
        JOIN centres c ON c.id = l.centre_id WHERE c.number = '012345'"""))
    walk(page, "units", "units_table", "ENR", labels, enrs, ("Learner", "zzzz-nobody"))
    page.locator(".st-key-units_upload button").click()
    settle(page)
    headers = page.get_by_text("Learner Name :")
    expect(headers.first).to_be_visible(timeout=30_000)
    assert headers.count() == 1
    expect(headers.first).to_contain_text(f"Learner Name : {ticked_learner},")
    expect(headers.first).to_contain_text(f"Unit : {ticked_unit} -")
    context.close()


def test_pending_tick_page_sort_filter_then_view_lands_on_the_ticked_item(browser, app):
    url, path = app
    context, page = as_user(browser, url, "centre.demo")
    open_page(page, "Pending Submission")
    ticked = first_cells(page, "pending_table", 1)
    labels = ["Default order", "ID", "ENR", "Learner", "Qual", "Qual. Name", "Registration Expiry", "Unit(s)", "Type",
              "Result Sheet", "Submission"]
    learners = sorted(row[0] for row in _centre_rows(path, """SELECT l.first_name || ' ' || l.last_name
        FROM submissions s JOIN learners l ON l.id = s.learner_id JOIN centres c ON c.id = s.centre_id
        WHERE c.number = '012345' AND s.stage = 'pending'"""))
    walk(page, "pending", "pending_table", "Learner", labels, learners, ("Learner", "zzzz-nobody"))
    expect(page.get_by_text(f"View / Edit item {ticked}")).to_be_visible(timeout=30_000)
    context.close()


@pytest.mark.parametrize(("page_name", "key", "label", "labels", "sql", "hide"), [
    ("Accounts", "accounts", "Email",
     ["Default order", "Username", "Name", "Email", "Role", "Centre", "Status"], "SELECT email FROM users",
     ("Name", "zzzz-nobody")),
    ("Centres", "centres", "Name", ["Default order", "Centre", "Name", "Status"], "SELECT name FROM centres",
     ("Name", "zzzz-nobody")),
])
def test_the_teams_lists_tick_sort_filter_and_act_on_the_ticked_record(browser, app, page_name, key, label, labels,
                                                                        sql, hide):
    url, path = app
    context, page = as_user(browser, url, "team.demo")
    go(page, page_name)
    ticked_name = first_cells(page, f"{key}_table", 2)
    every = sorted(row[0] for row in _centre_rows(path, sql))
    rows_shown = page.locator(f".st-key-{key}_table [role='row']").count() - 1
    if rows_shown >= len(every):  # one page: no page 2 to go to, the rest of the walk still holds
        pytest.fail(f"{page_name} has only {len(every)} rows: the demo should fill two pages")
    walk(page, key, f"{key}_table", label, labels, every, hide)
    expect(page.get_by_role("heading", name=ticked_name).first).to_be_visible(timeout=30_000)
    context.close()


def test_the_audit_trails_heading_sorts_the_whole_trail(browser, app):
    url, path = app
    context, page = as_user(browser, url, "team.demo")
    go(page, "Audit trail")
    labels = ["Default order", "ID", "When", "User", "Action", "Entity", "Entity ID", "Centre", "Before", "After"]
    click_heading(page, "audit_table", "audit_sort", "Action", labels)
    expect(page.locator(".st-key-audit_descending input")).not_to_be_checked()
    first = first_cells(page, "audit_table", labels.index("Action"))
    assert first == min(row[0] for row in _centre_rows(path, "SELECT action FROM audit_log"))
    context.close()


def test_a_tick_box_answers_the_first_click_after_a_refused_action(browser, app):
    url, _ = app
    context, page = as_user(browser, url, "centre.demo")
    open_page(page, "Tracker")
    # Items still being assessed: Re-submit would be refused for each, so it is off and says why. (The newest item
    # of any status was used before: on some days of the demo it is a rejected one, which may be re-submitted.)
    page.goto(f"{url}/tracker?status=Submitted")
    expect(page.get_by_role("heading", name="Tracker", exact=True)).to_be_visible(timeout=30_000)
    settle(page)
    for _ in range(3):
        tick_row(page, "tracker_table", 0)
        expect(page.get_by_text("Re-submit: ")).to_be_visible(timeout=30_000)
        expect(page.locator(".st-key-tracker_resubmit button:visible").first).to_be_disabled()
        tick_row(page, "tracker_table", 0)  # untick: one click, which reruns and shows it
        expect(page.get_by_text("Re-submit: ")).to_have_count(0)
        expect(page.locator(".st-key-tracker_resubmit button:visible").first).to_be_disabled()
    context.close()


def _centre_rows(path, sql: str) -> list[tuple]:
    """Rows read from the running app's database through a read-only copy (the app holds the file)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        copy = f"{folder}/copy.duckdb"
        shutil.copy(path, copy)
        db = Database.open(copy)
        try:
            return db.query_all(sql)
        finally:
            db.close()


def test_clear_filter_starts_the_filter_form_afresh(browser, app):
    url, _ = app
    context, page = as_user(browser, url, "centre.demo")
    open_page(page, "Tracker")
    page.get_by_test_id("stPopover").filter(has_text="Filter").get_by_role("button").first.click()
    choose(page, "tracker_filter_column", "Learner")
    choose(page, "tracker_filter_op1_Learner", "Is equal to")
    page.locator(".st-key-tracker_filter_value1_Learner input").fill("Daniel Simpson")
    page.locator(".st-key-tracker_filter_join_Learner").get_by_text("Or", exact=True).click()
    choose(page, "tracker_filter_op2_Learner", "Is equal to")
    page.locator(".st-key-tracker_filter_value2_Learner input").fill("Priya Smith")
    page.locator(".st-key-tracker_filter_apply button").click()
    settle(page)
    page.keyboard.press("Escape")
    expect(page.get_by_text('Filtered: Learner is equal to "Daniel Simpson" Or is equal to "Priya Smith"')) \
        .to_be_visible(timeout=30_000)
    page.locator(".st-key-tracker_clear button").click()
    settle(page)
    page.get_by_test_id("stPopover").filter(has_text="Filter").get_by_role("button").first.click()
    choose(page, "tracker_filter_column", "Learner")
    page.locator("[class*='st-key-tracker_filter_value1_Learner_v'] input").fill("Zara")
    page.locator(".st-key-tracker_filter_apply button").click()
    settle(page)
    page.keyboard.press("Escape")
    expect(page.get_by_text('Filtered: Learner contains "Zara"', exact=True)).to_be_visible(timeout=30_000)
    context.close()
