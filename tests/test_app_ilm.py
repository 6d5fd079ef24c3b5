"""The ILM side's pages in AppTest: each role's queue and the moves it may make, with clear refusals."""

from __future__ import annotations

from lib.ui.text import escape_markdown
from tests.apptest_helpers import table_widget_key, texts, tick
from tests.conftest import open_test_database


def test_quality_check_accepts_and_refuses_a_rejection_without_reason(as_role):
    at = as_role("team.demo", "pages/service/quality_check_page.py")
    first = at.dataframe[0].value
    assert list(first.columns)[:5] == ["ID", "Centre", "Centre name", "Submitted", "QC due"]
    tick(at, "qc_table", [0])
    at.button(key="qc_reject").click().run()
    assert "Give the centre a reason" in texts(at)
    at.button(key="qc_accept").click().run()
    assert f"Accepted item {first.ID.iloc[0]}" in texts(at)


def test_evidence_over_its_guidance_is_accepted_with_the_fee_agreed_or_rejected_for_a_concise_version(as_role,
                                                                                                      db_path):
    db = open_test_database(db_path)
    first, second = [row[0] for row in db.query_all(
        """SELECT s.id FROM submissions s WHERE s.stage = 'submitted' AND EXISTS (SELECT 1 FROM files f
           WHERE f.submission_id = s.id AND f.kind = 'evidence') AND NOT EXISTS (SELECT 1 FROM submission_units su
           JOIN units un ON un.code = su.unit_code WHERE su.submission_id = s.id AND un.word_limit IS NULL)
           ORDER BY s.submitted_at, s.id LIMIT 2""")]
    db.query_one("UPDATE files SET word_count = 40000 WHERE submission_id IN (?, ?) AND kind = 'evidence' "
                 "RETURNING 1", [first, second])
    db.close()
    at = as_role("team.demo", "pages/service/quality_check_page.py")
    at.text_input(key="qc_table_search").input(str(first)).run()
    tick(at, "qc_table", [0])
    assert any("Word counts are guidance" in w.value for w in at.warning)
    assert at.button(key="qc_accept").disabled
    at.checkbox(key=f"qc_agree_fee_{first}").check().run()
    at.button(key="qc_accept").click().run()
    assert f"Accepted item {first}: it is ready for allocation; the excess fee" in texts(at)
    at.text_input(key="qc_table_search").input(str(second)).run()
    tick(at, "qc_table", [0])
    at.button(key=f"qc_concise_{second}").click().run()
    assert f"Rejected item {second} for a concise re-submission at no cost" in texts(at)
    db = open_test_database(db_path)
    assert db.query_one("SELECT excess_fee_blocks FROM submissions WHERE id = ?", [first])[0] >= 3
    assert "re-submit a concise version" in db.query_one("SELECT rejection_reason FROM submissions WHERE id = ?",
                                                         [second])[0]
    db.close()


def test_a_conflict_over_work_already_allocated_is_flagged_and_reallocated_on_the_spot(as_role, db_path):
    from lib.service import allocation
    from tests.conftest import load_user, open_test_database

    db = open_test_database(db_path)
    assessor_id, centre_id = db.query_one("""SELECT assessor_id, centre_id FROM submissions WHERE stage = 'allocated'
                                             GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1""")
    touched = allocation.record_conflict(db, load_user(db, "team.demo"), assessor_id, centre_id, "A relative")
    db.close()
    at = as_role("team.demo", "pages/service/allocation_page.py")
    assert any(f"{len(touched)} open item(s) are with an assessor who has a conflict" in w.value for w in at.warning)
    at.button(key="allocation_conflicted").click().run()
    assert f"Reallocated {len(touched)} item(s) away from a conflict of interest" in texts(at)
    assert not any("conflict of interest with their centre" in w.value for w in at.warning)


def test_allocation_runs_automatically_and_keeps_the_register(as_role):
    at = as_role("team.demo", "pages/service/allocation_page.py")
    waiting = len(at.dataframe[0].value)
    assert set(at.dataframe[0].value.Stage) == {"Awaiting allocation"}  # reallocation is behind the switch
    at.button(key="allocation_auto").click().run()
    assert f"Allocate all {waiting} items awaiting allocation to assessors automatically?" in texts(at)
    at.button(key="allocation_auto_cancel").click().run()
    assert "Allocated" not in texts(at) and len(at.dataframe[0].value) == waiting  # Cancel allocates nothing
    at.button(key="allocation_auto").click().run()
    at.button(key="allocation_auto_confirm").click().run()
    assert f"Allocated {waiting} item(s) automatically." in texts(at)
    assert "Nothing is waiting for allocation." in texts(at)
    at.toggle(key="allocation_reallocate").set_value(True).run()
    assert set(at.dataframe[0].value.Stage) == {"With assessor"}
    at.text_input(key="allocation_conflict_reason").input("Sister works at the centre")
    at.button(key="allocation_conflict_record").click().run()
    assert "Conflict of interest recorded." in texts(at)


