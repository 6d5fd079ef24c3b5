"""The Enquiries and appeals page for each role that uses it, the Tracker's Enquire button and results history,
the claims to withdraw, and the enquiry clocks on the SLA dashboard."""

from __future__ import annotations

from lib.service import enquiries, release
from lib.service.enquiries import UnitDecision
from lib.store.files import FileStore
from lib.store.grid import EQUALS, ColumnFilter, Condition
from tests.apptest_helpers import texts, tick
from tests.conftest import load_user, open_test_database
from tests.samples import result_sheet

PAGE = "pages/service/enquiries_page.py"
WHY = "Criterion 2.1 is met in section 3, where the learner evaluates both leadership models."


def frame(at, table_key: str):
    """The rows of the shared table named table_key on the last run."""
    found = [f.value for f in at.dataframe if f.proto.id.rsplit("-", 1)[-1].startswith(f"{table_key}__")]
    assert len(found) == 1, f"no single table {table_key}"
    return found[0]


def filter_to(at, item: int):
    """Filter the Tracker to one item, as its Filter menu does."""
    at.session_state["tracker_filters"] = (ColumnFilter("ID", Condition(EQUALS, item)),)
    at.run()
    assert frame(at, "tracker_table").ID.astype(int).tolist() == [item]
    return at


def tick_enquiry(at, status: str):
    rows = frame(at, "enquiries_table")
    return tick(at, "enquiries_table", [rows.Status.tolist().index(status)]), int(
        rows.Enquiry[rows.Status == status].iloc[0])


def with_db(db_path, work):
    database = open_test_database(db_path)
    try:
        return work(database)
    finally:
        database.close()


def test_the_centre_enquires_from_the_tracker(as_role, db_path):
    at = as_role("centre.demo", "pages/centre/tracker_page.py")
    item = int(with_db(db_path, lambda d: enquiries.enquirable_items(d, load_user(d, "centre.demo")).ID.iloc[-1]))
    filter_to(at, item)
    tick(at, "tracker_table", [0])
    at.button(key="tracker_enquire").click().run()
    assert not at.exception
    raise_rows = frame(at, "enquiries_raise_table")
    assert int(raise_rows.ID.iloc[0]) == item  # the Tracker's item, on top and ticked
    at.switch_page(PAGE).run()  # a browser stays on the page switched to; AppTest must be told
    assert f"Item {item}:" in texts(at)
    at.text_area(key=f"enquiry_reason_{item}").input(WHY)
    at.button(key=f"FormSubmitter:enquiry_raise_{item}-Raise the enquiry").click().run()
    assert f"about item {item} is raised" in texts(at)
    assert item not in set(frame(at, "enquiries_raise_table").ID)
    raised = with_db(db_path, lambda d: d.query_one("SELECT reason FROM enquiries WHERE submission_id = ?", [item]))
    assert raised == (WHY,)


def test_a_short_reason_is_refused_and_nothing_is_raised(as_role, db_path):
    at = as_role("centre.demo", PAGE)
    item = int(frame(at, "enquiries_raise_table").ID.iloc[0])
    tick(at, "enquiries_raise_table", [0])
    at.text_area(key=f"enquiry_reason_{item}").input("Unfair.")
    at.button(key=f"FormSubmitter:enquiry_raise_{item}-Raise the enquiry").click().run()
    assert "Say why" in texts(at)
    assert with_db(db_path, lambda d: d.query_one("SELECT count(*) FROM enquiries WHERE submission_id = ?",
                                                  [item]))[0] == 0


