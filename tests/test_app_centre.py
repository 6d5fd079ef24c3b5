"""The centre's pages in AppTest: lists, filters, selection, upload screens, pending actions, the Tracker."""

from __future__ import annotations

from tests.apptest_helpers import STRONG_KEY, new_app, open_page, sign_in, table_widget_key, texts, tick
from tests.conftest import load_user, open_test_database


def test_unit_assessment_lists_learner_units_and_filters_them(centre_app):
    at = open_page(centre_app, "pages/centre/unit_assessment_page.py")
    table = at.dataframe[0].value
    assert list(table.columns) == ["ENR", "Learner", "Qual", "Qual. Name", "Registration Expiry", "Unit", "Unit Name",
                                   "Status", "Last mark"]
    assert set(table.Status) <= {"Not submitted", "In Pending", "Submitted", "Rejected", "Passed", "Referred"}
    assert len(table) == 10
    enr = table.ENR.iloc[0]
    at.selectbox(key="units_filter_column").select("ENR").run()
    at.text_input(key="units_filter_value1_ENR").input(enr[:4].lower()).run()
    at.button(key="units_filter_apply").click().run()
    assert f'Filtered: ENR contains "{enr[:4].lower()}"' in texts(at)
    assert all(value.startswith(enr[:4]) for value in at.dataframe[0].value.ENR)
    at.button(key="units_clear").click().run()
    assert "Filtered:" not in texts(at)


def test_unit_assessment_search_finds_a_learner_and_the_status_filter_shows_their_results(centre_app):
    at = open_page(centre_app, "pages/centre/unit_assessment_page.py")
    learner = at.dataframe[0].value.Learner.iloc[0]
    surname = learner.split()[-1]
    at.text_input(key="units_search").input(surname.lower()).run()
    found = at.dataframe[0].value
    assert len(found) > 0 and all(surname.lower() in name.lower() for name in found.Learner)
    at.text_input(key="units_search").input("no learner is called this").run()
    assert at.dataframe[0].value.empty if at.dataframe else True
    at.text_input(key="units_search").input("").run()
    at.selectbox(key="units_filter_column").select("Status").run()
    at.selectbox(key="units_filter_value1_Status").select("Passed").run()
    at.button(key="units_filter_apply").click().run()
    passed = at.dataframe[0].value
    assert len(passed) > 0 and set(passed.Status) == {"Passed"}
    assert passed["Last mark"].notna().all()


def test_unit_assessment_upload_screen_names_each_row_and_refuses_an_empty_upload(centre_app):
    at = open_page(centre_app, "pages/centre/unit_assessment_page.py")
    tick(at, "units_table", [0, 1])
    at.button(key="units_upload").click().run()
    headers = [m.value for m in at.markdown if "Learner Name :" in m.value]
    assert len(headers) == 2 and "Qualification :" in headers[0] and "Unit :" in headers[0] and "credit" in headers[0]
    at.button(key="unit_upload_submit").click().run()
    assert "Every row needs at least one evidence file." in texts(at)
    removes = [b for b in at.button if b.key and b.key.endswith("_remove")]
    removes[0].click().run()
    assert len([m for m in at.markdown if "Learner Name :" in m.value]) == 1
    at.button(key="unit_upload_cancel").click().run()
    assert at.dataframe[0].value.columns[0] == "ENR"


def test_integrated_assessment_explains_unapproved_qualifications_and_needs_two_units(centre_app):
    at = open_page(centre_app, "pages/centre/integrated_assessment_page.py")
    assert "not approved for Integrated Assessment" in texts(at)
    tick(at, "integrated_table", [0])
    at.button(key="integrated_choose").click().run()
    assert any("Learner Name :" in m.value for m in at.markdown)
    assert at.button(key="integrated_add_unit") is not None
    at.button(key="integrated_upload").click().run()
    assert "at least two different units" in texts(at)


def test_switching_single_result_sheet_on_and_off_keeps_every_sheet_uploader(centre_app):
    at = open_page(centre_app, "pages/centre/integrated_assessment_page.py")
    tick(at, "integrated_table", [0])
    at.button(key="integrated_choose").click().run()

    def sheet_uploaders() -> dict[str, bool]:
        return {u.proto.id.split("-")[-1]: u.proto.disabled for u in at.get("file_uploader")
                if "sheet" in u.proto.id}

    before = sheet_uploaders()
    at.toggle(key="integrated_single").set_value(True).run()
    on = sheet_uploaders()
    at.toggle(key="integrated_single").set_value(False).run()
    # A widget not drawn loses its files: every unit's sheet uploader stays on screen, disabled while the single
    # sheet is used, and comes back with what it held.
    assert len(before) == len(on) == len(sheet_uploaders()) >= 3
    assert sorted(on.values()) == [False] + [True] * (len(on) - 1)
    assert sheet_uploaders() == before


