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
