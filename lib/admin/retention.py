"""Retention: released and rejected items older than the retention period (3 years, a setting), counted from
release or rejection, are archived with their units, files' metadata, sampling, claims and audit rows.

Each run works in chunks. A chunk's rows are written to Parquet (by DuckDB's COPY on the embedded database; on
PostgreSQL read as a frame and written by an in-memory DuckDB, so the files are alike), with a manifest of row counts
and SHA-256 sums, and its files are linked into the chunk's folder; the folder is renamed into place; then, in
one transaction with its audit row, the chunk is recorded and its live rows go; only then do the files leave the
store. A run that stops half-way leaves either a folder the next run discards (rows still live) or a recorded
chunk whose store files the start-up reconciliation quarantines: it is resumable, and a no-op when nothing is due.
Invoices and their lines stay: money is kept for its own period (a setting, 6 years by default).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from lib.errors import NotAllowed, NotFound, Refused
from lib.rules.roles import ASSESSMENT_TEAM, User
from lib.service.claims_due import refresh_claims_due
from lib.service.settings import setting
from lib.store.db import Database, Writer
from lib.store.files import FileStore
from lib.store.objects import ObjectStore
from lib.store.scope import not_centre_data

CHUNK_ITEMS = 50_000
# table -> the condition that picks the rows of the chunk's items (registered as the view chunk_ids(id))
TABLES = {
    "submissions": "id IN (SELECT id FROM chunk_ids)",
    "submission_units": "submission_id IN (SELECT id FROM chunk_ids)",
    "files": "submission_id IN (SELECT id FROM chunk_ids)",
    "sampling": "submission_id IN (SELECT id FROM chunk_ids)",
    "claims": "submission_id IN (SELECT id FROM chunk_ids)",
    "audit_log": "entity = 'submission' AND entity_id IN (SELECT CAST(id AS VARCHAR) FROM chunk_ids)",
}
DUE = "stage IN ('released', 'rejected') AND coalesce(released_at, rejected_at) < ?"
# Money keeps its own period: invoices, their lines and the audit rows of invoicing runs, by the week billed.
MONEY_TABLES = {
    "invoices": "id IN (SELECT id FROM chunk_ids)",
    "invoice_lines": "invoice_id IN (SELECT id FROM chunk_ids)",
    "audit_log": "entity = 'invoice' AND CAST(after->>'week_start' AS TIMESTAMP) < (SELECT min(cutoff) FROM chunk_ids)",
}


@dataclass(frozen=True)
class ArchiveRun:
    chunks: int
    items: int
    files: int
    folders: tuple[str, ...]
    discarded: int  # unfinished folders of an earlier run that stopped half-way
    invoices: int = 0


_ONE_RUN = threading.Lock()


def _team_only(user: User) -> None:
    if user.role != ASSESSMENT_TEAM:
        raise NotAllowed("Retention is run by the ILM Assessment Team.")


def cutoff_for(db: Database, today: date | None = None, key: str = "retention_years") -> datetime:
    """Items released or rejected before this moment are due for the archive (invoices billed for weeks before
    it, with key money_retention_years)."""
    today = today or date.today()
    years = int(setting(db, key))
    try:
        return datetime(today.year - years, today.month, today.day)
    except ValueError:  # 29 February
        return datetime(today.year - years, today.month, 28)


@not_centre_data("the team's retention of every centre's old items")
def preview(db: Database, user: User, before: datetime | None = None) -> pd.DataFrame:
    """What a run would archive: items and files per centre and year of release or rejection."""
    _team_only(user)
    before = before or cutoff_for(db)
    return db.query_df(
        f"""SELECT c.number AS "Centre", c.name AS "Name", year(coalesce(s.released_at, s.rejected_at)) AS "Year",
                   count(*) AS "Items", sum((SELECT count(*) FROM files f WHERE f.submission_id = s.id)) AS "Files"
            FROM submissions s JOIN centres c ON c.id = s.centre_id
            WHERE {DUE.replace('stage', 's.stage').replace('coalesce(released_at, rejected_at)',
                               'coalesce(s.released_at, s.rejected_at)')}
            GROUP BY 1, 2, 3 ORDER BY 1, 3""", [before])


def _literal(path: Path) -> str:
    """A path as an SQL string literal (COPY ... TO takes no parameter)."""
    return "'" + str(path).replace("'", "''") + "'"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def _place(store: FileStore | ObjectStore, stored_name: str, target: Path) -> None:
    """A stored file into the archive folder: linked from the folder store, downloaded from a bucket."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(store, ObjectStore):
        target.write_bytes(store.read(stored_name))
        return
    try:
        os.link(store.path(stored_name), target)
    except OSError:
        shutil.copy2(store.path(stored_name), target)


