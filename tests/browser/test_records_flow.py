"""Learner records in a browser: the centre creates a programme, fills its ILR template, enrols three learners,
edits one (its ULN and what the ILR requires of a learner), sends it for signature and records the signature; a
second centre user QA-verifies it and downloads the ILR file, which holds it and passes the ESFA's schema."""

from __future__ import annotations

import pytest
from lxml import etree
from playwright.sync_api import expect

from lib import demo
from lib.accounts.auth import user_by_username
from lib.store import devserver
from lib.store.db import Database
from tests.browser.conftest import as_user, choose_option, notice, settle, start_app, tick_row, type_date
from tests.test_ilr_return import SCHEMA

NAME = "Flow apprenticeship"
ULN = "9276308686"


@pytest.fixture(scope="module")
def app_and_qualification(tmp_path_factory):
    folder = tmp_path_factory.mktemp("records-flow")
    path = folder / "ilma.duckdb"
    demo.build(path, 500, seed_value=13, files_dir=folder / "files")
    db = Database.open(path)
    centre = user_by_username(db, "centre.demo")
    qualification, free = db.query_one(
        """SELECT r.qualification_code, count(*) FROM registrations r JOIN learners l ON l.id = r.learner_id
           WHERE l.centre_id = ? AND NOT EXISTS (SELECT 1 FROM learner_records x WHERE x.learner_id = l.id)
           GROUP BY 1 ORDER BY 2 DESC LIMIT 1""", [centre.centre_id])
    assert free >= 3 and db.query_one("SELECT count(*) FROM learner_records WHERE uln = ?", [ULN])[0] == 0
    db.close()
    process, url = start_app(folder, path)
    yield url, qualification
    devserver.stop(process)


def test_a_programme_to_a_qa_verified_record_in_the_funding_return(browser, app_and_qualification, tmp_path):
    url, qualification = app_and_qualification
    centre_context, centre = as_user(browser, url, "centre.demo")
    centre.goto(f"{url}/programmes")
    settle(centre)
    centre.get_by_text("Create a programme").click()
    choose_option(centre, "programme_new_qualification", qualification)
    centre.locator(f".st-key-programme_new_name_{qualification} input").fill(NAME)
    choose_option(centre, f"programme_new_units_{qualification}", qualification[:4])
    centre.keyboard.press("Escape")
    centre.get_by_role("button", name="Create the programme").click()
    notice(centre, "is created: fill its ILR template")

    expect(centre.locator(".st-key-programmes_table [role='row']").nth(1)).to_contain_text(NAME)  # this year's, A-Z
    tick_row(centre, "programmes_table", 0)
    key = centre.locator("[class*='st-key-template_'][class*='_prog_type']").first.get_attribute("class")
    template = next(part for part in key.split() if part.startswith("st-key-template_")).removesuffix("_prog_type")
    choose_option(centre, template.removeprefix("st-key-") + "_prog_type", "25 Apprenticeship standard")
    centre.locator(f".{template}_std_code input").fill("275")
    choose_option(centre, template.removeprefix("st-key-") + "_fund_model", "36 Apprenticeships")
    choose_option(centre, template.removeprefix("st-key-") + "_sof", "105 ESFA (adult)")
    centre.locator(f".{template}_del_loc_postcode input").fill("nb1  4qt")
    centre.locator(f".{template}_allow label").click()
    centre.get_by_role("button", name="Save the template").click()
    notice(centre, "The template is saved")

    centre.get_by_text("Enrol learners", exact=True).click()
    settle(centre)
    enrol_table = centre.locator("[class*='st-key-enrol_table_']").first
    expect(enrol_table).to_be_visible(timeout=30_000)
    table_key = next(p for p in enrol_table.get_attribute("class").split() if p.startswith("st-key-enrol_table_"))
    for row in range(3):
        tick_row(centre, table_key.removeprefix("st-key-"), row)
    centre.get_by_role("button", name="Enrol 3 learner(s)").click()
    notice(centre, "Enrolled 3 learner(s)")

    centre.get_by_role("link", name="Its learner records (3)").click()
    centre.wait_for_url("**/learner-records*")
    settle(centre)
    expect(centre.get_by_text(f'Filtered: Programme is equal to "{NAME}"')).to_be_visible(timeout=30_000)
    expect(centre.get_by_text("1 - 3 of 3")).to_be_visible()
    tick_row(centre, "records_table", 0)
    uln = centre.locator("[class*='st-key-record_'][class*='_uln'] input").first
    uln.fill("1234567890")
    uln.press("Tab")
    settle(centre)
    expect(centre.get_by_text("last digit should be 9").first).to_be_visible()
    uln.fill(ULN)
    uln.press("Tab")
    settle(centre)
    record_key = next(part for part in uln.locator("xpath=ancestor::*[contains(@class, 'st-key-record_')]").first
                      .get_attribute("class").split() if part.startswith("st-key-record_")).removesuffix("_uln")
    record_key = record_key.removeprefix("st-key-")
    choose_option(centre, f"{record_key}_sex", "F Female")
    choose_option(centre, f"{record_key}_ethnicity", "32 Irish")
    choose_option(centre, f"{record_key}_lldd_health_prob", "2 No learning difficulty")
    for name, typed in (("postcode", "nb2 7qt"), ("postcode_prior", "NB2 7QT"), ("telephone", "07700 900 123")):
        field = centre.locator(f".st-key-{record_key}_{name} input")
        field.fill(typed)
        field.press("Tab")
        settle(centre)
    for name, day in (("start_date", "01/09/2026"), ("planned_end_date", "01/03/2028")):
        type_date(centre, f"{record_key}_{name}", day)
    expect(centre.get_by_text("the funding return needs")).to_have_count(0)
    reason = centre.locator("[class*='st-key-record_'][class*='_reason'] input").first
    reason.fill("ULN and start date from the enrolment form")
    reason.press("Tab")
    settle(centre)
    centre.get_by_role("button", name="Save changes").click()
    notice(centre, "saved as version")
    centre.get_by_role("button", name="Send for signature").click()
    notice(centre, "now Signature required")
    choose_option(centre, centre.locator("[class*='st-key-record_'][class*='_signed_how']").first.get_attribute("class")
           .split("st-key-")[1].split()[0], "Signed electronically")
    centre.get_by_role("button", name="Record the signature").click()
    notice(centre, "now Signed")
    centre_context.close()

    tutor_context, tutor = as_user(browser, url, "tutor.demo")
    tutor.goto(f"{url}/learner-records?programme={NAME.replace(' ', '+')}")
    settle(tutor)
    expect(tutor.get_by_text(f'Filtered: Programme is equal to "{NAME}"')).to_be_visible(timeout=30_000)
    tick_row(tutor, "records_table", 0)
    tutor.get_by_role("button", name="QA verify").click()
    notice(tutor, "now QA verified")
    tutor.get_by_role("button", name="Funding return").click()
    with tutor.expect_download() as download:
        tutor.get_by_role("button", name="ILR file").click()
    saved = tmp_path / "return.xml"
    download.value.save_as(saved)
    document = etree.parse(str(saved))
    assert SCHEMA.validate(document), SCHEMA.error_log
    written = saved.read_text()
    assert f"<ULN>{ULN}</ULN>" in written and "<StdCode>275</StdCode>" in written
    assert "<Postcode>NB2 7QT</Postcode>" in written and "<DelLocPostCode>NB1 4QT</DelLocPostCode>" in written
    assert "<TelNo>07700900123</TelNo>" in written and "<Ethnicity>32</Ethnicity>" in written
    expect(tutor.locator("[data-testid='stException']")).to_have_count(0)
    tutor_context.close()
