"""Where figures are counted. On the embedded database, in it. On PostgreSQL, in a DuckDB copy of the tables the
figures read (referral rates, the funnel, batch review, EQA, SLA performance, the forecast), made in one
consistent read and made again when it is older than REFRESH_SECONDS: a count over every result of a big
service runs on a columnar engine and never holds up the queues, which read PostgreSQL live.

The copy has the embedded schema (the same migrations), so each figure is the same statement on the same types as
on the embedded database, and comes out the same.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import threading
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import adbc_driver_postgresql.dbapi as postgres_arrow
from psycopg.conninfo import make_conninfo

from lib.store.db import Database, connect
from lib.store.migrate import migrate
from lib.store.postgres import CONNECT_SECONDS

REFRESH_SECONDS = 120
LOWEST_PRIORITY = 19  # the highest nice value
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
        # Each process refreshes a little before the limit, at its own point: replicas started together do not
        # all spend a core on their copies at the same moment every two minutes.
        self._refresh_after = refresh_seconds * random.uniform(0.8, 1.0)
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
        if time.monotonic() - snapshot.made > self._refresh_after and self._making.acquire(blocking=False):
            self._make_in_background(yielding=True)
        return snapshot

    def prepare(self) -> None:
        """Make the first copy in the background (a replica starting): the first figures page read after it
        waits for nothing, or only for the rest of it."""
        if self._current is None and self._making.acquire(blocking=False):
            self._make_in_background()

    def _make_in_background(self, yielding: bool = False) -> None:
        """Called holding _making, which the thread releases when its copy is in place (or has failed). A refresh
        (yielding) runs at the lowest CPU priority: pages go on using the copy it replaces, so the copy is the work
        that can wait when the cores are busy. A first copy is waited for and keeps the normal priority."""
        threading.Thread(target=self._refresh, args=(yielding,), name="figures-copy", daemon=True).start()

    def refresh_now(self) -> Snapshot:
        with self._making:
            self._replace(make_snapshot(self.source))
        return self._current

    def _refresh(self, yielding: bool = False) -> None:
        try:
            if yielding:
                lower_this_threads_priority()
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
        """Close every copy, after the one being made (if any) is in place: its thread reads the source."""
        with self._making:
            for snapshot in [*self._retired, *([self._current] if self._current else [])]:
                snapshot.close()
            self._current, self._retired = None, []


def lower_this_threads_priority() -> None:
    """The calling thread's nice value to the lowest priority (on Linux a nice value belongs to a thread, named by
    its native ID); elsewhere, nothing."""
    with suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_PRIORITY)


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


def _copy_table(reader, connection, table: str, columns: list[str]) -> None:
    """One table from PostgreSQL into the DuckDB copy: PostgreSQL's binary COPY read into Arrow batches by the
    ADBC driver and inserted by DuckDB, a batch at a time, without a row passing through Python."""
    names = ", ".join(f'"{column}"' for column in columns)
    reader.execute(f'SELECT {names} FROM "{table}"')
    incoming = reader.fetch_record_batch()
    connection.execute(f'DELETE FROM "{table}"')  # what the migrations put there
    # A cursor of its own holds the batches while they are read: registered on the copy's connection, they
    # would stay tied to it until the process ends.
    with closing(connection.cursor()) as inserting:
        inserting.register("incoming", incoming)
        inserting.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM incoming')


def make_snapshot(source: Database) -> Snapshot:
    """Copy the figures tables of source (PostgreSQL) into a new DuckDB file, in one REPEATABLE READ transaction so
    that every table is read at the same moment.

    Each table travels as Arrow (the ADBC driver for PostgreSQL reads its binary COPY): the copy spends its time
    in C++, not in Python, so a replica serving pages meanwhile keeps its interpreter (the CSV path this replaced
    took 15 s alone, and 20 times as long beside a busy page thread, waiting for the interpreter lock)."""
    folder = Path(tempfile.mkdtemp(prefix="ilma-figures-"))
    path = folder / "figures.duckdb"
    connection = connect(path)
    try:
        # One core for the copy: the replica making it serves pages on the other meanwhile.
        connection.execute("SET threads = 1")
        migrate(connection)
        tables = _tables(source)
        arrow_source = postgres_arrow.connect(make_conninfo(source.url, connect_timeout=CONNECT_SECONDS))
        with closing(arrow_source), closing(arrow_source.cursor()) as reader:
            # One transaction (begun by the driver, which does not commit on its own) at REPEATABLE READ: every
            # table as it was at one moment. It must be the transaction's first statement.
            reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            counted = datetime.now()
            for table, columns in tables:
                _copy_table(reader, connection, table, columns)
            arrow_source.rollback()
        connection.execute("CHECKPOINT")
        connection.execute("RESET threads")
    except BaseException:
        connection.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    copy = Database(connection, path)
    copy.live = source  # settings are read from the source, live (lib/service/settings.py)
    return Snapshot(copy, folder, counted, time.monotonic())
