"""A real app server on a free loopback port and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from lib.config import COOKIE_NAME
from lib.store import devserver

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STRONG_KEY = secrets.token_urlsafe(36)  # made per run: a key written in the repository would be a published one


def start_app(data_dir: Path, db_path: Path | None = None):
    env = {**os.environ, "ILMA_DB": str(db_path or data_dir / "ilma.duckdb"), "ILMA_COOKIE_KEY": STRONG_KEY,
           "ILMA_SECRETS_FILE": str(data_dir / "no-secrets.toml")}
    return devserver.start(env)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """An app started on an empty data folder: its first start builds the demo database."""
    process, url = start_app(tmp_path_factory.mktemp("browser-data"))
    yield url
    devserver.stop(process)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: the test command installs Debian's chromium package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser):
    opened = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    yield opened
    opened.close()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


def wait_idle(page: Page) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)


def settle(page: Page) -> None:
    """Wait out the rerun that the cookie component asks for when it first reports in."""
    wait_idle(page)
    page.wait_for_timeout(300)
    wait_idle(page)


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    """Sign in and wait until the session cookie is stored and the reruns it causes are over."""
    page.goto(url)
    expect(page.locator(".st-key-sign_in_username input")).to_be_visible(timeout=90_000)
    settle(page)
    for attempt in range(3):
        page.locator(".st-key-sign_in_username input").fill(username)
        page.locator(".st-key-sign_in_password input").fill(password)
        page.locator(".st-key-sign_in_submit button").click()
        try:
            expect(page.locator(".st-key-sign_out")).to_be_visible(timeout=40_000)
            break
        except AssertionError:
            # On a loaded machine the click can land while the cookie component's rerun replaces the form (seen
            # in whole runs, never alone): the form is still there, filled in. Sign in again, as a person would.
            if attempt == 2 or not page.locator(".st-key-sign_in_submit button").is_visible():
                raise
            wait_idle(page)
    for _ in range(200):
        if any(cookie["name"] == COOKIE_NAME for cookie in page.context.cookies()):
            break
        page.wait_for_timeout(100)
    settle(page)


def tick_row(page: Page, table_key: str, row: int = 0) -> None:
    """Tick a row's checkbox in a st.dataframe (drawn on a canvas, so by position)."""
    grid = page.locator(f".st-key-{table_key} [data-testid='stDataFrame']")
    for _attempt in range(3):
        expect(grid).to_be_visible(timeout=30_000)
        try:
            # A table with ticks is drawn afresh by a run it did not start: wait for it to be still.
            grid.scroll_into_view_if_needed(timeout=5_000)
            box = grid.bounding_box(timeout=5_000)
        except Exception:  # noqa: BLE001 - redrawn between finding it and reading where it is: find it again
            settle(page)
            continue
        break
    page.mouse.click(box["x"] + 18, box["y"] + 35 * (row + 1) + 17)
    settle(page)


def open_page(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible(timeout=30_000)
    settle(page)


def open_upload_screen(page: Page, name: str, key: str, words: str, choose: str) -> None:
    """On a centre's list page, search for words, tick the first row and open its upload screen."""
    open_page(page, name)
    page.locator(f".st-key-{key}_search input").fill(words)
    page.locator(f".st-key-{key}_search input").press("Enter")
    settle(page)
    tick_row(page, f"{key}_table", 0)
    page.locator(f".st-key-{choose} button").click()
    expect(page.get_by_text("Learner Name :").first).to_be_visible(timeout=30_000)
    settle(page)


def as_user(browser, url: str, username: str, height: int = 1400):
    """A new browser context signed in as this demo user, and its page."""
    from lib.demo import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": 1400, "height": height}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, url, username, DEMO_PASSWORD)
    return context, page


def type_date(page: Page, key: str, day: str) -> None:
    """Type DD/MM/YYYY into the date input whose key starts with key, as a person does: into its day, month and
    year segments, then away from it (the field takes the date when it loses focus)."""
    page.locator(f"[class*='st-key-{key}'] [data-type='day']").first.click()
    page.keyboard.type(day.replace("/", ""))
    page.locator("h1").first.click()
    settle(page)


def choose_option(page: Page, key: str, option: str) -> None:
    """Open the selectbox or multiselect whose key starts with key and pick the option that has this text."""
    choice = page.get_by_role("option").filter(has_text=option).first
    for _ in range(3):
        page.locator(f"[class*='st-key-{key}']").first.click()
        try:
            choice.wait_for(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - the list did not open while a rerun redrew the widget: open it again
            settle(page)
    choice.click()
    settle(page)


def notice(page: Page, text: str) -> None:
    """Wait for an action's announcement, and for the reruns after it."""
    expect(page.get_by_text(text).first).to_be_visible(timeout=30_000)
    settle(page)
