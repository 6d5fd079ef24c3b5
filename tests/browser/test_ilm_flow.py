"""The whole path in a browser: the team accepts and allocates, the assessor refers a unit, the lead agrees,
the team releases, and the centre sees Referred and re-submits it as a Re-assessment batch."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from lib import demo
from lib.accounts.auth import user_by_username
from lib.centre import submitting, uploads
from lib.centre.uploads import EMBEDDED, UnitUpload, Upload
from lib.store import devserver
from lib.store.db import Database
from lib.store.files import FileStore
from tests import samples
from tests.browser.conftest import as_user, notice, open_page, settle, start_app, tick_row


@pytest.fixture(scope="module")
def one_item(tmp_path_factory):
    """A demo database whose only open item is one the demo centre has just submitted; the app on it."""
    folder = tmp_path_factory.mktemp("ilm-flow")
    path = folder / "ilma.duckdb"
    demo.build(path, 400, seed_value=9)
    db = Database.open(path)
    centre = user_by_username(db, "centre.demo")
    learner_id, enr, unit = db.query_one(
        """SELECT l.id, l.enr, max(u.unit_code) FROM learners l JOIN registrations r ON r.learner_id = l.id
           JOIN qualification_units u ON u.qualification_code = r.qualification_code
           WHERE l.centre_id = ? AND r.expires_on > current_date
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id) GROUP BY ALL LIMIT 1""",
        [centre.centre_id])
    store = FileStore(folder / "files")
    [item] = uploads.upload_units(db, store, centre, [UnitUpload(
        learner_id, unit, (Upload(f"S.Smith-{enr}(1).docx", samples.word_document("Tuckman's model fits my team.")),
                           Upload(samples.learner_file_name(db, learner_id, extension=".pdf"), samples.pdf_document())),
        Upload("Sheet.docx", samples.result_sheet()), EMBEDDED)])
    submitting.submit(db, centre, [item], quality_confirmed=True)
    db.query_one("""UPDATE submissions SET stage = 'rejected', rejection_reason = 'Closed for the test',
                    rejected_at = now()::TIMESTAMP
                    WHERE stage IN ('submitted', 'accepted', 'allocated', 'marked', 'sampling', 'ready') AND id <> ?""",
                 [item])
    db.query_one("UPDATE settings SET value = '100000' WHERE key = 'sampling_first_markings'")
    db.close()
    process, url = start_app(folder, path)
    yield url, item, unit
    devserver.stop(process)


def test_from_quality_check_to_re_assessment(browser, one_item, tmp_path):
    url, item, unit = one_item
    team_context, team = as_user(browser, url, "team.demo")
    open_page(team, "Quality check")
    tick_row(team, "qc_table", 0)
    # The decision comes before the item's files: Accept is on the first screen (the queue a strip of two rows).
    accept = team.locator(".st-key-qc_accept button")
    expect(accept).to_be_visible(timeout=30_000)
    assert accept.bounding_box()["y"] + 40 < 720
    assert accept.bounding_box()["y"] < team.get_by_text("Evidence:").first.bounding_box()["y"]
    accept.click()
    notice(team, f"Accepted item {item}")

    open_page(team, "Allocation")
    tick_row(team, "allocation_table", 0)
    chooser = team.locator(".st-key-allocation_assessor")
    expect(chooser).to_be_visible(timeout=30_000)
    assert chooser.bounding_box()["y"] < team.locator(".st-key-allocation_table").bounding_box()["y"]
    chooser.click()
    team.get_by_role("option").filter(has_text="Mark Evans").click()
    settle(team)
    team.locator(".st-key-allocation_manual button").click()
    notice(team, f"Item {item} allocated to Mark Evans.")

    assessor_context, assessor = as_user(browser, url, "assessor.demo")
    open_page(assessor, "My marking queue")
    tick_row(assessor, "marking_table", 0)
    form = assessor.locator(f".st-key-marking_unit_{unit}")
    expect(form.get_by_text("Criteria and guidance")).to_be_visible(timeout=30_000)
    # The evidence is read in the page: the Word document as text, the PDF in the PDF viewer.
    expect(assessor.get_by_text("Tuckman's model fits my team.")).to_be_visible(timeout=30_000)
    assessor.get_by_role("tab", name="S.Smith-", exact=False).nth(1).click()
    viewer = assessor.locator("[class*='st-key-marking_pdf_']")
    expect(viewer.locator("canvas").first).to_be_visible(timeout=30_000)  # pdf.js has drawn its page
    form.get_by_text("Referral", exact=True).click()
    form.locator(f".st-key-marking_mark_{item}_{unit} input").fill("45")
    form.locator(f".st-key-marking_feedback_{item}_{unit} textarea").fill("Criteria 2.1 and 2.2 are not met.")
    sheet = tmp_path / "Marked.docx"
    sheet.write_bytes(samples.result_sheet())
    form.locator("input[type=file]").set_input_files(str(sheet))
    settle(assessor)
    form.locator(f".st-key-marking_save_{unit} button").click()
    notice(assessor, f"Item {item} is marked and goes to the lead assessor for sampling.")
    assessor_context.close()

    lead_context, lead = as_user(browser, url, "lead.demo")
    open_page(lead, "Sampling")
    tick_row(lead, "sampling_table", 0)
    lead.locator(".st-key-sampling_agree button").click()
    notice(lead, f"Agreed: item {item} is ready for release.")
    lead_context.close()

    open_page(team, "Release")
    tick_row(team, "release_table", 0)
    # The release buttons head the queue, on the first screen however many items wait.
    button = team.locator(".st-key-release_selected button")
    assert button.bounding_box()["y"] < team.locator(".st-key-release_table").bounding_box()["y"]
    button.click()
    notice(team, "Released 1 result(s) to their centres: item(s) ")
    team_context.close()

    centre_context, centre = as_user(browser, url, "centre.demo")
    open_page(centre, "Tracker")
    first_row = centre.locator(".st-key-tracker_table [role='row']").nth(1)
    expect(first_row).to_contain_text("Referred")
    expect(first_row).to_contain_text("45")
    expect(first_row).to_contain_text(datetime.now().strftime("%d/%m/%Y"))
    tick_row(centre, "tracker_table", 0)
    settle(centre)
    resubmit = centre.locator(".st-key-tracker_resubmit button:visible").first
    # The Tracker's actions head the list, whatever the length of the page of rows.
    assert resubmit.bounding_box()["y"] < centre.locator(".st-key-tracker_table").bounding_box()["y"]
    resubmit.click()
    notice(centre, "is ready in Pending")

    tick_row(centre, "pending_table", 0)
    evidence = tmp_path / "S.Smith-work(2).docx"
    evidence.write_bytes(samples.word_document())
    centre.locator(".st-key-pending_new_evidence input[type=file]").set_input_files(str(evidence))
    centre.locator(".st-key-pending_new_sheet input[type=file]").set_input_files(str(sheet))
    settle(centre)
    centre.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    # Not the learner's ENR, and not named by the protocol: held back until renamed, which is one click.
    expect(centre.get_by_text("S.Smith-work(2).docx names ENR work")).to_be_visible(timeout=30_000)
    expect(centre.get_by_text("Added the files to item")).to_have_count(0)
    centre.locator(".st-key-pending_held_renames_apply button").click()
    notice(centre, "Added the files to item")
    # The item stays ticked: a tick belongs to its record, and adding files does not change which record it is.
    centre.locator(".st-key-pending_batch_name input").fill("PO 7654321")
    centre.locator(".st-key-pending_batch_name input").press("Enter")
    settle(centre)
    centre.locator(".st-key-pending_submit_batch button").click()
    dialog = centre.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=30_000)
    dialog.locator(".st-key-pending_quality_confirmed label").click()
    dialog.locator(".st-key-pending_confirm_ok button").click()
    notice(centre, "as batch PO 7654321")
    newest = centre.locator(".st-key-tracker_table [role='row']").nth(1)
    expect(newest).to_contain_text("Re-assessment")
    expect(newest).to_contain_text("PO 7654321")
    centre_context.close()
