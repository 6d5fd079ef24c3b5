"""Each role's home page: its figures, and each figure against the filtered page its link opens."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from lib.analytics.home import home_figures, service_wide
from tests.apptest_helpers import texts
from tests.conftest import load_user, open_test_database


def follow(at, figure):
    """Open the page a figure links to, with the link's filter, as a click on it would."""
    at.query_params = dict(figure.params)
    at.switch_page(figure.page.script).run()
    assert not at.exception, at.exception
    return at


def figures_of(db_path, username: str) -> dict:
    database = open_test_database(db_path)
    try:
        user = load_user(database, username)
        return {figure.label: figure for figure in home_figures(database, user, service_wide(database, user))}
    finally:
        database.close()


def change_requests_listed(at):
    """The rows of the change requests' table on Mapped programmes (below its programmes' table)."""
    found = [frame.value for frame in at.dataframe if "What changes" in frame.value.columns]
    return found[0] if found else pd.DataFrame({"Status": []})


def count(figure) -> int:
    return int(figure.value.replace(",", ""))


def total_listed(at) -> int:
    """The count a list page states: '123 item(s).' on a grid list, the bold count on a queue, '1 - 10 of 57
    items' under a table."""
    for element in (*at.caption, *at.markdown):
        words = str(element.value).replace("*", "").split(" item(s)")
        if len(words) > 1 and words[0].replace(",", "").isdigit():
            return int(words[0].replace(",", ""))
        under = re.fullmatch(r"[\d,]+ - [\d,]+ of ([\d,]+) items", str(element.value))
        if under:
            return int(under.group(1).replace(",", ""))
    if "No " in texts(at) or "Nothing" in texts(at):
        return 0
    raise AssertionError("the page states no count")


@pytest.mark.parametrize("username", ["team.demo", "assessor.demo", "lead.demo", "quality.demo", "centre.demo"])
def test_every_home_figure_has_a_comparison_and_a_link_to_its_page(as_role, db_path, username):
    at = as_role(username, "pages/common/home_page.py")
    figures = figures_of(db_path, username)
    assert [m.label for m in at.metric] == list(figures)
    links = [element.proto for element in at.get("page_link")]
    for figure in figures.values():
        assert figure.comparison
        assert any(link.label == figure.link and figure.page.url_path in link.page for link in links), figure.label
        if figure.params:  # the link carries its filter
            assert any(all(f"{k}=" in link.query_string for k in figure.params) for link in links), figure.label


def test_the_teams_figures_match_the_lists_they_open(as_role, db_path):
    figures = figures_of(db_path, "team.demo")
    at = as_role("team.demo", "pages/common/home_page.py")
    for label in ("Awaiting quality check", "Awaiting allocation", "Being marked", "In sampling", "Ready to release"):
        follow(at, figures[label])
        assert total_listed(at) == count(figures[label]), label
    for label in ("Enquiries awaiting a reviewer", "Malpractice cases open", "Method requests to decide",
                  "Passes to claim on Walled Garden"):
        follow(at, figures[label])
        assert total_listed(at) == count(figures[label]), label
        assert count(figures[label]) == 0 or figures[label].oldest.startswith("oldest: "), label
    assert count(figures["Passes to claim on Walled Garden"]) > 0, "the demo has passes to claim"
    for label in ("At risk", "Breached"):
        follow(at, figures[label])
        assert f"{count(figures[label]):,} item(s): {label.lower()}" in texts(at)
    follow(at, figures["Referral rate, last 12 months"])
    assert at.metric[0].value == figures["Referral rate, last 12 months"].value


def test_the_assessors_figures_match_the_marking_queue(as_role, db_path):
    figures = figures_of(db_path, "assessor.demo")
    at = as_role("assessor.demo", "pages/common/home_page.py")
    buckets = [figure for figure in figures.values() if figure.page.title == "My marking queue"]
    assert len(buckets) == 3 and sum(count(figure) for figure in buckets) > 0
    for bucket in buckets:
        follow(at, bucket)
        assert total_listed(at) == sum(count(figure) for figure in buckets), "the count says the whole queue"
        flag = bucket.params["sla"]
        assert at.radio(key="marking_table_sla").value == flag
        rows = at.dataframe[0].value if count(bucket) else None
        if rows is None:
            assert "No item in this queue matches" in texts(at)
            continue
        assert len(rows) == min(25, count(bucket)), bucket.label
        shown = rows.SLA.fillna("").str.split(":").str[0].replace("", "On track")
        assert set(shown) == {flag}, bucket.label
    follow(at, figures["Enquiries given to me"])
    assert total_listed(at) == count(figures["Enquiries given to me"])
    follow(at, figures["My referral rate, last 12 months"])
    assert set(at.dataframe[0].value.Status) == {"Referred"}


