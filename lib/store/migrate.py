"""Versioned schema migrations: numbered SQL files applied in order, each once."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from lib.store.db import Database, connect

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class SchemaTooNew(Exception):
    """The database was written by a newer version of the app than this one."""

    def __init__(self, found: int, known: int):
        super().__init__(f"database schema version {found} is newer than this app's {known}")
        self.found = found
        self.known = known


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str
    # PostgreSQL's own script where the dialects differ (NNNN_description.postgres.sql), else the shared one.
    postgres_sql: str | None = None

    def script(self, dialect: str) -> str:
        return self.postgres_sql if dialect == "postgres" and self.postgres_sql is not None else self.sql


def available_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in version order; versions must run 1, 2, 3 … without gaps."""
    migrations = []
    for path in sorted(folder.glob("*.sql")):
        if path.name.endswith(".postgres.sql"):
            continue
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file {path.name} is not named NNNN_description.sql")
        variant = path.with_name(path.stem + ".postgres.sql")
        migrations.append(Migration(int(match.group(1)), match.group(2).replace("_", " "), path.read_text(),
                                    variant.read_text() if variant.exists() else None))
    expected = list(range(1, len(migrations) + 1))
    if [m.version for m in migrations] != expected:
        raise ValueError(f"migration versions must be {expected}, found {[m.version for m in migrations]}")
    return migrations


def latest_version() -> int:
    return len(available_migrations())


def current_version(connection) -> int:
    """The schema version recorded in the database; 0 for a new, empty one."""
    exists = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        " AND table_schema = current_schema()"
    ).fetchone()[0]
    if not exists:
        return 0
    return connection.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def check_not_newer(connection) -> int:
    """Refuse a database that a newer app has migrated past what this one knows."""
    found, known = current_version(connection), latest_version()
    if found > known:
        raise SchemaTooNew(found, known)
    return found


def migrate(connection: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration the DuckDB file lacks, each in its own transaction; return those applied."""
    return _apply(connection, connection.cursor, "duckdb")


def migrate_database(db: Database) -> list[int]:
    """Apply every migration the database lacks, on either engine (PostgreSQL's variants where there are)."""
    with db.cursor() as cursor:
        if db.dialect == "postgres":
            # One migrating process at a time: replicas starting together wait here instead of racing.
            cursor.execute("SELECT pg_advisory_lock(?)", [MIGRATION_LOCK])
        try:
            return _apply(cursor, _same(cursor), db.dialect)
        finally:
            if db.dialect == "postgres":
                cursor.execute("SELECT pg_advisory_unlock(?)", [MIGRATION_LOCK])


MIGRATION_LOCK = 7_140_001  # the advisory lock key of migrations (lib/ops keeps the jobs' keys)


def _same(cursor):
    """A cursor factory that hands out the one cursor again and does not close it."""

    class _Borrowed:
        def __getattr__(self, name):
            return getattr(cursor, name)

        def close(self) -> None:
            pass

    return _Borrowed


def _apply(connection, new_cursor, dialect: str) -> list[int]:
    found = check_not_newer(connection)
    applied = []
    for migration in available_migrations():
        if migration.version <= found:
            continue
        cursor = new_cursor()
        try:
            cursor.begin()
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            cursor.execute(migration.script(dialect))
            cursor.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)",
                [migration.version, migration.description, datetime.now()],
            )
            cursor.commit()
        except BaseException:
            cursor.rollback()
            raise
        finally:
            cursor.close()
        applied.append(migration.version)
    return applied


def create_database(path: Path, fill: Callable[[Database], T]) -> T:
    """A new database file at path, migrated and filled by fill(db), whole or not at all (it is built under
    another name and renamed into place once it is complete)."""
    if path.exists():
        raise FileExistsError(f"{path} already exists: choose a new path, or delete the old file first")
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    connection = connect(building)
    try:
        migrate(connection)
        result = fill(Database(connection, building))
        connection.execute("CHECKPOINT")
    except BaseException:
        connection.close()
        building.unlink(missing_ok=True)
        raise
    connection.close()
    building.rename(path)
    return result