def test_marking_asks_for_a_result(as_role):
    at = as_role("assessor.demo", "pages/service/marking_page.py")
    tick(at, "marking_table", [0])
    unit = at.dataframe[0].value["Unit(s)"].iloc[0].split(", ")[0]
    at.button(key=f"marking_save_{unit}").click().run()
    assert "Choose Pass or Referral." in texts(at)


def test_sampling_needs_a_note_to_send_back_and_agrees(as_role):
    at = as_role("lead.demo", "pages/service/sampling_page.py")
    tick(at, "sampling_table", [0])
    at.button(key="sampling_send_back").click().run()
    assert "Write the assessor a note" in texts(at)
    at.button(key="sampling_agree").click().run()
    assert "is ready for release" in texts(at)


def test_sampling_shows_each_units_result_mark_and_feedback_and_flags_the_sla(as_role, db_path):
    at = as_role("lead.demo", "pages/service/sampling_page.py")
    queue = at.dataframe[0].value
    assert {"Learner", "Centre name", "SLA"} <= set(queue.columns)
    tick(at, "sampling_table", [0])
    item_id = int(queue.ID.iloc[0])
    database = open_test_database(db_path)
    try:
        expected = database.query_all("SELECT unit_code, result, mark, feedback FROM submission_units "
                                      "WHERE submission_id = ? ORDER BY unit_code", [item_id])
    finally:
        database.close()
    page = texts(at)
    for unit, result, mark, feedback in expected:
        assert f"{escape_markdown(unit)} " in page and f"{result}, mark {int(mark)}" in page
        assert escape_markdown(feedback) in page  # the whole feedback, not cut off
    assert queue.Learner.iloc[0] in page
    why = queue["Why sampled"].iloc[0]
    assert any(why in box.value for box in at.info)  # why it was sampled, in full
    assert at.text_area(key="sampling_note").label == "Note for the assessor (to send it back)"


def test_a_queue_counts_searches_and_pages_25_at_a_time(as_role, db_path):
    database = open_test_database(db_path)
    try:
        waiting, learner, second_id = database.query_one(
            """SELECT count(*) OVER (), l.first_name || ' ' || l.last_name, s.id FROM submissions s
               JOIN learners l ON l.id = s.learner_id WHERE s.stage = 'submitted'
               ORDER BY s.submitted_at, s.id LIMIT 1 OFFSET 1""")
    finally:
        database.close()
    at = as_role("team.demo", "pages/service/quality_check_page.py")
    assert f"**{waiting:,} item(s) waiting for a quality check**" in [m.value for m in at.markdown]
    assert len(at.dataframe[0].value) == min(25, waiting)
    at.text_input(key="qc_table_search").input(str(second_id)).run()
    assert at.dataframe[0].value.ID.tolist() == [second_id]
    at.text_input(key="qc_table_search").input(learner.split()[-1].lower()).run()
    assert all(learner.split()[-1] in name for name in at.dataframe[0].value.Learner)
    at.text_input(key="qc_table_search").input("no such learner anywhere").run()
    assert "No item in this queue matches the search." in texts(at)


def test_release_all_asks_first_with_the_count(as_role):
    at = as_role("team.demo", "pages/service/release_page.py")
    queue = at.dataframe[0].value
    held = queue.ID[queue.Hold == "Held"].tolist()  # the demo holds one item under a malpractice case
    ready = len(queue) - len(held)
    assert "SLA" in queue.columns and len(held) == 1
    at.button(key="release_all").click().run()
    assert f"Release all {ready} results ready now to their centres?" in texts(at)
    at.button(key="release_all_confirm").click().run()
    released = sorted(int(i) for i in queue.ID if int(i) not in held)
    assert f"Released {ready} result(s) to their centres: item(s) {', '.join(map(str, released[:20]))}" in texts(at)
    assert at.dataframe[0].value.ID.tolist() == held
    assert "release_all" not in [button.key for button in at.button]  # only the held item left: no "Release all 0"