def test_the_leads_figures_match_sampling_and_batch_review(as_role, db_path):
    figures = figures_of(db_path, "lead.demo")
    at = as_role("lead.demo", "pages/common/home_page.py")
    follow(at, figures["Items to sample"])
    assert total_listed(at) == count(figures["Items to sample"])
    flagged = figures["Flagged batches without a Feedback Summary Report"]
    follow(at, flagged)
    assert at.toggle(key="batches_without_report").value is True
    assert next(m.value for m in at.metric if m.label == "Flagged without a report") == flagged.value


def test_the_quality_figures_match_eqa_alerts_and_referral_rates(as_role, db_path):
    figures = figures_of(db_path, "quality.demo")
    at = as_role("quality.demo", "pages/common/home_page.py")
    open_alerts = figures["EQA alerts: Open"]
    follow(at, open_alerts)
    shown = [frame.value for frame in at.dataframe if "Alert" in frame.value.columns]
    assert (len(shown[0]) if shown else 0) == min(10, count(open_alerts))
    assert all(status == "Open" for status in (shown[0].Status if shown else []))
    for label in ("Appeals to decide", "Malpractice cases open", "Method requests to decide", "Failed release checks"):
        follow(at, figures[label])
        assert total_listed(at) == count(figures[label]), label
    follow(at, figures["Change requests to decide"])
    assert len(change_requests_listed(at)) == min(10, count(figures["Change requests to decide"]))
    assert set(change_requests_listed(at).Status) <= {"Waiting for a decision"}
    follow(at, figures["Learners held"])
    held = [frame.value for frame in at.dataframe if "ENR" in frame.value.columns and "Request" in frame.value.columns]
    assert (len(held[0]) if held else 0) == count(figures["Learners held"])
    follow(at, figures["Centres above the 99.8% limit"])
    assert next(m.value for m in at.metric if m.label == "Centres above the 99.8% limit") == \
        figures["Centres above the 99.8% limit"].value


def test_the_centres_figures_match_its_tracker_and_pending(as_role, db_path):
    figures = figures_of(db_path, "centre.demo")
    at = as_role("centre.demo", "pages/common/home_page.py")
    for label in ("Referred items to re-submit", "Rejected items to re-submit"):
        follow(at, figures[label])
        assert total_listed(at) == count(figures[label]), label
        if count(figures[label]):
            assert set(at.dataframe[0].value["Re-submitted"]) == {"No"}
    follow(at, figures["Missing a result sheet"])
    pending = at.dataframe[0].value if at.dataframe else None
    assert (0 if pending is None else int((pending["Result Sheet"] == "No Result Sheet").sum())) == \
        count(figures["Missing a result sheet"])
    follow(at, figures["My referral rate, last 12 months"])
    mine = next(m for m in at.metric if m.label.startswith("Centre "))
    assert mine.value == figures["My referral rate, last 12 months"].value


def test_a_university_home_shows_its_held_learners_and_failed_checks_first(as_role, db_path):
    figures = figures_of(db_path, "university.demo")
    labels = list(figures)
    assert labels[:3] == ["Change requests waiting", "Learners held", "Failed release checks"]
    at = as_role("university.demo", "pages/common/home_page.py")
    assert [m.label for m in at.metric][:3] == labels[:3]
    assert count(figures["Learners held"]) > 0, "the demo's university has learners held"
    follow(at, figures["Learners held"])
    held = [frame.value for frame in at.dataframe if "ENR" in frame.value.columns and "Request" in frame.value.columns]
    assert len(held[0]) == count(figures["Learners held"])
    follow(at, figures["Failed release checks"])
    assert total_listed(at) == count(figures["Failed release checks"])
    if count(figures["Failed release checks"]):
        assert set(at.dataframe[0].value.Result) == {"Failed"}
