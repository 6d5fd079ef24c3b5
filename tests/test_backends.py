"""The scale-out database beside the embedded one: one SQL text, the same figures on both, a consistent move of an
installation into PostgreSQL, and a start that says what is wrong with the URL."""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from datetime import date, datetime

import pandas as pd
import psycopg
import pytest

from lib.analytics import batch_review, referrals
from lib.analytics.referrals import Period
from lib.config import load_settings
from lib.errors import Refused
from lib.service import forecast, quality_check, sla
from lib.startup import StartupProblem, open_database
from lib.store.db import ChangedMeanwhile, Database
from lib.store.figures import FiguresCopy, figures_db
from lib.store.files import FileStore
from lib.store.migrate import latest_version, migrate_database
from lib.store.sql_text import PlaceholderMismatch, for_postgres
from lib.store.transfer import TransferRefused, copy_database, count_rows
from tests.conftest import TODAY, load_user

# ---- one SQL text ---------------------------------------------------------------------------------------------


def test_placeholders_are_numbered_outside_quoted_text_and_comments():
    sql = """SELECT '?', "a?b", x -- is it ?
             FROM t /* ? */ WHERE a = ? AND b = ? AND c::VARCHAR = ?"""
    text, values = for_postgres(sql, [1, 2, 3])
    assert text.endswith("WHERE a = $1 AND b = $2 AND c::VARCHAR = $3")
    assert "'?'" in text and '"a?b"' in text and "-- is it ?" in text and "/* ? */" in text
    assert values == [1, 2, 3]


def test_named_parameters_become_one_number_each_however_often_they_are_used():
    text, values = for_postgres("SELECT $start, $end, $start WHERE x = 'it''s $start'", {"start": 1, "end": 2})
    assert text == "SELECT $1, $2, $1 WHERE x = 'it''s $start'"
    assert values == [1, 2]


def test_a_null_parameter_is_written_as_null_so_postgresql_need_not_guess_its_type():
    text, values = for_postgres("SELECT 1 WHERE (? IS NULL OR a = ?) AND b = ?", [None, None, 5])
    assert (text, values) == ("SELECT 1 WHERE (NULL IS NULL OR a = NULL) AND b = $1", [5])
    text, values = for_postgres("SELECT 1 WHERE (? IS NULL OR a = ?) AND ? is not null", ["x", "x", 2])
    assert (text, values) == ("SELECT 1 WHERE (1 IS NULL OR a = $1) AND 1 is not null", ["x"])


def test_placeholders_without_their_parameters_are_refused():
    with pytest.raises(PlaceholderMismatch):
        for_postgres("SELECT ?", None)
    with pytest.raises(PlaceholderMismatch):
        for_postgres("SELECT $missing", {"other": 1})
    with pytest.raises(PlaceholderMismatch):
        for_postgres("SELECT ?, ?", [1])


# ---- the same figures on both ---------------------------------------------------------------------------------


_both_numbers = itertools.count(1)


@pytest.fixture
def both(db_path, request):
    """The same demo on DuckDB and on PostgreSQL."""
    url = request.getfixturevalue("postgres_server").url(request.getfixturevalue("postgres_template"))
    name = f"ilma_both_{os.getpid()}_{next(_both_numbers)}"
    server = request.getfixturevalue("postgres_server")
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {url.rsplit('/', 1)[1]}")
    embedded, scaled = Database.open(db_path), Database.open_url(server.url(name))
    yield embedded, scaled
    embedded.close()
    scaled.close()
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_every_figure_is_the_same_on_both_backends(both):
    embedded, scaled = both
    figures = []
    for db in (embedded, scaled):
        team = load_user(db, "team.demo")
        view = referrals.rate_view(db, team, referrals.ALL_TIME)
        year = Period(date(2026, 1, 1), date(2026, 12, 31))
        predicted = forecast.forecast(db, team, TODAY)
        figures.append({
            **{f"rates {group}": frame for group, frame in view.tables.items()},
            "centres against the service": view.centres,
            "service": pd.DataFrame({"referrals": [view.referrals], "results": [view.results]}),
            "monthly": pd.DataFrame(sorted(view.monthly.items())),
            "batches": batch_review.batches(db, team, year),
            "performance by month": sla.performance(db, team, by="month"),
            "performance by centre": sla.performance(db, team, by="centre"),
            "on time by month": sla.on_time_by_month(db, team, today=TODAY),
            "forecast items": predicted.items,
        })
    on_duckdb, on_postgres = figures
    assert on_duckdb["service"].iloc[0, 1] > 100, "the demo has results to count"
    for name, frame in on_duckdb.items():
        pd.testing.assert_frame_equal(on_postgres[name].reset_index(drop=True), frame.reset_index(drop=True),
                                      check_dtype=False, obj=name)


