"""The Learner records and Programmes pages: a centre edits a record with its checks shown as it types, moves it on,
a second user QA-verifies, the team only reads; a programme is created, its template filled and learners enrolled."""

from __future__ import annotations

from lib.store.grid import EQUALS, ColumnFilter, Condition
from tests.apptest_helpers import texts, tick
from tests.conftest import open_test_database
from tests.test_app_enquiries import frame

RECORDS = "pages/centre/learner_records_page.py"
PROGRAMMES = "pages/centre/programmes_page.py"


def only_status(at, status: str):
    at.session_state["records_filters"] = (ColumnFilter("Status", Condition(EQUALS, status)),)
    at.run()
    return tick(at, "records_table", [0])


def only_record(at, record_id: int):
    at.session_state["records_filters"] = (ColumnFilter("Record", Condition(EQUALS, record_id)),)
    at.run()
    return tick(at, "records_table", [0])


def status_of(db_path, record_id: int) -> str:
    database = open_test_database(db_path)
    try:
        return database.query_one("SELECT status FROM learner_records WHERE id = ?", [record_id])[0]
    finally:
        database.close()


def test_a_record_is_checked_as_typed_and_saved_as_a_version(as_role, db_path):
    at = as_role("centre.demo", RECORDS)
    at = only_status(at, "Newly submitted")
    record_id = int(frame(at, "records_table").Record.iloc[0])
    key = [k for k in at.session_state if isinstance(k, str) and k.startswith(f"record_{record_id}_")
           and k.endswith("_uln")][0]
    at.text_input(key=key).input("1234567890").run()
    assert "last digit should be 9" in texts(at)
    at.text_input(key=key.replace("_uln", "_postcode")).input("NB9 9ZZ").run()
    at.text_input(key=key).input("9999999999").run()
    assert "last digit should be 9" not in texts(at)
    at.text_input(key=key.replace("_uln", "_reason")).input("The learner's new address").run()
    [save] = [b for b in at.button if b.label == "Save changes"]
    save.click().run()
    assert f"Record {record_id} saved as version" in texts(at)


def test_the_signature_is_recorded_and_a_second_user_qa_verifies(as_role, db_path):
    at = only_status(as_role("centre.demo", RECORDS), "Signature required")
    record_id = int(frame(at, "records_table").Record.iloc[0])
    how = [s for s in at.selectbox if s.label == "How"][0]
    how.set_value(how.options[0]).run()
    [sign] = [b for b in at.button if b.label == "Record the signature"]
    sign.click().run()
    assert f"Record {record_id}: signed by the learner; now Signed." in texts(at)
    assert status_of(db_path, record_id) == "signed"
    same = only_record(as_role("centre.demo", RECORDS), record_id)  # centre.demo typed the learner's details
    [qa] = [b for b in same.button if b.label == "QA verify"]
    qa.click().run()
    assert "someone other than the last person who edited" in texts(same)
    other = only_record(as_role("tutor.demo", RECORDS), record_id)
    [qa] = [b for b in other.button if b.label == "QA verify"]
    qa.click().run()
    assert "now QA verified" in texts(other)
    assert status_of(db_path, record_id) == "qa_verified"


def test_the_team_reads_records_without_changing_them(as_role):
    at = as_role("team.demo", RECORDS)
    tick(at, "records_table", [0])
    assert "Record " in texts(at)
    assert not [b for b in at.button if b.label in ("Save changes", "Verify", "Send for signature")]
    assert all(widget.disabled for widget in at.text_input if widget.key and widget.key.startswith("record_"))


def test_a_centre_creates_a_programme_fills_its_template_and_enrols(as_role, db_path):
    at = as_role("centre.demo", PROGRAMMES)
    code = at.selectbox(key="programme_new_qualification").value
    at.text_input(key=f"programme_new_name_{code}").input("Supervisor apprenticeship")
    unit = at.multiselect(key=f"programme_new_units_{code}").options[0].split(" ")[0]
    at.multiselect(key=f"programme_new_units_{code}").set_value([unit])
    at.button(key=f"FormSubmitter:programme_new_{code}-Create the programme").click().run()
    assert "is created: fill its ILR template" in texts(at)
    rows = frame(at, "programmes_table")
    position = rows.Name.tolist().index("Supervisor apprenticeship")
    programme_id = int(rows.Programme.iloc[position])
    tick(at, "programmes_table", [position])
    key = f"template_{programme_id}"
    at.selectbox(key=f"{key}_prog_type").set_value(25)
    at.selectbox(key=f"{key}_fund_model").set_value(36)
    at.button(key=f"FormSubmitter:{key}-Save the template").click().run()
    assert "needs its standard code" in texts(at)
    at.number_input(key=f"{key}_std_code").set_value(275)
    at.button(key=f"FormSubmitter:{key}-Save the template").click().run()
    assert "The template is saved: 0 learner record(s) updated." in texts(at)
    at.session_state[f"programme_part_{programme_id}"] = "Enrol learners"
    at.run()
    enrolable = frame(at, f"enrol_table_{programme_id}")
    tick(at, f"enrol_table_{programme_id}", [0, 1])
    at.button(key=f"enrol_{programme_id}").click().run()
    assert "Enrolled 2 learner(s)" in texts(at)
    database = open_test_database(db_path)
    try:
        taken = database.query_all("SELECT prog_type, std_code, fund_model FROM learner_records WHERE programme_id = ?",
                                   [programme_id])
    finally:
        database.close()
    assert taken == [(25, 275, 36)] * 2 and len(enrolable) >= 2


def test_the_ilr_file_shown_is_remade_when_a_record_changes(as_role, db_path):
    from lib.records import records
    from tests.conftest import load_user, open_test_database

    at = as_role("centre.demo", RECORDS)
    button = next(b for b in at.get("download_button") if b.proto.label.startswith("ILR file ("))
    carried = int(button.proto.label.removeprefix("ILR file (").split()[0])
    database = open_test_database(db_path)
    try:
        centre = load_user(database, "centre.demo")
        record_id, version = database.query_one(
            "SELECT id, version FROM learner_records WHERE centre_id = ? AND status = 'qa_verified' ORDER BY id "
            "LIMIT 1", [centre.centre_id])
        # A change after QA verification sends the record back for signature: the return no longer carries it.
        records.edit_record(database, centre, record_id, {"telephone": "07700 900999"}, "New number", version)
    finally:
        database.close()
    at.run()
    labels = [b.proto.label for b in at.get("download_button") if b.proto.label.startswith("ILR file (")]
    assert labels == [f"ILR file ({carried - 1} learners)"]
