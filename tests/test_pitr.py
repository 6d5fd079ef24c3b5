"""Point-in-time recovery of the scale-out database, as the README describes it: WAL archiving on, a base backup
with pg_basebackup, and a recovery to a moment before a deletion gets the deleted rows back."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from lib.store.db import Database
from lib.store.migrate import migrate_database
from tests import pgserver


def _folder_for_server() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ilma-pitr-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    return folder


def _centres(db: Database) -> list[str]:
    return [row[0] for row in db.query_all("SELECT number FROM centres ORDER BY number")]


def test_recovery_to_a_moment_before_a_deletion_brings_the_rows_back():
    archive = _folder_for_server()
    server = pgserver.start(settings={"wal_level": "replica", "archive_mode": "on",
                                      "archive_command": f"'cp %p {archive}/%f'", "archive_timeout": "0"})
    restored_folder = _folder_for_server()
    try:
        url = server.url("postgres")
        db = Database.open_url(url)
        migrate_database(db)
        db.transact(None, lambda w: (w.execute("INSERT INTO centres (id, number, name, created_at) VALUES "
                                               "(1, '100001', 'Kept before the backup', now())"),
                                     w.audit("test", "centre")))
        base = restored_folder / "data"
        pgserver.server_command("pg_basebackup", "-h", "127.0.0.1", "-p", str(server.port), "-U", pgserver.SUPERUSER,
                                "-D", str(base), "-X", "stream", "--checkpoint=fast")
        db.transact(None, lambda w: (w.execute("INSERT INTO centres (id, number, name, created_at) VALUES "
                                               "(2, '100002', 'Written after the backup', now())"),
                                     w.audit("test", "centre")))
        time.sleep(1.1)
        moment = db.query_one("SELECT CAST(now() AS VARCHAR)")[0]
        time.sleep(1.1)
        db.transact(None, lambda w: (w.execute("DELETE FROM centres"), w.audit("test", "centre")))
        assert _centres(db) == []
        # The WAL with the deletion is archived (as archive_timeout or a full segment would do in service).
        switched = db.query_one("SELECT pg_walfile_name(pg_switch_wal())")[0]
        deadline = time.monotonic() + 30
        while not db.query_one("SELECT coalesce(last_archived_wal >= ?, FALSE) FROM pg_stat_archiver",
                               [switched])[0]:
            assert time.monotonic() < deadline, "the WAL was not archived"
            time.sleep(0.2)
        db.close()
        server.stop()

        # Recovery: the base backup, the archive's WAL replayed up to the moment, then a server of its own.
        with open(base / "postgresql.auto.conf", "a") as conf:
            conf.write(f"restore_command = 'cp {archive}/%f %p'\nrecovery_target_time = '{moment}'\n"
                       "recovery_target_action = 'promote'\narchive_mode = off\n")
        (base / "recovery.signal").touch()
        if os.geteuid() == 0:
            shutil.chown(base / "recovery.signal", "postgres")
        restored = pgserver.start_existing(restored_folder, base)
        try:
            recovered = Database.open_url(restored.url("postgres"))
            try:
                deadline = time.monotonic() + 60
                while recovered.query_one("SELECT pg_is_in_recovery()")[0] and time.monotonic() < deadline:
                    time.sleep(0.2)
                assert _centres(recovered) == ["100001", "100002"]
            finally:
                recovered.close()
        finally:
            restored.stop()
    finally:
        server.stop()
        shutil.rmtree(archive, ignore_errors=True)
        shutil.rmtree(restored_folder, ignore_errors=True)
