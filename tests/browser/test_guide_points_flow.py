"""Issue 26 points 1 and 5 as people walk them: a learner conferred by the Exam Board but not claimed on the order
is named on the release check; result sheets chosen for an integrated assessment survive switching Upload Single
Result Sheet on and off, and the item uploads with them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lib import demo
from lib.store import devserver
from lib.store.db import Database
from tests import samples
from tests.browser.conftest import as_user, notice, open_page, open_upload_screen, settle, start_app, tick_row
from tests.browser.test_hei_flow import BSC, record_release_check


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The demo, with one learner on the BSc order not claimed for ILM achievement, and a learner of the demo
    centre who may be assessed as Integrated and has never submitted."""
    folder = tmp_path_factory.mktemp("guide-points")
    path = folder / "ilma.duckdb"
    demo.build(path, 400, seed_value=3, files_dir=folder / "files")
    db = Database.open(path)
    on_order = db.query_all(
        """SELECT l.id, l.first_name || ' ' || l.last_name FROM hei_order_learners o
           JOIN learners l ON l.id = o.learner_id JOIN hei_programmes p ON p.id = o.programme_id
           WHERE p.title = ? ORDER BY 2""", [BSC])
    unclaimed_id, unclaimed = on_order[-1]
    with db.cursor() as cursor:
        cursor.execute("UPDATE hei_order_learners SET claimed = FALSE WHERE learner_id = ?", [unclaimed_id])
    integrated_enr = db.query_one(
        """SELECT l.enr FROM learners l JOIN registrations r ON r.learner_id = l.id
           JOIN centres c ON c.id = l.centre_id
           JOIN centre_approvals a ON a.centre_id = l.centre_id AND a.qualification_code = r.qualification_code
           WHERE c.number = '012345' AND a.integrated AND r.expires_on > current_date
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id)
             AND (SELECT count(*) FROM registrations o WHERE o.learner_id = l.id) = 1
           ORDER BY l.enr DESC LIMIT 1""")[0]
    db.close()
    process, url = start_app(folder, path)
    yield url, [name for _, name in on_order], unclaimed, integrated_enr
    devserver.stop(process)


def test_a_learner_conferred_but_not_claimed_is_named_on_the_release_check(browser, app, tmp_path):
    url, on_order, unclaimed, _ = app
    context, quality = as_user(browser, url, "quality.demo")
    # every learner on the order was conferred, the unclaimed one too
    record_release_check(quality, url, tmp_path, on_order, "BSc Exam Board minutes, summer")
    learners = quality.get_by_test_id("stDataFrame").filter(has_text="Matched by").first
    learners.scroll_into_view_if_needed()  # the table's rows are in the page once drawn on screen
    settle(quality)
    finding = learners.locator("[role='row']").filter(has_text=unclaimed)
    expect(finding).to_have_count(1, timeout=30_000)
    expect(finding).to_contain_text("Conferred by the Exam Board, not claimed on the order")
    context.close()


def test_integrated_result_sheets_survive_the_single_sheet_toggle(browser, app, tmp_path):
    url, *_ = app
    context, centre = as_user(browser, url, "centre.demo")
    open_page(centre, "Integrated Assessment")
    tick_row(centre, "integrated_table", 0)
    centre.locator(".st-key-integrated_choose button").click()
    expect(centre.get_by_text("Learner Name :").first).to_be_visible(timeout=30_000)
    settle(centre)
    centre.locator(".st-key-integrated_add_unit button").click()
    settle(centre)
    for slot in range(3):  # three different units: the first, second and third in the list
        centre.locator(f".st-key-integrated_unit_{slot}").click()
        centre.get_by_role("option").nth(slot).click()
        settle(centre)
    sheets = []
    for slot in range(3):
        sheet = tmp_path / f"Result sheet {slot}.docx"
        sheet.write_bytes(samples.result_sheet())
        centre.locator(f".st-key-integrated_sheet_{slot} input[type=file]").set_input_files(str(sheet))
        settle(centre)
        sheets.append(sheet.name)
    toggle = centre.locator(".st-key-integrated_single label").first
    expect(centre.get_by_text("is chosen twice")).to_have_count(0)
    toggle.click()
    settle(centre)
    expect(centre.get_by_text("the 3 unit result sheet(s) chosen will not be uploaded")).to_be_visible()
    toggle.click()
    settle(centre)
    for name in sheets:  # each sheet is still chosen in its uploader
        expect(centre.get_by_text(name).first).to_be_visible()
    evidence = tmp_path / "evidence.docx"
    evidence.write_bytes(samples.word_document(words=1200))
    centre.locator(".st-key-integrated_evidence input[type=file]").set_input_files(str(evidence))
    settle(centre)
    centre.locator(".st-key-integrated_evidence_renames_apply button").click()  # the protocol's name, one click
    settle(centre)
    centre.get_by_text("The learner's signed declaration is embedded in the evidence").click()
    settle(centre)
    centre.locator(".st-key-integrated_upload button").first.click()
    expect(centre.get_by_role("heading", name="Pending Submission")).to_be_visible(timeout=30_000)
    notice(centre, "Uploaded the integrated assessment")
    first = centre.locator(".st-key-pending_table [role='row']").nth(1)
    expect(first).to_contain_text("Integrated")
    expect(first).to_contain_text("Uploaded")  # its result sheets came with it, not "No Result Sheet"
    context.close()


def test_an_integrated_assessment_uploads_and_goes_to_ilm_in_one_go(browser, app, tmp_path):
    url, *_, enr = app
    context, centre = as_user(browser, url, "centre.demo", height=720)
    open_upload_screen(centre, "Integrated Assessment", "integrated", enr, "integrated_choose")
    for slot in range(2):
        centre.locator(f".st-key-integrated_unit_{slot}").click()
        centre.get_by_role("option").nth(slot).click()
        settle(centre)
    evidence = tmp_path / "evidence.docx"
    evidence.write_bytes(samples.word_document(words=1300))
    centre.locator(".st-key-integrated_evidence input[type=file]").set_input_files(str(evidence))
    settle(centre)
    centre.locator(".st-key-integrated_evidence_renames_apply button").click()
    settle(centre)
    centre.get_by_text("The learner's signed declaration is embedded in the evidence").click()
    centre.locator(".st-key-integrated_quality label").click()
    settle(centre)
    # Confirmed, but a unit has no result sheet yet: it cannot go to ILM.
    expect(centre.locator(".st-key-integrated_upload_and_submit button").first).to_be_disabled()
    centre.locator(".st-key-integrated_single label").first.click()
    settle(centre)
    sheet = tmp_path / "Single result sheet.docx"
    sheet.write_bytes(samples.result_sheet())
    centre.locator(".st-key-integrated_single_sheet input[type=file]").set_input_files(str(sheet))
    settle(centre)
    centre.locator(".st-key-integrated_upload_and_submit button").first.click()

    expect(centre.get_by_role("heading", name="Tracker")).to_be_visible(timeout=30_000)
    expect(centre.get_by_text("Submitted 1 assessment(s): item(s) ")).to_be_visible()
    settle(centre)
    first_row = centre.locator(".st-key-tracker_table [role='row']").nth(1)
    expect(first_row).to_contain_text("Integrated")
    expect(first_row).to_contain_text("Submitted")
    context.close()