def test_the_figures_copy_is_one_moment_and_is_made_again_when_old(both):
    _, scaled = both
    copy = FiguresCopy(scaled, refresh_seconds=3600)
    first = copy.current()
    released = first.db.query_one("SELECT count(*) FROM submissions WHERE stage = 'released'")[0]
    assert released == scaled.query_one("SELECT count(*) FROM submissions WHERE stage = 'released'")[0]
    scaled.transact(None, lambda w: (w.execute("UPDATE submissions SET stage = 'released', released_at = now(), "
                                               "result = 'Pass' WHERE id = (SELECT min(id) FROM submissions "
                                               "WHERE stage = 'ready')"), w.audit("test", "submission")))
    assert copy.current() is first, "a copy younger than the refresh period is used as it is"
    fresh = copy.refresh_now()
    assert fresh.db.query_one("SELECT count(*) FROM submissions WHERE stage = 'released'")[0] == released + 1
    assert fresh.counted_at >= first.counted_at
    copy.close()


def test_a_starting_replica_makes_its_first_figures_copy_in_the_background(both, monkeypatch):
    from lib.store import figures

    _, scaled = both
    made = []
    make_snapshot = figures.make_snapshot

    def counted(source):
        made.append(threading.current_thread().name)
        return make_snapshot(source)

    monkeypatch.setattr(figures, "make_snapshot", counted)
    copy = FiguresCopy(scaled, refresh_seconds=3600)
    copy.prepare()
    copy.prepare()  # a second start while the first copy is being made starts nothing
    first = copy.current()  # waits for the copy being made rather than making another
    assert made == ["figures-copy"], "one copy, made by the background thread, not by the first reader"
    copy.prepare()  # with a copy there, nothing to do
    assert copy.current() is first and len(made) == 1
    copy.close()


def test_the_figures_copy_keeps_awkward_text_lists_nulls_and_moments_exactly(both):
    _, scaled = both
    awkward = 'Line one, "quoted"\nline two; =SUM(A1) \\ ends with a comma,'
    moment = datetime(2026, 3, 4, 5, 6, 7, 891011)

    def write(writer):
        writer.execute("UPDATE centres SET name = ?, blocked_reason = '' WHERE id = (SELECT min(id) FROM centres)",
                       [awkward])
        writer.execute("UPDATE centres SET blocked_reason = NULL, created_at = ? "
                       "WHERE id = (SELECT max(id) FROM centres)", [moment])
        writer.execute("INSERT INTO method_requests (id, centre_id, qualification_code, methods, formats, expected_mb, "
                       "expected_minutes, reason, requested_at, requested_by, status) "
                       "VALUES (9001, 1, 'Q', ?, ?, 5, 10, ?, ?, 1, 'requested')",
                       [["a, b", 'say "hi"', "[x]"], [], awkward, moment])
        writer.audit("test", "centre")

    scaled.transact(None, write)
    figures = FiguresCopy(scaled, refresh_seconds=3600)
    copied = figures.refresh_now().db
    statements = ["SELECT name, blocked_reason, created_at FROM centres ORDER BY id",
                  "SELECT methods, formats, allowed_formats, reason, requested_at FROM method_requests WHERE id = 9001"]
    for sql in statements:
        assert copied.query_all(sql) == [tuple(row) for row in scaled.query_all(sql)]
    names = [row[0] for row in copied.query_all("SELECT name FROM centres ORDER BY id")]
    assert names[0] == awkward
    assert copied.query_all("SELECT blocked_reason FROM centres WHERE id = (SELECT min(id) FROM centres)") == [("",)]
    assert copied.query_one("SELECT methods, requested_at FROM method_requests WHERE id = 9001") == (
        ["a, b", 'say "hi"', "[x]"], moment)
    figures.close()