def _write_parquet(frame: pd.DataFrame, target: Path) -> None:
    with duckdb.connect() as duck:
        duck.register("chunk_rows", frame)
        duck.execute(f"COPY chunk_rows TO {_literal(target)} (FORMAT parquet)")


def _read_parquet(sql: str, params: list) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of a query over archived Parquet files, read by an in-memory DuckDB whatever the
    database is."""
    with duckdb.connect() as duck:
        found = duck.execute(sql, params)
        return [column[0] for column in found.description], found.fetchall()


def _discard_unfinished(db: Database, root: Path) -> int:
    recorded = {row[0] for row in db.query_all("SELECT folder FROM archive_chunks")}
    discarded = 0
    for folder in root.iterdir() if root.is_dir() else ():
        if folder.is_dir() and folder.name not in recorded:
            shutil.rmtree(folder)
            discarded += 1
    return discarded


def _write_chunk(db: Database, store: FileStore | ObjectStore | None, staging: Path, ids: pd.DataFrame, cutoff: datetime,
                 tables_to_write: dict[str, str] = TABLES) -> dict:
    """The chunk's rows as Parquet and its files linked beside them, with the manifest; returns the manifest."""
    tables = {}
    with db.cursor() as cursor:
        cursor.register("chunk_ids", ids)
        for table, condition in tables_to_write.items():
            target = staging / f"{table}.parquet"
            if db.dialect == "duckdb":
                cursor.execute(f"COPY (SELECT * FROM {table} WHERE {condition}) TO {_literal(target)} (FORMAT parquet)")
            else:
                _write_parquet(cursor.execute(f"SELECT * FROM {table} WHERE {condition}").df(), target)
            rows = _read_parquet("SELECT count(*) FROM read_parquet(?)", [str(target)])[1][0][0]
            tables[table] = {"rows": rows, "sha256": _sha256(target)}
        stored = [row[0] for row in cursor.execute(
            "SELECT stored_name FROM files WHERE submission_id IN (SELECT id FROM chunk_ids)").fetchall()] \
            if store is not None else []
        cursor.unregister("chunk_ids")
    for name in stored:
        _place(store, name, staging / "files" / name)
    manifest = {"cutoff": cutoff.isoformat(), "items": len(ids), "tables": tables, "files": len(stored)}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


@not_centre_data("the team's retention of every centre's old items")
def archive(db: Database, user: User, store: FileStore | ObjectStore, root: Path, before: datetime | None = None,
            chunk_items: int = CHUNK_ITEMS, now: datetime | None = None) -> ArchiveRun:
    """Archive every item due before `before` (the retention cutoff by default), chunk by chunk; one run at a time
    (a second is refused, saying so)."""
    _team_only(user)
    if not _ONE_RUN.acquire(blocking=False):
        raise Refused("An archive run is already under way: this one was not started. Its outcome shows on the "
                      "Retention and Operations pages when it ends.")
    try:
        return _archive(db, user, store, root, before, chunk_items, now)
    finally:
        _ONE_RUN.release()