def test_release_and_claims(as_role):
    at = as_role("team.demo", "pages/service/release_page.py")
    tick(at, "release_table", [at.dataframe[0].value.Hold.tolist().index("")])  # the first item not held
    at.button(key="release_selected").click().run()
    assert "Released 1 result(s)" in texts(at)
    at.switch_page("pages/service/claims_page.py").run()
    tick(at, "claims_table", [0, 1])
    at.button(key="claims_mark").click().run()
    assert "Recorded 2 claim(s)." in texts(at)


def test_the_sla_dashboard_shows_open_work(as_role):
    at = as_role("quality.demo", "pages/service/sla_page.py")
    assert [m.label for m in at.metric][:3] == ["Open items", "At risk", "Breached"]
    assert int(at.metric[0].value.replace(",", "")) > 0


def test_a_heading_click_sorts_the_whole_queue_and_queue_order_restores_it(as_role):
    at = as_role("team.demo", "pages/service/quality_check_page.py")
    own_order = list(at.dataframe[0].value.ID)
    at.session_state[table_widget_key(at, "qc_table")] = {"selection": {"rows": [], "columns": ["Learner"],
                                                                        "cells": []}}
    at.run()
    learners = list(at.dataframe[0].value.Learner)
    assert learners == sorted(learners) and "Sorted by Learner, lowest first" in texts(at)
    at.session_state[table_widget_key(at, "qc_table")] = {"selection": {"rows": [], "columns": ["Learner"],
                                                                        "cells": []}}
    at.run()
    reversed_page = list(at.dataframe[0].value.Learner)
    assert reversed_page == sorted(reversed_page, reverse=True) and reversed_page[0] >= learners[-1]
    at.button(key="qc_table_queue_order").click().run()
    assert list(at.dataframe[0].value.ID) == own_order


def test_the_sla_link_to_an_item_with_an_assessor_opens_allocation_with_it_found(as_role, db_path):
    database = open_test_database(db_path)
    try:
        (item_id,) = database.query_one("SELECT min(id) FROM submissions WHERE stage = 'allocated'")
    finally:
        database.close()
    at = as_role("team.demo", "pages/common/home_page.py")
    at.query_params = {"item": str(item_id)}
    at.switch_page("pages/service/allocation_page.py").run()
    assert at.toggle(key="allocation_reallocate").value is True
    assert at.dataframe[0].value.ID.tolist() == [item_id]


def test_quality_follows_a_case_opened_in_quality_check_to_its_outcome(as_role):
    at = as_role("team.demo", "pages/service/quality_check_page.py")
    tick(at, "qc_table", [0])
    item_id = int(at.dataframe[0].value.ID.iloc[0])
    at.text_input(key="qc_reason").input("Sections 2 and 3 match a published case study word for word.")
    at.checkbox(key="qc_malpractice").check()
    at.button(key="qc_reject").click().run()
    assert f"Rejected item {item_id} and opened a malpractice case for quality" in texts(at)
    at = as_role("quality.demo", "pages/analytics/malpractice_page.py")
    cases = next(frame.value for frame in at.dataframe if "Case" in frame.value.columns)
    row = cases.Item.tolist().index(item_id)
    tick(at, "malpractice_cases_table", [row])
    assert "match a published case study" in "\n".join(str(t.value) for t in at.text)
    case_id = int(cases.Case.iloc[row])
    at.radio(key=f"malpractice_to_{case_id}").set_value("closed")
    at.selectbox(key=f"malpractice_outcome_{case_id}").set_value("learner_malpractice")
    at.text_area(key=f"malpractice_note_{case_id}").input("Learner admitted copying; centre informed by letter.")
    at.button(key=f"FormSubmitter:malpractice_follow_up_{case_id}-Save").click().run()
    assert f"Case {case_id} is now Closed." in texts(at)


def test_release_all_leaves_a_held_item_waiting(as_role, db_path):
    at = as_role("team.demo", "pages/service/release_page.py")
    database = open_test_database(db_path)
    try:  # the demo holds one ready item under an open malpractice case
        ready, held = database.query_one("""SELECT count(*), min(id) FILTER (WHERE EXISTS (SELECT 1 FROM
                                            malpractice_cases m WHERE m.submission_id = s.id AND m.status = 'open'))
                                            FROM submissions s WHERE stage = 'ready'""")
    finally:
        database.close()
    table = at.dataframe[0].value
    assert list(table.columns[:2]) == ["ID", "Hold"] and table.set_index("ID").loc[held, "Hold"] == "Held"
    at.button(key="release_all").click().run()
    at.button(key="release_all_confirm").click().run()
    assert f"Released {ready - 1} result(s) to their centres: item(s) " in texts(at)
    assert at.dataframe[0].value.ID.tolist() == [held]


