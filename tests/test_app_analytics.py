"""The analytics pages in AppTest: referral rates with drill-down, batch review and its report, EQA alerts,
SLA performance, invoicing and settings; each role sees and does what it may."""

from __future__ import annotations

import calendar
import json
import re
from datetime import date

from lib.rules.roles import User
from lib.service.settings import update_setting
from tests.apptest_helpers import texts, tick
from tests.conftest import open_test_database


def chart_keys(at) -> list[str]:
    return [chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")]


def chart_spec(at, key: str) -> dict:
    return json.loads(next(chart.proto.spec for chart in at.get("plotly_chart") if chart.proto.id.endswith(key)))


def test_the_monthly_chart_marks_the_month_not_yet_over_and_counts_results_in_every_hover(as_role):
    at = as_role("team.demo", "pages/analytics/referrals_page.py")
    spec = chart_spec(at, "rates_monthly_chart")
    service = spec["data"][0]
    assert "Released unit results: %{customdata:,}" in service["hovertemplate"]
    results = int(at.metric[0].help.split()[2].replace(",", ""))  # "N of M results"
    assert sum(service["customdata"]) == results
    today = date.today()
    last_month = max(service["x"])[:7]
    partial = [shape for shape in spec["layout"].get("shapes", []) if shape.get("type") == "rect"]
    if last_month == f"{today:%Y-%m}" and today.day < calendar.monthrange(today.year, today.month)[1]:
        assert len(partial) == 1 and partial[0]["x0"].startswith(f"{today:%Y-%m}-01")
        assert any(note["text"] == f"Partial month: to {today:%d/%m}" for note in spec["layout"]["annotations"])
    else:
        assert partial == []  # a month whose figures are complete is not marked


def test_team_sees_rates_charts_and_drills_from_a_centre_to_a_batch(as_role):
    at = as_role("team.demo", "pages/analytics/referrals_page.py")
    assert at.metric[0].label == "Service referral rate"
    assert len(at.get("plotly_chart")) == 2  # the monthly chart and the funnel plot
    assert [t.label for t in at.tabs][:6] == ["Centres", "Units", "Qualifications", "Assessors", "Batches", "Months"]
    centres = next(frame.value for frame in at.dataframe if "Standing" in frame.value.columns
                   and "Centre name" in frame.value.columns)
    beyond = [float(v) for v in centres["Beyond limit (points)"] if v != ""]
    assert beyond == sorted(beyond, reverse=True)  # the furthest beyond its limit first
    first = centres.Centre.iloc[0]
    tick(at, "rates_centre_table", [0])
    assert f"Centre {first}" in texts(at)
    funnel = next(chart for chart in at.get("plotly_chart") if "funnel" in chart.proto.id)
    assert f"Centre {first}" in funnel.proto.spec  # ringed in the funnel plot
    monthly = next(chart for chart in at.get("plotly_chart") if "monthly" in chart.proto.id)
    assert f"Centre {first}" in monthly.proto.spec  # and its months drawn over the service's
    tick(at, "drill_batches_table", [0])
    assert "its submissions" in texts(at)
    items = [frame.value for frame in at.dataframe if "Learner" in frame.value.columns]
    assert items and len(items[-1]) > 0
    drilled = items[-1]
    assert {"Assessor", "Feedback", "Item"} <= set(drilled.columns)
    assert list(drilled.Item) == [f"submissions?item={item}" for item in drilled.ID]
    # The link opens Submissions on that item alone.
    at.switch_page("pages/centre/tracker_page.py")
    at.query_params["item"] = str(drilled.ID.iloc[0])
    at.run()
    assert f"Filtered: ID is one of {drilled.ID.iloc[0]}" in texts(at)
    assert list(at.dataframe[0].value.ID) == [drilled.ID.iloc[0]]


def table_keys(at) -> list[str]:
    return [key for frame in at.dataframe for key in ("rates_centre_table", "rates_unit_table", "rates_batch_table",
                                                        "drill_units_table", "drill_batches_table")
            if f"-{key}" in frame.proto.id]


def test_rates_draw_the_open_tab_and_the_centres_whose_tick_outlives_a_tab_switch(as_role):
    at = as_role("team.demo", "pages/analytics/referrals_page.py")
    assert table_keys(at) == ["rates_centre_table"]  # the other tabs' tables are not drawn until opened
    tick(at, "rates_centre_table", [0])
    at.session_state["rates_tab"] = "Units"
    at.run()
    assert table_keys(at) == ["rates_centre_table", "rates_unit_table", "drill_units_table", "drill_batches_table"]
    ticked = next(frame.value for frame in at.dataframe if "-rates_centre_table" in frame.proto.id).Centre.iloc[0]
    assert f"Centre {ticked}" in texts(at), "the centre ticked on the Centres tab is still drilled into"


def test_a_filter_on_the_centre_table_keeps_matching_rows(as_role):
    at = as_role("team.demo", "pages/analytics/referrals_page.py")
    at.selectbox(key="rates_centre_filter_column").set_value("Centre").run()
    at.text_input(key="rates_centre_filter_value1_Centre").input("0234")
    at.button(key="rates_centre_filter_apply").click().run()
    shown = next(frame.value for frame in at.dataframe if "Centre name" in frame.value.columns)
    assert shown.Centre.tolist() == ["023456"]


def test_a_centre_sees_only_its_own_rates_and_its_feedback_reports(as_role):
    at = as_role("harbourside.demo", "pages/analytics/referrals_page.py")
    assert at.title[0].value == "My referral rates"
    assert len(at.get("plotly_chart")) == 1  # no funnel plot of other centres
    assert [t.label for t in at.tabs] == ["Units", "Months"]
    for frame in at.dataframe:
        assert "Centre" not in frame.value.columns or set(frame.value.Centre) <= {"023456"}
    assert "Feedback Summary Reports" in texts(at)
    assert at.get("download_button")  # the report's Word download


def test_the_lead_writes_a_feedback_summary_report_and_the_centre_sees_it(as_role, db_path):
    at = as_role("lead.demo", "pages/analytics/batch_review_page.py")
    at.toggle(key="batches_flagged_only").set_value(False).run()
    table = next(frame.value for frame in at.dataframe if "Batch ID" in frame.value.columns)
    without_report = [i for i, has in enumerate(table.Report) if has == "No" and table.Results.iloc[i] != "0"]
    row = without_report[0]
    batch_id = int(table["Batch ID"].iloc[row])
    tick(at, "batches_table", [row])
    at.text_area(key=f"report_trends_{batch_id}").input("Too short")
    at.button(key="FormSubmitter:report_form_" + str(batch_id) + "-Save report").click().run()
    assert "Describe the trends" in texts(at)
    at.text_area(key=f"report_trends_{batch_id}").input("Learners described theory without linking it to practice.")
    at.button(key="FormSubmitter:report_form_" + str(batch_id) + "-Save report").click().run()
    assert not at.exception
    assert "is saved" in texts(at)
    database = open_test_database(db_path)
    try:
        centre = database.query_one("SELECT c.number FROM batches b JOIN centres c ON c.id = b.centre_id "
                                    "WHERE b.id = ?", [batch_id])[0]
        username = database.query_one("SELECT username FROM users WHERE role = 'centre' AND status = 'active' AND "
                                      "centre_id = (SELECT centre_id FROM batches WHERE id = ?) ORDER BY id LIMIT 1",
                                      [batch_id])
    finally:
        database.close()
    if username and centre != "067890":  # the blocked centre cannot sign in
        centre_view = as_role(username[0], "pages/analytics/referrals_page.py")
        assert "Learners described theory" in "\n".join(e.label for e in centre_view.expander) + texts(centre_view)


def test_the_team_reads_batch_review_but_writes_no_report(as_role):
    at = as_role("team.demo", "pages/analytics/batch_review_page.py")
    assert at.metric[1].label == "Flagged"
    tick(at, "batches_table", [0])
    assert not at.get("text_area")


def test_quality_follows_an_alert_up_with_notes(as_role):
    at = as_role("quality.demo", "pages/analytics/eqa_alerts_page.py")
    assert [m.label for m in at.metric] == ["Open", "Contacted", "Action plan", "Closed"]
    table = next(frame.value for frame in at.dataframe if "Alert" in frame.value.columns)
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", month) for month in table.From)  # Aug 2026, not 2026-08
    row = 0
    alert, status = int(table.Alert.iloc[row]), table.Status.iloc[row]
    next_status = {"Open": "contacted", "Contacted": "action_plan", "Action plan": "closed"}[status]
    tick(at, "eqa_alerts_table", [row])
    assert "eqa_alert_chart" in chart_keys(at)
    spec = chart_spec(at, "eqa_alert_chart")
    # Bars and points centred in the same month, one labelled tick a month.
    assert {trace.get("xperiodalignment") for trace in spec["data"]} == {"middle"}
    assert spec["layout"]["xaxis"]["dtick"] == "M1" and spec["layout"]["xaxis"]["tickformat"] == "%b %Y"
    assert "Released unit results" in spec["data"][0]["hovertemplate"]
    at.radio(key=f"follow_up_status_{alert}").set_value(next_status)
    at.button(key=f"FormSubmitter:follow_up_{alert}-Save").click().run()
    assert "Write a note" in texts(at)
    at.radio(key=f"follow_up_status_{alert}").set_value(next_status)
    at.text_area(key=f"follow_up_note_{alert}").input("Phoned the quality contact; visit booked.")
    at.button(key=f"FormSubmitter:follow_up_{alert}-Save").click().run()
    assert f"Alert {alert} is now" in texts(at)


def test_the_sla_dashboard_shows_performance_overall_and_by_centre(as_role):
    at = as_role("lead.demo", "pages/service/sla_page.py")
    assert chart_keys(at) == ["sla_forecast_chart"]  # only the open tab is drawn
    assert "Released" not in [m.label for m in at.metric]
    at.session_state["sla_tab"] = "Performance on released work"
    at.run()
    labels = [m.label for m in at.metric]
    assert labels[-4:] == ["Released", "On time", "Median working days to result",
                           "Quality checks within 5 working days"]
    assert at.metric[-3].value.endswith("%")
    assert chart_keys(at) == ["sla_chart"]
    spec = chart_spec(at, "sla_chart")
    target = [shape for shape in spec["layout"]["shapes"] if shape.get("yref") == "y2"]
    assert [(shape["y0"], shape["y1"]) for shape in target] == [(25, 25)]  # the SLA as a target line
    assert any(note["text"] == "SLA: 25 working days" for note in spec["layout"]["annotations"])
    assert spec["layout"]["yaxis2"]["tickformat"] == ",d"  # whole working days on the right-hand axis
    assert spec["data"][0]["insidetextanchor"] == "start" and spec["data"][0]["text"][0].endswith("%")
    by_centre = next(frame.value for frame in at.dataframe if "On-time %" in frame.value.columns
                     and "Centre" in frame.value.columns)
    assert len(by_centre) >= 3


def test_the_performance_tabs_choices_are_kept_while_another_tab_is_open(as_role):
    at = as_role("team.demo", "pages/service/sla_page.py")
    at.session_state["sla_tab"] = "Performance on released work"
    at.run()
    centre = at.selectbox(key="sla_centre").options[1]
    at.selectbox(key="sla_centre").set_value(centre).run()
    assert f"By month of release: centre {centre}" == chart_spec(at, "sla_chart")["layout"]["title"]["text"]
    at.session_state["sla_tab"] = "Breach forecast"
    at.run()
    assert chart_keys(at) == ["sla_forecast_chart"]
    at.session_state["sla_tab"] = "Performance on released work"
    at.run()
    assert at.selectbox(key="sla_centre").value == centre
    assert f"By month of release: centre {centre}" == chart_spec(at, "sla_chart")["layout"]["title"]["text"]


def items_listed(at):
    return next(frame.value for frame in at.dataframe if "Working days overdue" in frame.value.columns)


def test_every_sla_figure_lists_the_items_behind_it_with_the_queue_to_act_in(as_role):
    at = as_role("team.demo", "pages/service/sla_page.py")
    figures = {m.label: int(m.value.replace(",", "")) for m in at.metric[:3]}
    at.button(key="sla_list_Breached").click().run()
    listed = items_listed(at)
    assert f"{figures['Breached']:,} item(s): breached" in texts(at)
    assert set(listed.SLA) == {"Breached"} and all(int(days) > 0 for days in listed["Working days overdue"])
    assert set(listed["Working days left"]) == {""}  # overdue, not negative days left
    assert all(link.split("?")[0] in ("quality-check", "allocation", "release") for link in listed["Act in"] if link)
    at.button(key="sla_list_At risk").click().run()
    assert set(items_listed(at).SLA) <= {"At risk"}
    board = next(frame.value for frame in at.dataframe if "Nearest target" in frame.value.columns)
    row = list(board.Stage).index("Marking")
    tick(at, "sla_stages_table", [row])
    listed = items_listed(at)
    assert set(listed.Stage) == {"Marking"} and len(listed) == min(10, int(board["Open items"].iloc[row]))


def test_the_forecast_shows_likely_breaches_by_week_and_its_back_test(as_role):
    at = as_role("team.demo", "pages/service/sla_page.py")
    labels = [m.label for m in at.metric]
    assert {"Likely to breach", "May breach", "Breaches caught", "Median error"} <= set(labels)
    forecast = next(frame.value for frame in at.dataframe if "Pessimistic release" in frame.value.columns)
    assert set(forecast.Forecast) <= {"Breached", "Likely to breach", "May breach"}
    assert "four weeks before the last release" in texts(at)
    assert "in the back-test below." in texts(at) and "Such a forecast came true for " in texts(at)


def test_invoicing_bills_last_week_once(as_role, db_path):
    at = as_role("team.demo", "pages/analytics/invoicing_page.py")
    at.date_input(key="invoice_week").set_value(date(2026, 11, 16)).run()
    # The demo leaves the latest week for the Wednesday run.
    to_bill = next(frame.value for frame in at.dataframe if "Purchase order" in frame.value.columns)
    assert len(to_bill) > 0 and "None yet." in texts(at)
    at.button(key="invoice_run").click().run()
    assert "Invoices raised for the week beginning 16/11/2026" in texts(at)
    assert at.button(key="invoice_run").disabled and "Nothing to bill for this week." in texts(at)
    database = open_test_database(db_path)
    try:
        billed = database.query_one("SELECT count(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
                                    "WHERE i.week_start = '2026-11-16'")[0]
    finally:
        database.close()
    assert billed == len(to_bill)


def test_settings_refuse_a_bad_value_and_keep_a_good_one(as_role):
    at = as_role("team.demo", "pages/analytics/settings_page.py")
    at.text_input(key="setting_batch_flag_rate_percent").input("lots").run()
    at.button(key="setting_save_batch_flag_rate_percent").click().run()
    assert "must be a number" in texts(at)
    at.text_input(key="setting_batch_flag_rate_percent").input("35").run()
    at.button(key="setting_save_batch_flag_rate_percent").click().run()
    assert "is now 35" in texts(at)
    at.text_input(key="fee_re_assessment").input("-5").run()
    at.button(key="fee_save_re_assessment").click().run()
    assert "zero or more" in texts(at)
    at.text_input(key="fee_re_assessment").input("99999999999").run()
    at.button(key="fee_save_re_assessment").click().run()
    assert not at.exception and "far larger than any the service uses" in texts(at)


def test_the_rates_filters_are_still_set_after_a_visit_to_another_page(as_role):
    at = as_role("team.demo", "pages/analytics/referrals_page.py")
    at.selectbox(key="rates_centre").set_value("023456").run()
    at.date_input(key="rates_from").set_value(date(2025, 1, 1)).run()
    at.switch_page("pages/service/sla_page.py").run()
    at.switch_page("pages/analytics/referrals_page.py").run()
    assert not at.exception
    assert at.selectbox(key="rates_centre").value == "023456"
    assert at.date_input(key="rates_from").value == date(2025, 1, 1)
    assert any(metric.label == "Centre 023456" for metric in at.metric)


def test_the_setting_for_the_fewest_results_decides_which_groups_are_judged(as_role, db_path):
    at = as_role("team.demo", "pages/analytics/referrals_page.py")
    centres = next(frame.value for frame in at.dataframe if "Standing" in frame.value.columns)
    assert "Too few results" not in set(centres.Standing)
    database = open_test_database(db_path)
    (team_id,) = database.query_one("SELECT id FROM users WHERE username = 'team.demo'")
    update_setting(database, User(int(team_id), "team.demo", "Team", "assessment_team"), "funnel_min_results",
                   "1000000")
    at.switch_page("pages/service/sla_page.py").run()
    at.switch_page("pages/analytics/referrals_page.py").run()
    centres = next(frame.value for frame in at.dataframe if "Standing" in frame.value.columns)
    assert set(centres.Standing) == {"Too few results"}


def test_a_centre_name_that_looks_like_html_is_text_in_the_funnel_hover(as_role, db_path):
    database = open_test_database(db_path)
    try:
        with database.cursor() as cursor:
            cursor.execute("UPDATE centres SET name = '<b onmouseover=x>Bold</b>' WHERE number = '023456'")
    finally:
        database.close()
    at = as_role("team.demo", "pages/analytics/referrals_page.py")
    funnel = next(chart for chart in at.get("plotly_chart") if "funnel" in chart.proto.id)
    spec = funnel.proto.spec
    assert "&lt;b onmouseover=x&gt;Bold" in spec
    assert "<b onmouseover" not in spec and "\\u003cb onmouseover" not in spec


def test_quality_sees_the_demos_clusters_of_shared_text_and_exports_them(as_role):
    at = as_role("quality.demo", "pages/analytics/shared_text_page.py")
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert {"Cluster", "Learners in cluster", "Item", "Shares with item", "Share %",
            "Longest shared passage"} <= set(table.columns)
    # the demo's copying of the last 90 days (its re-submission sharing its own text is no cluster)
    assert table.Cluster.nunique() >= 1 and (table["Share %"] >= 25).all()
    assert (table.Learner != table["Its learner"]).all()
    assert any(button.label == "Export to Excel" for button in at.get("download_button"))
