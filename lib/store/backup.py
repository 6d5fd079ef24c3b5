"""Backups of the database and the file store that a running app can take, verify and restore.

A backup is a folder `ilma-YYYYmmdd-HHMMSS-ffffff/` holding
- `ilma.duckdb`: the database as one transaction saw it (DuckDB's `COPY FROM DATABASE` inside a read transaction,
  so writers go on while it runs and no half of a transaction is in it);
- `files/`: every stored file a row of that snapshot points to, hard-linked where the file system allows and
  copied otherwise; a file the previous backup already holds is linked from there, so only new files cost a read;
- `files.tsv`: each file's stored name, size and SHA-256; `manifest.json`: the row count of every table, the
  schema version and what was missing.

The folder is built under `.partial-…` and renamed into place once complete, so a backup that dies half-way
(kill -9, a full disk) never looks like one, and the backups before it are never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from lib.store.db import Database, connect
from lib.store.files import FileStore, deletions_paused

SNAPSHOT = "ilma.duckdb"
MANIFEST = "manifest.json"
FILE_LIST = "files.tsv"
FILES = "files"
PREFIX = "ilma-"
PARTIAL = ".partial-"
FORMAT = 1
_NAME = re.compile(r"ilma-(\d{8}-\d{6}-\d{6})")
_STORED = re.compile(r"[0-9a-f]{2}/[0-9a-f]{40}")
CHUNK = 1 << 20


class BackupProblem(Exception):
    """A backup cannot be taken, verified or restored; the message says why."""


@dataclass
class BackupResult:
    folder: Path
    tables: dict[str, int]
    files: int
    files_read: int
    bytes_read: int
    missing: list[str]
    seconds: float

    def figures(self) -> dict:
        return {"backup": self.folder.name, "rows": sum(self.tables.values()), "tables": len(self.tables),
                "files": self.files, "files_new": self.files_read, "mb_read": round(self.bytes_read / 1e6, 1),
                "missing_files": len(self.missing), "seconds": round(self.seconds, 1)}


@dataclass(frozen=True)
class KeptBackup:
    folder: Path
    taken_at: datetime
    rows: int
    files: int
    size_bytes: int


@dataclass
class Verification:
    folder: Path
    problems: list[str] = field(default_factory=list)
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _place(source: Path, target: Path) -> bool:
    """Hard-link source at target, or copy it where links cannot cross; True when it was copied."""
    try:
        os.link(source, target)
        return False
    except OSError as error:
        if error.errno not in (18, 1, 95, 38):  # EXDEV, EPERM, EOPNOTSUPP, ENOSYS: links not possible here
            raise
    shutil.copyfile(source, target)
    return True


def backups(root: Path) -> list[Path]:
    """The complete backups under root, oldest first."""
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir()
                  if path.is_dir() and _NAME.fullmatch(path.name) and (path / MANIFEST).is_file())


def kept_backups(root: Path) -> list[KeptBackup]:
    """The complete backups under root with when they were taken and their size, newest first."""
    kept = []
    for folder in reversed(backups(root)):
        manifest = read_manifest(folder)
        kept.append(KeptBackup(folder, datetime.fromisoformat(manifest["taken_at"]), sum(manifest["tables"].values()),
                               manifest["files"], manifest.get("size_bytes", 0)))
    return kept


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupProblem(f"{folder} has no readable {MANIFEST} ({error}): it is not a complete backup.") from None
    if manifest.get("format") != FORMAT:
        raise BackupProblem(f"{folder}: backup format {manifest.get('format')!r} is not one this app reads.")
    return manifest


def resolve(folder: Path) -> Path:
    """A backup folder itself, or the newest complete backup in a folder of backups."""
    folder = Path(folder)
    if (folder / MANIFEST).is_file():
        return folder
    found = backups(folder)
    if not found:
        raise BackupProblem(f"{folder} is neither a backup nor a folder holding one (no {MANIFEST} found).")
    return found[-1]


def _catalog(cursor: duckdb.DuckDBPyConnection) -> str:
    return cursor.execute("SELECT current_database()").fetchone()[0]


def _tables(cursor: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [row[0] for row in cursor.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND NOT internal ORDER BY table_name",
        [catalog]).fetchall()]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _snapshot(db: Database, target: Path) -> tuple[dict[str, int], int, list[tuple[str, int, str]]]:
    """Copy the database into target in one read transaction; its row counts, schema version and stored files."""
    alias = f"backup_{os.getpid()}_{time.monotonic_ns()}"
    with db.cursor() as cursor:
        source = _catalog(cursor)
        cursor.execute("ATTACH ? AS " + _quoted(alias), [str(target)])
        try:
            cursor.begin()
            try:
                cursor.execute(f"COPY FROM DATABASE {_quoted(source)} TO {_quoted(alias)}")
                counts = {table: cursor.execute(f"SELECT count(*) FROM {_quoted(alias)}.{_quoted(table)}").fetchone()[0]
                          for table in _tables(cursor, alias)}
                version = cursor.execute(f"SELECT coalesce(max(version), 0) FROM {_quoted(alias)}.schema_version"
                                         ).fetchone()[0]
                stored = cursor.execute(f"SELECT stored_name, size_bytes, sha256 FROM {_quoted(alias)}.files "
                                        "ORDER BY stored_name").fetchall()
                cursor.commit()
            except BaseException:
                cursor.rollback()
                raise
            cursor.execute(f"CHECKPOINT {_quoted(alias)}")
        finally:
            cursor.execute("DETACH " + _quoted(alias))
    return counts, version, stored


def _clear_partials(root: Path) -> None:
    """Remove what a backup that died half-way left (only ever .partial- folders, never a complete backup)."""
    for path in root.iterdir():
        if path.is_dir() and path.name.startswith(PARTIAL):
            shutil.rmtree(path, ignore_errors=True)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def building(root: Path, now: datetime) -> Iterator[tuple[Path, Path, Path | None]]:
    """A new backup's staging folder under root (what a backup that died half-way left is cleared first), where the
    backup goes once sealed, and the newest earlier backup; the staging folder is removed if its building fails."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    _clear_partials(root)
    previous = backups(root)
    name = f"{PREFIX}{now:%Y%m%d-%H%M%S-%f}"
    if (root / name).exists():
        raise BackupProblem(f"{root / name} exists already.")
    staging = root / f"{PARTIAL}{name}"
    staging.mkdir()
    try:
        yield staging, root / name, previous[-1] if previous else None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def seal(staging: Path, final: Path, manifest: dict) -> None:
    """Write the manifest, flush, and rename the staging folder into place: only now does it look complete."""
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1))
    _fsync_folder(staging)
    os.replace(staging, final)
    _fsync_folder(final.parent)


