"""Moving an embedded installation to the scale-out configuration: every table of the DuckDB file into a migrated,
empty PostgreSQL database, every stored file into the target store, then both checked (rows counted, files hashed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from lib.errors import Refused
from lib.store.db import Database
from lib.store.migrate import current_version, latest_version, migrate_database

COPY_BATCH = 10_000
SKIPPED_TABLES = {"schema_version"}
# A target with rows in any of these holds an installation of its own, which a move must not overwrite. What the
# migrations put in other tables (settings' defaults, fees, reference data) is replaced by the source's rows.
INSTALLATION_TABLES = ("users", "centres", "learners", "submissions", "audit_log")


class TransferRefused(Refused):
    """The source or target is not fit for the move; nothing of the target's data was changed."""


@dataclass
class TransferReport:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _tables(db: Database) -> list[str]:
    with db.cursor() as cursor:
        rows = cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                              " AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()
    return [name for (name,) in rows if name not in SKIPPED_TABLES]


def _column_types(db: Database, table: str) -> list[tuple[str, str]]:
    with db.cursor() as cursor:
        return cursor.execute("SELECT column_name, udt_name FROM information_schema.columns"
                              " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
                              [table]).fetchall()


def _sequences(source: Database) -> list[tuple[str, int]]:
    """Each sequence's next value: DuckDB does not say its last value, so the next is read by taking one."""
    with source.cursor() as cursor:
        names = [name for (name,) in cursor.execute("SELECT sequence_name FROM duckdb_sequences()").fetchall()]
    taken = []
    with source.cursor() as cursor:
        cursor.begin()
        try:
            for name in names:
                taken.append((name, cursor.execute(f'SELECT nextval(\'"{name}"\')').fetchone()[0]))
        finally:
            cursor.rollback()  # the values read are not used up in the source
    return taken


def copy_database(source: Database, target: Database, progress: Callable[[str], None] = lambda _: None
                  ) -> dict[str, int]:
    """Every row of source into target (PostgreSQL), in one transaction: all or nothing. Returns rows per table."""
    if source.dialect != "duckdb" or target.dialect != "postgres":
        raise TransferRefused("the move goes from an embedded (DuckDB) database to a PostgreSQL one")
    with source.cursor() as cursor:
        source_version = current_version(cursor)
    if source_version != latest_version():
        raise TransferRefused(f"the source is at schema version {source_version}, this app at {latest_version()}: "
                              "start the app on it once (or run `python -m lib backup`) so it is migrated first")
    migrate_database(target)
    tables = _tables(source)
    missing = sorted(set(tables) - set(_tables(target)))
    if missing:
        raise TransferRefused(f"the target lacks tables {', '.join(missing)}")
    copied: dict[str, int] = {}
    with target.cursor() as writer:
        writer.begin()
        try:
            for table in INSTALLATION_TABLES:
                if _has_rows(writer, table):
                    raise TransferRefused(f"the target already holds an installation (its {table} has rows): "
                                          "move into a new, empty database")
            for table in tables:
                copied[table] = _copy_table(source, target, writer, table)
                progress(f"{table}: {copied[table]:,} rows")
            for name, next_value in _sequences(source):
                writer.execute("SELECT setval(?, ?, false)", [name, next_value])
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        # Fresh statistics, so that the planner chooses the indexes from the first query rather than after
        # autovacuum gets round to a million new rows.
        progress("analysing the tables")
        writer.execute("VACUUM ANALYZE")
    return copied


def holds_installation(db: Database) -> bool:
    """Whether the database has an installation's rows (people, centres, learners, items or history)."""
    with db.cursor() as cursor:
        return any(_has_rows(cursor, table) for table in INSTALLATION_TABLES)


def _has_rows(cursor, table: str) -> bool:
    return cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]


def _copy_table(source: Database, target: Database, writer, table: str) -> int:
    columns = _column_types(target, table)
    names = [name for name, _ in columns]
    quoted = ", ".join(f'"{name}"' for name in names)
    writer.execute(f'DELETE FROM "{table}"')
    count = 0
    with source.cursor() as reader:
        result = reader.execute(f'SELECT {quoted} FROM "{table}"')
        # _varchar is varchar[]; JSON goes as its text (psycopg would encode a str as a JSON string again).
        types = [kind[1:] + "[]" if kind.startswith("_") else "text" if kind in ("json", "jsonb") else kind
                 for _, kind in columns]
        with writer.copy(f'COPY "{table}" ({quoted}) FROM STDIN', types) as copy:
            while rows := result.fetchmany(COPY_BATCH):
                for row in rows:
                    copy.write_row(row)
                count += len(rows)
    return count


def count_rows(db: Database) -> dict[str, int]:
    counts = {}
    with db.cursor() as cursor:
        for table in _tables(db):
            counts[table] = cursor.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    return counts


def stored_names(db: Database) -> list[str]:
    """Every file name a row points to (evidence, sheets, recordings and the rest all live in files)."""
    with db.cursor() as cursor:
        return [name for (name,) in cursor.execute(
            "SELECT DISTINCT stored_name FROM files WHERE stored_name IS NOT NULL ORDER BY 1").fetchall()]


def copy_files(names: list[str], source_store, target_store, report: TransferReport,
               progress: Callable[[str], None] = lambda _: None) -> None:
    """Each named file into the target store under the same name, read back and compared by SHA-256."""
    for number, name in enumerate(names, 1):
        try:
            data = source_store.read(name)
        except FileNotFoundError:
            report.problems.append(f"file {name} is missing from the source store")
            continue
        target_store.put_named(name, data)
        if hashlib.sha256(target_store.read(name)).digest() != hashlib.sha256(data).digest():
            report.problems.append(f"file {name} reads back different from the target store")
            continue
        report.files += 1
        report.file_bytes += len(data)
        if number % 1000 == 0:
            progress(f"files: {number:,} of {len(names):,}")