def test_the_team_gives_an_enquiry_to_a_reviewer(as_role, db_path):
    at = as_role("team.demo", PAGE)
    at, enquiry = tick_enquiry(at, "Awaiting a reviewer")
    reviewer = at.selectbox(key=f"enquiry_reviewer_{enquiry}")
    marker = with_db(db_path, lambda d: d.query_one("""SELECT s.assessor_id FROM enquiries e JOIN submissions s
                                                       ON s.id = e.submission_id WHERE e.id = ?""", [enquiry])[0])
    assert marker not in reviewer.options and len(reviewer.options) > 0
    reviewer.set_value(reviewer.options[0]).run()
    at.button(key=f"enquiry_assign_{enquiry}").click().run()
    assert f"Enquiry {enquiry} is with its reviewer." in texts(at)
    assert with_db(db_path, lambda d: d.query_one("SELECT status FROM enquiries WHERE id = ?", [enquiry]))[0] == \
        "in_review"


def test_the_reviewer_confirms_a_result_with_a_note(as_role, db_path):
    at = as_role("assessor.demo", PAGE)
    at, enquiry = tick_enquiry(at, "In review")
    assert "The centre's reason" in texts(at)
    units = with_db(db_path, lambda d: [u for (u,) in d.query_all(
        "SELECT unit_code FROM enquiry_units WHERE enquiry_id = ? ORDER BY 1", [enquiry])])
    for unit in units:
        at.text_area(key=f"enquiry_{enquiry}_{unit}_note").input("The evaluation asked for in 2.1 is not there.")
    at.button(key=f"FormSubmitter:enquiry_decide_enquiry_{enquiry}-Record the outcome").click().run()
    assert f"Enquiry {enquiry}: 0 unit(s) changed, {len(units)} confirmed." in texts(at)


def test_a_change_without_its_sheet_is_refused_on_the_page(as_role, db_path):
    at = as_role("assessor.demo", PAGE)
    at, enquiry = tick_enquiry(at, "In review")
    unit = with_db(db_path, lambda d: d.query_one("SELECT min(unit_code) FROM enquiry_units WHERE enquiry_id = ?",
                                                  [enquiry])[0])
    at.radio(key=f"enquiry_{enquiry}_{unit}_outcome").set_value("Change")
    at.text_area(key=f"enquiry_{enquiry}_{unit}_note").input("Section 3 evaluates both models: 2.1 is met.")
    at.radio(key=f"enquiry_{enquiry}_{unit}_result").set_value("Pass")
    at.number_input(key=f"enquiry_{enquiry}_{unit}_mark").set_value(60)
    at.text_area(key=f"enquiry_{enquiry}_{unit}_feedback").input("2.1 met.")
    at.button(key=f"FormSubmitter:enquiry_decide_enquiry_{enquiry}-Record the outcome").click().run()
    assert "attach the re-issued marked result sheet" in texts(at)
    assert with_db(db_path, lambda d: d.query_one("SELECT status FROM enquiries WHERE id = ?", [enquiry]))[0] == \
        "in_review"


def test_the_centre_appeals_and_quality_decides(as_role, db_path):
    at = as_role("centre.demo", PAGE)
    at.toggle(key="enquiries_open_only").set_value(False).run()
    at, enquiry = tick_enquiry(at, "Outcome given")
    # The demo is built for the tests' fixed day, the appeal window counts from the real one: the outcome is given
    # today, so the window is open whatever the date the suite runs on.
    with_db(db_path, lambda d: d.query_one("UPDATE enquiries SET decided_at = now() WHERE id = ? RETURNING id",
                                           [enquiry]))
    at.text_area(key=f"enquiry_appeal_reason_{enquiry}").input("The outcome ignores the appendix we pointed to.")
    at.button(key=f"FormSubmitter:enquiry_appeal_{enquiry}-Appeal").click().run()
    assert f"Enquiry {enquiry} is appealed" in texts(at)

    quality = as_role("quality.demo", PAGE)
    rows = frame(quality, "enquiries_table")
    assert (rows.Status == "Appealed").sum() == 2  # the demo's appeal and this one
    position = rows.Enquiry.tolist().index(enquiry)
    tick(quality, "enquiries_table", [position])
    units = with_db(db_path, lambda d: [u for (u,) in d.query_all(
        "SELECT unit_code FROM enquiry_units WHERE enquiry_id = ? ORDER BY 1", [enquiry])])
    for unit in units:
        quality.text_area(key=f"appeal_{enquiry}_{unit}_note").input("The appendix does not evaluate: it stands.")
    quality.button(key=f"FormSubmitter:enquiry_decide_appeal_{enquiry}-Record the final decision").click().run()
    assert f"Enquiry {enquiry}: 0 unit(s) changed" in texts(quality)
    assert with_db(db_path, lambda d: d.query_one("SELECT status FROM enquiries WHERE id = ?", [enquiry]))[0] == \
        "final"


