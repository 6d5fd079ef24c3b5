"""Backups: taken while users write, verified against their manifest, restored whole; a backup killed half-way
leaves the earlier ones intact and the next one completes."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from lib.config import PROJECT_ROOT
from lib.store import backup
from lib.store.db import Database
from lib.store.files import FileStore

pytestmark = pytest.mark.embedded_only("the embedded database's backup (a DuckDB snapshot and the folder); "
                                       "PostgreSQL's (pg_dump) is tested in tests/test_backends.py")


def drill_write(db: Database, store: FileStore, key: str) -> None:
    """One transaction that writes three things that belong together: a setting, a file's row and its audit row,
    plus the file itself (stored before the row commits, as uploads do)."""
    data = (key + "\n").encode() * 50
    stored = store.put(data)

    def work(writer):
        writer.execute("INSERT INTO settings VALUES (?, '1', 'restore drill')", [key])
        writer.execute(
            """INSERT INTO files (id, submission_id, unit_code, kind, original_name, stored_name, size_bytes, sha256,
                                  uploaded_at, uploaded_by)
               VALUES (nextval('seq_files'), (SELECT min(id) FROM submissions), NULL, 'evidence', ?, ?, ?, ?, ?, 1)""",
            [key, stored, len(data), hashlib.sha256(data).hexdigest(), datetime.now()])
        writer.audit("drill", "settings", key)

    try:
        db.transact(None, work, actor_name="drill")
    except BaseException:
        store.discard([stored])
        raise


def drill_remove(db: Database, store: FileStore) -> bool:
    """Remove one drill file's row and setting together, then its file (as removing a pending item does)."""
    def work(writer):
        found = writer.execute("SELECT original_name, stored_name FROM files WHERE original_name LIKE 'drill_%' "
                               "ORDER BY id LIMIT 1").fetchone()
        if found is None:
            writer.audit("drill_nothing", "settings", None)
            return None
        writer.execute("DELETE FROM files WHERE original_name = ?", [found[0]])
        writer.execute("DELETE FROM settings WHERE key = ?", [found[0]])
        writer.audit("drill_removed", "settings", found[0])
        return found[1]

    stored = db.transact(None, work, actor_name="drill")
    if stored:
        store.discard([stored])
    return stored is not None


def assert_consistent_restore(db_path: Path, files_dir: Path, manifest: dict) -> None:
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        for table, rows in manifest["tables"].items():
            assert connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == rows, table
        for stored_name, digest in connection.execute("SELECT stored_name, sha256 FROM files").fetchall():
            path = files_dir / stored_name
            assert path.is_file(), f"a row points at {stored_name}, which was not restored"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        settings = {row[0] for row in connection.execute("SELECT key FROM settings WHERE key LIKE 'drill_%'").fetchall()}
        rows = {row[0] for row in connection.execute(
            "SELECT original_name FROM files WHERE original_name LIKE 'drill_%'").fetchall()}
        written = {row[0] for row in connection.execute(
            "SELECT entity_id FROM audit_log WHERE action = 'drill'").fetchall()}
        removed = {row[0] for row in connection.execute(
            "SELECT entity_id FROM audit_log WHERE action = 'drill_removed'").fetchall()}
        assert settings == rows == written - removed, "the snapshot holds half of a transaction"
    finally:
        connection.close()


def test_a_backup_taken_while_users_write_restores_to_a_state_that_existed(db, db_path, tmp_path):
    store = FileStore(db_path.parent / "files")
    for n in range(20):
        drill_write(db, store, f"drill_before_{n}")
    stop = threading.Event()
    stalls: list[float] = []
    errors: list[BaseException] = []

    def writer(thread: int) -> None:
        n = 0
        while not stop.is_set():
            started = time.perf_counter()
            try:
                drill_write(db, store, f"drill_{thread}_{n}")
                if n % 3 == 0:
                    drill_remove(db, store)
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
                return
            stalls.append(time.perf_counter() - started)
            n += 1

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    taken = backup.take(db, store, tmp_path / "backups")
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(stalls) > 10, "the writers wrote while the backup ran"
    assert max(stalls) < 5, "a backup must not hold users' writes back"

    checked = backup.verify(taken.folder)
    assert checked.ok, checked.problems
    manifest = backup.read_manifest(taken.folder)
    assert manifest["files"] == taken.files > 20 and not manifest["missing_files"]
    restored = backup.restore(tmp_path / "backups", tmp_path / "restored" / "ilma.duckdb", tmp_path / "restored" / "files")
    assert restored["files_restored"] == taken.files
    assert_consistent_restore(tmp_path / "restored" / "ilma.duckdb", tmp_path / "restored" / "files", manifest)
    # The writers went on after the snapshot: the live database has drill rows the backup does not.
    live = db.query_one("SELECT count(*) FROM audit_log WHERE action = 'drill'")[0]
    snapshot = duckdb.connect(str(taken.folder / "ilma.duckdb"), read_only=True)
    assert live > snapshot.execute("SELECT count(*) FROM audit_log WHERE action = 'drill'").fetchone()[0]
    snapshot.close()