def take(db: Database, store: FileStore, root: Path, now: datetime | None = None) -> BackupResult:
    """A consistent backup of the database and the files its rows point to, as a new folder under root."""
    started = time.perf_counter()
    now = now or datetime.now()
    with building(root, now) as (staging, final, previous):
        with deletions_paused():  # a file removed between the snapshot and its link would be lost to the backup
            tables, version, stored = _snapshot(db, staging / SNAPSHOT)
            files, read, bytes_read, missing, size = _link_files(store, stored, staging, previous)
        size += (staging / SNAPSHOT).stat().st_size
        seal(staging, final, {"format": FORMAT, "taken_at": now.isoformat(), "schema_version": version,
                              "tables": tables, "files": files, "missing_files": missing, "size_bytes": size,
                              "source": {"database": str(db.path) if db.path else None, "files": str(store.root)}})
    return BackupResult(final, tables, files, read, bytes_read, missing, time.perf_counter() - started)


def _link_files(store: FileStore, stored: list[tuple[str, int, str]], staging: Path,
                previous: Path | None) -> tuple[int, int, int, list[str], int]:
    """Place every stored file in staging/files and list it; files the previous backup holds are linked from it."""
    files_read = bytes_read = size = 0
    missing: list[str] = []
    made: set[str] = set()
    placed = 0
    with open(staging / FILE_LIST, "w") as listing:
        for stored_name, size_bytes, recorded_sha in stored:
            target = staging / FILES / stored_name
            if stored_name[:2] not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(stored_name[:2])
            earlier = previous / FILES / stored_name if previous else None
            if earlier is not None and earlier.is_file():
                _place(earlier, target)
                digest = recorded_sha
            else:
                source = store.path(stored_name)
                if not source.is_file():
                    missing.append(stored_name)
                    continue
                _place(source, target)
                digest = sha256_of(target)
                files_read += 1
                bytes_read += size_bytes
                if digest != recorded_sha:
                    missing.append(stored_name)  # the store holds other bytes than the row recorded
                    target.unlink()
                    continue
            size += size_bytes
            placed += 1
            listing.write(f"{stored_name}\t{size_bytes}\t{digest}\n")
    return placed, files_read, bytes_read, missing, size