def _archive(db: Database, user: User, store: FileStore | ObjectStore, root: Path, before: datetime | None, chunk_items: int,
             now: datetime | None) -> ArchiveRun:
    before = before or cutoff_for(db)
    root.mkdir(parents=True, exist_ok=True)
    discarded = _discard_unfinished(db, root)
    now = now or datetime.now()
    folders, items, files = [], 0, 0
    while True:
        ids = db.query_df(f"SELECT id FROM submissions WHERE {DUE} ORDER BY id LIMIT ?", [before, chunk_items])
        if ids.empty:
            break
        folder = f"{now:%Y%m%d-%H%M%S-%f}-{int(ids.id.iloc[0])}-{int(ids.id.iloc[-1])}"
        stored = [row[0] for row in db.query_all(
            "SELECT stored_name FROM files WHERE submission_id IN (SELECT unnest(CAST(? AS BIGINT[])))", [ids.id.tolist()])]
        manifest = _archive_chunk(db, user, store, root, folder, ids, before, now, TABLES, "archive_chunk",
                                  {"items": len(ids), "cutoff": before})
        store.discard(stored)
        folders.append(folder)
        items += len(ids)
        files += manifest["files"]
    invoices = _archive_money(db, user, root, cutoff_for(db, key="money_retention_years"), now)
    return ArchiveRun(len(folders), items, files, tuple(folders), discarded, invoices)


def _archive_money(db: Database, user: User, root: Path, before: datetime, now: datetime) -> int:
    """Invoices billed for weeks before `before`, with their lines and the audit rows of their runs."""
    ids = db.query_df("SELECT id, ?::TIMESTAMP AS cutoff FROM invoices WHERE week_start < ? ORDER BY id",
                      [before, before.date()])
    if ids.empty:
        return 0
    _archive_chunk(db, user, None, root, f"money-{now:%Y%m%d-%H%M%S}", ids, before, now, MONEY_TABLES,
                   "archive_money", {"invoices": len(ids), "before": before})
    return len(ids)


def _archive_chunk(db: Database, user: User, store: FileStore | ObjectStore | None, root: Path, folder: str, ids: pd.DataFrame,
                   before: datetime, now: datetime, tables: dict[str, str], action: str, details: dict) -> dict:
    """Write one chunk (Parquet, files, manifest) under a temporary name and rename it into place; then delete
    its live rows and record it in one audited transaction. A chunk whose transaction fails leaves no folder."""
    staging = root / f".{folder}.part"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    manifest = _write_chunk(db, store, staging, ids, before, tables)
    os.replace(staging, root / folder)

    def work(writer: Writer) -> None:
        writer.cursor.register("chunk_ids", ids)
        # Fingerprints and passes to claim are not archived: both are worked out again from what is.
        writer.execute("DELETE FROM claims_due WHERE submission_id IN (SELECT id FROM chunk_ids)")
        for fingerprints in ("evidence_samples", "evidence_fingerprints"):
            writer.execute(f"DELETE FROM {fingerprints} WHERE file_id IN "
                           "(SELECT id FROM files WHERE submission_id IN (SELECT id FROM chunk_ids))")
        for table, condition in reversed(tables.items()):
            writer.execute(f"DELETE FROM {table} WHERE {condition}")
        writer.cursor.unregister("chunk_ids")
        writer.execute("INSERT INTO archive_chunks VALUES (?, ?, ?, ?, ?)", [folder, before, len(ids), now, user.id])
        writer.audit(action, "archive", folder,
                     after={**details, "files": manifest["files"],
                            "rows": {table: entry["rows"] for table, entry in manifest["tables"].items()}})

    try:
        db.transact(user, work)
    except BaseException:
        shutil.rmtree(root / folder, ignore_errors=True)
        raise
    return manifest


def _committed_parquet(db: Database, root: Path, table: str) -> list[str]:
    return [str(root / row[0] / f"{table}.parquet")
            for row in db.query_all("SELECT folder FROM archive_chunks WHERE folder NOT LIKE 'money-%' ORDER BY folder")]


