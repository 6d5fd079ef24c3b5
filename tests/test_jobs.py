"""The service's jobs: when each is due, one at a time, each run recorded; the app's scheduler runs them, and a
command hands a job to the running app and waits for its outcome instead of asking for the app to be stopped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta

import pytest
from lxml import etree

from lib.config import PROJECT_ROOT, load_settings
from lib.demo import DEMO_CENTRE_NUMBER
from lib.errors import Refused
from lib.ops import jobs
from lib.ops.scheduler import Scheduler
from lib.store import backup, devserver
from lib.store.files import FileStore
from tests.apptest_helpers import STRONG_KEY, texts
from tests.conftest import load_user
from tests.test_ilr_return import SCHEMA


@pytest.fixture
def settings(db_path, tmp_path):
    return load_settings({"ILMA_DB": str(db_path), "ILMA_BACKUPS": str(tmp_path / "backups")})


def set_setting(db, key: str, value: str) -> None:
    db.transact(None, lambda writer: (writer.execute("UPDATE settings SET value = ? WHERE key = ?", [value, key]),
                                      writer.audit("setting_changed", "settings", key)))


@pytest.mark.parametrize(("name", "now", "slot"), [
    ("backup", datetime(2026, 12, 3, 1, 59), datetime(2026, 12, 2, 2, 0)),  # before tonight's hour: last night
    ("backup", datetime(2026, 12, 3, 2, 0), datetime(2026, 12, 3, 2, 0)),
    ("archive", datetime(2026, 12, 3, 23, 0), datetime(2026, 12, 3, 2, 0)),
    ("invoicing", datetime(2026, 12, 3, 12, 0), datetime(2026, 12, 2, 2, 0)),  # Thursday: Wednesday's run
    ("invoicing", datetime(2026, 12, 2, 1, 0), datetime(2026, 11, 25, 2, 0)),  # Wednesday before the hour
])
def test_each_job_is_due_at_its_hour(db, name, now, slot):
    assert jobs.JOBS[name].latest_slot(jobs.Timing.of(db), now) == slot


def test_backups_every_few_hours_count_from_the_nightly_hour(db):
    set_setting(db, "backup_interval_hours", "6")
    spec, timing = jobs.JOBS["backup"], jobs.Timing.of(db)
    assert spec.latest_slot(timing, datetime(2026, 12, 3, 13, 59)) == datetime(2026, 12, 3, 8, 0)
    assert spec.latest_slot(timing, datetime(2026, 12, 3, 1, 0)) == datetime(2026, 12, 2, 20, 0)
    assert spec.schedule(timing) == "every 6 hours from 02:00"


def test_a_new_database_waits_for_the_first_slot_then_each_job_is_due_once(db, settings):
    db.transact(None, lambda writer: (
        writer.execute("UPDATE schema_version SET applied_at = TIMESTAMP '2026-11-26 10:00:00'"),  # a Thursday
        writer.audit("test", "schema_version")))
    assert jobs.due_jobs(db, datetime(2026, 11, 26, 10, 1)) == []
    nightly = ["backup", "archive", "reconcile-files", "eqa-alerts"]
    assert [spec.name for spec in jobs.due_jobs(db, datetime(2026, 11, 27, 2, 0))] == nightly
    wednesday = datetime(2026, 12, 2, 2, 0)
    assert [spec.name for spec in jobs.due_jobs(db, wednesday)] == [*nightly, "invoicing"]
    team = load_user(db, "team.demo")
    outcome = jobs.run(db, FileStore(settings.files_dir), settings, "eqa-alerts", team, "person", now=wednesday)
    assert outcome.outcome == "done"
    assert "eqa-alerts" not in [spec.name for spec in jobs.due_jobs(db, wednesday + timedelta(hours=5))]
    assert "eqa-alerts" in [spec.name for spec in jobs.due_jobs(db, wednesday + timedelta(days=1))]


def test_one_job_runs_at_a_time_and_the_second_is_told_which(db, settings, monkeypatch):
    started = threading.Event()
    release = threading.Event()

    def slow(context):
        started.set()
        release.wait(10)
        return {"slept": True}

    monkeypatch.setitem(jobs.JOBS, "slow", jobs.Job("slow", "Slow job", "waits", slow))
    team = load_user(db, "team.demo")
    store = FileStore(settings.files_dir)
    first = threading.Thread(target=jobs.run, args=(db, store, settings, "slow", team, "person"))
    first.start()
    assert started.wait(10)
    with pytest.raises(jobs.JobBusy, match="Slow job, started .* by team.demo is running"):
        jobs.run(db, store, settings, "backup", team, "person")
    release.set()
    first.join()
    runs = db.query_all("SELECT job, outcome FROM job_runs ORDER BY id")
    assert runs == [("slow", "done")]
    assert jobs.run(db, store, settings, "backup", team, "person").outcome == "done"


def test_a_failed_run_is_recorded_and_shown_until_one_succeeds(db, settings, monkeypatch):
    def broken(context):
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(jobs.JOBS, "backup", jobs.Job("backup", "Backup", "copies", broken))
    team = load_user(db, "team.demo")
    outcome = jobs.run(db, FileStore(settings.files_dir), settings, "backup", team, "schedule")
    assert outcome.outcome == "failed" and "No space left on device" in outcome.message
    assert [(state.job.name, state.problem) for state in jobs.problems(db, team)] == [("backup", "failed")]
    assert jobs.problems(db, load_user(db, "quality.demo")) == []
    assert db.query_one("SELECT count(*) FROM job_lock")[0] == 0, "a failure gives the lock back"


def test_a_job_never_completed_for_longer_than_its_period_is_overdue(db):
    created = db.query_one("SELECT min(applied_at) FROM schema_version")[0]
    team = load_user(db, "team.demo")
    assert jobs.problems(db, team, created + timedelta(hours=20)) == []
    overdue = {state.job.name for state in jobs.problems(db, team, created + timedelta(days=2))}
    assert overdue == {"backup", "archive", "reconcile-files", "eqa-alerts"}


def test_runs_left_by_a_process_that_died_are_marked_interrupted(db):
    db.transact(None, lambda writer: (
        writer.execute("INSERT INTO job_runs (id, job, trigger, requested_by, started_at, outcome) "
                       "VALUES (nextval('seq_job_runs'), 'backup', 'schedule', 'team.demo', now(), 'running')"),
        writer.execute("INSERT INTO job_lock SELECT 'jobs', max(id), now() FROM job_runs"),
        writer.audit("test", "job_run")))
    assert jobs.recover_interrupted(db) == 1
    assert db.query_one("SELECT outcome FROM job_runs")[0] == "interrupted"
    assert db.query_one("SELECT count(*) FROM job_lock")[0] == 0
    # An interrupted run does not count as the night's run: the job is due again.
    assert "backup" in [spec.name for spec in jobs.due_jobs(db, datetime.now() + timedelta(days=2))]


def test_the_scheduler_runs_each_due_job_once(db, settings):
    db.transact(None, lambda writer: (
        # Installed over a week ago: every job has had its slot since, the weekly invoicing (Wednesdays) included.
        writer.execute("UPDATE schema_version SET applied_at = applied_at - INTERVAL '8 days'"),
        writer.audit("test", "schema_version")))
    scheduler = Scheduler(db, FileStore(settings.files_dir), settings, check_every=0.2, tick=0.1).start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and db.query_one(
                "SELECT count(*) FROM job_runs WHERE outcome <> 'running'")[0] < len(jobs.JOBS):
            time.sleep(0.2)
        time.sleep(1)  # several more checks: nothing runs twice
    finally:
        scheduler.stop()
    runs = db.query_all("SELECT job, trigger, outcome FROM job_runs ORDER BY id")
    assert sorted(job for job, _, _ in runs) == sorted(jobs.JOBS)
    assert {(trigger, outcome) for _, trigger, outcome in runs} == {("schedule", "done")}
    assert len(backup.backups(settings.backups_dir)) == 1


def run_command(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=300, env=env)


def test_commands_hand_jobs_to_the_running_app_and_run_them_alone_when_it_is_stopped(db_path, tmp_path):
    env = {**os.environ, "ILMA_DB": str(db_path), "ILMA_COOKIE_KEY": STRONG_KEY, "ILMA_JOBS": "manual",
           "ILMA_SECRETS_FILE": str(tmp_path / "no-secrets.toml"), "ILMA_BACKUPS": str(tmp_path / "backups")}
    process, url = devserver.start(env)
    try:
        # The script health check runs app.py once: it opens the database and starts the scheduler.
        with urllib.request.urlopen(f"{url}/_stcore/script-health-check", timeout=120) as answer:
            assert answer.status == 200
        handed = run_command("backup", env=env)
        assert handed.returncode == 0, handed.stderr
        assert "holds" in handed.stderr and "stop the app" not in handed.stderr
        outcome = json.loads(handed.stdout)
        assert outcome["outcome"] == "done" and outcome["files"] > 0
        assert backup.verify(backup.resolve(tmp_path / "backups")).ok
        eqa = run_command("run-job", "eqa-alerts", env=env)
        assert eqa.returncode == 0 and json.loads(eqa.stdout)["job"] == "eqa-alerts", eqa.stderr
        ilr_file = tmp_path / "ilr.xml"
        exported = run_command("export-ilr", "--centre", DEMO_CENTRE_NUMBER, "--out", str(ilr_file), env=env)
        assert exported.returncode == 0 and "holds" in exported.stderr, exported.stderr
        assert json.loads(exported.stdout)["learners"] > 0
        assert SCHEMA.validate(etree.parse(str(ilr_file))), SCHEMA.error_log
    finally:
        devserver.stop(process)
    alone = run_command("reconcile-files", env=env)
    assert alone.returncode == 0 and json.loads(alone.stdout)["outcome"] == "done", alone.stderr
    assert "holds" not in alone.stderr
    import duckdb

    connection = duckdb.connect(str(db_path), read_only=True)
    runs = connection.execute("SELECT job, trigger, outcome FROM job_runs ORDER BY id").fetchall()
    connection.close()
    assert runs == [("backup", "command", "done"), ("eqa-alerts", "command", "done"),
                    ("export-ilr", "command", "done"), ("reconcile-files", "command", "done")]


def test_a_command_says_who_holds_the_database_when_no_app_answers(db_path, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(60)", str(db_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        refused = run_command("backup", "--db", str(db_path))
    finally:
        holder.kill()
        holder.wait()
    assert refused.returncode == 2
    assert "does not answer job requests" in refused.stderr and "Traceback" not in refused.stderr


def test_a_command_for_a_database_that_is_not_there_says_so(tmp_path):
    missing = tmp_path / "nowhere" / "ilma.duckdb"
    refused = run_command("backup", "--db", str(missing))
    assert refused.returncode == 2 and f"There is no database at {missing}" in refused.stderr
    assert not missing.exists()


def test_the_team_runs_a_backup_from_operations_and_sees_it_kept(as_role, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("ILMA_BACKUPS", str(tmp_path / "backups"))
    at = as_role("team.demo", "pages/admin/operations_page.py")
    assert "No backup has been taken yet." in texts(at)
    at.selectbox(key="operations_job").select("backup").run()
    at.button(key="operations_run").click().run()
    assert "Run backup now?" in texts(at)
    assert not backup.backups(tmp_path / "backups"), "nothing runs before it is confirmed"
    at.button(key="operations_run_confirm").click().run()
    assert not at.exception, at.exception
    assert "Backup: done" in texts(at)
    kept = backup.backups(tmp_path / "backups")
    assert len(kept) == 1
    shown = [frame.value for frame in at.dataframe]
    backups_kept = next(frame for frame in shown if "Backup" in frame.columns)
    runs = next(frame for frame in shown if "Started" in frame.columns)
    assert backups_kept.Backup.tolist() == [kept[0].name]
    assert runs.Outcome.tolist() == ["Done"] and runs.How.tolist() == ["Run now"]
    assert kept[0].name in at.code[0].value


def test_a_failed_job_is_on_the_teams_home(as_role, db_path, monkeypatch):
    from tests.conftest import open_test_database

    db = open_test_database(db_path)
    try:
        db.transact(None, lambda writer: (
            writer.execute("INSERT INTO job_runs VALUES (nextval('seq_job_runs'), 'archive', 'schedule', 'team.demo', "
                           "TIMESTAMP '2026-12-02 02:00:00', TIMESTAMP '2026-12-02 02:00:05', 'failed', '{}', "
                           "'OSError: disk full')"),
            writer.audit("test", "job_run")))
    finally:
        db.close()
    at = as_role("team.demo", "pages/common/home_page.py")
    assert "**Archive (retention) failed** on 02/12/2026 at 02:00." in texts(at)
    at = as_role("quality.demo", "pages/common/home_page.py")
    assert "Archive (retention) failed" not in texts(at)  # the team runs the jobs; quality is not told


def test_only_the_team_runs_jobs(db, settings):
    with pytest.raises(Refused, match="Only the ILM Assessment Team"):
        jobs.run(db, FileStore(settings.files_dir), settings, "backup", load_user(db, "quality.demo"), "person")
