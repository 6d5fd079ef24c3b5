"""The ILM Mapped pages: the university reads its programmes and asks for a change; quality decides a re-mapping
and sees the hold; release checks read by the university and acted on by quality."""

from __future__ import annotations

from tests.apptest_helpers import page_names, texts, tick
from tests.conftest import open_test_database
from tests.test_app_enquiries import frame

PROGRAMMES = "pages/hei/mapped_programmes_page.py"
CHECKS = "pages/hei/release_checks_page.py"


def one(db_path, sql, params=()):
    database = open_test_database(db_path)
    try:
        return database.query_one(sql, list(params))
    finally:
        database.close()


def test_only_a_university_centre_has_the_pages(as_role):
    assert "Mapped programmes" in page_names(as_role("university.demo", PROGRAMMES))
    assert "Mapped programmes" not in page_names(as_role("centre.demo", "pages/common/home_page.py"))


def test_the_university_asks_for_a_change_and_quality_decides_a_remapping(as_role, db_path):
    at = as_role("university.demo", PROGRAMMES)
    rows = frame(at, "mapped_table")
    assert sorted(rows.Title) == ["BSc Business Management", "MBA Leadership and Management"]
    position = rows.Title.tolist().index("BSc Business Management")
    programme_id = int(rows.Programme.iloc[position])
    tick(at, "mapped_table", [position])
    assert "Version 2 (in force)" in [o for o in at.selectbox(key=f"mapped_version_{programme_id}").options]
    at.multiselect(key=f"mapped_change_what_{programme_id}").set_value(["assessments"])
    at.text_area(key=f"mapped_change_text_{programme_id}").input(
        "The strategy module is now assessed by a portfolio instead of an exam.")
    learner = at.multiselect(key=f"mapped_change_route_{programme_id}")
    learner.set_value([one(db_path, """SELECT min(r.learner_id) FROM registrations r JOIN hei_programmes p
                                       ON p.qualification_code = r.qualification_code JOIN learners l
                                       ON l.id = r.learner_id AND l.centre_id = p.centre_id WHERE p.id = ?""",
                           [programme_id])[0]])
    at.button(key=f"FormSubmitter:mapped_change_{programme_id}-Send the change request").click().run()
    assert "is with ILM's quality team" in texts(at)
    request_id = one(db_path, "SELECT max(id) FROM hei_change_requests")[0]

    quality = as_role("quality.demo", PROGRAMMES)
    requests = frame(quality, "mapped_requests_table")
    tick(quality, "mapped_requests_table", [requests.Request.tolist().index(request_id)])
    quality.radio(key=f"mapped_decide_kind_{request_id}").set_value("Re-mapping")
    quality.text_area(key=f"mapped_decide_note_{request_id}").input("New assessment criteria: a re-mapping.")
    quality.button(key=f"FormSubmitter:mapped_decide_{request_id}-Record the decision").click().run()
    assert "re-mapping; the learners on the route are held" in texts(quality)
    assert "4 learner(s) have their results held until a re-mapping is done." in texts(quality)


def test_quality_reads_a_check_releases_nothing_on_a_failed_one_and_sees_the_badge_claim(as_role, db_path):
    at = as_role("quality.demo", CHECKS)
    rows = frame(at, "checks_table")
    tick(at, "checks_table", [rows.Result.tolist().index("Failed")])
    assert "claimed but not on the Exam Board list" in texts(at)
    assert "has not been externally quality assured" in texts(at)
    assert not [b for b in at.button if b.label == "Release the order's results"]
    at = as_role("quality.demo", CHECKS)
    tick(at, "checks_table", [frame(at, "checks_table").Result.tolist().index("Passed")])
    assert "0 learner(s) to send a credential to; 5 refused" in texts(at)  # 4 issued already, 1 without email
    [release] = [b for b in at.button if b.label == "Release the order's results"]
    release.click().run()
    assert "Released 0 learner(s)" in texts(at)  # the demo released the order after its check


def test_the_university_reads_its_checks_without_acting(as_role):
    at = as_role("university.demo", CHECKS)
    tick(at, "checks_table", [0])
    assert "Check " in texts(at)
    assert not [b for b in at.button if b.label in ("Release the order's results", "Issue the badge claims")]


def test_quality_records_a_walled_garden_order(as_role):
    at = as_role("quality.demo", CHECKS)
    programme_id = at.selectbox(key="order_programme").value
    at.text_input(key=f"order_number_{programme_id}").input("WG-999")
    at.button(key=f"FormSubmitter:order_new_{programme_id}-Record the order").click().run()
    assert "Attach the order's export" in texts(at)
