"""The one DuckDB connection of this process, a cursor per unit of work, audited writes."""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from lib.errors import Refused
from lib.rules.roles import User

T = TypeVar("T")

WRITE_RETRIES = 8
CHANGED_MEANWHILE = "Someone else has just changed this item; the page now shows its new state."


class DatabaseLocked(Exception):
    """Another process holds the database file open for writing."""

    def __init__(self, path: Path, holder: str):
        super().__init__(f"{path} is locked by {holder}")
        self.path = path
        self.holder = holder


class ChangedMeanwhile(Refused):
    """Another session's write got there first (a conflict that retrying did not resolve, or a duplicate)."""


class AuditMissing(RuntimeError):
    """A write tried to commit without saying what it did in the audit log."""


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?)(?:\. See also|$)")


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the file, turning DuckDB's lock error into DatabaseLocked."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        message = str(error)
        if "Could not set lock" not in message:
            raise
        found = _LOCK_HOLDER.search(message)
        raise DatabaseLocked(path, found.group(1) if found else "another process") from error


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


@dataclass
class Writer:
    """A cursor inside an open transaction that also writes the audit trail."""

    cursor: duckdb.DuckDBPyConnection
    actor_id: int | None
    actor_name: str
    audited: bool = False
    # "duckdb" or "postgres": for the few statements whose text differs between the engines.
    dialect: str = "duckdb"

    def act_for(self, user_id: int, username: str) -> None:
        """Attribute the audit rows to an account found inside the transaction (sign-in)."""
        self.actor_id, self.actor_name = user_id, username

    def execute(self, sql: str, params: list | tuple | dict | None = None) -> duckdb.DuckDBPyConnection:
        return self.cursor.execute(sql, params or [])

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: Any = None,
        before: dict | None = None,
        after: dict | None = None,
    ) -> None:
        """Record who did what to which row, with the row before and after."""
        self.cursor.execute(
            """INSERT INTO audit_log (id, occurred_at, user_id, username, action, entity, entity_id, before, after)
               VALUES (nextval('seq_audit_log'), ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                datetime.now(),
                self.actor_id,
                self.actor_name,
                action,
                entity,
                None if entity_id is None else str(entity_id),
                None if before is None else json.dumps(before, default=_jsonable),
                None if after is None else json.dumps(after, default=_jsonable),
            ],
        )
        self.audited = True


class Database:
    """Owns the read-write connection; hands out cursors and audited transactions.

    The embedded default is one DuckDB file; `Database.open_url("postgresql://…")` gives the same interface on
    PostgreSQL (lib/store/postgres.py), where `path` is None and `url` says which database it is.
    """

    dialect = "duckdb"
    url: str | None = None
    # For a copy of another database's tables (lib/store/figures.py): that database, where settings are read live.
    live: Database | None = None
    # What transact retries (a write conflict) and what it refuses at once (a duplicate key).
    _conflicts: tuple[type[BaseException], ...] = (duckdb.TransactionException,)
    _duplicates: tuple[type[BaseException], ...] = (duckdb.ConstraintException,)

    def __init__(self, connection: duckdb.DuckDBPyConnection | None, path: Path | None = None):
        self._connection = connection
        self.path = path
        # One process owns the file; its writers take turns, so two sessions doing one thing at once are
        # serialised instead of conflicting (reads never wait). Re-entrant for work that calls transact again.
        self._write_turn = threading.RLock()

    @classmethod
    def open(cls, path: Path) -> Database:
        return cls(connect(path), path)

    @staticmethod
    def open_url(url: str) -> Database:
        """The scale-out database at a postgresql:// URL."""
        from lib.store.postgres import PostgresDatabase

        return PostgresDatabase(url)

    @property
    def source(self) -> str:
        """Which database this is, for caches keyed by it and for messages."""
        return self.url or str(self.path)

    def close(self) -> None:
        self._connection.close()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for one unit of read work, closed afterwards."""
        cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    @contextmanager
    def checking(self) -> Iterator[Writer]:
        """A Writer over a read cursor, to run a write's own checks ahead of it (a button disabled with the reason
        it would be refused): they read what they read inside the write, and nothing is written."""
        with self.cursor() as cursor:
            yield Writer(cursor, None, "", dialect=self.dialect)

    def query_df(self, sql: str, params: list | tuple | dict | None = None):
        with self.cursor() as cursor:
            return cursor.execute(sql, params or []).df()

    def query_all(self, sql: str, params: list | tuple | dict | None = None) -> list[tuple]:
        with self.cursor() as cursor:
            return cursor.execute(sql, params or []).fetchall()

    def query_one(self, sql: str, params: list | tuple | dict | None = None) -> tuple | None:
        with self.cursor() as cursor:
            return cursor.execute(sql, params or []).fetchone()

    def transact(
        self,
        actor: User | None,
        work: Callable[[Writer], T],
        actor_name: str | None = None,
    ) -> T:
        """Run work in one transaction that must write its audit row.

        A write conflict is retried with a growing, jittered pause; one that lasts, or a duplicate key (what must
        happen once has happened), ends in ChangedMeanwhile, which pages show as a refusal.
        """
        name = actor.username if actor else (actor_name or "system")
        with self._write_turn:
            for attempt in range(1, WRITE_RETRIES + 1):
                with self.cursor() as cursor:
                    cursor.begin()
                    writer = Writer(cursor, actor.id if actor else None, name, dialect=self.dialect)
                    try:
                        result = work(writer)
                        if not writer.audited:
                            raise AuditMissing(f"{getattr(work, '__name__', work)!r} wrote without an audit row")
                        cursor.commit()
                        return result
                    except self._conflicts as conflict:
                        _rollback(cursor)
                        if attempt == WRITE_RETRIES:
                            raise ChangedMeanwhile(CHANGED_MEANWHILE) from conflict
                        time.sleep(random.uniform(0.01, 0.05) * attempt)
                    except self._duplicates as duplicate:
                        _rollback(cursor)
                        if self.dialect == "duckdb" and "duplicate key" not in str(duplicate).lower():
                            raise
                        raise ChangedMeanwhile(CHANGED_MEANWHILE) from duplicate
                    except BaseException:
                        _rollback(cursor)
                        raise
        raise AssertionError("unreachable")


def _rollback(cursor) -> None:
    """Roll back what is still open (a failed commit has already ended the transaction)."""
    with suppress(Exception):
        cursor.rollback()