def test_the_app_starts_on_a_restored_database_with_every_file(db, db_path, tmp_path):
    from lib.config import load_settings
    from lib.startup import open_database

    store = FileStore(db_path.parent / "files")
    taken = backup.take(db, store, tmp_path / "backups")
    target = tmp_path / "restored"
    backup.restore(taken.folder, target / "ilma.duckdb", target / "files")
    opened = open_database(load_settings({"ILMA_DB": str(target / "ilma.duckdb")}))
    try:
        assert opened.db.query_one("SELECT count(*) FROM submissions")[0] == \
            db.query_one("SELECT count(*) FROM submissions")[0]
        for (stored_name,) in opened.db.query_all("SELECT stored_name FROM files"):
            assert (target / "files" / stored_name).is_file()
        # Sequences carry on where they were: a new row gets a new id, not one the backup already holds.
        assert opened.db.query_one("SELECT nextval('seq_files')")[0] > opened.db.query_one("SELECT max(id) FROM files")[0]
    finally:
        opened.db.close()


def test_the_next_backup_links_unchanged_files_from_the_last_one(db, db_path, tmp_path):
    store = FileStore(db_path.parent / "files")
    first = backup.take(db, store, tmp_path / "backups")
    assert first.files_read == first.files > 0
    drill_write(db, store, "drill_new")
    second = backup.take(db, store, tmp_path / "backups")
    assert second.files == first.files + 1
    assert second.files_read == 1, "only the file new since the last backup is read"
    name = next(iter(backup._file_list(first.folder)))[0]
    assert (first.folder / "files" / name).stat().st_ino == (second.folder / "files" / name).stat().st_ino
    assert backup.verify(second.folder).ok


def test_verify_names_what_is_wrong(db, db_path, tmp_path):
    taken = backup.take(db, FileStore(db_path.parent / "files"), tmp_path / "backups")
    names = [name for name, _size, _digest in backup._file_list(taken.folder)]
    tampered, lost = taken.folder / "files" / names[0], taken.folder / "files" / names[1]
    tampered.unlink()  # a new inode: the live store's file (linked) stays as it was
    tampered.write_bytes(b"not what was backed up")
    lost.unlink()
    manifest = json.loads((taken.folder / "manifest.json").read_text())
    manifest["tables"]["submissions"] += 1
    (taken.folder / "manifest.json").write_text(json.dumps(manifest))

    command = subprocess.run([sys.executable, "-m", "lib", "verify-backup", str(taken.folder)], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=120)
    assert command.returncode == 1
    assert f"file {names[0]} has" in command.stderr or f"file {names[0]} does not match" in command.stderr
    assert f"file {names[1]} is missing" in command.stderr
    assert "table submissions has" in command.stderr
    with pytest.raises(backup.BackupProblem, match="does not verify"):
        backup.restore(taken.folder, tmp_path / "r" / "ilma.duckdb", tmp_path / "r" / "files")
    assert not (tmp_path / "r" / "ilma.duckdb").exists()


def test_restore_refuses_existing_paths_unless_told_and_then_keeps_them(db, db_path, tmp_path):
    taken = backup.take(db, FileStore(db_path.parent / "files"), tmp_path / "backups")
    target = tmp_path / "target"
    target.mkdir()
    (target / "ilma.duckdb").write_bytes(b"an older database")
    command = [sys.executable, "-m", "lib", "restore", str(taken.folder), "--db", str(target / "ilma.duckdb"),
               "--files", str(target / "files")]
    refused = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "exist already" in refused.stderr
    assert (target / "ilma.duckdb").read_bytes() == b"an older database"
    done = subprocess.run([*command, "--replace"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    kept = json.loads(done.stdout)["put_aside"]
    assert len(kept) == 1 and Path(kept[0]).read_bytes() == b"an older database"
    assert backup.verify(taken.folder).ok
    connection = duckdb.connect(str(target / "ilma.duckdb"), read_only=True)
    assert connection.execute("SELECT count(*) FROM files").fetchone()[0] == taken.files
    connection.close()


def test_only_the_newest_backups_are_kept(db, db_path, tmp_path):
    store = FileStore(db_path.parent / "files")
    for _ in range(4):
        backup.take(db, store, tmp_path / "backups")
    newest = backup.backups(tmp_path / "backups")[-2:]
    removed = backup.prune(tmp_path / "backups", 2)
    assert len(removed) == 2 and backup.backups(tmp_path / "backups") == newest
    assert all(backup.verify(folder).ok for folder in newest)


def test_kill_9_during_a_backup_leaves_the_earlier_ones_and_the_next_completes(db, db_path, tmp_path):
    root = tmp_path / "backups"
    store = FileStore(db_path.parent / "files")
    earlier = backup.take(db, store, root)
    db.close()
    worker = subprocess.Popen([sys.executable, "-m", "tests.backup_worker", str(db_path), str(db_path.parent / "files"),
                               str(root)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    assert worker.stdout.readline().strip() == "linking"  # past the snapshot, part-way through the files
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert any(path.name.startswith(".partial-") for path in root.iterdir())
    assert backup.backups(root) == [earlier.folder]
    assert backup.verify(earlier.folder).ok

    reopened = Database.open(db_path)
    try:
        later = backup.take(reopened, store, root)
    finally:
        reopened.close()
    assert backup.backups(root) == [earlier.folder, later.folder]
    assert backup.verify(later.folder).ok
    assert not any(path.name.startswith(".partial-") for path in root.iterdir())
