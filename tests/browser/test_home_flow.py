"""Each role signs in, reads its home page and clicks one figure through to the filtered list behind it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lib.demo import DEMO_PASSWORD
from tests.browser.conftest import settle, sign_in

FLOWS = [
    # (user, figure's container key, the path it opens, text the filtered list shows)
    ("team.demo", "home_breached", "/sla", "item(s): breached"),
    ("assessor.demo", "home_more_than_5_working_days_left", "/marking", "allocated to you"),
    ("lead.demo", "home_items_to_sample", "/sampling", "to sample"),
    ("quality.demo", "home_eqa_alerts_open", "/eqa-alerts", 'Filtered: Status is equal to "Open"'),
    ("centre.demo", "home_referred_items_to_re_submit", "/tracker",
     'Filtered: Status is equal to "Referred" · Re-submitted is equal to "No"'),
]


@pytest.mark.parametrize(("username", "figure", "path", "shows"), FLOWS, ids=[flow[0] for flow in FLOWS])
def test_a_home_figure_opens_its_filtered_list(page, app_url, username, figure, path, shows):
    sign_in(page, app_url, username, DEMO_PASSWORD)
    card = page.locator(f".st-key-{figure}")
    expect(card).to_be_visible()
    count = card.locator("[data-testid='stMetricValue']").inner_text().strip()
    card.locator("a").click()
    page.wait_for_url(f"**{path}*")
    settle(page)
    expect(page.get_by_text(shows, exact=False).first).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    if username == "team.demo":  # the list behind the figure has as many items as it said
        expect(page.get_by_text(f"{count} item(s): breached")).to_be_visible()
    if username == "centre.demo":
        expect(page.get_by_text(f"{count} item(s). Click a column heading")).to_be_visible()


def _page_states(page, count: str, value: str) -> bool:
    """Whether the page opened states the card's count as its lists and queues do, or (a rate, a date) its value."""
    text = page.locator("[data-testid='stMain']").inner_text()
    if count is None:  # a rate or a date: the page shows it, or lists what it counts, filtered
        return value in text or "Filtered: " in text
    said = (f"{count} item(s)", f"of {count} items", f"({count})", f"{count} learner(s)")
    empty = count == "0" and any(words in text for words in ("No ", "Nothing", "nothing"))
    shown_as_metric = any(metric.inner_text().strip() == value
                          for metric in page.locator("[data-testid='stMetricValue']").all())
    return any(words in text for words in said) or empty or shown_as_metric


def _cards(page) -> list[tuple[str, str, str]]:
    """(container key, label, value) of every card on Home."""
    cards = []
    for card in page.locator("[class*='st-key-home_']").all():
        key = next(name for name in card.get_attribute("class").split() if name.startswith("st-key-home_"))
        if card.locator("[data-testid='stMetricValue']").count() == 0:
            continue  # a job's warning, not a figure
        cards.append((key.removeprefix("st-key-"), card.locator("[data-testid='stMetricLabel']").inner_text().strip(),
                      card.locator("[data-testid='stMetricValue']").inner_text().strip()))
    return cards


@pytest.mark.parametrize("username", ["team.demo", "assessor.demo", "lead.demo", "quality.demo", "centre.demo",
                                      "university.demo"])
def test_every_home_card_opens_its_list_filtered_to_its_count(page, app_url, username):
    sign_in(page, app_url, username, DEMO_PASSWORD)
    cards = _cards(page)
    assert len(cards) >= 3, cards
    for key, label, value in cards:
        count = value.replace(",", "") if value.replace(",", "").isdigit() else None
        count = f"{int(count):,}" if count is not None else None
        home = page.url
        page.locator(f".st-key-{key} a").click()
        page.wait_for_function("(home) => location.href !== home", arg=home, timeout=30_000)
        settle(page)
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
        assert _page_states(page, count, value), f"{username}: {label} ({value}) on {page.url}"
        page.locator("[data-testid='stSidebarNav'] a", has_text="Home").first.click()
        expect(page.locator(f".st-key-{key}")).to_be_visible(timeout=30_000)
        settle(page)


def test_an_assessor_ticking_an_item_finds_the_marking_form_on_the_first_screen(browser, app_url):
    """At 1280x720, the unit's result and mark are above the footer without scrolling, beside the evidence."""
    from tests.browser.conftest import open_page, tick_row

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    sign_in(page, app_url, "assessor.demo", DEMO_PASSWORD)
    open_page(page, "My marking queue")
    tick_row(page, "marking_table", 0)
    form = page.locator("[class*='st-key-marking_unit_']").first
    expect(form).to_be_visible(timeout=30_000)
    footer_top = page.get_by_test_id("stBottom").bounding_box()["y"]
    for field in (form.get_by_text("Pass", exact=True), form.locator("[class*='st-key-marking_mark_'] input")):
        box = field.bounding_box()
        assert box["y"] + box["height"] <= footer_top, "scrolled below the first screen"
    context.close()
