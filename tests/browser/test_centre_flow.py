"""A centre uploads a unit assessment, submits it as a batch, finds it in the Tracker and exports Excel."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from lib import demo
from lib.demo import DEMO_PASSWORD
from lib.rules import workdays
from lib.store import devserver
from lib.store.db import Database
from tests import samples
from tests.browser.conftest import open_page, open_upload_screen, settle, sign_in, start_app, tick_row, wait_idle


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """Two demo learners of the demo centre who never submitted anything (the list shows their last unit first), and
    a learner's unit whose latest result is a referral."""
    folder = tmp_path_factory.mktemp("flow")
    path = folder / "ilma.duckdb"
    demo.build(path, 800, seed_value=5)
    db = Database.open(path)
    (enr, unit), other = db.query_all(
        """SELECT l.enr, max(qu.unit_code) FROM learners l JOIN registrations r ON r.learner_id = l.id
           JOIN qualification_units qu ON qu.qualification_code = r.qualification_code
           JOIN centres c ON c.id = l.centre_id
           WHERE c.number = '012345' AND r.expires_on > current_date
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id)
           GROUP BY l.enr ORDER BY l.enr LIMIT 2""")
    referred = db.query_one(
        """SELECT l.enr, s.unit_codes FROM submissions s JOIN learners l ON l.id = s.learner_id
           JOIN centres c ON c.id = s.centre_id JOIN registrations r ON r.learner_id = s.learner_id
                AND r.qualification_code = s.qualification_code
           WHERE c.number = '012345' AND s.stage = 'released' AND s.result = 'Referral' AND s.type = 'Unit'
             AND r.expires_on > current_date
             AND s.id = (SELECT max(t.id) FROM submissions t WHERE t.learner_id = s.learner_id
                         AND t.unit_codes = s.unit_codes) ORDER BY s.id LIMIT 1""")
    db.close()
    process, url = start_app(folder, path)
    yield url, enr, unit, folder, other, referred
    devserver.stop(process)


def test_upload_submit_as_batch_track_and_export(browser, prepared, tmp_path):
    url, enr, unit, _, _, _ = prepared
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, url, "centre.demo", DEMO_PASSWORD)

    open_page(page, "Unit Assessment")
    page.get_by_test_id("stPopover").get_by_role("button").first.click()
    page.locator(".st-key-units_filter_column").click()
    page.get_by_role("option", name="ENR", exact=True).click()
    wait_idle(page)
    page.locator(".st-key-units_filter_value1_ENR input").fill(enr)
    page.locator(".st-key-units_filter_apply button").click()
    wait_idle(page)
    expect(page.get_by_text(f'Filtered: ENR contains "{enr}"')).to_be_visible(timeout=30_000)
    page.keyboard.press("Escape")
    tick_row(page, "units_table", 0)
    page.locator(".st-key-units_upload button").click()
    expect(page.get_by_text("Learner Name :").first).to_be_visible(timeout=30_000)
    settle(page)

    # Named as a re-submission, (2), on an original submission: refused until renamed, in one click.
    evidence = tmp_path / f"D.Simpson-{enr}(2).docx"
    evidence.write_bytes(samples.word_document(words=1500))
    sheet = tmp_path / "Result Sheet.docx"
    sheet.write_bytes(samples.result_sheet())
    page.locator("[class*='st-key-unit_upload_'][class*='_evidence'] input[type=file]").set_input_files(str(evidence))
    wait_idle(page)
    page.locator("[class*='st-key-unit_upload_'][class*='_sheet'] input[type=file]").set_input_files(str(sheet))
    wait_idle(page)
    expect(page.get_by_text("1,500 words").first).to_be_visible(timeout=30_000)
    page.get_by_text("The learner's signed declaration is embedded in the evidence").click()
    wait_idle(page)
    expect(page.get_by_text(f"D.Simpson-{enr}(2).docx ends (2) but this is an original submission")).to_be_visible()
    expect(page.locator(".st-key-unit_upload_submit button").first).to_be_disabled()
    page.locator("[class*='st-key-unit_upload_'][class*='_renames_apply'] button").click()
    settle(page)
    suggested = page.get_by_text(re.compile(rf"D.Simpson-{enr}\(2\).docx is uploaded as [A-Z]\.\S+-{enr}\(1\).docx"))
    expect(suggested).to_be_visible(timeout=30_000)
    renamed = suggested.inner_text().rsplit(" ", 1)[-1].rstrip(".")
    page.locator(".st-key-unit_upload_submit button").click()

    expect(page.get_by_role("heading", name="Pending Submission")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Uploaded 1 assessment(s), ticked below")).to_be_visible()
    settle(page)
    # The upload is ticked already: Submit is the next click.
    expect(page.get_by_text("View / Edit item")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(f"Evidence: {renamed}")).to_be_visible()
    page.locator(".st-key-pending_batch_name input").fill("Cohort 42")
    expect(page.locator(".st-key-pending_submit_batch button")).to_be_enabled()
    page.locator(".st-key-pending_batch_name input").press("Enter")
    settle(page)
    page.locator(".st-key-pending_submit_batch button").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=30_000)
    dialog.locator(".st-key-pending_quality_confirmed label").click()
    dialog.locator(".st-key-pending_confirm_ok button").click()

    expect(page.get_by_role("heading", name="Tracker")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Submitted 1 assessment(s) as batch Cohort 42: item(s) ")).to_be_visible()
    settle(page)
    # The Tracker opens on just what was sent, whatever it was filtered to before.
    expect(page.get_by_text("Filtered: ID is one of ")).to_be_visible()
    expect(page.get_by_text("1 item(s).", exact=False)).to_be_visible()
    target = workdays.sla_target(date.today()).strftime("%d/%m/%Y")
    first_row = page.locator(".st-key-tracker_table [role='row']").nth(1)
    expect(first_row).to_contain_text("Cohort 42")
    expect(first_row).to_contain_text(target)
    expect(first_row).to_contain_text(enr)

    with page.expect_download() as download_info:
        page.locator(".st-key-tracker_export button").click()
    download = download_info.value
    assert download.suggested_filename == f"Centre Report {date.today().isoformat()}.xlsx"
    sheet_rows = list(openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active.values)
    header = sheet_rows[0]
    assert header[:4] == ("ID", "Batch", "Submitted", "SLA Target")
    ours = [row for row in sheet_rows[1:] if row[header.index("Batch")] == "Cohort 42"]
    assert len(ours) == 1
    assert ours[0][header.index("ENR")] == enr and ours[0][header.index("Unit(s)")] == unit
    assert ours[0][header.index("SLA Target")].date() == workdays.sla_target(date.today())
    assert ours[0][header.index("Status")] == "Submitted"
    context.close()


def choose_units_of(page, enr: str, unit: str = "") -> None:
    open_upload_screen(page, "Unit Assessment", "units", f"{enr} {unit}".strip(), "units_upload")


def test_upload_and_submit_in_one_go_opens_the_tracker_on_the_item_sent(browser, prepared, tmp_path):
    url, _, _, _, (enr, unit), _ = prepared
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    sign_in(page, url, "centre.demo", DEMO_PASSWORD)
    choose_units_of(page, enr)
    evidence, sheet = tmp_path / f"A.Learner-{enr}(1).docx", tmp_path / "Result Sheet.docx"
    evidence.write_bytes(samples.word_document(words=1200))
    sheet.write_bytes(samples.result_sheet())
    page.locator("[class*='st-key-unit_upload_'][class*='_evidence'] input[type=file]").set_input_files(str(evidence))
    wait_idle(page)
    expect(page.get_by_text("1,200 words").first).to_be_visible(timeout=30_000)
    page.get_by_text("The learner's signed declaration is embedded in the evidence").click()
    wait_idle(page)
    # Without its result sheet, or before the quality is confirmed, the item cannot go straight to ILM.
    page.locator(".st-key-unit_upload_quality label").click()
    settle(page)
    expect(page.locator(".st-key-unit_upload_and_submit button").first).to_be_disabled()
    page.locator("[class*='st-key-unit_upload_'][class*='_sheet'] input[type=file]").set_input_files(str(sheet))
    wait_idle(page)
    settle(page)
    page.locator(".st-key-unit_upload_and_submit button").first.click()

    expect(page.get_by_role("heading", name="Tracker")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Submitted 1 assessment(s): item(s) ")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Filtered: ID is one of ")).to_be_visible()
    first_row = page.locator(".st-key-tracker_table [role='row']").nth(1)
    expect(first_row).to_contain_text(enr)
    expect(first_row).to_contain_text(unit)
    expect(first_row).to_contain_text("Submitted")
    expect(first_row).to_contain_text(workdays.sla_target(date.today()).strftime("%d/%m/%Y"))
    context.close()


