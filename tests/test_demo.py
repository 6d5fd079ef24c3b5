import subprocess
import sys

import pytest

from lib import demo
from lib.rules import workdays
from lib.rules.roles import ROLES
from lib.store.db import Database
from tests.conftest import SMALL_DEMO_SUBMISSIONS, TODAY

pytestmark = pytest.mark.embedded_only("the demo is built on the embedded engine; PostgreSQL gets the same "
                                       "rows moved in, which tests/test_backends.py checks")


def test_exactly_the_asked_number_of_submissions(db):
    assert db.query_one("SELECT count(*), max(id) FROM submissions") == (SMALL_DEMO_SUBMISSIONS, SMALL_DEMO_SUBMISSIONS)


def test_same_seed_same_data(tmp_path):
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    demo.build(first, 300, seed_value=11, today=TODAY)
    demo.build(second, 300, seed_value=11, today=TODAY)
    query = "SELECT * EXCLUDE (uploaded_by, submitted_by) FROM submissions ORDER BY id"
    a, b = Database.open(first), Database.open(second)
    assert a.query_all(query) == b.query_all(query)
    assert a.query_all("SELECT enr, first_name, last_name FROM learners ORDER BY id") == \
        b.query_all("SELECT enr, first_name, last_name FROM learners ORDER BY id")


def test_every_state_category_and_type_is_present(db):
    stages = {r[0] for r in db.query_all("SELECT DISTINCT stage FROM submissions")}
    assert stages >= {"pending", "submitted", "accepted", "allocated", "released", "rejected"}
    assert {r[0] for r in db.query_all("SELECT DISTINCT category FROM submissions WHERE category IS NOT NULL")} == \
        {"New", "Updated", "Re-assessment"}
    assert {r[0] for r in db.query_all("SELECT DISTINCT type FROM submissions")} == {"Unit", "Integrated"}
    assert {r[0] for r in db.query_all("SELECT DISTINCT result FROM submissions WHERE result IS NOT NULL")} == \
        {"Pass", "Referral"}


def test_spread_over_the_last_three_years(db):
    first, last = db.query_one("SELECT min(submitted_at)::DATE, max(submitted_at)::DATE FROM submissions")
    assert (TODAY - first).days > 2.5 * 365
    assert (TODAY - last).days < 10


def test_categories_follow_the_record_they_resubmit(db):
    rows = db.query_all(
        """SELECT s.category, p.stage, p.result,
                  s.learner_id = p.learner_id AND s.unit_codes = p.unit_codes, s.id > p.id
           FROM submissions s JOIN submissions p ON p.id = s.resubmits_id WHERE s.category IS NOT NULL""")
    assert rows
    for category, previous_stage, previous_result, same_work, later in rows:
        assert same_work and later
        assert (category, previous_stage, previous_result) in {
            ("Updated", "rejected", None), ("Re-assessment", "released", "Referral")}
    firsts = db.query_all(
        "SELECT DISTINCT category FROM submissions WHERE resubmits_id IS NULL AND category IS NOT NULL")
    assert firsts == [("New",)]


def test_each_learner_unit_is_new_only_once(db):
    assert db.query_one("""SELECT count(*) FROM (SELECT learner_id, unit_codes FROM submissions
                           WHERE resubmits_id IS NULL GROUP BY 1, 2 HAVING count(*) > 1) repeated""")[0] == 0


def test_results_agree_with_unit_results(db):
    rows = db.query_all(
        """SELECT s.result, bool_or(u.result = 'Referral'), bool_and(u.result IS NOT NULL), count(*), s.type
           FROM submissions s JOIN submission_units u ON u.submission_id = s.id
           WHERE s.stage = 'released' GROUP BY s.id, s.result, s.type""")
    for result, any_referral, all_marked, units, kind in rows:
        assert all_marked
        assert result == ("Referral" if any_referral else "Pass")
        assert (kind == "Integrated") == (units > 1)


def test_sla_dates_follow_the_working_day_rules(db):
    rows = db.query_all("SELECT submitted_at, received_on, sla_target, qc_due FROM submissions "
                        "WHERE submitted_at IS NOT NULL ORDER BY id LIMIT 200")
    for submitted_at, received, target, qc_due in rows:
        assert received == workdays.received_on(submitted_at)
        assert target == workdays.sla_target(submitted_at)
        assert qc_due == workdays.quality_check_due(submitted_at)


def test_re_assessments_are_batched_under_a_purchase_order(db):
    names = [r[0] for r in db.query_all("""SELECT DISTINCT b.name FROM submissions s JOIN batches b ON b.id = s.batch_id
                                           WHERE s.category = 'Re-assessment'""")]
    assert names and all(name.startswith("PO ") for name in names)
    unbatched = "SELECT count(*) FROM submissions WHERE category = 'Re-assessment' AND batch_id IS NULL"
    assert db.query_one(unbatched)[0] == 0


def test_batches_belong_to_the_centre_of_their_submissions(db):
    assert db.query_one("SELECT count(*) FROM submissions s JOIN batches b ON b.id = s.batch_id "
                        "WHERE b.centre_id <> s.centre_id")[0] == 0


