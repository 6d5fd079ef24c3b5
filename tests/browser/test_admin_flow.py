"""The team sets up a new centre in a real browser: approves it and a qualification, creates an account against
the quality contact's approval, imports registrations with an error row; the new centre user signs in with the
one-time password, must change it, and then sees the imported learners on Unit Assessment."""

from __future__ import annotations

from playwright.sync_api import expect

from lib.demo import DEMO_PASSWORD
from tests.browser.conftest import settle, sign_in, tick_row

EXPORT = """Centre Number,ENR,First Name,Last Name,Qualification Code,Registration Date,Expiry Date
078901,LKS0001,Maya,Patel,8600-31,01/09/2026,31/08/2029
078901,LKS0002,Tom,Reid,8600-31,01/09/2026,31/08/2029
078901,LKS0003,Zoe,Grant,8607-51,01/09/2026,31/08/2029
"""


def go(page, title: str) -> None:
    nav = page.get_by_test_id("stSidebarNav")
    more = page.get_by_test_id("stSidebarNavViewButton")
    if not nav.get_by_role("link", name=title, exact=True).is_visible() and more.count():
        more.click()
    nav.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
    settle(page)


def choose(page, select_key: str, option: str) -> None:
    """Pick an option of a selectbox; the first click can land while the page is still drawing."""
    target = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        page.locator(f".st-key-{select_key}").click()
        try:
            expect(target).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            settle(page)
    target.click()
    settle(page)


def test_the_team_sets_up_a_centre_that_then_signs_in(browser, app_url, tmp_path):
    team = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    sign_in(team, app_url, "team.demo", DEMO_PASSWORD)
    go(team, "Centres")
    team.get_by_text("Approve a new centre").click()
    settle(team)
    team.locator(".st-key-centre_new_number input").fill("078901")
    team.locator(".st-key-centre_new_name input").fill("Lakeside Leadership Institute")
    team.locator(".st-key-centre_new_contact input").fill("Priya Shah")
    team.locator(".st-key-centre_new_email input").fill("priya@lakeside.example")
    team.locator(".st-key-centre_new_submit button").click()
    expect(team.get_by_text("Centre 078901 Lakeside Leadership Institute is approved")).to_be_visible(timeout=30_000)
    settle(team)

    go(team, "Accounts")
    team.get_by_text("Create an account").click()
    settle(team)
    choose(team, "account_new_role", "Centre")
    team.locator(".st-key-account_new_username input").fill("maria.lopez")
    team.locator(".st-key-account_new_name input").fill("Maria Lopez")
    team.locator(".st-key-account_new_email input").fill("maria@lakeside.example")
    choose(team, "account_new_centre", "078901 Lakeside Leadership Institute")
    team.locator(".st-key-account_new_approved_by input").fill("Priya Shah")
    team.locator(".st-key-account_new_submit button").click()
    expect(team.get_by_text("One-time password for maria.lopez")).to_be_visible(timeout=30_000)
    password = team.get_by_test_id("stCode").inner_text().strip()
    settle(team)

    go(team, "Centres")
    tick_row(team, "centres_table", 6)  # centres are listed by number: 078901 comes after the six demo centres
    expect(team.get_by_role("heading", name="078901 Lakeside Leadership Institute")).to_be_visible(timeout=30_000)
    team.locator(".st-key-approval_078901_8600-31 label").click()
    settle(team)
    team.locator(".st-key-approval_save_078901_8600-31 button").click()
    expect(team.get_by_text("Centre 078901: 8600-31 approved.")).to_be_visible(timeout=30_000)
    settle(team)

    go(team, "Registration imports")
    export = tmp_path / "registrations.csv"
    export.write_text(EXPORT)
    team.locator(".st-key-registrations_file input[type=file]").set_input_files(str(export))
    expect(team.get_by_role("tab", name="Refused rows (1)")).to_be_visible(timeout=30_000)
    settle(team)
    team.locator(".st-key-registrations_apply button").click()
    expect(team.get_by_text("Applied registrations.csv: 2 new learner(s)")).to_be_visible(timeout=30_000)
    team.context.close()

    centre = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    sign_in(centre, app_url, "maria.lopez", password)
    expect(centre.get_by_role("heading", name="Change password", exact=True)).to_be_visible(timeout=30_000)
    assert centre.get_by_test_id("stSidebarNav").get_by_role("link").count() <= 1
    centre.locator(".st-key-password_current input").fill(password)
    centre.locator(".st-key-password_new input").fill("lantern quartz meadow 58")
    centre.locator(".st-key-password_again input").fill("lantern quartz meadow 58")
    centre.locator(".st-key-password_submit button").click()
    settle(centre)
    go(centre, "Unit Assessment")
    table = centre.locator(".st-key-units_table [data-testid='stDataFrame']")
    expect(table).to_be_visible(timeout=30_000)
    expect(centre.get_by_text("1 - 8 of 8 items")).to_be_visible()  # 2 learners x the 4 units of 8600-31
    centre.context.close()