def test_a_re_assessment_is_sent_to_pending_saying_why_before_the_click(browser, prepared, tmp_path):
    url, *_, (enr, unit) = prepared
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    sign_in(page, url, "centre.demo", DEMO_PASSWORD)
    choose_units_of(page, enr, unit)
    expect(page.get_by_text("Learner Name :").first).to_contain_text(unit)
    caption = page.get_by_text("Upload these to Pending and submit them there.")
    expect(caption).to_contain_text("re-assessed after a referral, which is charged")
    expect(caption).to_contain_text("PO 2345678")
    expect(page.locator(".st-key-unit_upload_quality input")).to_be_disabled()
    expect(page.locator(".st-key-unit_upload_and_submit button").first).to_be_disabled()

    evidence, sheet = tmp_path / f"A.Learner-{enr}(2).docx", tmp_path / "Result Sheet.docx"
    evidence.write_bytes(samples.word_document(words=1100))
    sheet.write_bytes(samples.result_sheet())
    page.locator("[class*='st-key-unit_upload_'][class*='_evidence'] input[type=file]").set_input_files(str(evidence))
    page.locator("[class*='st-key-unit_upload_'][class*='_sheet'] input[type=file]").set_input_files(str(sheet))
    wait_idle(page)
    expect(page.get_by_text("1,100 words").first).to_be_visible(timeout=30_000)
    settle(page)
    expect(page.locator(".st-key-unit_upload_and_submit button").first).to_be_disabled()
    page.locator(".st-key-unit_upload_submit button").click()
    expect(page.get_by_role("heading", name="Pending Submission")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Uploaded 1 assessment(s), ticked below")).to_be_visible()
    # At 1280x720 the actions are on the first screen, above the list: the next click is right there.
    settle(page)
    submit_as_batch = page.locator(".st-key-pending_submit_batch button")
    expect(submit_as_batch).to_be_enabled()
    box, table = submit_as_batch.bounding_box(), page.locator(".st-key-pending_table").bounding_box()
    assert box["y"] + box["height"] <= table["y"], (box, table)  # however long the list
    assert box["y"] + box["height"] <= 720 - 70, box  # above the Help / Legal footer
    context.close()