def test_a_user_of_every_role_and_the_demo_marker(db):
    roles = {r[0] for r in db.query_all("SELECT DISTINCT role FROM users WHERE status = 'active'")}
    assert roles == set(ROLES)
    assert demo.is_demo(db)
    assert db.query_one("SELECT count(*) FROM centres")[0] >= 3


def test_the_seed_units_are_there(db):
    rows = dict(db.query_all("SELECT code, word_limit FROM units"))
    assert {"8000-250", "8000-251", "8000-255", "8585-300", "8588-500", "8588-503"} <= rows.keys()
    assert rows["8585-300"] == 5000 and rows["8588-500"] == 8000 and rows["8588-501"] is None
    assert rows["8000-250"] == 5000


def test_new_ids_continue_after_the_demo_rows(db):
    assert db.query_one("SELECT nextval('seq_submissions')")[0] == SMALL_DEMO_SUBMISSIONS + 1


def test_build_refuses_to_overwrite(tmp_path):
    path = tmp_path / "exists.duckdb"
    path.write_text("keep me")
    with pytest.raises(FileExistsError):
        demo.build(path, 10, today=TODAY)
    assert path.read_text() == "keep me"


def test_command_line(tmp_path):
    path = tmp_path / "cli.duckdb"
    done = subprocess.run([sys.executable, "-m", "lib.demo", "--db", str(path), "--submissions", "250",
                           "--seed", "3", "--today", "2026-11-23"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "250 submissions" in done.stdout
    assert Database.open(path).query_one("SELECT count(*) FROM submissions")[0] == 250
    again = subprocess.run([sys.executable, "-m", "lib.demo", "--db", str(path), "--submissions", "5"],
                           capture_output=True, text=True, check=False)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_dates_do_not_reach_past_today(db):
    assert db.query_one("SELECT max(released_at)::DATE <= ?, max(uploaded_at)::DATE <= ? FROM submissions",
                        [TODAY, TODAY]) == (True, True)
    assert db.query_one("""SELECT count(*) FROM submissions WHERE uploaded_at > submitted_at
                           OR released_at < submitted_at OR rejected_at < submitted_at""")[0] == 0


def test_the_work_a_demo_walks_through_has_real_files_that_pass_the_services_checks(tmp_path):
    from lib.checks.accept import check_evidence, check_result_sheet
    from lib.store.files import FileStore

    path, files = tmp_path / "demo.duckdb", tmp_path / "files"
    demo.build(path, 600, seed_value=3, today=TODAY, files_dir=files)
    db = Database.open(path)
    store = FileStore(files)
    bare = db.query_all(
        """SELECT s.id, s.stage FROM submissions s LEFT JOIN users a ON a.id = s.assessor_id
           WHERE (s.stage IN ('submitted', 'sampling', 'ready') OR (s.stage = 'allocated' AND a.username = 'assessor.demo'))
             AND (NOT EXISTS (SELECT 1 FROM files f WHERE f.submission_id = s.id AND f.kind = 'evidence')
                  OR EXISTS (SELECT 1 FROM submission_units u WHERE u.submission_id = s.id AND NOT EXISTS (
                      SELECT 1 FROM files f WHERE f.submission_id = s.id AND f.kind = 'result_sheet'
                        AND f.unit_code = u.unit_code)))""")
    assert bare == []  # no "No files." in quality check, the demo assessor's queue, sampling or release
    marked = db.query_one("""SELECT count(*) FROM submission_units u JOIN submissions s ON s.id = u.submission_id
                             WHERE s.stage IN ('sampling', 'ready') AND NOT EXISTS (
                                 SELECT 1 FROM files f WHERE f.submission_id = s.id
                                   AND f.kind = 'marked_result_sheet' AND f.unit_code = u.unit_code)""")[0]
    assert marked == 0
    for kind, check in (("evidence", check_evidence), ("result_sheet", check_result_sheet)):
        name, stored = db.query_one("SELECT original_name, stored_name FROM files WHERE kind = ? LIMIT 1", [kind])
        check(name, store.read(stored))  # a file the service's own checks accept
    learner, data = db.query_one(
        """SELECT l.first_name || ' ' || l.last_name, f.stored_name FROM files f JOIN submissions s ON s.id = f.submission_id
           JOIN learners l ON l.id = s.learner_id WHERE f.kind = 'evidence' LIMIT 1""")
    import io

    import docx
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(store.read(data))).paragraphs)
    assert learner in text and "Reflective account for unit" in text


def test_eqa_alerts_and_their_follow_up_are_dated_in_the_months_they_describe(db):
    alerts = db.query_all("SELECT id, first_month, last_month, raised_at FROM eqa_alerts ORDER BY id")
    assert alerts
    for alert_id, first_month, _, raised_at in alerts:
        year, month = map(int, first_month.split("-"))
        assert (raised_at.year, raised_at.month) > (year, month)  # raised once its months were complete
        assert raised_at.date() < TODAY.replace(day=1) or alert_id == alerts[-1][0]
        notes = [row[0] for row in db.query_all(
            "SELECT written_at FROM eqa_alert_notes WHERE alert_id = ? ORDER BY written_at", [alert_id])]
        assert all(raised_at <= written for written in notes)
    closed = db.query_all("SELECT raised_at, updated_at FROM eqa_alerts WHERE status = 'closed'")
    assert all((updated - raised).days > 30 for raised, updated in closed)
