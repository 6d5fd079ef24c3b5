"""Backups of the scale-out configuration: the PostgreSQL database by pg_dump and the files from the bucket, in the
same folder layout and manifest as the embedded backup (lib/store/backup.py), with `ilma.dump` in place of
`ilma.duckdb`.

pg_dump reads a snapshot exported by a REPEATABLE READ transaction that also counts every table and lists the
stored files, so the dump, the manifest and the files are one moment; replicas go on writing meanwhile. Objects are
written before the rows that point to them commit and never change, so each file listed is read whole. A file the
previous backup holds is linked from there, not read again.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path

from lib.store.backup import FILE_LIST, FILES, FORMAT, MANIFEST, BackupProblem, BackupResult, _place, building, seal
from lib.store.db import Database
from lib.store.files import write_atomically
from lib.store.migrate import latest_version
from lib.store.transfer import count_rows, holds_installation

DUMP = "ilma.dump"


def _pg_program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupProblem(f"{name} is missing: install PostgreSQL's client programs (apt-get install "
                            "postgresql-client) on the machine that runs the app.")
    return found


def take_postgres(db: Database, store, root: Path, now: datetime | None = None) -> BackupResult:
    """A consistent backup of the PostgreSQL database and the files its rows point to, as a new folder under root."""
    started = time.perf_counter()
    now = now or datetime.now()
    with building(root, now) as (staging, final, previous):
        with db.cursor() as cursor:
            cursor.begin("REPEATABLE READ READ ONLY")
            try:
                snapshot = cursor.execute("SELECT pg_export_snapshot()").fetchone()[0]
                dumped = subprocess.run(
                    [_pg_program("pg_dump"), "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                     f"--file={staging / DUMP}", f"--dbname={db.url}"], capture_output=True, text=True)
                if dumped.returncode:
                    raise BackupProblem(f"pg_dump failed: {dumped.stderr.strip()[:500]}")
                tables = {table: cursor.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                          for (table,) in cursor.execute(
                              "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                              "current_schema() AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()}
                version = cursor.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
                stored = cursor.execute("SELECT stored_name, size_bytes, sha256 FROM files ORDER BY stored_name"
                                        ).fetchall()
            finally:
                cursor.rollback()
        files, read, bytes_read, missing, size = _copy_files(store, stored, staging, previous)
        size += (staging / DUMP).stat().st_size
        seal(staging, final, {"format": FORMAT, "engine": "postgres", "taken_at": now.isoformat(),
                              "schema_version": version, "tables": tables, "files": files, "missing_files": missing,
                              "size_bytes": size,
                              "source": {"database": _without_password(db.url), "files": _store_name(store)}})
    return BackupResult(final, tables, files, read, bytes_read, missing, time.perf_counter() - started)


def _store_name(store) -> str:
    return f"s3://{store.bucket}/{store.prefix}" if hasattr(store, "bucket") else str(store.root)


def _without_password(url: str | None) -> str | None:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url) if url else url


def _copy_files(store, stored: list[tuple[str, int, str]], staging: Path,
                previous: Path | None) -> tuple[int, int, int, list[str], int]:
    files_read = bytes_read = size = placed = 0
    missing: list[str] = []
    with open(staging / FILE_LIST, "w") as listing:
        for stored_name, size_bytes, recorded_sha in stored:
            target = staging / FILES / stored_name
            target.parent.mkdir(parents=True, exist_ok=True)
            earlier = previous / FILES / stored_name if previous else None
            if earlier is not None and earlier.is_file():
                _place(earlier, target)
            else:
                try:
                    data = store.read(stored_name)
                except FileNotFoundError:
                    missing.append(stored_name)
                    continue
                files_read += 1
                bytes_read += len(data)
                if hashlib.sha256(data).hexdigest() != recorded_sha:
                    missing.append(stored_name)  # the store holds other bytes than the row recorded
                    continue
                write_atomically(target, data)
            size += size_bytes
            placed += 1
            listing.write(f"{stored_name}\t{size_bytes}\t{recorded_sha}\n")
    return placed, files_read, bytes_read, missing, size


def dump_tables(folder: Path) -> set[str]:
    """The tables whose data the dump holds (from its table of contents)."""
    listed = subprocess.run([_pg_program("pg_restore"), "--list", str(folder / DUMP)], capture_output=True, text=True)
    if listed.returncode:
        raise BackupProblem(f"the dump cannot be read: {listed.stderr.strip()[:300]}")
    tables = set()
    for line in listed.stdout.splitlines():
        if " TABLE DATA " in line:
            tables.add(line.split(" TABLE DATA ", 1)[1].split()[1])
    return tables


def restore_postgres(folder: Path, target: Database, store) -> dict:
    """The dump into an empty PostgreSQL database and the files into a store, then every table counted against the
    manifest. The backup is verified first; a database that holds an installation is refused."""
    from lib.store.backup import _file_list, resolve, verify

    folder = resolve(folder)
    checked = verify(folder)
    if not checked.ok:
        raise BackupProblem(f"{folder} does not verify, so nothing was restored:\n  " + "\n  ".join(checked.problems[:20]))
    manifest = json.loads((folder / MANIFEST).read_text())
    if manifest.get("engine") != "postgres":
        raise BackupProblem(f"{folder} is a backup of an embedded database: restore it with --db and --files.")
    if manifest["schema_version"] > latest_version():
        raise BackupProblem(f"{folder} was taken by a newer app (schema {manifest['schema_version']}).")
    with target.cursor() as cursor:
        tables = cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                                "current_schema()").fetchone()[0]
    if tables and holds_installation(target):
        raise BackupProblem("the target database already holds an installation: restore into a new, empty one.")
    if tables:
        raise BackupProblem("the target database has tables: restore into a new, empty one (createdb).")
    restored = subprocess.run([_pg_program("pg_restore"), "--no-owner", "--single-transaction", "--exit-on-error",
                               f"--dbname={target.url}", str(folder / DUMP)], capture_output=True, text=True)
    if restored.returncode:
        raise BackupProblem(f"pg_restore failed, the database is as it was: {restored.stderr.strip()[:500]}")
    copied = 0
    for stored_name, _size, _digest in _file_list(folder):
        store.put_named(stored_name, (folder / FILES / stored_name).read_bytes())
        copied += 1
    counted = count_rows(target)
    wrong = [f"{table}: {rows} rows, the manifest says {manifest['tables'][table]}"
             for table, rows in counted.items() if manifest["tables"].get(table) != rows]
    if wrong:
        raise BackupProblem("the restored database does not match the manifest: " + "; ".join(wrong[:10]))
    return {"backup": str(folder), "database": _without_password(target.url), "files_restored": copied,
            "rows": sum(manifest["tables"].values())}