def test_pending_marks_missing_result_sheets_and_refuses_a_bad_batch_name(centre_app):
    at = open_page(centre_app, "pages/centre/pending_page.py")
    table = at.dataframe[0].value
    assert set(table["Result Sheet"]) == {"No Result Sheet"}
    tick(at, "pending_table", [0])
    assert any(s.value.startswith("View / Edit item") for s in at.subheader)
    assert "No Result Sheet: add one below before submitting." in texts(at)
    for name in ("ab", "x" * 21):
        at.text_input(key="pending_batch_name").input(name).run()
        at.button(key="pending_submit_batch").click().run()
        assert f"A batch name needs 3 to 20 characters; this one has {len(name)}." in texts(at)


def test_pending_submit_asks_for_confirmation_and_explains_a_refusal(centre_app):
    at = open_page(centre_app, "pages/centre/pending_page.py")
    tick(at, "pending_table", [0])
    at.button(key="pending_submit").click().run()
    at.checkbox(key="pending_quality_confirmed").check().run()
    at.button(key="pending_confirm_ok").click().run()
    assert "has no evidence files" in texts(at)


def test_pending_remove_takes_items_off(centre_app):
    at = open_page(centre_app, "pages/centre/pending_page.py")
    before = len(at.dataframe[0].value)
    tick(at, "pending_table", [0])
    at.button(key="pending_remove").click().run()
    assert "Remove 1 item(s) from Pending, with their uploaded files?" in texts(at)
    at.button(key="pending_remove_cancel").click().run()
    assert len(at.dataframe[0].value) == before  # Cancel removes nothing
    at.button(key="pending_remove").click().run()
    at.button(key="pending_remove_confirm").click().run()
    assert "Removed 1 item(s) from Pending." in texts(at)
    assert (len(at.dataframe[0].value) if at.dataframe else 0) == before - 1


def test_tracker_filters_by_status_and_resubmits_only_the_latest_record(centre_app):
    at = open_page(centre_app, "pages/centre/tracker_page.py")
    assert list(at.dataframe[0].value.columns)[:4] == ["ID", "Batch", "Submitted", "SLA Target"]
    at.selectbox(key="tracker_filter_column").select("Status").run()
    at.selectbox(key="tracker_filter_value1_Status").select("Rejected").run()
    at.button(key="tracker_filter_apply").click().run()
    rejected = at.dataframe[0].value
    assert set(rejected.Status) == {"Rejected"} and all(rejected["Rejection reason"])
    assert all(target == "" for target in rejected["SLA Target"])
    at.selectbox(key="tracker_sort").select("ID").run()
    at.toggle(key="tracker_descending").set_value(False).run()
    ids = list(at.dataframe[0].value.ID)
    assert ids == sorted(ids)
    tick(at, "tracker_table", [0])
    reason = rejected["Rejection reason"].iloc[0] if rejected.ID.iloc[0] == ids[0] else None
    assert f"Item {ids[0]} was rejected: " in texts(at) and (reason is None or reason in texts(at))