def test_the_tracker_shows_a_changed_result_with_its_history(as_role, db_path):
    item = with_db(db_path, lambda d: d.query_one("""SELECT e.submission_id FROM enquiries e JOIN enquiry_outcomes o
                                                     ON o.enquiry_id = e.id WHERE o.changed""")[0])
    at = filter_to(as_role("centre.demo", "pages/centre/tracker_page.py"), item)
    tick(at, "tracker_table", [0])
    assert frame(at, "tracker_table").set_index("ID").loc[item, "Status"] == "Completed"
    history = [f.value for f in at.dataframe if {"Stage", "Outcome", "Before", "After"} <= set(f.value.columns)][0]
    assert history[["Stage", "Outcome"]].values.tolist()[0] == ["Enquiry", "Changed"]


def test_the_team_marks_a_claim_withdrawn(as_role, db_path):
    def turn_a_claimed_pass_into_a_referral(database):
        team, centre = load_user(database, "team.demo"), load_user(database, "centre.demo")
        item = int(enquiries.enquirable_items(database, centre).query("Status == 'Completed'").ID.iloc[0])
        unit = database.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0].split(", ")[0]
        release.mark_claimed(database, team, [(item, unit)])
        enquiry = enquiries.raise_enquiry(database, centre, item, [unit], WHY)
        reviewer = enquiries.possible_reviewers(database, team, enquiry)
        enquiries.assign_reviewer(database, team, enquiry, int(reviewer.id.iloc[0]))
        person = load_user(database, database.query_one("SELECT username FROM users WHERE id = ?",
                                                        [int(reviewer.id.iloc[0])])[0])
        from lib.centre.uploads import Upload
        enquiries.decide_enquiry(database, FileStore(db_path.parent / "files"), person, enquiry, [UnitDecision(
            unit, True, "The mark was added up wrongly: 3.1 is not met.", "Referral", 35, "3.1 not met.",
            Upload("Sheet.docx", result_sheet()))])
        return item, unit

    at = as_role("team.demo", "pages/service/claims_page.py")
    item, unit = with_db(db_path, turn_a_claimed_pass_into_a_referral)
    at.run()
    rows = frame(at, "withdrawals_table")
    assert rows[["ID", "Unit"]].values.tolist() == [[item, unit]]
    assert at.get("download_button") and any(button.proto.label == "Export withdrawals"
                                             for button in at.get("download_button"))
    tick(at, "withdrawals_table", [0])
    at.button(key="withdrawals_mark").click().run()
    assert "Recorded 1 withdrawal(s)." in texts(at)
    assert "Claims to withdraw" not in texts(at)


def test_the_sla_dashboard_shows_the_enquiry_clocks(as_role):
    at = as_role("team.demo", "pages/service/sla_page.py")
    at.session_state["sla_tab"] = "Enquiries and appeals"
    at.run()
    labels = [metric.label for metric in at.metric]
    assert "Enquiries and appeals: open" in labels
    clocks = [f.value for f in at.dataframe if "Target (working days)" in f.value.columns][0]
    assert clocks.Stage.tolist() == ["Awaiting a reviewer", "In review", "Appealed"]
    assert clocks.Open.sum() >= 3  # the demo's waiting, in-review and appealed enquiries
