"""The assessment team opens the referral rates in a real browser: the charts draw, and a centre drills down."""

from __future__ import annotations

from playwright.sync_api import expect

from lib.demo import DEMO_PASSWORD
from tests.browser.conftest import open_page, settle, sign_in, tick_row


def drawn_points(page, chart_key: str):
    """The plotted markers of a chart (Plotly draws each point as an SVG path)."""
    chart = page.locator(f".st-key-{chart_key} .js-plotly-plot")
    expect(chart).to_be_visible(timeout=30_000)
    return chart.locator(".scatterlayer .trace .points path")


def test_team_sees_the_charts_and_drills_into_a_centre(page, app_url):
    sign_in(page, app_url, "team.demo", DEMO_PASSWORD)
    open_page(page, "Referral rates")
    expect(drawn_points(page, "rates_monthly_chart").first).to_be_visible()
    assert drawn_points(page, "rates_monthly_chart").count() >= 12  # a point per month of the last year
    assert drawn_points(page, "rates_funnel").count() >= 5  # a point per centre
    expect(page.locator(".st-key-rates_funnel").get_by_text("service rate")).to_be_visible()
    tick_row(page, "rates_centre_table", 0)
    expect(page.get_by_role("tab", name="Its batches")).to_be_visible(timeout=30_000)
    page.get_by_role("tab", name="Its batches").click()
    expect(page.locator(".st-key-drill_batches_table [data-testid='stDataFrame']")).to_be_visible()


def test_quality_opens_an_alert_and_sees_its_months(page, app_url):
    sign_in(page, app_url, "quality.demo", DEMO_PASSWORD)
    open_page(page, "EQA alerts")
    tick_row(page, "eqa_alerts_table", 0)
    expect(drawn_points(page, "eqa_alert_chart").first).to_be_visible()
    expect(page.locator(".st-key-eqa_alert_chart .barlayer .point").first).to_be_visible()


def test_switching_the_rates_tabs_keeps_the_page_where_it_was(page, app_url):
    """The charts above the tabs stay drawn while the page runs again: the tables' tabs do not jump to the top."""
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page, app_url, "team.demo", DEMO_PASSWORD)
    open_page(page, "Referral rates")
    expect(drawn_points(page, "rates_funnel").first).to_be_visible()
    tabs = page.get_by_role("tablist").first
    tabs.scroll_into_view_if_needed()
    settle(page)
    for name in ("Units", "Qualifications", "Months"):
        page.get_by_role("tab", name=name, exact=True).click()
        for _ in range(10):  # while the page runs again and after
            page.wait_for_timeout(100)
            top = tabs.bounding_box()["y"]
            assert 0 <= top <= 720 - 40, f"the tabs left the screen (at {top:.0f} px) after opening {name}"
        settle(page)
