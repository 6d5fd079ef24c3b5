"""A centre's work from upload to submission: pending items, files, batches, re-submissions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lib.centre import submitting, uploads
from lib.centre.uploads import EMBEDDED, SEPARATE_FILE, IntegratedUpload, UnitUpload, Upload
from lib.checks.accept import FileRejected
from lib.errors import Refused
from lib.rules import workdays
from lib.rules.status import COMPLETED, REFERRED, REJECTED
from lib.store.files import FileStore
from lib.store.scope import NotAllowed, NotFound
from tests import samples
from tests.conftest import load_user

NOW = datetime(2026, 11, 23, 10, 30)


@pytest.fixture
def store(db_path):
    return FileStore(db_path.parent / "files")


@pytest.fixture
def centre(db):
    return load_user(db, "centre.demo")


def fresh_learner_unit(db, user, integrated=False):
    """A learner of the centre with a live registration and a unit never submitted for them."""
    row = db.query_one(
        """SELECT l.id, l.enr, u.unit_code, r.qualification_code FROM learners l
           JOIN registrations r ON r.learner_id = l.id
           JOIN qualification_units u ON u.qualification_code = r.qualification_code
           JOIN centre_approvals a ON a.centre_id = l.centre_id AND a.qualification_code = r.qualification_code
           WHERE l.centre_id = ? AND r.expires_on > ? AND (NOT ? OR a.integrated)
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id AND contains(s.unit_codes, u.unit_code))
           ORDER BY l.id, u.unit_code LIMIT 1""", [user.centre_id, NOW.date(), integrated])
    assert row, "the demo data should have a learner with an unsubmitted unit"
    return row


def unit_upload(db, user, sheet=True, declaration=EMBEDDED):
    learner_id, enr, unit, _ = fresh_learner_unit(db, user)
    return UnitUpload(learner_id, unit, (Upload(f"S.Smith-{enr}(1).docx", samples.word_document(words=900)),),
                      Upload("Result Sheet.docx", samples.result_sheet()) if sheet else None, declaration)


def test_upload_creates_a_pending_item_with_its_files(db, store, centre):
    upload = unit_upload(db, centre)
    [item] = uploads.upload_units(db, store, centre, [upload], now=NOW)
    pending = uploads.pending_items(db, centre)
    row = pending[pending.ID == item].iloc[0]
    assert row["Type"] == "Unit" and row["Unit(s)"] == upload.unit_code and row.missing_sheets == 0
    listing = uploads.submission_files(db, centre, item)
    assert sorted(listing.kind) == ["evidence", "result_sheet"]
    evidence = listing[listing.kind == "evidence"].iloc[0]
    assert evidence.word_count == 900 and len(evidence.sha256) == 64
    name, data = uploads.read_file(db, centre, int(evidence.id), store)
    assert name.startswith("S.Smith-") and data == upload.evidence[0].data
    assert db.query_one("SELECT count(*) FROM audit_log WHERE action = 'upload' AND entity_id = ?", [str(item)])[0] == 1


def stored_files(store) -> set:
    """The files in the store now (the demo's own are there from the start)."""
    return {path for path in store.root.rglob("*") if path.is_file()}


def test_a_bad_file_in_any_row_uploads_nothing(db, store, centre):
    good = unit_upload(db, centre)
    bad = UnitUpload(good.learner_id, good.unit_code, (Upload("video.mp4", b"\x00" * 100),))
    before, files_before = db.query_one("SELECT count(*) FROM submissions")[0], stored_files(store)
    with pytest.raises(FileRejected):
        uploads.upload_units(db, store, centre, [good, bad], now=NOW)
    assert db.query_one("SELECT count(*) FROM submissions")[0] == before
    assert stored_files(store) == files_before


def test_a_failure_after_files_were_written_removes_them(db, store, centre):
    good = unit_upload(db, centre)
    expired = db.query_one("""SELECT l.id, u.unit_code FROM learners l JOIN registrations r ON r.learner_id = l.id
                              JOIN qualification_units u ON u.qualification_code = r.qualification_code
                              WHERE l.centre_id = ? AND r.expires_on < ? LIMIT 1""", [centre.centre_id, NOW.date()])
    late = UnitUpload(expired[0], expired[1], good.evidence, declaration=EMBEDDED)
    files_before = stored_files(store)
    with pytest.raises(Refused, match="expired on"):
        uploads.upload_units(db, store, centre, [good, late], now=NOW)
    assert stored_files(store) == files_before


def test_a_first_submission_needs_the_authenticity_declaration(db, store, centre):
    with pytest.raises(Refused, match="authenticity declaration"):
        uploads.upload_units(db, store, centre, [unit_upload(db, centre, declaration=None)], now=NOW)
    upload = unit_upload(db, centre, declaration=SEPARATE_FILE)
    with pytest.raises(Refused, match="Attach the signed authenticity declaration"):
        uploads.upload_units(db, store, centre, [upload], now=NOW)
    with_file = UnitUpload(upload.learner_id, upload.unit_code, upload.evidence, upload.result_sheet, SEPARATE_FILE,
                           Upload("Declaration.pdf", samples.pdf_document()))
    [item] = uploads.upload_units(db, store, centre, [with_file], now=NOW)
    assert "declaration" in set(uploads.submission_files(db, centre, item).kind)


def test_submit_as_a_batch_fixes_category_sla_and_batch(db, store, centre):
    [item] = uploads.upload_units(db, store, centre, [unit_upload(db, centre)], now=NOW)
    submitting.submit(db, centre, [item], batch_name="Cohort 7", quality_confirmed=True, now=NOW)
    row = db.query_one("""SELECT s.stage, s.category, s.sla_target, s.qc_due, b.name FROM submissions s
                          JOIN batches b ON b.id = s.batch_id WHERE s.id = ?""", [item])
    assert row == ("submitted", "New", workdays.sla_target(NOW), workdays.quality_check_due(NOW), "Cohort 7")


@pytest.mark.parametrize("name", ["ab", "x" * 21, "   "])
def test_batch_names_need_3_to_20_characters(db, store, centre, name):
    [item] = uploads.upload_units(db, store, centre, [unit_upload(db, centre)], now=NOW)
    with pytest.raises(Refused, match="3 to 20 characters"):
        submitting.submit(db, centre, [item], batch_name=name, quality_confirmed=True, now=NOW)
    assert db.query_one("SELECT stage FROM submissions WHERE id = ?", [item])[0] == "pending"


def test_nothing_is_sent_without_the_quality_confirmation(db, store, centre):
    [item] = uploads.upload_units(db, store, centre, [unit_upload(db, centre)], now=NOW)
    with pytest.raises(Refused, match="Confirm the quality"):
        submitting.submit(db, centre, [item], quality_confirmed=False, now=NOW)


def test_an_item_without_a_result_sheet_cannot_be_submitted_until_one_is_added(db, store, centre):
    [item] = uploads.upload_units(db, store, centre, [unit_upload(db, centre, sheet=False)], now=NOW)
    assert uploads.pending_items(db, centre).set_index("ID").loc[item, "missing_sheets"] == 1
    with pytest.raises(Refused, match="no result sheet"):
        submitting.submit(db, centre, [item], quality_confirmed=True, now=NOW)
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    uploads.add_files(db, store, centre, item, result_sheets={unit: Upload("Sheet.docx", samples.result_sheet())})
    assert submitting.submit(db, centre, [item], quality_confirmed=True, now=NOW) == [item]


def test_submitting_the_same_item_twice_is_refused_and_sends_nothing_more(db, store, centre):
    first, second = (uploads.upload_units(db, store, centre, [unit_upload(db, centre)], now=NOW)[0]
                     for _ in range(2))
    submitting.submit(db, centre, [first], quality_confirmed=True, now=NOW)
    with pytest.raises(Refused, match="already been submitted"):
        submitting.submit(db, centre, [second, first], batch_name="Second tab", quality_confirmed=True, now=NOW)
    assert db.query_one("SELECT stage FROM submissions WHERE id = ?", [second])[0] == "pending"
    assert db.query_one("SELECT count(*) FROM batches WHERE name = 'Second tab'")[0] == 0


def test_editing_a_pending_item(db, store, centre):
    [item] = uploads.upload_units(db, store, centre, [unit_upload(db, centre)], now=NOW)
    uploads.add_files(db, store, centre, item,
                      evidence=(Upload(samples.evidence_name(db, item, ".pdf"), samples.pdf_document()),))
    listing = uploads.submission_files(db, centre, item)
    evidence = listing[listing.kind == "evidence"]
    assert len(evidence) == 2
    uploads.remove_file(db, centre, int(evidence.id.iloc[0]))
    remaining = uploads.submission_files(db, centre, item)
    with pytest.raises(Refused, match="at least one evidence file"):
        uploads.remove_file(db, centre, int(remaining[remaining.kind == "evidence"].id.iloc[0]))
    zipped = uploads.evidence_zip(db, centre, item, store)
    assert zipped[:2] == b"PK"


def test_removing_pending_items_deletes_them_and_their_files(db, store, centre):
    files_before = stored_files(store)
    [item] = uploads.upload_units(db, store, centre, [unit_upload(db, centre)], now=NOW)
    assert stored_files(store) > files_before
    assert uploads.remove_pending(db, store, centre, [item]) == 1
    assert db.query_one("SELECT count(*) FROM submissions WHERE id = ?", [item])[0] == 0
    assert stored_files(store) == files_before


def test_submitted_items_cannot_be_edited_or_removed(db, store, centre):
    [item] = uploads.upload_units(db, store, centre, [unit_upload(db, centre)], now=NOW)
    submitting.submit(db, centre, [item], quality_confirmed=True, now=NOW)
    with pytest.raises(Refused, match="already been submitted"):
        uploads.remove_pending(db, store, centre, [item])
    with pytest.raises(Refused, match="already been submitted"):
        uploads.add_files(db, store, centre, item, evidence=(Upload("x.pdf", samples.pdf_document()),))


def test_another_centres_items_are_not_found(db, store, centre):
    other = load_user(db, "harbourside.demo")
    [item] = uploads.upload_units(db, store, other, [unit_upload(db, other)], now=NOW)
    file_id = int(uploads.submission_files(db, other, item).id.iloc[0])
    assert uploads.submission_files(db, centre, item).empty
    for attempt in (lambda: uploads.read_file(db, centre, file_id, store),
                    lambda: uploads.evidence_zip(db, centre, item, store),
                    lambda: uploads.add_files(db, store, centre, item, evidence=(Upload("x.pdf", samples.pdf_document()),)),
                    lambda: uploads.remove_file(db, centre, file_id),
                    lambda: uploads.remove_pending(db, store, centre, [item]),
                    lambda: submitting.submit(db, centre, [item], quality_confirmed=True, now=NOW)):
        with pytest.raises(NotFound):
            attempt()
    assert db.query_one("SELECT stage FROM submissions WHERE id = ?", [item])[0] == "pending"


def test_only_centres_upload(db, store):
    with pytest.raises(NotAllowed):
        uploads.upload_units(db, store, load_user(db, "team.demo"), [])


def latest_with_status(db, user, stage, result=None):
    return db.query_one(
        """SELECT s.id FROM submissions s JOIN registrations r ON r.learner_id = s.learner_id
               AND r.qualification_code = s.qualification_code
           WHERE s.centre_id = ? AND s.stage = ? AND s.result IS NOT DISTINCT FROM ? AND r.expires_on > ?
             AND s.id = (SELECT max(id) FROM submissions t WHERE t.learner_id = s.learner_id
                         AND t.unit_codes = s.unit_codes) ORDER BY s.id DESC LIMIT 1""",
        [user.centre_id, stage, result, NOW.date()])[0]


def fill_and_submit(db, store, user, item, batch=None):
    unit_codes = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    sheets = {unit: Upload("Sheet.docx", samples.result_sheet()) for unit in unit_codes.split(", ")}
    uploads.add_files(db, store, user, item, evidence=(Upload(samples.evidence_name(db, item), samples.word_document()),),
                      result_sheets=sheets)
    return submitting.submit(db, user, [item], batch_name=batch, quality_confirmed=True, now=NOW)


def test_resubmitting_a_rejected_record_is_updated(db, store, centre):
    rejected = latest_with_status(db, centre, "rejected")
    new = submitting.start_resubmission(db, centre, rejected, now=NOW)
    assert new > rejected
    fill_and_submit(db, store, centre, new)
    assert db.query_one("SELECT category, resubmits_id FROM submissions WHERE id = ?", [new]) == ("Updated", rejected)


def test_resubmitting_a_referral_is_a_reassessment_in_a_purchase_order_batch(db, store, centre):
    referred = latest_with_status(db, centre, "released", "Referral")
    new = submitting.start_resubmission(db, centre, referred, now=NOW)
    with pytest.raises(Refused, match="purchase order"):
        fill_and_submit(db, store, centre, new)
    with pytest.raises(Refused, match="purchase order"):
        submitting.submit(db, centre, [new], batch_name="Resits", quality_confirmed=True, now=NOW)
    submitting.submit(db, centre, [new], batch_name="PO 2345678", quality_confirmed=True, now=NOW)
    assert db.query_one("SELECT category FROM submissions WHERE id = ?", [new])[0] == "Re-assessment"


def test_an_upload_is_known_to_be_a_re_assessment_only_after_a_referral(db, centre):
    """What the upload screens read to name files (2) and to say, before the click, that a row can only be
    submitted in a PO batch: the status of the latest record the upload would follow."""
    def learner_and_units(item):
        learner_id, units = db.query_one("SELECT learner_id, unit_codes FROM submissions WHERE id = ?", [item])
        return learner_id, units.split(", ")

    def is_re_assessment(*record):
        return uploads.previous_status(db, centre, *record) == REFERRED

    assert is_re_assessment(*learner_and_units(latest_with_status(db, centre, "released", "Referral")))
    for status, shown in ((("rejected",), REJECTED), (("released", "Pass"), COMPLETED)):
        record = learner_and_units(latest_with_status(db, centre, *status))
        assert not is_re_assessment(*record)
        assert uploads.previous_status(db, centre, *record) == shown  # a re-submission all the same
    learner_id, _, unit, _ = fresh_learner_unit(db, centre)
    assert not is_re_assessment(learner_id, [unit])
    assert uploads.previous_status(db, centre, learner_id, [unit]) is None  # a first submission
    other = db.query_one("SELECT id FROM learners WHERE centre_id <> ? LIMIT 1", [centre.centre_id])[0]
    with pytest.raises(NotFound):
        uploads.previous_status(db, centre, other, [unit])


def test_only_the_latest_record_can_be_resubmitted(db, store, centre):
    older = db.query_one("""SELECT p.id FROM submissions s JOIN submissions p ON p.id = s.resubmits_id
                            WHERE s.centre_id = ? LIMIT 1""", [centre.centre_id])[0]
    with pytest.raises(Refused) as refused:
        submitting.start_resubmission(db, centre, older, now=NOW)
    assert str(refused.value) == ("You have already re-submitted this assessment. This is an old record. "
                                  "For further re-submissions, select the latest record on your Tracker.")
    rejected = latest_with_status(db, centre, "rejected")
    submitting.start_resubmission(db, centre, rejected, now=NOW)
    with pytest.raises(Refused, match="This is an old record"):
        submitting.start_resubmission(db, centre, rejected, now=NOW)


def test_completed_and_submitted_items_cannot_be_resubmitted(db, centre):
    passed = latest_with_status(db, centre, "released", "Pass")
    with pytest.raises(Refused, match="Only Rejected or Referred"):
        submitting.start_resubmission(db, centre, passed, now=NOW)


def test_integrated_upload_needs_approval_and_two_units(db, store, centre):
    learner_id, enr, _, qualification = fresh_learner_unit(db, centre, integrated=True)
    units = uploads.qualification_units(db, centre, qualification).code.tolist()[:2]
    evidence = (Upload(f"D.Mac-{enr}(1).pdf", samples.pdf_document()),)
    with pytest.raises(Refused, match="at least two"):
        uploads.upload_integrated(db, store, centre, IntegratedUpload(learner_id, qualification, evidence,
                                                                       {units[0]: None}, declaration=EMBEDDED))
    item = uploads.upload_integrated(db, store, centre, IntegratedUpload(
        learner_id, qualification, evidence, {u: None for u in units},
        single_result_sheet=Upload("All units.docx", samples.result_sheet()), declaration=EMBEDDED), now=NOW)
    row = uploads.pending_items(db, centre).set_index("ID").loc[item]
    assert row["Type"] == "Integrated" and row["Unit(s)"] == ", ".join(sorted(units)) and row.missing_sheets == 0
    submitting.submit(db, centre, [item], quality_confirmed=True, now=NOW)


def test_integrated_upload_is_refused_without_approval(db, store):
    user = load_user(db, "harbourside.demo")
    approvals = uploads.integrated_approvals(db, user)
    not_approved = approvals[~approvals["Integrated approved"]]
    if not_approved.empty:
        pytest.skip("every qualification of this centre is approved")
    qualification = not_approved.Qual.iloc[0]
    with pytest.raises((Refused, NotFound)):
        uploads.upload_integrated(db, store, user, IntegratedUpload(
            1, qualification, (Upload("a.pdf", samples.pdf_document()),), {"x": None, "y": None},
            declaration=EMBEDDED), now=NOW)


def test_unit_assessment_lists_only_the_centres_learners(db, centre):
    page = uploads.unit_assessment_rows(db, centre, limit=1_000_000)
    centres = db.query_all("SELECT DISTINCT centre_id FROM learners WHERE list_contains(?, id)",
                           [page.rows.learner_id.astype(int).tolist()])
    assert centres == [(centre.centre_id,)] and page.total == len(page.rows)
    assert list(page.rows.columns[:7]) == ["ENR", "Learner", "Qual", "Qual. Name", "Registration Expiry", "Unit",
                                           "Unit Name"]


def test_sla_target_for_work_sent_on_a_bank_holiday(db, store, centre):
    [item] = uploads.upload_units(db, store, centre, [unit_upload(db, centre)], now=NOW)
    boxing_day = datetime(2026, 12, 28, 9, 0)
    submitting.submit(db, centre, [item], quality_confirmed=True, now=boxing_day)
    received, target = db.query_one("SELECT received_on, sla_target FROM submissions WHERE id = ?", [item])
    assert received == boxing_day.date() + timedelta(days=1) and target == workdays.sla_target(boxing_day)
