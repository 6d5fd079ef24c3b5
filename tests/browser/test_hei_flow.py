"""ILM Mapped in a browser: the university asks for a change with a learner on the changed route; quality decides a
re-mapping and sees the hold, fills the credential's metadata, records a release check from an Exam Board list and
issues the Badge Claim: Credly's CSV and ILM's record."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from lib import demo
from lib.store import devserver
from lib.store.db import Database
from tests.browser.conftest import as_user, choose_option, notice, settle, start_app, tick_row

BSC = "BSc Business Management"


@pytest.fixture(scope="module")
def university(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hei-flow")
    path = folder / "ilma.duckdb"
    demo.build(path, 400, seed_value=3, files_dir=folder / "files")
    db = Database.open(path)
    on_order = [name for (name,) in db.query_all(
        """SELECT l.first_name || ' ' || l.last_name FROM hei_order_learners o JOIN learners l ON l.id = o.learner_id
           JOIN hei_programmes p ON p.id = o.programme_id WHERE p.title = ? ORDER BY 1""", [BSC])]
    off_order = db.query_one(
        """SELECT l.enr FROM learners l JOIN registrations r ON r.learner_id = l.id JOIN hei_programmes p
           ON p.qualification_code = r.qualification_code AND p.centre_id = l.centre_id WHERE p.title = ?
           AND l.id NOT IN (SELECT learner_id FROM hei_order_learners) ORDER BY l.enr LIMIT 1""", [BSC])[0]
    db.close()
    process, url = start_app(folder, path)
    yield url, on_order, off_order
    devserver.stop(process)


def record_release_check(quality, url: str, folder, conferred: list[str], minutes: str) -> None:
    """Quality records a release check of the BSc from an Exam Board list of these names, and ticks it."""
    quality.goto(f"{url}/release-checks")
    settle(quality)
    quality.get_by_text("Record a release check").click()
    choose_option(quality, "check_programme", BSC)
    form = quality.get_by_test_id("stForm").filter(has_text="Title of the Exam Board minutes")
    form.locator("[class*='st-key-check_minutes_'] input").fill(minutes)
    form.locator("[class*='st-key-check_point_']").get_by_text("Part way through", exact=False).click()
    board = folder / "BSc Exam Board list.csv"
    board.write_text("Name\n" + "\n".join(conferred) + "\n")
    form.locator("input[type=file]").set_input_files(str(board))
    settle(quality)
    form.get_by_role("button", name="Record the check").click()
    notice(quality, "is recorded")
    tick_row(quality, "checks_table", 0)


def test_a_change_a_hold_a_release_check_and_the_badge_claim(browser, university, tmp_path):
    url, on_order, off_order = university
    hei_context, hei = as_user(browser, url, "university.demo")
    hei.goto(f"{url}/mapped-programmes")
    settle(hei)
    expect(hei.locator(".st-key-mapped_table [role='row']").nth(1)).to_contain_text(BSC)
    tick_row(hei, "mapped_table", 0)
    hei.get_by_text("Ask for a change to this programme").click()
    choose_option(hei, "mapped_change_what_", "Assessments")
    hei.keyboard.press("Escape")
    hei.locator("[class*='st-key-mapped_change_text_'] textarea").fill(
        "The strategy module is assessed by a portfolio instead of an exam from January.")
    choose_option(hei, "mapped_change_route_", off_order)
    hei.keyboard.press("Escape")
    hei.get_by_role("button", name="Send the change request").click()
    notice(hei, "is with ILM's quality team")
    hei_context.close()

    quality_context, quality = as_user(browser, url, "quality.demo")
    quality.goto(f"{url}/mapped-programmes")
    settle(quality)
    tick_row(quality, "mapped_requests_table", 0)
    quality.locator("[class*='st-key-mapped_decide_kind_']").get_by_text("Re-mapping", exact=True).click()
    quality.locator("[class*='st-key-mapped_decide_note_'] textarea").fill("A portfolio covers other criteria: "
                                                                          "re-mapping.")
    quality.get_by_role("button", name="Record the decision").click()
    notice(quality, "the learners on the route are held")
    expect(quality.get_by_text("have their results held until a re-mapping is done")).to_be_visible()

    tick_row(quality, "mapped_table", 0)
    quality.get_by_text("Digital credential (from the Metadata Template)").click()
    form = quality.get_by_test_id("stForm").filter(has_text="Badge template ID")
    form.locator("[class*='st-key-mapped_badge_'] input").first.fill("ILM-UNB-BSC-L5")
    form.locator("[class*='st-key-mapped_badge_name_'] input").fill("BSc Business Management with ILM Level 5")
    form.locator("[class*='st-key-mapped_badge_description_'] textarea").fill("Dual accreditation.")
    form.locator("[class*='st-key-mapped_badge_criteria_'] textarea").fill("Conferred and claimed.")
    form.get_by_role("button", name="Save the credential").click()
    notice(quality, "The credential's metadata is saved.")

    record_release_check(quality, url, tmp_path, on_order, "BSc Exam Board minutes, resit session")
    expect(quality.get_by_text("Passed: every learner claimed was conferred").first).to_be_visible(timeout=30_000)
    quality.get_by_role("button", name="Issue the badge claims").click()
    settle(quality)
    with quality.expect_download() as download:
        quality.get_by_role("button", name="Credly bulk-issue file (CSV)").click()
    saved = tmp_path / "claim.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["Badge Template ID", "Recipient Email", "First Name"] and rows[0][5] == "Issued at Date"
    assert len(rows) - 1 == len(on_order) - 1  # the demo's learner without an email is refused
    with quality.expect_download() as download:
        quality.get_by_role("button", name="ILM's record of the claim (Excel)").click()
    record = tmp_path / "claim.xlsx"
    download.value.save_as(record)
    sheet = openpyxl.load_workbook(io.BytesIO(record.read_bytes())).active
    assert sheet.max_row - 1 == len(on_order) - 1
    expect(quality.locator("[data-testid='stException']")).to_have_count(0)
    quality_context.close()