def click_heading(at, table_key: str, column: str):
    at.session_state[table_widget_key(at, table_key)] = {"selection": {"rows": [], "columns": [column], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_heading_click_sorts_the_whole_list_and_a_second_click_reverses_it(centre_app, db):
    user = load_user(db, "centre.demo")
    first, last = db.query_one("""SELECT min(l.first_name || ' ' || l.last_name), max(l.first_name || ' ' || l.last_name)
                                  FROM submissions s JOIN learners l ON l.id = s.learner_id
                                  WHERE s.centre_id = ? AND s.stage <> 'pending'""", [user.centre_id])
    at = open_page(centre_app, "pages/centre/tracker_page.py")
    click_heading(at, "tracker_table", "Learner")
    assert at.selectbox(key="tracker_sort").value == "Learner" and at.dataframe[0].value.Learner.iloc[0] == first
    click_heading(at, "tracker_table", "Learner")
    assert at.toggle(key="tracker_descending").value is True and at.dataframe[0].value.Learner.iloc[0] == last


def test_referred_rows_and_results_are_coloured_and_the_learner_filter_starts_on_contains(centre_app):
    at = open_page(centre_app, "pages/centre/tracker_page.py")
    assert "#dbeafe" in at.dataframe[0].proto.arrow_data.styler.styles  # Submitted blue
    at.selectbox(key="tracker_filter_column").select("Status").run()
    at.selectbox(key="tracker_filter_value1_Status").select("Referred").run()
    at.button(key="tracker_filter_apply").click().run()
    styles = at.dataframe[0].proto.arrow_data.styler.styles
    assert "#fef3c7" in styles and "#b45309" in styles  # Referred rows amber, their Referral result too
    at.button(key="tracker_clear").click().run()
    at.selectbox(key="tracker_filter_column").select("Learner").run()
    assert at.selectbox(key="tracker_filter_op1_Learner_v1").value == "Contains"
    assert at.selectbox(key="tracker_filter_op2_Learner_v1").value == "Contains"
    at.text_input(key="tracker_filter_value1_Learner_v1").input("a")
    at.text_input(key="tracker_filter_value2_Learner_v1").input("e")
    at.button(key="tracker_filter_apply").click().run()
    learners = at.dataframe[0].value.Learner
    assert len(learners) and all("a" in name.lower() and "e" in name.lower() for name in learners)


def test_clear_filter_also_clears_the_filter_form(centre_app):
    at = open_page(centre_app, "pages/centre/tracker_page.py")
    names = at.dataframe[0].value.Learner.tolist()
    first, other = names[0], next(name for name in names if name != names[0])
    at.selectbox(key="tracker_filter_column").select("Learner").run()
    at.selectbox(key="tracker_filter_op1_Learner").select("Is equal to").run()
    at.text_input(key="tracker_filter_value1_Learner").input(first)
    at.radio(key="tracker_filter_join_Learner").set_value("Or")
    at.selectbox(key="tracker_filter_op2_Learner").select("Is equal to").run()
    at.text_input(key="tracker_filter_value2_Learner").input(other)
    at.button(key="tracker_filter_apply").click().run()
    assert set(at.dataframe[0].value.Learner) == {first, other}
    at.button(key="tracker_clear").click().run()
    assert at.text_input(key="tracker_filter_value2_Learner_v1").value == ""
    assert at.selectbox(key="tracker_filter_op1_Learner_v1").value == "Contains"
    at.text_input(key="tracker_filter_value1_Learner_v1").input(first.split()[0])
    at.button(key="tracker_filter_apply").click().run()
    assert all(first.split()[0].lower() in name.lower() for name in at.dataframe[0].value.Learner)
    assert "Or" not in " ".join(c.value for c in at.caption if c.value.startswith("Filtered"))


def test_resubmitting_an_old_record_shows_the_guides_message(centre_app, db):
    user = load_user(db, "centre.demo")
    older = db.query_one("""SELECT p.id FROM submissions s JOIN submissions p ON p.id = s.resubmits_id
                            WHERE s.centre_id = ? ORDER BY p.id DESC LIMIT 1""", [user.centre_id])[0]
    at = open_page(centre_app, "pages/centre/tracker_page.py")
    at.selectbox(key="tracker_filter_column").select("ID").run()
    at.number_input(key="tracker_filter_value1_ID").set_value(older).run()
    at.button(key="tracker_filter_apply").click().run()
    tick(at, "tracker_table", [0])
    assert at.button(key="tracker_resubmit").disabled  # not offered, and the guide's message says why
    assert ("Re-submit: You have already re-submitted this assessment. This is an old record. For further "
            "re-submissions, select the latest record on your Tracker.") in texts(at)


def test_a_ticked_completed_row_shows_its_results_and_why_it_cannot_be_re_submitted(centre_app, db):
    user = load_user(db, "centre.demo")
    item, unit, mark, feedback = db.query_one(
        """SELECT s.id, u.unit_code, u.mark, u.feedback FROM submissions s
           JOIN submission_units u ON u.submission_id = s.id
           WHERE s.centre_id = ? AND s.stage = 'released' AND s.result = 'Pass' AND u.feedback IS NOT NULL
           ORDER BY s.id DESC LIMIT 1""", [user.centre_id])
    at = open_page(centre_app, "pages/centre/tracker_page.py")
    at.selectbox(key="tracker_filter_column").select("ID").run()
    at.number_input(key="tracker_filter_value1_ID").set_value(item).run()
    at.button(key="tracker_filter_apply").click().run()
    tick(at, "tracker_table", [0])
    assert f"**Results of item {item}**" in texts(at)
    assert f"**Pass**, mark {mark}" in texts(at) and feedback[:40] in texts(at).replace("\\", "")
    assert at.button(key="tracker_resubmit").disabled
    assert f"Re-submit: Only Rejected or Referred items can be re-submitted; item {item} is Completed." in texts(at)


def test_a_ticked_submitted_row_cannot_be_enquired_about_and_says_why(centre_app):
    at = open_page(centre_app, "pages/centre/tracker_page.py")
    at.selectbox(key="tracker_filter_column").select("Status").run()
    at.selectbox(key="tracker_filter_value1_Status").select("Submitted").run()
    at.button(key="tracker_filter_apply").click().run()
    item = int(at.dataframe[0].value.ID.iloc[0])
    assert at.button(key="tracker_enquire").disabled and at.button(key="tracker_resubmit").disabled  # nothing ticked
    tick(at, "tracker_table", [0])
    assert at.button(key="tracker_enquire").disabled
    assert f"Enquire: Item {item} has no released result to enquire about." in texts(at)
    assert "Results of item" not in texts(at)


def test_a_centre_with_no_submissions_is_told_so(db_path, monkeypatch, tmp_path):
    db = open_test_database(db_path)
    centre_id = load_user(db, "harbourside.demo").centre_id
    db.query_one("DELETE FROM submissions WHERE centre_id = ?", [centre_id])
    db.close()
    monkeypatch.setenv("ILMA_DB", str(db_path))
    monkeypatch.setenv("ILMA_COOKIE_KEY", STRONG_KEY)
    monkeypatch.setenv("ILMA_SECRETS_FILE", str(tmp_path / "none.toml"))
    at = open_page(sign_in(new_app(), "harbourside.demo"), "pages/centre/tracker_page.py")
    assert "There are no submissions yet." in texts(at)
    at = open_page(at, "pages/centre/pending_page.py")
    assert "Nothing is waiting to be submitted." in texts(at)


def test_a_row_from_a_reported_batch_offers_its_feedback_summary_report(centre_app, db):
    user = load_user(db, "centre.demo")
    item = db.query_one("""SELECT max(s.id) FROM submissions s JOIN feedback_reports r ON r.batch_id = s.batch_id
                           WHERE s.centre_id = ? AND s.stage <> 'pending'""", [user.centre_id])[0]
    at = open_page(centre_app, "pages/centre/tracker_page.py")
    at.selectbox(key="tracker_filter_column").select("ID").run()
    at.number_input(key="tracker_filter_value1_ID").set_value(item).run()
    at.button(key="tracker_filter_apply").click().run()
    assert not [b for b in at.get("download_button") if b.proto.id.endswith("tracker_report")]
    tick(at, "tracker_table", [0])
    buttons = [b for b in at.get("download_button") if b.proto.id.endswith("tracker_report")]
    assert buttons and buttons[0].proto.label == "Download Feedback Summary Report (Word)"


def test_an_upload_whose_submit_a_colleague_beat_lands_on_pending_saying_why(centre_app, db_path, monkeypatch):
    """Upload and submit: the upload commits, then the submit (its own transaction) is refused because a colleague
    sent the item from another tab in between; the centre lands on Pending with the reason, nothing half-written."""
    import lib.ui.submitted as submitted
    from lib.centre.uploads import EMBEDDED
    from tests import samples

    db = open_test_database(db_path)
    centre = load_user(db, "centre.demo")
    learner_id, enr, unit = db.query_one(
        """SELECT l.id, l.enr, max(qu.unit_code) FROM learners l JOIN registrations r ON r.learner_id = l.id
           JOIN qualification_units qu ON qu.qualification_code = r.qualification_code
           WHERE l.centre_id = ? AND r.expires_on > current_date
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id)
           GROUP BY l.id, l.enr ORDER BY l.enr LIMIT 1""", [centre.centre_id])
    db.close()
    sent_by_colleague = []
    real_submit = submitted.submit

    def a_colleague_sends_it_first(db, user, ids, **options):
        sent_by_colleague.extend(real_submit(db, user, ids, **options))  # from another tab, a moment earlier
        return real_submit(db, user, ids, **options)

    monkeypatch.setattr(submitted, "submit", a_colleague_sends_it_first)
    at = open_page(centre_app, "pages/centre/unit_assessment_page.py")
    at.text_input(key="units_search").input(f"{enr} {unit}").run()
    tick(at, "units_table", [0])
    at.button(key="units_upload").click().run()
    key = f"unit_upload_{learner_id}_{unit}"
    at.file_uploader(key=f"{key}_evidence").set_value(
        (f"S.Smith-{enr}(1).docx", samples.word_document(words=900),
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document")).run()
    at.file_uploader(key=f"{key}_sheet").set_value(
        ("Result Sheet.docx", samples.result_sheet(),
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document")).run()
    at.radio(key=f"{key}_declaration").set_value(EMBEDDED).run()
    at.checkbox(key="unit_upload_quality").check().run()
    at.button(key="unit_upload_and_submit").click().run()
    assert not at.exception
    [item] = sent_by_colleague
    warning = " ".join(w.value for w in at.warning)
    assert f"Item {item}" in warning and "has already been submitted" in warning and "another tab" in warning
    db = open_test_database(db_path)
    try:  # sent once, by the colleague; its files are all there
        assert db.query_one("SELECT stage, (SELECT count(*) FROM files f WHERE f.submission_id = s.id) "
                            "FROM submissions s WHERE s.id = ?", [item]) == ("submitted", 2)
    finally:
        db.close()
