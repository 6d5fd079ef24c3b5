"""The Assessment methods page for a centre and for quality, the upload screen's guidance for agreed recordings,
and a recording played beside the result sheet in the marking queue."""

from __future__ import annotations

from lib.checks import accept
from lib.demo.recording import recording
from lib.store.files import FileStore
from tests.apptest_helpers import texts, tick
from tests.conftest import open_test_database
from tests.test_app_enquiries import frame

PAGE = "pages/service/assessment_methods_page.py"
WHY = "Apprentices present their workplace projects to their managers, with questions at the end."


def test_the_centre_requests_a_change_and_reads_its_approval(as_role, db_path):
    at = as_role("centre.demo", PAGE)
    code = at.selectbox(key="methods_qualification").value
    unit = at.multiselect(key=f"methods_units_{code}").options[0].split(" ")[0]  # options read "code name"
    at.multiselect(key=f"methods_units_{code}").set_value([unit])
    at.multiselect(key=f"methods_methods_{code}").set_value(["presentation"])
    at.multiselect(key=f"methods_formats_{code}").select("MP4")
    at.text_area(key=f"methods_reason_{code}").input(WHY)
    at.button(key=f"FormSubmitter:methods_request_{code}-Send the request").click().run()
    assert "is with ILM's quality team" in texts(at)
    rows = frame(at, "methods_table")
    assert rows.Status.iloc[0] == "Awaiting a decision"
    approved = rows.Status.tolist().index("Approved")  # the demo's approved change
    tick(at, "methods_table", [approved])
    assert "Conditions" in texts(at)
    assert any(button.label == "Download the confirmation (Word)" for button in at.get("download_button"))


def test_quality_approves_with_conditions(as_role, db_path):
    at = as_role("quality.demo", PAGE)
    rows = frame(at, "methods_table")
    waiting = rows.Status.tolist().index("Awaiting a decision")
    request_id = int(rows.Request.iloc[waiting])
    tick(at, "methods_table", [waiting])
    at.number_input(key=f"methods_max_minutes_{request_id}").set_value(25)
    at.text_area(key=f"methods_note_{request_id}").input("Approved: audio only, the learner named at the start.")
    at.button(key=f"FormSubmitter:methods_decide_{request_id}-Record the decision").click().run()
    assert f"Request {request_id} is approved." in texts(at)
    database = open_test_database(db_path)
    try:
        assert database.query_one("SELECT status, max_minutes FROM method_requests WHERE id = ?", [request_id]) == \
            ("approved", 25)
    finally:
        database.close()


def test_declining_needs_a_reason(as_role, db_path):
    at = as_role("team.demo", PAGE)
    rows = frame(at, "methods_table")
    waiting = rows.Status.tolist().index("Awaiting a decision")
    request_id = int(rows.Request.iloc[waiting])
    tick(at, "methods_table", [waiting])
    at.radio(key=f"methods_decision_{request_id}").set_value("Decline")
    at.button(key=f"FormSubmitter:methods_decide_{request_id}-Record the decision").click().run()
    assert "Write the conditions of the approval, or the reason for declining" in texts(at)


def test_the_assessor_plays_a_recording_beside_the_result_sheet(as_role, db_path):
    database = open_test_database(db_path)
    try:
        item = database.query_one("""SELECT min(s.id) FROM submissions s JOIN users a ON a.id = s.assessor_id
                                     WHERE s.stage = 'allocated' AND a.username = 'assessor.demo'""")[0]
        checked = accept.check_recording("Presentation.mp4", recording(3, "mp4"),
                                         accept.RecordingTerms(("MP4",), 10 * 1024 * 1024, 60))
        stored = FileStore(db_path.parent / "files").put(checked.data)
        with database.cursor() as cursor:
            cursor.execute("""INSERT INTO files (id, submission_id, kind, original_name, stored_name, size_bytes, sha256,
                              uploaded_at, uploaded_by, duration_seconds) VALUES (nextval('seq_files'), ?, 'evidence',
                              'Presentation.mp4', ?, ?, ?, now(), 1, ?)""",
                           [item, stored, checked.size, checked.sha256, checked.seconds])
        position = [row[0] for row in database.query_all(
            """SELECT s.id FROM submissions s JOIN users a ON a.id = s.assessor_id
               WHERE s.stage = 'allocated' AND a.username = 'assessor.demo' ORDER BY s.sla_target, s.id""")].index(item)
    finally:
        database.close()
    at = as_role("assessor.demo", "pages/service/marking_page.py")
    tick(at, "marking_table", [position])
    assert "Presentation.mp4 · recording, 3 s" in texts(at)
    toggles = [t for t in at.toggle if t.label == "Play the recording"]
    assert toggles and not at.get("video")
    toggles[0].set_value(True).run()
    assert len(at.get("video")) == 1
