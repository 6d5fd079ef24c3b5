"""Where figures are counted. On the embedded database, in it. On PostgreSQL, in a DuckDB copy of the tables the
figures read (referral rates, the funnel, batch review, EQA, SLA performance, the forecast), made in one
consistent read and made again when it is older than REFRESH_SECONDS: a count over every result of a big
service runs on a columnar engine and never holds up the queues, which read PostgreSQL live.

The copy has the embedded schema (the same migrations), so each figure is the same statement on the same types as
on the embedded database, and comes out the same.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lib.store.db import Database, connect
from lib.store.migrate import migrate

REFRESH_SECONDS = 120
# What no figure reads: the history, sign-in state and documents kept in the database.
NOT_COPIED = frozenset({"schema_version", "audit_log", "sessions", "sign_in_throttle", "device_lockouts",
                        "mapping_versions", "hei_credentials", "learner_record_versions", "job_runs", "job_lock",
                        "archive_chunks", "archive_restores", "registration_imports",
                        # big, and read by no figure (the passes to claim are counted live)
                        "files", "registrations", "claims_due"})


@dataclass
class Snapshot:
    db: Database
    folder: Path
    counted_at: datetime
    made: float

    def close(self) -> None:
        self.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class FiguresCopy:
    """The DuckDB copy of one PostgreSQL database's figures tables, made again after REFRESH_SECONDS."""

    def __init__(self, source: Database, refresh_seconds: float = REFRESH_SECONDS):
        self.source = source
        self.refresh_seconds = refresh_seconds
        self._current: Snapshot | None = None
        self._making = threading.Lock()
        self._retired: list[Snapshot] = []

    def current(self) -> Snapshot:
        """A copy at most refresh_seconds old: the first is made while the caller waits; after that, a stale copy
        is still used while the next one is made in the background."""
        snapshot = self._current
        if snapshot is None:
            with self._making:
                if self._current is None:
                    self._current = make_snapshot(self.source)
            return self._current
        if time.monotonic() - snapshot.made > self.refresh_seconds and self._making.acquire(blocking=False):
            threading.Thread(target=self._refresh, name="figures-copy", daemon=True).start()
        return snapshot

    def refresh_now(self) -> Snapshot:
        with self._making:
            self._replace(make_snapshot(self.source))
        return self._current

    def _refresh(self) -> None:
        try:
            self._replace(make_snapshot(self.source))
        finally:
            self._making.release()

    def _replace(self, fresh: Snapshot) -> None:
        old, self._current = self._current, fresh
        # A page still counting on the old copy finishes first: it is closed at the next replacement.
        for retired in self._retired:
            retired.close()
        self._retired = [old] if old else []

    def close(self) -> None:
        for snapshot in [*self._retired, *([self._current] if self._current else [])]:
            snapshot.close()
        self._current, self._retired = None, []


def figures_db(db: Database) -> Database:
    """The database to count figures in: db itself on DuckDB; on PostgreSQL, its figures copy."""
    if db.dialect == "duckdb":
        return db
    return figures_copy(db).current().db


def counted_at(db: Database) -> datetime | None:
    """When the figures were copied from PostgreSQL (None on DuckDB, where they are counted live)."""
    if db.dialect == "duckdb":
        return None
    return figures_copy(db).current().counted_at


_copies_lock = threading.Lock()


def figures_copy(db: Database) -> FiguresCopy:
    with _copies_lock:
        copy = getattr(db, "_figures_copy", None)
        if copy is None:
            copy = FiguresCopy(db)
            db._figures_copy = copy
        return copy


def _tables(source: Database) -> list[tuple[str, list[str]]]:
    with source.cursor() as cursor:
        rows = cursor.execute(
            """SELECT c.table_name, c.column_name FROM information_schema.columns c
               JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
               WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
               ORDER BY c.table_name, c.ordinal_position""").fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        if table not in NOT_COPIED:
            tables.setdefault(table, []).append(column)
    return list(tables.items())


def _copy_table(reader, connection, folder: Path, table: str, columns: list[str]) -> None:
    """One table from PostgreSQL into the DuckDB copy, through a CSV file. Lists travel as JSON (PostgreSQL's
    {a,b} is not a form DuckDB reads); an empty string is quoted and NULL is not, which the reader keeps apart."""
    types = dict(connection.execute("SELECT column_name, data_type FROM information_schema.columns "
                                    "WHERE table_name = ? AND table_schema = current_schema()", [table]).fetchall())
    listed = {column for column in columns if types[column].endswith("[]")}
    selected = ", ".join(f'array_to_json("{column}")::text' if column in listed else f'"{column}"'
                         for column in columns)
    csv_path = folder / f"{table}.csv"
    with open(csv_path, "wb") as target:
        reader.copy_out(f'COPY (SELECT {selected} FROM "{table}") TO STDOUT (FORMAT csv)', target)
    names = ", ".join(f'"{column}"' for column in columns)
    read_as = ", ".join(f"'c{index}': 'VARCHAR'" for index in range(len(columns)))
    values = ", ".join(
        f"""from_json(c{index}, '["{types[column][:-2]}"]')""" if column in listed
        else f'CAST(c{index} AS {types[column]})' for index, column in enumerate(columns))
    connection.execute(f'DELETE FROM "{table}"')  # what the migrations put there
    if csv_path.stat().st_size == 0:
        csv_path.unlink()
        return
    connection.execute(
        f"""INSERT INTO "{table}" ({names}) SELECT {values}
            FROM read_csv(?, auto_detect = false, header = false, columns = {{{read_as}}}, allow_quoted_nulls = false,
                          quote = '"', escape = '"', delim = ',', new_line = '\\n', parallel = true)""",
        [str(csv_path)])
    csv_path.unlink()


def make_snapshot(source: Database) -> Snapshot:
    """Copy the figures tables of source (PostgreSQL) into a new DuckDB file, in one REPEATABLE READ transaction so
    that every table is read at the same moment.

    Each table travels as CSV: PostgreSQL's COPY writes it to a file and DuckDB's reader loads it, both outside
    Python, so a replica serving pages is not held up while a million rows are copied."""
    folder = Path(tempfile.mkdtemp(prefix="ilma-figures-"))
    path = folder / "figures.duckdb"
    connection = connect(path)
    try:
        # One core for the copy: the replica making it serves pages on the other meanwhile (DuckDB would take every
        # core to read the CSV, and a replica's pages waited seconds behind each refresh).
        connection.execute("SET threads = 1")
        migrate(connection)
        tables = _tables(source)
        with source.cursor() as reader:
            reader.begin("REPEATABLE READ")
            try:
                # CSV as DuckDB reads it back: ISO dates, floats to the last digit.
                reader.execute("SET LOCAL DateStyle = 'ISO, YMD'")
                reader.execute("SET LOCAL extra_float_digits = 3")
                counted = datetime.now()
                for table, columns in tables:
                    _copy_table(reader, connection, folder, table, columns)
            finally:
                reader.rollback()
        connection.execute("CHECKPOINT")
        connection.execute("RESET threads")
    except BaseException:
        connection.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    copy = Database(connection, path)
    copy.live = source  # settings are read from the source, live (lib/service/settings.py)
    return Snapshot(copy, folder, counted, time.monotonic())