def test_a_changed_setting_counts_at_once_in_figures_from_the_copy(both):
    from lib.service.settings import setting

    _, scaled = both
    copy = figures_db(scaled)
    before = setting(copy, "funnel_min_results")
    scaled.transact(None, lambda w: (w.execute("UPDATE settings SET value = ? WHERE key = 'funnel_min_results'",
                                               [str(int(before) + 7)]), w.audit("test", "setting")))
    assert setting(figures_db(scaled), "funnel_min_results") == before + 7


def test_figures_on_duckdb_are_counted_in_the_database_itself(db_path):
    db = Database.open(db_path)
    try:
        assert figures_db(db) is db
    finally:
        db.close()


# ---- writes that race ------------------------------------------------------------------------------------------


def test_two_replicas_accepting_one_item_at_once_accept_it_once(both):
    """Each with its own pool (as two processes have): REPEATABLE READ makes the second a serialization failure,
    which ends in the refusal the page shows, never in two audit rows."""
    _, scaled = both
    other = Database.open_url(scaled.url)
    try:
        team = load_user(scaled, "team.demo")
        item = scaled.query_one("SELECT min(id) FROM submissions WHERE stage = 'submitted'")[0]
        barrier, outcomes = threading.Barrier(2), []

        def accept(db):
            barrier.wait()
            try:
                quality_check.accept(db, team, item)
                outcomes.append("accepted")
            except Refused:  # ChangedMeanwhile, or the item's new stage read after the other committed
                outcomes.append("refused")
            except Exception as error:  # noqa: BLE001 - any other outcome fails the test below
                outcomes.append(repr(error))

        threads = [threading.Thread(target=accept, args=(db,)) for db in (scaled, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(outcomes) == ["accepted", "refused"], outcomes
        assert scaled.query_one("SELECT count(*) FROM audit_log WHERE entity = 'submission' AND entity_id = ? "
                                "AND action LIKE '%accept%'", [str(item)])[0] == 1
    finally:
        other.close()


# ---- moving an installation in -----------------------------------------------------------------------------------


def _new_database(server, name: str) -> Database:
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    return Database.open_url(server.url(name))


def test_an_embedded_installation_moves_whole_and_a_second_move_is_refused(db_path, postgres_server):
    source, target = Database.open(db_path), _new_database(postgres_server, "ilma_moved")
    try:
        copied = copy_database(source, target)
        assert copied == count_rows(source) == count_rows(target)
        assert copied["submissions"] == 800
        # The sequences go on after the moved rows: a new row gets a new id.
        assert target.query_one("SELECT nextval('seq_submissions')")[0] > source.query_one(
            "SELECT max(id) FROM submissions")[0]
        with pytest.raises(TransferRefused, match="already holds an installation"):
            copy_database(source, target)
        assert count_rows(target) == copied
    finally:
        source.close()
        target.close()


def test_migrations_run_once_on_postgres_and_say_their_version(postgres_server):
    db = _new_database(postgres_server, "ilma_migrated")
    try:
        assert migrate_database(db) == list(range(1, latest_version() + 1))
        assert migrate_database(db) == []
        assert db.query_one("SELECT max(version) FROM schema_version")[0] == latest_version()
    finally:
        db.close()


def test_uniqueness_is_the_databases_on_postgres_too(both):
    _, scaled = both
    with pytest.raises(ChangedMeanwhile):
        scaled.transact(None, lambda w: (w.execute("INSERT INTO centres (id, number, name, created_at) "
                                                   "SELECT nextval('seq_centres'), number, 'Copy', now() FROM centres "
                                                   "WHERE number = '012345'"), w.audit("test", "centre")))


def test_list_contains_answers_as_duckdb_does_on_both(both):
    cases = [("SELECT list_contains(CAST(? AS VARCHAR[]), ?)", [["ready", "marking"], "ready"]),
             ("SELECT list_contains(CAST(? AS VARCHAR[]), ?)", [["ready", "marking"], "released"]),
             ("SELECT list_contains(CAST(? AS VARCHAR[]), ?)", [["ready", None], "released"]),
             ("SELECT list_contains(CAST(? AS VARCHAR[]), CAST(? AS VARCHAR))", [["ready"], None]),
             ("SELECT list_contains(CAST(? AS INTEGER[]), ?)", [[], 3])]
    answers = [[db.query_one(sql, params)[0] for sql, params in cases] for db in both]
    assert answers[0] == answers[1] == [True, False, False, None, False]


QUEUE_STATEMENTS = {
    "open items by stage": ("SELECT id FROM submissions WHERE list_contains(?, stage) ORDER BY sla_target LIMIT 50",
                            [["qc", "allocation"]]),
    "an assessor's open items": ("SELECT id FROM submissions WHERE assessor_id = ? AND stage = 'marking'", [7]),
    "a centre's Tracker count": ("SELECT count(*) FROM submissions WHERE centre_id = ?", [1]),
    "a centre's results this year": ("SELECT count(*) FROM submissions WHERE centre_id = ? AND stage = 'released' "
                                     "AND released_at >= ?", [1, date(2026, 1, 1)]),
    "a learner's items": ("SELECT id FROM submissions WHERE learner_id = ?", [1]),
}


@pytest.mark.parametrize("case", sorted(QUEUE_STATEMENTS))
def test_queue_statements_read_an_index_on_postgresql_not_the_whole_table(both, case):
    _, scaled = both
    sql, params = QUEUE_STATEMENTS[case]

    with scaled.cursor() as cursor:
        cursor.begin()
        # The demo is small enough that a scan would be cheapest; forbidding scans shows whether an index exists
        # that PostgreSQL can use for the statement as the app writes it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        explained = "\n".join(row[0] for row in cursor.execute("EXPLAIN " + sql, params).fetchall())
        cursor.rollback()
    assert "Seq Scan on submissions" not in explained, explained
    assert "Index Cond" in explained, explained


# ---- starting on PostgreSQL ----------------------------------------------------------------------------------------


def test_a_first_start_on_an_empty_database_moves_the_demo_in_once(postgres_server, tmp_path, monkeypatch):
    _new_database(postgres_server, "ilma_first").close()
    env = {"ILMA_DB": str(tmp_path / "unused.duckdb"), "ILMA_FILES": str(tmp_path / "files"),
           "ILMA_DATABASE_URL": postgres_server.url("ilma_first")}
    settings = load_settings(env)
    opened = []

    def start():
        opened.append(open_database(settings, demo_submissions=120))

    # Two replicas starting together: one builds, the other waits for it and finds the installation there.
    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert sorted(o.created_demo for o in opened) == [False, True]
    assert opened[0].db.query_one("SELECT count(*) FROM submissions")[0] == 120
    for o in opened:
        o.db.close()


def test_a_wrong_database_url_stops_the_start_saying_so_without_its_password(tmp_path):
    settings = load_settings({"ILMA_DB": str(tmp_path / "unused.duckdb"), "ILMA_FILES": str(tmp_path / "files"),
                              "ILMA_DATABASE_URL": "postgresql://ilma:secret-word@127.0.0.1:1/nowhere"})
    with pytest.raises(StartupProblem) as problem:
        open_database(settings)
    assert problem.value.title == "The PostgreSQL database cannot be reached"
    assert "secret-word" not in problem.value.detail and "ilma:***@" in problem.value.detail
    assert "ILMA_DATABASE_URL" in problem.value.remedy


def test_migrate_to_postgres_moves_the_database_and_every_file_and_checks_them(db_path, postgres_server, s3_server,
                                                                                 monkeypatch, capsys):
    from lib.__main__ import main
    from lib.store.objects import ObjectStore
    from tests import s3server

    target = _new_database(postgres_server, "ilma_command")
    target.close()
    for key, value in s3_server.env(s3server.BUCKET, "moved").items():
        monkeypatch.setenv(key, value)
    files = db_path.parent / "files"
    code = main(["migrate-to-postgres", "--to", postgres_server.url("ilma_command"), "--files",
                 f"s3://{s3server.BUCKET}/moved", "--db", str(db_path), "--from-files", str(files)])
    outcome = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0, outcome
    source = Database.open(db_path)
    moved = Database.open_url(postgres_server.url("ilma_command"))
    try:
        names = [row[0] for row in source.query_all("SELECT stored_name FROM files ORDER BY id")]
        assert outcome["files"] == len(names) > 50 and outcome["problems"] == []
        assert count_rows(moved) == count_rows(source)
        bucket = ObjectStore.connect(f"s3://{s3server.BUCKET}/moved", s3_server.endpoint)
        for name in names[:: max(1, len(names) // 10)]:
            assert bucket.read(name) == (files / name).read_bytes()
    finally:
        source.close()
        moved.close()
    # A second move into the same database is refused, and says why.
    assert main(["migrate-to-postgres", "--to", postgres_server.url("ilma_command"), "--files",
                 f"s3://{s3server.BUCKET}/moved", "--db", str(db_path), "--from-files", str(files)]) == 1
    assert "already holds an installation" in capsys.readouterr().err


# ---- jobs across replicas ------------------------------------------------------------------------------------------


def test_a_job_runs_on_one_replica_and_a_live_replicas_run_is_not_taken_for_dead(both, tmp_path):
    from lib.ops import jobs
    from lib.store.files import FileStore

    _, scaled = both
    team = load_user(scaled, "team.demo")
    settings = load_settings({"ILMA_DB": str(tmp_path / "unused.duckdb"), "ILMA_FILES": str(tmp_path / "files")})
    store = FileStore(tmp_path / "files")
    other_replica = psycopg.connect(scaled.url, autocommit=True)
    try:
        # Another replica is running a job: it holds the advisory lock on its connection and its run is recorded.
        other_replica.execute("SELECT pg_advisory_lock(%s)", [jobs.JOB_ADVISORY_LOCK])
        scaled.transact(None, lambda w: (
            w.execute("INSERT INTO job_runs (id, job, trigger, requested_by, started_at, outcome) "
                      "VALUES (nextval('seq_job_runs'), 'eqa-alerts', 'schedule', 'scheduler', now(), 'running')"),
            w.execute("INSERT INTO job_lock SELECT 'jobs', max(id), now() FROM job_runs"),
            w.audit("test", "job_run")))
        with pytest.raises(jobs.JobBusy, match="EQA alerts.* is running"):
            jobs.run(scaled, store, settings, "eqa-alerts", team, "person")
        assert jobs.recover_interrupted(scaled) == 0, "a replica starting must not end a live replica's run"
        assert scaled.query_one("SELECT count(*) FROM job_runs WHERE outcome = 'running'")[0] == 1
    finally:
        dead = other_replica.info.backend_pid
        other_replica.close()  # the replica dies: PostgreSQL lets go of its lock once its backend has ended
    deadline = time.monotonic() + 10
    while scaled.query_one("SELECT count(*) FROM pg_stat_activity WHERE pid = ?", [dead])[0]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert jobs.recover_interrupted(scaled) == 1
    outcome = jobs.run(scaled, store, settings, "eqa-alerts", team, "person")
    assert outcome.outcome == "done", outcome



# ---- backups of the scale-out configuration ---------------------------------------------------------------------


def test_a_postgres_backup_taken_while_replicas_write_restores_whole_with_its_files(both, postgres_server, s3_server,
                                                                                     tmp_path, monkeypatch):
    from lib.store import backup
    from lib.store.objects import ObjectStore
    from lib.store.pg_backup import restore_postgres, take_postgres
    from tests import s3server
    from tests.conftest import files_beside

    embedded, scaled = both
    store = FileStore(files_beside(embedded))
    stop, written = threading.Event(), []

    def keep_writing():
        while not stop.is_set():
            scaled.transact(None, lambda w: (w.execute("INSERT INTO audit_log (id, occurred_at, username, action, "
                                                       "entity) VALUES (nextval('seq_audit_log'), now(), 'load', "
                                                       "'write', 'test')"), w.audit("test", "test")))
            written.append(1)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        taken = take_postgres(scaled, store, tmp_path / "backups")
    finally:
        stop.set()
        writer.join(30)
    assert written, "the writer wrote while the backup ran"
    checked = backup.verify(taken.folder)
    assert checked.ok, checked.problems
    assert taken.files == embedded.query_one("SELECT count(*) FROM files")[0] and not taken.missing

    target = _new_database(postgres_server, "ilma_restored")
    for key, value in s3_server.env(s3server.BUCKET, "restored").items():
        monkeypatch.setenv(key, value)
    bucket = ObjectStore.connect(f"s3://{s3server.BUCKET}/restored", s3_server.endpoint)
    try:
        restore_postgres(taken.folder, target, bucket)
        manifest = json.loads((taken.folder / "manifest.json").read_text())
        assert count_rows(target) == {t: n for t, n in manifest["tables"].items() if t != "schema_version"}
        name = target.query_one("SELECT stored_name FROM files ORDER BY id LIMIT 1")[0]
        assert bucket.read(name) == store.read(name)
        with pytest.raises(backup.BackupProblem, match="already holds an installation"):
            restore_postgres(taken.folder, target, bucket)
    finally:
        target.close()


def test_a_broken_postgres_backup_is_named_by_verify(both, tmp_path):
    from lib.store import backup
    from lib.store.pg_backup import DUMP, take_postgres
    from tests.conftest import files_beside

    embedded, scaled = both
    taken = take_postgres(scaled, FileStore(files_beside(embedded)), tmp_path / "backups")
    (taken.folder / DUMP).write_bytes(b"not a dump")
    problems = backup.verify(taken.folder).problems
    assert any("dump cannot be read" in problem for problem in problems), problems


def test_a_figures_refresh_yields_the_cpu_to_pages_and_a_first_copy_does_not(both, monkeypatch):
    from lib.store import figures

    _, scaled = both
    priorities = []
    make_snapshot = figures.make_snapshot

    def noted(source):
        priorities.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return make_snapshot(source)

    monkeypatch.setattr(figures, "make_snapshot", noted)
    copy = FiguresCopy(scaled, refresh_seconds=0.01)
    copy.prepare()
    first = copy.current()  # the first copy, waited for
    time.sleep(0.05)
    assert copy.current() is first, "a stale copy is still read while the next is made"
    deadline = time.monotonic() + 60
    while copy.current() is first and time.monotonic() < deadline:
        time.sleep(0.05)
    copy._refresh_after = float("inf")  # no further refresh while the test ends
    assert priorities[:2] == [os.getpriority(os.PRIO_PROCESS, 0), figures.LOWEST_PRIORITY]
    assert os.getpriority(os.PRIO_PROCESS, 0) != figures.LOWEST_PRIORITY, "the process itself keeps its priority"
    copy.close()
