"""Text from users is shown as text: file, learner and batch names that look like Markdown or HTML render
literally on the staff's and the centre's pages, with no link, image or bold element made of them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lib import demo
from lib.accounts.auth import user_by_username
from lib.centre import submitting, uploads
from lib.centre.uploads import EMBEDDED, UnitUpload, Upload
from lib.demo import DEMO_PASSWORD
from lib.store import devserver
from lib.store.db import Database
from lib.store.files import FileStore
from tests import samples
from tests.browser.conftest import open_page, sign_in, start_app, tick_row

# File names lose any folder part (everything up to a slash), so the links are written without one.
LINK_NAME = "[Verify your ILM account](https:example.invalid).docx"
IMAGE_NAME = "![p](example.invalid).pdf"
LEARNER = "**Bold** <img src=x onerror=alert(1)>"
# What the browser's Markdown turns into links and emoji after escapes are read, in one evidence file's name.
AUTOLINK_NAME = "Notes www.example.invalid a.b@example.invalid :smile: &amp;.docx"


@pytest.fixture(scope="module")
def crafted_app(tmp_path_factory):
    """The demo with a submitted and a pending item whose file and learner names are crafted."""
    folder = tmp_path_factory.mktemp("user-text")
    path = folder / "ilma.duckdb"
    demo.build(path, 300, seed_value=5)
    db = Database.open(path)
    centre = user_by_username(db, "centre.demo")
    rows = db.query_all(
        """SELECT l.id, l.enr, min(u.unit_code) FROM learners l JOIN registrations r ON r.learner_id = l.id
           JOIN qualification_units u ON u.qualification_code = r.qualification_code
           WHERE l.centre_id = ? AND r.expires_on > current_date
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id) GROUP BY ALL ORDER BY 1 LIMIT 2""",
        [centre.centre_id])
    store = FileStore(folder / "files")
    items = []
    for learner_id, enr, unit in rows:
        db.query_one("UPDATE learners SET first_name = ?, last_name = '' WHERE id = ? RETURNING id",
                     [LEARNER, learner_id])
        named = f"S.Smith-{enr}(1)"
        [item] = uploads.upload_units(db, store, centre, [UnitUpload(
            learner_id, unit, (Upload(f"{named}.docx", samples.word_document()),
                               Upload(f"{named}.pdf", samples.pdf_document()),
                               Upload(f"S.Smith part 2-{enr}(1).docx", samples.word_document("Other notes."))),
            Upload("Sheet.docx", samples.result_sheet()), EMBEDDED)])
        # Uploads are refused unless named by the protocol now; files stored before that rule keep any name.
        evidence = [row[0] for row in db.query_all(
            "SELECT id FROM files WHERE submission_id = ? AND kind = 'evidence' ORDER BY id", [item])]
        for file_id, crafted in zip(evidence, (LINK_NAME, IMAGE_NAME, AUTOLINK_NAME), strict=True):
            db.query_one("UPDATE files SET original_name = ? WHERE id = ? RETURNING id", [crafted, file_id])
        items.append(item)
    submitting.submit(db, centre, [items[0]], quality_confirmed=True)
    db.query_one("""UPDATE submissions SET stage = 'rejected', rejection_reason = 'Closed for the test',
                    rejected_at = now()::TIMESTAMP WHERE stage = 'submitted' AND id <> ? RETURNING id""", [items[0]])
    db.close()
    process, url = start_app(folder, path)
    yield url
    devserver.stop(process)


def assert_shown_as_text(page) -> None:
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(LINK_NAME, exact=False).first).to_be_visible(timeout=30_000)
    assert main.locator("a[href*='example.invalid']").count() == 0
    assert main.locator("img[src*='example.invalid'], img[src='x']").count() == 0
    assert main.locator("strong", has_text="Bold").count() == 0
    assert main.get_by_text("**Bold**").count() >= 1
    # Word joiners keep www., e-mail and :smile: from the browser's autolinks and emoji; the text reads as typed.
    shown = main.get_by_text("Notes www", exact=False).first
    expect(shown).to_be_visible()
    assert shown.inner_text().replace("\u2060", "").find(AUTOLINK_NAME) >= 0
    assert main.locator("a[href*='example.invalid'], a[href^='mailto:']").count() == 0
    assert "😄" not in main.inner_text()


def test_the_team_sees_crafted_names_as_text_in_quality_check(page, crafted_app):
    sign_in(page, crafted_app, "team.demo", DEMO_PASSWORD)
    open_page(page, "Quality check")
    tick_row(page, "qc_table", 0)
    assert_shown_as_text(page)
    expect(page.get_by_test_id("stMain").get_by_text(IMAGE_NAME).first).to_be_visible()


def test_the_centre_sees_crafted_names_as_text_in_pending(page, crafted_app):
    sign_in(page, crafted_app, "centre.demo", DEMO_PASSWORD)
    open_page(page, "Pending Submission")
    tick_row(page, "pending_table", 0)
    assert_shown_as_text(page)