@not_centre_data("the team's search of the archive")
def search_archive(db: Database, user: User, root: Path, centre: str = "", learner: str = "", enr: str = "",
                   item_id: int | None = None, limit: int = 200) -> pd.DataFrame:
    """Archived items (not restored) by centre number, learner name, ENR or item ID."""
    _team_only(user)
    paths = _committed_parquet(db, root, "submissions")
    if not paths:
        return pd.DataFrame(columns=["ID", "Centre", "ENR", "Learner", "Unit(s)", "Stage", "Result", "Released",
                                     "Rejected", "Folder"])
    sql = """SELECT s.id AS "ID", c.number AS "Centre", l.enr AS "ENR", l.first_name || ' ' || l.last_name AS "Learner",
                    s.unit_codes AS "Unit(s)", s.stage AS "Stage", s.result AS "Result",
                    CAST(s.released_at AS DATE) AS "Released", CAST(s.rejected_at AS DATE) AS "Rejected",
                    s.filename AS "Folder"
             FROM {archived} s
             JOIN centres c ON c.id = s.centre_id JOIN learners l ON l.id = s.learner_id
             WHERE s.id NOT IN (SELECT submission_id FROM archive_restores)
               AND (? = '' OR c.number = ?) AND (? = '' OR l.search_name LIKE '%' || lower(?) || '%')
               AND (? = '' OR l.enr = upper(?)) AND (CAST(? AS BIGINT) IS NULL OR s.id = ?)
             ORDER BY s.id LIMIT ?"""
    params = [centre, centre, learner, learner, enr, enr, item_id, item_id, limit]
    if db.dialect == "duckdb":
        found = db.query_df(sql.format(archived="read_parquet(?, filename = true)"), [paths, *params])
    else:
        # PostgreSQL cannot read Parquet: the archived items' keys, read here, join its live centres and learners.
        columns, rows = _read_parquet(
            "SELECT id, centre_id, learner_id, unit_codes, stage, result, released_at, rejected_at, filename "
            "FROM read_parquet(?, filename = true) WHERE CAST(? AS BIGINT) IS NULL OR id = ?",
            [paths, item_id, item_id])
        with db.cursor() as cursor:
            cursor.register("archived_items", pd.DataFrame(rows, columns=columns))
            found = cursor.execute(sql.format(archived="archived_items"), params).df()
    found["Folder"] = [Path(name).parent.name for name in found.Folder]
    return found


@not_centre_data("the team's restore of an archived item")
def restore(db: Database, user: User, store: FileStore | ObjectStore, root: Path, item_id: int,
            now: datetime | None = None) -> str:
    """Put an archived item back, rows and files as they were; returns the folder it came from."""
    _team_only(user)
    found = search_archive(db, user, root, item_id=int(item_id))
    if found.empty:
        raise NotFound(f"Item {item_id} is not in the archive (or has been restored already).")
    folder = root / found.Folder.iloc[0]
    now = now or datetime.now()
    names = [row[0] for row in _read_parquet(
        "SELECT stored_name FROM read_parquet(?) WHERE submission_id = ?", [str(folder / "files.parquet"), item_id])[1]]
    missing = [name for name in names if not (folder / "files" / name).is_file()]
    if missing:
        raise Refused(f"The archive of item {item_id} is missing its file {missing[0]}: it cannot be restored whole.")
    placed = []
    for name in names:
        if isinstance(store, FileStore) and store.path(name).exists():
            continue  # still in the store (an archive run stopped before it removed it): the same bytes
        store.put_named(name, (folder / "files" / name).read_bytes())  # whole before the rows commit
        placed.append(name)

    def work(writer: Writer) -> None:
        if writer.execute("SELECT 1 FROM submissions WHERE id = ?", [item_id]).fetchone():
            raise Refused(f"Item {item_id} is already live.")
        for table in TABLES:
            key = "id" if table == "submissions" else "submission_id"
            condition = (f"entity = 'submission' AND entity_id = '{int(item_id)}'" if table == "audit_log"
                         else f"{key} = {int(item_id)}")
            columns, rows = _read_parquet(f"SELECT * FROM read_parquet(?) WHERE {condition}",
                                          [str(folder / f"{table}.parquet")])
            named = ", ".join(f'"{column}"' for column in columns)
            for row in rows:  # a handful: one item's
                writer.execute(f"INSERT INTO {table} ({named}) VALUES ({', '.join('?' * len(columns))})", list(row))
        refresh_claims_due(writer, [item_id])
        writer.execute("INSERT INTO archive_restores VALUES (?, ?, ?, ?)", [item_id, folder.name, now, user.id])
        writer.audit("archive_restore", "submission", item_id, after={"folder": folder.name, "files": len(names)})

    try:
        db.transact(user, work)
    except BaseException:
        store.discard(placed)
        raise
    return folder.name