def test_marking_shows_the_evidence_and_criteria_and_save_and_next_opens_the_next_item(as_role):
    from tests import samples

    at = as_role("assessor.demo", "pages/service/marking_page.py")
    queue = at.dataframe[0].value
    tick(at, "marking_table", [0])
    first = int(queue.ID.iloc[0])
    unit = queue["Unit(s)"].iloc[0].split(", ")[0]
    page = texts(at)
    assert "Criteria and guidance" in [e.label for e in at.expander]
    assert "Every criterion must be met for a Pass" in page
    assert any(m.value.startswith("- **1.1**") for m in at.markdown)
    shown = [h.proto.body for h in at.get("html")]
    assert shown and "<p>" in shown[0], "the Word evidence is shown in the page"
    at.radio(key=f"marking_result_{first}_{unit}").set_value("Pass")
    at.number_input(key=f"marking_mark_{first}_{unit}").set_value(64)
    at.text_area(key=f"marking_feedback_{first}_{unit}").input("1.1 met: *clear* =SUM(A1) evaluation.")
    at.file_uploader(key=f"marking_sheet_{first}_{unit}").set_value(
        ("Marked.docx", samples.result_sheet(), "application/octet-stream"))
    assert at.button(key=f"marking_save_{unit}").proto.label == "Save and next"
    at.button(key=f"marking_save_{unit}").click().run()
    following = int(queue.ID.iloc[1])
    assert f"Item {first} is marked" in texts(at) and f"Item {following} is open." in texts(at)
    assert any(s.value.startswith(f"Item {following}:") for s in at.subheader)
    assert first not in set(at.dataframe[0].value.ID)



def test_quality_check_shows_copied_work_and_opens_a_case_from_a_match_with_both_items(as_role, db_path):
    from lib.service.copied_work import copied_work
    from lib.store.files import FileStore
    from tests.conftest import load_user

    db = open_test_database(db_path)
    try:  # the demo's evidence in quality check that shares a passage with an item at another centre
        team = load_user(db, "team.demo")
        store = FileStore(db_path.parent / "files")
        waiting = [row[0] for row in db.query_all("SELECT id FROM submissions WHERE stage = 'submitted' ORDER BY id")]
        item_id, match = next((item, found.matches[0]) for item in waiting
                              if (found := copied_work(db, team, item, store)).matches)
    finally:
        db.close()
    at = as_role("team.demo", "pages/service/quality_check_page.py")
    at.text_input(key="qc_table_search").input(str(item_id)).run()
    tick(at, "qc_table", [0])
    [expander] = [e for e in at.expander if e.label.startswith("Shares ")]
    assert expander.label == escape_markdown(match.summary())
    assert f"with item {match.other_item} (" in expander.label and "at another centre" in expander.label
    at.button(key="qc_copied_case_0").click().run()
    assert f"Rejected item {item_id} and opened a malpractice case for quality with the match" in texts(at)
    db = open_test_database(db_path)
    try:
        concern, stage = db.query_one("""SELECT m.concern, s.stage FROM malpractice_cases m JOIN submissions s
                                         ON s.id = m.submission_id WHERE m.submission_id = ?""", [item_id])
    finally:
        db.close()
    assert stage == "rejected"
    assert concern.startswith(f"Item {item_id}'s evidence") and f"with item {match.other_item}'s" in concern
    assert match.shared.passages[0][:60] in concern


def test_the_lead_sees_copied_work_on_the_item_being_sampled(as_role):
    at = as_role("lead.demo", "pages/service/sampling_page.py")
    tick(at, "sampling_table", [0])
    shown = [e.label for e in at.expander if e.label.startswith("Shares ")] + \
        [c.value for c in at.caption if c.value.startswith("Copied work: no other item's evidence shares 25%")]
    assert len(shown) >= 1, "each sampled item says what the copied-work check found"
    assert not any(b.key and b.key.startswith("sampling_copied_case") for b in at.button), \
        "the lead sends work back; opening a case is for quality check and marking"
