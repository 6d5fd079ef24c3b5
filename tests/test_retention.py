"""Retention: items older than the retention period go to the archive (Parquet, with a manifest, and their files)
and come back byte for byte; a run is resumable and a no-op when nothing is due."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pytest

from lib.admin import retention
from lib.errors import NotAllowed, NotFound
from lib.store.files import FileStore
from tests import samples
from tests.conftest import load_user
from tests.test_ilm_side import SHEET, allocated_to_assessor

BEFORE = datetime(2025, 6, 1)


@pytest.fixture
def setup(db, db_path, tmp_path):
    team = load_user(db, "team.demo")
    store = FileStore(db_path.parent / "files")
    return team, store, tmp_path / "archive"


def rows_of(db, item_id):
    return {table: sorted(map(tuple, db.query_all(
        f"SELECT * FROM {table} WHERE " + ("id = ?" if table == "submissions" else
                                           "entity = 'submission' AND entity_id = CAST(? AS VARCHAR) "
                                           "AND action <> 'archive_restore'"
                                           if table == "audit_log" else "submission_id = ?"), [item_id])), key=repr)
            for table in retention.TABLES}


def old_item_with_files(db, store, team, released=datetime(2025, 3, 3, 12)):
    """A released item with evidence and a marked result sheet, released before BEFORE."""
    people = {name: load_user(db, f"{name}.demo") for name in ("centre", "team", "assessor", "lead")}
    db.query_one("UPDATE settings SET value = '0' WHERE key IN ('sampling_first_markings', 'sampling_random_percent') "
                 "RETURNING key")
    from lib.service import marking, release, sampling

    item, unit = allocated_to_assessor(db, store, people)
    marking.mark_unit(db, store, people["assessor"], item, unit, "Pass", 71, "Fine", SHEET)
    if db.query_one("SELECT stage FROM submissions WHERE id = ?", [item])[0] == "sampling":
        sampling.agree(db, people["lead"], item)
    release.release(db, team, [item], now=released)
    return item


def test_archive_then_restore_round_trips_rows_and_files(db, setup):
    team, store, root = setup
    item = old_item_with_files(db, store, team)
    before_rows = rows_of(db, item)
    files = {name: store.read(name) for (name,) in db.query_all(
        "SELECT stored_name FROM files WHERE submission_id = ?", [item])}
    assert len(files) >= 2
    due = retention.preview(db, team, BEFORE)
    assert due.Items.sum() == db.query_one(f"SELECT count(*) FROM submissions WHERE {retention.DUE}", [BEFORE])[0]
    run = retention.archive(db, team, store, root, before=BEFORE, chunk_items=150)
    assert run.items == int(due.Items.sum()) and run.chunks == -(-run.items // 150)
    assert db.query_one("SELECT count(*) FROM submissions WHERE id = ?", [item])[0] == 0
    assert all(not store.path(name).exists() for name in files)
    manifest = json.loads((root / run.folders[0] / "manifest.json").read_text())
    for table, entry in manifest["tables"].items():
        path = root / run.folders[0] / f"{table}.parquet"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    found = retention.search_archive(db, team, root, item_id=item)
    assert list(found.ID) == [item]
    retention.restore(db, team, store, root, item)
    assert rows_of(db, item) == before_rows, "rows come back exactly as they were (and the restore is audited)"
    assert db.query_one("SELECT count(*) FROM audit_log WHERE action = 'archive_restore' AND entity_id = ?",
                        [str(item)])[0] == 1
    assert {name: store.read(name) for name in files} == files, "files come back byte for byte"
    assert retention.search_archive(db, team, root, item_id=item).empty
    with pytest.raises(NotFound):
        retention.restore(db, team, store, root, item)


def test_a_second_run_is_a_no_op_and_an_unfinished_folder_is_discarded(db, setup):
    team, store, root = setup
    first = retention.archive(db, team, store, root, before=BEFORE)
    assert first.items > 0
    (root / ".half-written.part").mkdir()
    (root / "20260101-000000-1-2").mkdir()  # a folder whose chunk never committed
    again = retention.archive(db, team, store, root, before=BEFORE)
    assert (again.items, again.chunks, again.discarded) == (0, 0, 2)
    assert sorted(p.name for p in root.iterdir()) == sorted(first.folders)


def test_a_chunk_whose_transaction_fails_leaves_rows_live_and_no_folder(db, setup, monkeypatch):
    team, store, root = setup
    live = db.query_one(f"SELECT count(*) FROM submissions WHERE {retention.DUE}", [BEFORE])[0]
    real = db.transact

    def failing(user, work, **kwargs):
        def fail(writer):
            work(writer)
            raise OSError("disk full")
        return real(user, fail, **kwargs)

    monkeypatch.setattr(db, "transact", failing)
    with pytest.raises(OSError):
        retention.archive(db, team, store, root, before=BEFORE)
    assert db.query_one(f"SELECT count(*) FROM submissions WHERE {retention.DUE}", [BEFORE])[0] == live
    assert [p for p in root.iterdir() if not p.name.startswith(".")] == []


def test_only_the_team_archives_and_the_default_cutoff_is_three_years(db, setup):
    team, store, root = setup
    with pytest.raises(NotAllowed):
        retention.archive(db, load_user(db, "quality.demo"), store, root)
    assert retention.cutoff_for(db, datetime(2026, 11, 24).date()) == datetime(2023, 11, 24)
    assert samples  # the sample files the fixtures use


def test_the_command_shows_what_is_due_then_archives_it(db_path, tmp_path):
    import subprocess
    import sys

    from lib.config import PROJECT_ROOT

    command = [sys.executable, "-m", "lib", "archive", "--before", "2025-06-01", "--db", str(db_path),
               "--files", str(db_path.parent / "files"), "--archive", str(tmp_path / "archive")]
    shown = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    summary = json.loads(shown.stdout.splitlines()[0])
    assert shown.returncode == 0 and not summary["applied"] and summary["items"] > 0
    done = subprocess.run([*command, "--apply"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert json.loads(done.stdout)["items"] == summary["items"]
    again = subprocess.run([*command, "--apply"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert json.loads(again.stdout)["items"] == 0


def test_the_retention_page_archives_searches_and_restores(as_role, monkeypatch, tmp_path):
    from tests.apptest_helpers import texts, tick

    monkeypatch.setenv("ILMA_ARCHIVE", str(tmp_path / "archive"))
    at = as_role("team.demo", "pages/admin/retention_page.py")
    assert not at.exception
    real_cutoff = retention.cutoff_for
    monkeypatch.setattr(retention, "cutoff_for", lambda db, today=None, key="retention_years":
                        BEFORE if key == "retention_years" else real_cutoff(db, today, key))
    at.run()
    at.button(key="retention_run").click().run()
    assert "Archived" not in texts(at), "one click only asks"
    assert any("Archive " in str(w.value) and "restored one at a time" in str(w.value) for w in at.warning)
    at.button(key="retention_run_confirm").click().run()
    assert not at.exception and "Archived" in texts(at)
    at.text_input(key="archive_centre").input("012345").run()
    found = next(f.value for f in at.dataframe if "Unit(s)" in f.value.columns)
    item = int(found.ID.iloc[0])
    tick(at, "archive_table", [0])
    at.button(key="archive_restore").click().run()
    assert not at.exception and f"Item {item} is restored" in texts(at)


def test_invoices_keep_their_own_longer_period(db, setup):
    team, store, root = setup
    recent = db.query_one("SELECT count(*) FROM invoices")[0]
    assert recent > 0
    db.query_one("""INSERT INTO invoices VALUES (99001, 1, '2019-01-07', 'PO 1234567', '2019-01-16', 2, 85.00)
                    RETURNING id""")
    db.query_one("INSERT INTO invoice_lines VALUES (99001, 1, 're_assessment', 1, 85.00, 85.00) RETURNING 1")
    db.query_one("""INSERT INTO audit_log VALUES (nextval('seq_audit_log'), '2019-01-16', 2, 'team.demo',
                    'invoices_raised', 'invoice', NULL, NULL, '{"week_start": "2019-01-07"}') RETURNING 1""")
    run = retention.archive(db, team, store, root, before=datetime(2000, 1, 1))
    assert (run.items, run.invoices) == (0, 1), "items are not due, the 2019 invoice is (6 years)"
    assert db.query_one("SELECT count(*) FROM invoices")[0] == recent
    assert db.query_one("SELECT count(*) FROM invoice_lines WHERE invoice_id = 99001")[0] == 0
    assert db.query_one("SELECT count(*) FROM audit_log WHERE entity = 'invoice' "
                        "AND after->>'week_start' = '2019-01-07'")[0] == 0
    [money] = [p for p in root.iterdir() if p.name.startswith("money-")]
    manifest = json.loads((money / "manifest.json").read_text())
    assert {t: e["rows"] for t, e in manifest["tables"].items()} == {"invoices": 1, "invoice_lines": 1, "audit_log": 1}


def test_the_retention_page_explains_a_bad_item_id(as_role):
    from tests.apptest_helpers import texts

    at = as_role("team.demo", "pages/admin/retention_page.py")
    at.text_input(key="archive_item").input("abc").run()
    assert not at.exception and "An item ID is a whole number" in texts(at)


def test_archive_and_restore_with_files_in_a_bucket(db, s3_server, monkeypatch, tmp_path):
    """The scale-out store: the archive downloads the item's objects beside its rows, they leave the bucket, and a
    restore puts them back byte for byte."""
    from lib.config import load_settings
    from lib.store.objects import ObjectStore
    from lib.store.stores import open_file_store
    from tests import s3server

    for key, value in s3_server.env(s3server.BUCKET, f"archive-{db.dialect}-{tmp_path.name}").items():
        monkeypatch.setenv(key, value)
    store = open_file_store(load_settings())
    assert isinstance(store, ObjectStore)
    team = load_user(db, "team.demo")
    item = old_item_with_files(db, store, team, released=datetime(2001, 3, 3, 12))  # before every demo item
    before_rows = rows_of(db, item)
    files = {name: store.read(name) for (name,) in db.query_all(
        "SELECT stored_name FROM files WHERE submission_id = ?", [item])}
    learner = db.query_one("SELECT l.first_name || ' ' || l.last_name FROM submissions s "
                           "JOIN learners l ON l.id = s.learner_id WHERE s.id = ?", [item])[0]
    root = tmp_path / "archive"
    run = retention.archive(db, team, store, root, before=datetime(2001, 6, 1))
    assert (run.items, run.files) == (1, len(files))
    for name, data in files.items():
        assert (root / run.folders[0] / "files" / name).read_bytes() == data
        with pytest.raises(Exception):  # noqa: B017, PT011 - gone from the bucket (the client's own error)
            store.read(name)
    assert list(retention.search_archive(db, team, root, learner=learner.upper()).ID) == [item]
    retention.restore(db, team, store, root, item)
    assert rows_of(db, item) == before_rows
    assert {name: store.read(name) for name in files} == files

