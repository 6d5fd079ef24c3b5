"""A centre signs in in a real browser, sees its Tracker, and signing out kills the cookie."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from lib.config import COOKIE_NAME
from lib.demo import DEMO_PASSWORD
from tests.browser.conftest import settle, sign_in, wait_idle


def test_centre_user_signs_in_and_sees_the_tracker(page, app_url):
    sign_in(page, app_url, "centre.demo", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Northbridge Training Ltd")).to_be_visible()
    expect(page.get_by_text("Demo data").first).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tracker", exact=True).click()
    expect(page.get_by_role("heading", name="Tracker")).to_be_visible(timeout=30_000)
    wait_idle(page)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^1 - 10 of [\d,]+ items$"))).to_be_visible()
    assert page.url.endswith("/tracker")


def test_a_wrong_password_is_refused_in_the_browser(page, app_url):
    page.goto(app_url)
    expect(page.locator(".st-key-sign_in_username input")).to_be_visible(timeout=90_000)
    settle(page)
    page.locator(".st-key-sign_in_username input").fill("centre.demo")
    page.locator(".st-key-sign_in_password input").fill("not-the-password")
    page.locator(".st-key-sign_in_submit button").click()
    expect(page.get_by_text("Incorrect username or password.")).to_be_visible(timeout=30_000)


def test_signed_out_visitors_cannot_open_the_tracker_by_url(page, app_url):
    page.goto(f"{app_url}/tracker")
    expect(page.locator(".st-key-sign_in_username input")).to_be_visible(timeout=60_000)
    expect(page.locator(".st-key-tracker_table")).to_have_count(0)
    # The one table is the demo's list of accounts to sign in with; no submission is shown.
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)
    expect(page.get_by_test_id("stDataFrame")).to_contain_text("team.demo")


def session_cookie(context, timeout_s: float = 20):
    for _ in range(int(timeout_s * 10)):
        found = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
        if found:
            return found[0]
        context.pages[0].wait_for_timeout(100)
    raise AssertionError("the session cookie was never set")


def test_the_cookie_signs_in_until_sign_out_then_a_copy_is_worthless(browser, context, page, app_url):
    sign_in(page, app_url, "harbourside.demo", DEMO_PASSWORD)
    cookie = session_cookie(context)

    copied = browser.new_context()
    copied.add_cookies([cookie])
    other = copied.new_page()
    other.goto(app_url)
    expect(other.get_by_role("heading", name="Harbourside College")).to_be_visible(timeout=60_000)
    copied.close()

    page.locator(".st-key-sign_out button").click()
    # .first: while the page is drawn again the old sign-in box can still be there beside the new one.
    expect(page.locator(".st-key-sign_in_username input").first).to_be_visible(timeout=30_000)

    stolen = browser.new_context()
    stolen.add_cookies([cookie])
    thief = stolen.new_page()
    thief.goto(app_url)
    expect(thief.locator(".st-key-sign_in_username input").first).to_be_visible(timeout=60_000)
    expect(thief.get_by_role("heading", name="Harbourside College")).to_have_count(0)
    stolen.close()
