"""Batch review, Feedback Summary Reports, EQA alerts, SLA performance, invoicing and settings against
figures worked out by hand (tests/analytics_fixture.py), and on the demo database where a lifecycle needs it."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

import docx
import openpyxl
import pandas as pd
import pytest

from lib.analytics import batch_review, eqa, invoicing
from lib.analytics.feedback_docx import feedback_report_docx
from lib.analytics.referrals import Period
from lib.errors import Refused
from lib.service import quality_check, settings, sla
from lib.store.export import frame_xlsx
from lib.store.scope import NotAllowed, NotFound
from tests.analytics_fixture import CENTRE_A, CENTRE_B, LEAD, QUALITY, TEAM, Item, add, new_database
from tests.conftest import load_user

YEAR_2026 = Period(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def fixture_db(tmp_path):
    database = new_database(tmp_path / "analytics.duckdb")
    yield database
    database.close()


# ---- batch review --------------------------------------------------------------------------------

RULE = batch_review.FlagRule(rate_percent=40, min_results=5)


@pytest.mark.parametrize(("referrals", "results", "expected"), [
    (2, 5, ""),                                        # 40%, but 2 or more of 5 happen by chance 26% of the time at 20%
    (1, 5, ""),                                        # what the service rate predicts
    (4, 4, ""),                                        # every result referred, but too few to judge
    (140, 400, "above 99.8% limit"),                   # 35%: under 40% but far more than chance
    (4, 5, ""),                                        # 4 of 5 at 20% happens by chance 0.67% of the time: within
    (5, 5, "above 99.8% limit and rate ≥ 40%"),        # 5 of 5 only 0.032% of the time: beyond the 99.9% quantile
    (45, 100, "above 99.8% limit and rate ≥ 40%"),
])
def test_a_batch_is_flagged_only_past_the_funnels_limit_the_same_more_than_chance_standard(referrals, results, expected):
    assert batch_review.flag_reasons([referrals], [results], 20.0, RULE) == [expected]


def batch_items(db):
    add(db,
        Item(31, 1, {"8000-250": "Referral"}, batch=11, released=datetime(2026, 3, 20)),
        Item(32, 1, {"8000-250": "Pass", "8000-251": "Referral"}, batch=11, released=datetime(2026, 3, 21)),
        Item(33, 1, {"8000-250": "Referral"}, batch=11, released=datetime(2026, 3, 22)),
        Item(34, 1, {"8000-251": None}, batch=11, stage="allocated"),
        Item(35, 2, {"8000-250": "Pass"}, batch=12, released=datetime(2026, 3, 20)))


def test_batches_show_size_results_rate_and_most_referred_units(fixture_db):
    batch_items(fixture_db)
    frame = batch_review.batches(fixture_db, LEAD, YEAR_2026).set_index("Batch ID")
    cohort = frame.loc[11]
    assert (cohort.Items, cohort["Released items"], cohort.Results, cohort.Referrals) == (4, 3, 4, 3)
    assert cohort["Rate %"] == 75.0
    assert cohort["Most referred units"] == "8000-250 (2), 8000-251 (1)"
    assert cohort.Flag == ""  # 4 results: fewer than the 5 the rule asks for
    assert frame.loc[12, "Rate %"] == 0.0
    assert 10 not in frame.index  # a batch with no items is not listed
    # Below 5 results no count can be beyond the limit at a rate like the service's: the gate stays at 5 or more.
    for key in ("batch_flag_min_results", "funnel_min_results"):
        with pytest.raises(Refused, match="could never be judged"):
            settings.update_setting(fixture_db, TEAM, key, "4")
    assert settings.setting(fixture_db, "batch_flag_min_results") == 5


def test_a_batchs_submissions_hide_unreleased_results(fixture_db):
    batch_items(fixture_db)
    fixture_db.query_one("UPDATE submission_units SET feedback = '2.1 not met: compare two models.' "
                         "WHERE submission_id IN (32, 34) AND unit_code = '8000-251' RETURNING 1")
    fixture_db.query_one("UPDATE submissions SET assessor_id = 2 WHERE id = 32 RETURNING 1")
    items = batch_review.batch_items(fixture_db, LEAD, 11).set_index("ID")
    assert items.loc[32, "Unit results"] == "8000-250: Pass, 8000-251: Referral"
    assert items.loc[34, "Unit results"] == "8000-251: not released"
    assert items.loc[32, "Assessor"] == "Helen Lead"
    assert items.loc[32, "Feedback"] == "8000-251: 2.1 not met: compare two models."
    assert pd.isna(items.loc[34, "Feedback"])  # no feedback before release
    assert "Assessor" not in batch_review.batch_items(fixture_db, CENTRE_A, 11).columns
    with pytest.raises(NotAllowed):
        batch_review.batches(fixture_db, CENTRE_A, YEAR_2026)
    assert batch_review.batch_items(fixture_db, CENTRE_B, 11).empty


ADVICE = {"8000-250": "Evaluate, do not only describe.", "8000-251": ""}
TRENDS = "Learners described theory without linking it to their workplace."


def test_a_lead_writes_a_report_the_centre_reads_and_downloads_as_word(fixture_db):
    batch_items(fixture_db)
    with pytest.raises(Refused, match="trends"):
        batch_review.save_feedback_report(fixture_db, LEAD, 11, "Too short", ADVICE)
    with pytest.raises(Refused, match="8585-301"):
        batch_review.save_feedback_report(fixture_db, LEAD, 11, TRENDS, {"8585-301": "Not in this batch"})
    with pytest.raises(NotAllowed):
        batch_review.save_feedback_report(fixture_db, CENTRE_A, 11, TRENDS, ADVICE)
    assert batch_review.feedback_report(fixture_db, CENTRE_A, 11) is None
    batch_review.save_feedback_report(fixture_db, LEAD, 11, TRENDS, ADVICE, now=datetime(2026, 3, 25, 10))

    report = batch_review.feedback_report(fixture_db, CENTRE_A, 11)
    assert report.trends == TRENDS and report.unit_advice == {"8000-250": "Evaluate, do not only describe."}
    assert report.unit_figures == (("8000-250", 3, 2), ("8000-251", 1, 1))
    assert batch_review.reports_for_centre(fixture_db, CENTRE_A)["Batch ID"].tolist() == [11]
    assert batch_review.reports_for_centre(fixture_db, CENTRE_B).empty
    with pytest.raises(NotFound):
        batch_review.feedback_report(fixture_db, CENTRE_B, 11)

    document = docx.Document(io.BytesIO(feedback_report_docx(report)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert TRENDS in text and "Cohort A" in text and "Helen Lead" in text and "(75.0%)" in text
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[1] == ["8000-250", "3", "2", "Evaluate, do not only describe."]
    assert rows[2] == ["8000-251", "1", "1", ""]

    batch_review.save_feedback_report(fixture_db, LEAD, 11, TRENDS + " Updated.", {}, now=datetime(2026, 3, 27))
    rewritten = batch_review.feedback_report(fixture_db, LEAD, 11)
    assert rewritten.written_at == datetime(2026, 3, 25, 10) and rewritten.updated_at == datetime(2026, 3, 27)
    audit = fixture_db.query_all("SELECT action FROM audit_log WHERE entity = 'batch' AND entity_id = '11'")
    assert [a for (a,) in audit] == ["feedback_report_saved", "feedback_report_saved"]


# ---- EQA alerts ----------------------------------------------------------------------------------

RUN_RULE = eqa.AlertRule(months_in_a_row=3, min_results=10)


def months(rows):
    return pd.DataFrame(rows, columns=["centre_id", "month", "results", "referrals", "service"])


def test_runs_need_consecutive_months_above_the_service_with_enough_results():
    frame = months([
        # centre 1: four months above: one run of four
        *[(1, m, 10, 5, 20.0) for m in ("2026-01", "2026-02", "2026-03", "2026-04")],
        # centre 2: two months, then a month with 9 results, then three months: only the last three count
        (2, "2026-01", 20, 10, 20.0), (2, "2026-02", 20, 10, 20.0), (2, "2026-03", 9, 9, 20.0),
        *[(2, m, 12, 6, 20.0) for m in ("2026-04", "2026-05", "2026-06")],
        # centre 3: across the turn of the year
        *[(3, m, 10, 3, 20.0) for m in ("2025-11", "2025-12", "2026-01")],
        # centre 4: a month with no results breaks the run (January, March, April)
        *[(4, m, 10, 5, 20.0) for m in ("2026-01", "2026-03", "2026-04")],
        # centre 5: equal to the service is not above it
        *[(5, m, 10, 2, 20.0) for m in ("2026-01", "2026-02", "2026-03")],
    ])
    runs = {run["centre_id"]: [m["month"] for m in run["months"]] for run in eqa.find_runs(frame, RUN_RULE)}
    assert runs == {1: ["2026-01", "2026-02", "2026-03", "2026-04"], 2: ["2026-04", "2026-05", "2026-06"],
                    3: ["2025-11", "2025-12", "2026-01"]}
    first = eqa.find_runs(frame, RUN_RULE)[0]["months"][0]
    assert first == {"month": "2026-01", "results": 10, "referrals": 5, "rate": 50.0, "service": 20.0}


def test_alerts_are_raised_once_and_extended_when_the_run_goes_on(db):
    quality = load_user(db, "quality.demo")
    today = date(2026, 11, 23)
    assert eqa.raise_alerts(db, quality, today) == 0  # the demo raised them already
    audit_rows = db.query_one("SELECT count(*) FROM audit_log")[0]
    assert eqa.raise_alerts(db, quality, today) == 0
    assert db.query_one("SELECT count(*) FROM audit_log")[0] == audit_rows  # nothing changed, nothing written
    alert_id, stored = db.query_one("SELECT id, months FROM eqa_alerts ORDER BY last_month DESC, id LIMIT 1")
    stored = json.loads(stored)
    db.query_one("UPDATE eqa_alerts SET months = ?, last_month = ? WHERE id = ? RETURNING 1",
                 [json.dumps(stored[:-1]), stored[-2]["month"], alert_id])
    assert eqa.raise_alerts(db, quality, today) == 0
    assert json.loads(db.query_one("SELECT months FROM eqa_alerts WHERE id = ?", [alert_id])[0]) == stored
    db.query_one("DELETE FROM eqa_alerts WHERE id = ? RETURNING 1", [alert_id])
    assert eqa.raise_alerts(db, quality, today) == 1


def test_an_alert_moves_open_contacted_action_plan_closed_with_notes(db):
    quality = load_user(db, "quality.demo")
    alert_id = db.query_one("UPDATE eqa_alerts SET status = 'open' WHERE id = (SELECT min(id) FROM eqa_alerts) "
                            "RETURNING id")[0]
    with db.cursor() as cursor:
        cursor.execute("DELETE FROM eqa_alert_notes WHERE alert_id = ?", [alert_id])
    with pytest.raises(Refused, match="cannot move"):
        eqa.follow_up(db, quality, alert_id, "open_wrongly", "A note that is long enough")
    with pytest.raises(Refused, match="Write a note"):
        eqa.follow_up(db, quality, alert_id, "contacted", " ")
    with pytest.raises(NotAllowed):
        eqa.follow_up(db, load_user(db, "team.demo"), alert_id, "contacted", "Team cannot do this")
    steps = [("open", "Added the centre to this month's calls."), ("contacted", "Spoke to the quality contact."),
             ("action_plan", "Action plan agreed: tutor standardisation by March."), ("closed", "Rates back in line.")]
    for day, (status, note) in enumerate(steps, start=1):
        eqa.follow_up(db, quality, alert_id, status, note, now=datetime(2026, 11, day, 9))
    detail = eqa.alert_detail(db, quality, alert_id)
    assert detail.status == "closed"
    assert detail.notes.To.tolist() == ["Open", "Contacted", "Action plan", "Closed"]
    assert detail.notes.Note.tolist()[-1] == "Rates back in line."
    with pytest.raises(Refused):
        eqa.follow_up(db, quality, alert_id, "closed", "Closing a closed alert")
    assert eqa.allowed_moves("contacted") == ["contacted", "action_plan", "closed"]
    with pytest.raises(NotAllowed):
        eqa.alerts(db, load_user(db, "centre.demo"))


# ---- SLA performance -----------------------------------------------------------------------------

def sla_items(db):
    add(db,
        # received Mon 2 March, released Fri 27 March: 19 working days; QC on day 2 of 5
        Item(41, 1, {"8000-250": "Pass"}, received=date(2026, 3, 2), released=datetime(2026, 3, 27, 14),
             sla_target=date(2026, 4, 8), checked=datetime(2026, 3, 4, 10), qc_due=date(2026, 3, 9)),
        # received Mon 30 March, released Thu 9 April across Easter (Good Friday, Easter Monday): 6 working days;
        # QC on the due day itself
        Item(42, 1, {"8000-250": "Pass"}, received=date(2026, 3, 30), released=datetime(2026, 4, 9, 14),
             sla_target=date(2026, 5, 6), checked=datetime(2026, 4, 8, 16), qc_due=date(2026, 4, 8)),
        # centre B: received 2 March, released Mon 20 April, after its target: 33 working days; QC late
        Item(43, 2, {"8000-250": "Pass"}, received=date(2026, 3, 2), released=datetime(2026, 4, 20, 9),
             sla_target=date(2026, 4, 8), checked=datetime(2026, 3, 12, 9), qc_due=date(2026, 3, 9)))


def test_sla_performance_by_month_centre_and_overall(fixture_db):
    sla_items(fixture_db)
    by_month = sla.performance(fixture_db, TEAM, date(2026, 1, 1), date(2026, 12, 31), by="month")
    assert by_month.values.tolist() == [["2026-03", 1, 100.0, 19.0, 100.0], ["2026-04", 2, 50.0, 19.5, 50.0]]
    by_centre = sla.performance(fixture_db, TEAM, date(2026, 1, 1), date(2026, 12, 31), by="centre")
    assert by_centre.values.tolist() == [["100001", 2, 100.0, 12.5, 100.0], ["100002", 1, 0.0, 33.0, 0.0]]
    overall = sla.performance(fixture_db, TEAM, date(2026, 1, 1), date(2026, 12, 31), by=None)
    assert overall.values.tolist() == [["All", 3, 66.7, 19.0, 66.7]]
    one_centre = sla.performance(fixture_db, TEAM, date(2026, 1, 1), date(2026, 12, 31), by=None,
                                 centre_number="100002")
    assert one_centre.values.tolist() == [["All", 1, 0.0, 33.0, 0.0]]
    april = sla.performance(fixture_db, TEAM, date(2026, 4, 1), date(2026, 4, 30), by=None)
    assert april.Released.tolist() == [2]
    with pytest.raises(NotAllowed):
        sla.performance(fixture_db, CENTRE_A)


# ---- invoicing -----------------------------------------------------------------------------------

WEEK = date(2026, 11, 16)  # Monday 16 to Sunday 22 November 2026
WEDNESDAY = date(2026, 11, 25)


def invoice_items(db):
    add(db,
        Item(21, 1, {"8000-250": None}, stage="submitted", category="Re-assessment", batch=10,
             submitted=datetime(2026, 11, 22, 23, 59)),                        # Sunday 23:59: this week
        Item(22, 1, {"8000-250": None}, stage="submitted", category="Re-assessment", batch=10,
             submitted=datetime(2026, 11, 23, 0, 0)),                          # Monday 00:00: next week
        Item(23, 1, {"8000-250": None, "8000-251": None}, stage="submitted", category="Re-assessment", batch=13,
             submitted=datetime(2026, 11, 16, 0, 0)),                          # Monday 00:00: two units
        Item(24, 2, {"8000-250": None}, stage="submitted", submitted=datetime(2026, 11, 18, 12), words=27_000),
        Item(25, 2, {"8000-250": None}, stage="submitted", submitted=datetime(2026, 11, 18, 12), words=4_000),
        Item(26, 2, {"8000-250": None}, stage="submitted", category="Re-assessment", batch=12,
             submitted=datetime(2026, 11, 15, 23, 59)),                        # the Sunday before
        Item(27, 2, {"8000-250": None}, stage="rejected", submitted=datetime(2026, 11, 19, 12), words=30_000),
        Item(28, 2, {"8585-301": None}, stage="submitted", submitted=datetime(2026, 11, 19, 12), words=30_000))


def test_the_wednesday_run_bills_last_week_per_centre_and_purchase_order(fixture_db):
    invoice_items(fixture_db)
    quality_check.accept(fixture_db, TEAM, 24, now=datetime(2026, 11, 18, 15), agree_excess_fee=True)
    assert invoicing.week_to_bill(WEDNESDAY) == WEEK
    assert invoicing.week_to_bill(date(2026, 11, 23)) == WEEK  # a late run on the Monday still bills that week
    created = invoicing.run_week(fixture_db, TEAM, WEEK, today=WEDNESDAY)
    assert len(created) == 3
    raised = invoicing.invoices(fixture_db, TEAM, WEEK)
    assert raised[["Centre", "Purchase order", "Lines", "Total £"]].values.tolist() == [
        ["100001", "PO 1111111", 1, 85.0],   # item 21, Sunday 23:59
        ["100001", "PO 3333333", 1, 170.0],  # item 23, two units
        ["100002", invoicing.NO_PURCHASE_ORDER, 1, 255.0],  # item 24: 22,000 words over, 3 blocks of 10,000
    ]
    lines = invoicing.invoice_lines(fixture_db, TEAM, WEEK)
    assert lines[["ID", "Fee", "Quantity", "Amount £"]].values.tolist() == [
        [21, "Re-assessment", 1, 85.0], [23, "Re-assessment", 2, 170.0],
        [24, "Word count over guidance (agreed at quality check)", 3, 255.0]]


def test_an_integrated_re_assessment_pays_for_the_units_it_re_submits_after_a_referral_only(fixture_db):
    add(fixture_db,
        Item(40, 1, {"8000-250": "Pass", "8000-251": "Referral"}, released=datetime(2026, 11, 2, 12)),
        Item(41, 1, {"8000-250": None, "8000-251": None}, stage="submitted", category="Re-assessment", batch=10,
             submitted=datetime(2026, 11, 17, 9), resubmits=40),
        Item(42, 1, {"8000-250": "Referral", "8000-251": "Referral"}, released=datetime(2026, 11, 2, 12)),
        Item(43, 1, {"8000-250": None, "8000-251": None}, stage="submitted", category="Re-assessment", batch=10,
             submitted=datetime(2026, 11, 17, 9), resubmits=42))
    invoicing.run_week(fixture_db, TEAM, WEEK, today=WEDNESDAY)
    lines = invoicing.invoice_lines(fixture_db, TEAM, WEEK).set_index("ID")
    assert lines.loc[41, "Quantity"] == 1 and lines.loc[41, "Amount £"] == 85.0  # one unit passed, one referred
    assert lines.loc[43, "Quantity"] == 2 and lines.loc[43, "Amount £"] == 170.0


def test_words_over_the_guidance_are_a_decision_at_quality_check_not_a_fee_by_default(fixture_db):
    invoice_items(fixture_db)
    with pytest.raises(Refused, match="27,000 words against its guidance of 5,000: agree the excess fee"):
        quality_check.accept(fixture_db, TEAM, 24, now=datetime(2026, 11, 18, 15))
    assert fixture_db.query_one("SELECT stage FROM submissions WHERE id = 24")[0] == "submitted"
    excess = quality_check.word_excess(fixture_db, TEAM, 24)
    assert (excess.words, excess.guidance, excess.blocks) == (27_000, 5_000, 3)
    assert quality_check.word_excess(fixture_db, TEAM, 25) is None  # within the guidance
    assert quality_check.word_excess(fixture_db, TEAM, 28) is None  # a unit without guidance
    quality_check.reject(fixture_db, TEAM, 24, excess.concise_reason(), now=datetime(2026, 11, 18, 15))
    quality_check.accept(fixture_db, TEAM, 25, now=datetime(2026, 11, 18, 15))  # within the guidance: no question
    invoicing.run_week(fixture_db, TEAM, WEEK, today=WEDNESDAY)
    lines = invoicing.invoice_lines(fixture_db, TEAM, WEEK)
    assert "Word count over guidance (agreed at quality check)" not in set(lines.Fee)
    assert fixture_db.query_one("SELECT rejection_reason FROM submissions WHERE id = 24")[0].endswith(
        "there is no fee for it.")


def test_an_item_rejected_after_it_was_billed_is_credited_what_it_was_billed(fixture_db):
    invoice_items(fixture_db)
    invoicing.run_week(fixture_db, TEAM, WEEK, today=WEDNESDAY)
    settings.update_fee(fixture_db, TEAM, "re_assessment", "90.00")  # the credit is what was charged, not today's fee
    quality_check.reject(fixture_db, TEAM, 23, "The result sheets are for another learner", now=datetime(2026, 11, 24, 9))
    invoicing.run_week(fixture_db, TEAM, date(2026, 11, 23), today=date(2026, 12, 2))
    lines = invoicing.invoice_lines(fixture_db, TEAM, date(2026, 11, 23))
    assert lines[["ID", "Fee", "Quantity", "Amount £"]].values.tolist() == [
        [22, "Re-assessment", 1, 90.0], [23, "Credit: item rejected after it was billed", 1, -170.0]]
    invoicing.run_week(fixture_db, TEAM, date(2026, 11, 23), today=date(2026, 12, 2))
    assert fixture_db.query_one("SELECT count(*) FROM invoice_lines WHERE submission_id = 23")[0] == 2  # once


def test_running_a_week_twice_bills_nothing_twice_and_new_fees_apply_to_new_runs(fixture_db):
    invoice_items(fixture_db)
    quality_check.accept(fixture_db, TEAM, 24, now=datetime(2026, 11, 18, 15), agree_excess_fee=True)
    invoicing.run_week(fixture_db, TEAM, WEEK, today=WEDNESDAY)
    assert invoicing.run_week(fixture_db, TEAM, WEEK, today=WEDNESDAY) == []
    assert invoicing.preview(fixture_db, TEAM, WEEK).empty
    settings.update_fee(fixture_db, TEAM, "re_assessment", "90.00")
    invoicing.run_week(fixture_db, TEAM, date(2026, 11, 23), today=date(2026, 12, 2))
    next_week = invoicing.invoice_lines(fixture_db, TEAM, date(2026, 11, 23))
    assert next_week[["ID", "Amount £"]].values.tolist() == [[22, 90.0]]  # Monday 00:00 belongs to this week
    assert invoicing.invoices(fixture_db, TEAM, WEEK)["Total £"].sum() == 510.0  # old invoices keep their prices
    assert fixture_db.query_one("SELECT count(*) FROM invoice_lines")[0] == 4


def test_invoicing_refuses_unfinished_weeks_other_days_and_other_roles(fixture_db):
    invoice_items(fixture_db)
    with pytest.raises(Refused, match="has not ended"):
        invoicing.run_week(fixture_db, TEAM, date(2026, 11, 23), today=WEDNESDAY)
    with pytest.raises(Refused, match="Monday"):
        invoicing.run_week(fixture_db, TEAM, date(2026, 11, 18), today=WEDNESDAY)
    with pytest.raises(NotAllowed):
        invoicing.run_week(fixture_db, CENTRE_A, WEEK, today=WEDNESDAY)
    assert fixture_db.query_one("SELECT count(*) FROM invoices")[0] == 0
    invoicing.run_week(fixture_db, TEAM, WEEK, today=WEDNESDAY)
    assert invoicing.invoices(fixture_db, CENTRE_A)["Centre"].unique().tolist() == ["100001"]


# ---- settings ------------------------------------------------------------------------------------

def test_settings_take_numbers_of_zero_or_more_from_the_team_only(fixture_db):
    with pytest.raises(Refused, match="must be a number"):
        settings.update_setting(fixture_db, TEAM, "eqa_consecutive_months", "three")
    with pytest.raises(Refused, match="zero or more"):
        settings.update_setting(fixture_db, TEAM, "eqa_consecutive_months", "-1")
    with pytest.raises(Refused, match="at most 100"):
        settings.update_setting(fixture_db, TEAM, "batch_flag_rate_percent", "140")
    with pytest.raises(Refused, match="whole number"):
        settings.update_setting(fixture_db, TEAM, "eqa_consecutive_months", "2.5")
    with pytest.raises(Refused, match="no setting"):
        settings.update_setting(fixture_db, TEAM, "made_up", "1")
    with pytest.raises(NotAllowed):
        settings.update_setting(fixture_db, QUALITY, "eqa_consecutive_months", "2")
    with pytest.raises(Refused, match="two decimal places"):
        settings.update_fee(fixture_db, TEAM, "re_assessment", "85.001")
    with pytest.raises(Refused, match="more than the Guide to Fees can hold"):
        settings.update_fee(fixture_db, TEAM, "re_assessment", "123456789")
    with pytest.raises(Refused, match="far larger"):
        settings.update_setting(fixture_db, TEAM, "eqa_consecutive_months", "1e30")
    settings.update_setting(fixture_db, TEAM, "eqa_consecutive_months", "4")
    assert eqa.alert_rule(fixture_db) == eqa.AlertRule(4, 10)
    settings.update_fee(fixture_db, TEAM, "word_count_excess", "£99.50")
    assert settings.fee_amounts(fixture_db)["word_count_excess"] == Decimal("99.50")
    changes = fixture_db.query_all("SELECT action, entity_id FROM audit_log ORDER BY id")
    assert changes == [("setting_changed", "eqa_consecutive_months"), ("fee_changed", "word_count_excess")]


# ---- exports -------------------------------------------------------------------------------------

def test_analytics_exports_keep_a_formula_like_batch_name_as_text(fixture_db):
    batch_items(fixture_db)
    fixture_db.query_one("UPDATE batches SET name = '=HYPERLINK(1)' WHERE id = 11 RETURNING 1")
    frame = batch_review.batches(fixture_db, LEAD, YEAR_2026)
    sheet = openpyxl.load_workbook(io.BytesIO(frame_xlsx(frame, "Batch review"))).active
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("Batch ID")].value == 11)
    cell = row[header.index("Batch")]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s" and cell.quotePrefix
    assert row[header.index("Rate %")].value == 75.0 and row[header.index("Created")].is_date


def test_the_lead_homes_flagged_batch_count_is_the_batch_lists(db):
    from datetime import timedelta

    from lib.analytics.batch_review import batches, flagged_batch_counts
    from lib.analytics.referrals import Period
    from tests.conftest import TODAY, load_user

    lead = load_user(db, "lead.demo")
    # The small demo's batches hold 3 released items at most, within chance: gather eight of one centre's recent
    # released items into one of its batches and refer them all, which puts that batch past the limit.
    batch_id, centre_id = db.query_one(
        """SELECT b.id, b.centre_id FROM batches b WHERE (SELECT count(*) FROM submissions s WHERE s.centre_id =
           b.centre_id AND s.stage = 'released' AND s.released_at >= ?) >= 8 AND b.created_at >= ?
           ORDER BY b.id LIMIT 1""", [TODAY - timedelta(days=300), TODAY - timedelta(days=300)])
    gathered = [row[0] for row in db.query_all(
        """SELECT id FROM submissions WHERE centre_id = ? AND stage = 'released' AND released_at >= ?
           ORDER BY id LIMIT 8""", [centre_id, TODAY - timedelta(days=300)])]
    db.query_one("UPDATE submissions SET batch_id = ? WHERE id IN (SELECT unnest(?)) RETURNING 1", [batch_id, gathered])
    db.query_one("UPDATE submission_units SET result = 'Referral' WHERE submission_id IN (SELECT unnest(?)) "
                 "AND result IS NOT NULL RETURNING 1", [gathered])
    for period in (Period(TODAY - timedelta(days=365), TODAY), Period(TODAY - timedelta(days=3 * 365), TODAY)):
        listed = batches(db, lead, period)
        flagged = listed[listed.Flag != ""]
        expected = (len(flagged), int((~flagged.Report).sum()))
        assert 0 < expected[0] < len(listed), "the demo has flagged and unflagged batches in the period"
        assert flagged_batch_counts(db, lead, period) == expected
        referrals, results = db.query_one(
            """SELECT count(*) FILTER (WHERE u.result = 'Referral'), count(*) FROM submissions s
               JOIN submission_units u ON u.submission_id = s.id WHERE s.stage = 'released' AND u.result IS NOT NULL
               AND s.released_at >= ? AND s.released_at < ?""", [period.start, period.end + timedelta(days=1)])
        assert flagged_batch_counts(db, lead, period, 100 * referrals / results) == expected


def test_batch_review_lists_flagged_batches_first_then_the_most_referrals(fixture_db):
    batch_items(fixture_db)
    frame = batch_review.batches(fixture_db, LEAD, YEAR_2026)
    flagged = list(frame.Flag != "")
    assert flagged == sorted(flagged, reverse=True)
    for _, group in frame.groupby(frame.Flag != ""):
        assert list(group.Referrals) == sorted(group.Referrals, reverse=True)
