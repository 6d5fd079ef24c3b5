"""An enquiry in the browser: the centre raises it from the Tracker on a Referred item, the reviewer (who did not
mark it) changes the unit to a Pass with a re-issued result sheet, and the centre's Tracker shows Completed with
the results history."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lib import demo
from lib.accounts.auth import user_by_username
from lib.service import enquiries
from lib.store import devserver
from lib.store.db import Database
from tests import samples
from tests.browser.conftest import as_user, settle, start_app, tick_row

WHY = "Criterion 2.1 is met in section 3, where the learner evaluates both leadership models with examples."


@pytest.fixture(scope="module")
def referred_item(tmp_path_factory):
    """The demo (with its files) and a Referred item of the demo centre inside the enquiry window."""
    folder = tmp_path_factory.mktemp("enquiry-flow")
    path = folder / "ilma.duckdb"
    demo.build(path, 600, seed_value=5, files_dir=folder / "files")
    db = Database.open(path)
    centre = user_by_username(db, "centre.demo")
    open_to_enquiry = enquiries.enquirable_items(db, centre)
    assert len(open_to_enquiry), "the demo centre has released results inside the enquiry window"
    referred = open_to_enquiry[open_to_enquiry.Status == "Referred"]
    item = int((referred if len(referred) else open_to_enquiry).ID.iloc[0])
    if not len(referred):  # make the latest release a referral, as a marker might have
        db.query_one("UPDATE submission_units SET result = 'Referral', mark = 38 WHERE submission_id = ? RETURNING 1",
                     [item])
        db.query_one("UPDATE submissions SET result = 'Referral', mark = 38 WHERE id = ? RETURNING 1", [item])
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0].split(", ")[0]
    lead = user_by_username(db, "lead.demo")
    took_part = db.query_one("""SELECT s.assessor_id = ? OR EXISTS (SELECT 1 FROM sampling p WHERE p.submission_id = s.id
                                AND p.decided_by = ?) OR EXISTS (SELECT 1 FROM conflicts_of_interest k
                                WHERE k.assessor_id = ? AND k.centre_id = s.centre_id)
                                FROM submissions s WHERE s.id = ?""", [lead.id] * 3 + [item])[0]
    assert not took_part, "the demo lead assessor can review this item's enquiry"
    db.close()
    process, url = start_app(folder, path)
    yield url, path, item, unit
    devserver.stop(process)


def filter_tracker_to(page, item: int) -> None:
    page.get_by_test_id("stPopover").get_by_role("button").first.click()
    value = page.locator(".st-key-tracker_filter_value1_ID input")
    value.fill(str(item))
    value.press("Enter")
    settle(page)
    page.locator(".st-key-tracker_filter_apply button").click()
    settle(page)
    expect(page.get_by_text(f'Filtered: ID is equal to "{item}"')).to_be_visible(timeout=30_000)
    page.keyboard.press("Escape")
    expect(page.get_by_text("1 item(s).", exact=False)).to_be_visible()


def test_an_enquiry_turns_a_referral_into_a_pass_and_the_tracker_shows_it(browser, referred_item, tmp_path):
    url, path, item, unit = referred_item
    centre_context, centre = as_user(browser, url, "centre.demo")
    centre.goto(f"{url}/tracker")
    settle(centre)
    filter_tracker_to(centre, item)
    expect(centre.locator(".st-key-tracker_table [role='row']").nth(1)).to_contain_text("Referred")
    tick_row(centre, "tracker_table", 0)
    centre.locator(".st-key-tracker_enquire button:visible").first.click()
    expect(centre.get_by_role("heading", name="Enquiries and appeals")).to_be_visible(timeout=30_000)
    settle(centre)
    form = centre.get_by_test_id("stForm").filter(has_text=f"Item {item}:")
    expect(form).to_be_visible(timeout=30_000)
    form.locator(f".st-key-enquiry_reason_{item} textarea").fill(WHY)
    form.get_by_role("button", name="Raise the enquiry").click()
    expect(centre.get_by_text(f"about item {item} is raised")).to_be_visible(timeout=30_000)
    settle(centre)

    notice = centre.get_by_text(f"about item {item} is raised").inner_text()
    enquiry = int(notice.split("Enquiry ")[1].split(" ")[0])
    centre_context.close()

    team_context, team = as_user(browser, url, "team.demo")
    team.goto(f"{url}/enquiries")
    settle(team)
    team.get_by_test_id("stPopover").get_by_role("button").first.click()
    team.locator(".st-key-enquiries_filter_column").click()
    team.get_by_role("option", name="Item", exact=True).click()
    settle(team)
    value = team.locator(".st-key-enquiries_filter_value1_Item input")
    value.fill(str(item))
    value.press("Enter")
    settle(team)
    team.locator(".st-key-enquiries_filter_apply button").click()
    settle(team)
    team.keyboard.press("Escape")
    tick_row(team, "enquiries_table", 0)
    expect(team.get_by_text(f"Enquiry {enquiry}: item {item}")).to_be_visible(timeout=30_000)
    team.locator(f".st-key-enquiry_reviewer_{enquiry}").click()
    team.get_by_role("option").filter(has_text="Helen Price").click()
    settle(team)
    team.locator(f".st-key-enquiry_assign_{enquiry} button").click()
    expect(team.get_by_text(f"Enquiry {enquiry} is with its reviewer.")).to_be_visible(timeout=30_000)
    team_context.close()
    reviewer_name = "lead.demo"

    reviewer_context, reviewer = as_user(browser, url, reviewer_name)
    reviewer.goto(f"{url}/enquiries")
    settle(reviewer)
    rows = reviewer.locator(".st-key-enquiries_table [role='row']")
    expect(rows.nth(1)).to_contain_text(str(item), timeout=30_000)
    tick_row(reviewer, "enquiries_table", 0)
    form = reviewer.get_by_test_id("stForm").filter(has_text="Outcome for each unit")
    expect(form).to_be_visible(timeout=30_000)
    form.locator(f".st-key-enquiry_{enquiry}_{unit}_outcome").get_by_text("Change", exact=True).click()
    form.locator(f".st-key-enquiry_{enquiry}_{unit}_note textarea").fill(
        "Section 3 evaluates both models against the team's situation: 2.1 is met and the unit passes.")
    form.locator(f".st-key-enquiry_{enquiry}_{unit}_result").get_by_text("Pass", exact=True).click()
    form.locator(f".st-key-enquiry_{enquiry}_{unit}_mark input").fill("63")
    form.locator(f".st-key-enquiry_{enquiry}_{unit}_feedback textarea").fill("2.1 met: a clear evaluation.")
    sheet = tmp_path / "Re-issued result sheet.docx"
    sheet.write_bytes(samples.result_sheet())
    form.locator("input[type=file]").set_input_files(str(sheet))
    settle(reviewer)
    form.get_by_role("button", name="Record the outcome").click()
    expect(reviewer.get_by_text(f"Enquiry {enquiry}: 1 unit(s) changed, 0 confirmed.")).to_be_visible(
        timeout=30_000)
    reviewer_context.close()

    centre_context, centre = as_user(browser, url, "centre.demo")
    centre.goto(f"{url}/tracker")
    settle(centre)
    filter_tracker_to(centre, item)
    row = centre.locator(".st-key-tracker_table [role='row']").nth(1)
    expect(row).to_contain_text("Completed")
    expect(row).to_contain_text("63")
    tick_row(centre, "tracker_table", 0)
    results = centre.locator(".st-key-tracker_results")
    expect(results.get_by_text(f"Results of item {item}")).to_be_visible(timeout=30_000)
    expect(results.get_by_text("2.1 met: a clear evaluation.")).to_be_visible()
    expect(results.get_by_text("After enquiries and appeals")).to_be_visible()
    expect(results.locator("[data-testid='stDataFrame']")).to_be_visible()
    expect(centre.locator("[data-testid='stException']")).to_have_count(0)
    centre_context.close()