def prune(root: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` complete backups; return those removed."""
    found = backups(root)
    removed = found[:-keep] if keep > 0 else []
    for folder in removed:
        # Renamed first, so that a removal cut short leaves no folder that looks like a complete backup.
        doomed = folder.with_name(f"{PARTIAL}removing-{folder.name}")
        os.replace(folder, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
    return removed


def _file_list(folder: Path) -> Iterator[tuple[str, int, str]]:
    with open(folder / FILE_LIST) as listing:
        for line in listing:
            stored_name, size_bytes, digest = line.rstrip("\n").split("\t")
            yield stored_name, int(size_bytes), digest


def verify(folder: Path) -> Verification:
    """Re-read a backup against its manifest: every table's rows, every file's size and SHA-256."""
    folder = resolve(folder)
    outcome = Verification(folder)
    problems = outcome.problems
    try:
        manifest = read_manifest(folder)
    except BackupProblem as problem:
        return Verification(folder, [str(problem)])
    listed: dict[str, str] = {}
    try:
        for stored_name, size_bytes, digest in _file_list(folder):
            listed[stored_name] = digest
            path = folder / FILES / stored_name
            if not _STORED.fullmatch(stored_name):
                problems.append(f"{FILE_LIST} names {stored_name!r}, which is not a stored file name")
            elif not path.is_file():
                problems.append(f"file {stored_name} is missing")
            elif path.stat().st_size != size_bytes:
                problems.append(f"file {stored_name} has {path.stat().st_size} bytes, the manifest says {size_bytes}")
            elif sha256_of(path) != digest:
                problems.append(f"file {stored_name} does not match its SHA-256")
            outcome.files_checked += 1
    except (OSError, ValueError) as error:
        problems.append(f"{FILE_LIST} cannot be read: {error}")
    if len(listed) != manifest["files"]:
        problems.append(f"{FILE_LIST} lists {len(listed)} files, the manifest says {manifest['files']}")
    if manifest.get("engine") == "postgres":
        _verify_dump(folder, manifest, problems)
        return outcome
    try:
        connection = connect(folder / SNAPSHOT, read_only=True)
    except (duckdb.Error, OSError) as error:
        problems.append(f"the database snapshot cannot be opened: {error}")
        return outcome
    try:
        catalog = _catalog(connection)
        found = set(_tables(connection, catalog))
        for table, expected in manifest["tables"].items():
            if table not in found:
                problems.append(f"table {table} is missing from the snapshot")
                continue
            rows = connection.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0]
            if rows != expected:
                problems.append(f"table {table} has {rows} rows, the manifest says {expected}")
        for table in sorted(found - set(manifest["tables"])):
            problems.append(f"table {table} is in the snapshot but not in the manifest")
        if "files" in found:
            known_missing = set(manifest["missing_files"])
            pointed = connection.execute("SELECT stored_name, sha256 FROM files").fetchall()
            for stored_name, digest in pointed:
                if stored_name in known_missing:
                    continue
                if stored_name not in listed:
                    problems.append(f"a row points to {stored_name}, which the backup does not hold")
                elif listed[stored_name] != digest:
                    problems.append(f"file {stored_name}'s SHA-256 differs from its row's")
    except duckdb.Error as error:
        problems.append(f"the database snapshot cannot be read: {error}")
    finally:
        connection.close()
    return outcome


def _verify_dump(folder: Path, manifest: dict, problems: list[str]) -> None:
    """A PostgreSQL backup's dump: readable, with the data of every table the manifest counted."""
    from lib.store.pg_backup import DUMP, dump_tables

    if not (folder / DUMP).is_file():
        problems.append(f"the database dump {DUMP} is missing")
        return
    try:
        dumped = dump_tables(folder)
    except BackupProblem as problem:
        problems.append(str(problem))
        return
    problems += [f"table {table} is missing from the dump" for table in sorted(set(manifest["tables"]) - dumped)]


def restore(folder: Path, db_path: Path, files_dir: Path, replace: bool = False) -> dict:
    """A new database and file store from a verified backup. Existing ones are refused unless replace, and then
    kept beside as `….replaced-YYYYmmdd-HHMMSS` rather than deleted."""
    folder = resolve(folder)
    checked = verify(folder)
    if not checked.ok:
        raise BackupProblem(f"{folder} does not verify, so nothing was restored:\n  " + "\n  ".join(checked.problems[:20]))
    if read_manifest(folder).get("engine") == "postgres":
        raise BackupProblem(f"{folder} is a backup of a PostgreSQL database: restore it with --to-database and "
                            "--files (a folder or s3://bucket/prefix).")
    db_path, files_dir = Path(db_path), Path(files_dir)
    has_files = files_dir.is_dir() and any(files_dir.iterdir())
    if not replace and (db_path.exists() or has_files):
        existing = [str(path) for path, there in ((db_path, db_path.exists()), (files_dir, has_files)) if there]
        raise BackupProblem(f"{' and '.join(existing)} exist already; nothing was restored. Restore to new paths, "
                            "or pass --replace to put the existing ones aside (they are kept, renamed).")
    if db_path.exists():
        # Refuses (DatabaseLocked) while an app holds it; a file DuckDB cannot open is put aside all the same.
        with suppress(duckdb.IOException):
            connect(db_path).close()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    files_dir.parent.mkdir(parents=True, exist_ok=True)
    building_db = db_path.with_name(f".{db_path.name}.restoring")
    building_files = files_dir.with_name(f".{files_dir.name}.restoring")
    shutil.rmtree(building_files, ignore_errors=True)
    building_db.unlink(missing_ok=True)
    shutil.copyfile(folder / SNAPSHOT, building_db)
    building_files.mkdir()
    copied = 0
    for stored_name, _size, _digest in _file_list(folder):
        target = building_files / stored_name
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(folder / FILES / stored_name, target)
        copied += 1
    put_aside = []
    wal = db_path.with_name(db_path.name + ".wal")
    for path, built in ((db_path, building_db), (wal, None), (files_dir, building_files)):
        if path.exists():
            aside = path.with_name(f"{path.name}.replaced-{stamp}")
            os.replace(path, aside)
            put_aside.append(str(aside))
        if built is not None:
            os.replace(built, path)
    return {"backup": str(folder), "database": str(db_path), "files": str(files_dir), "files_restored": copied,
            "rows": sum(read_manifest(folder)["tables"].values()), "put_aside": put_aside}
