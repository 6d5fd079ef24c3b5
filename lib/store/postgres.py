"""The scale-out database: PostgreSQL through a psycopg pool, behind the same Database interface as DuckDB.

Statements are the app's one SQL text (lib/store/sql_text.py numbers its placeholders). Write transactions run at
REPEATABLE READ, so a lost race is a serialization failure that transact retries and then refuses, as DuckDB's
write conflict is; frames come out with the dtypes DuckDB gives, so pages and figures do not tell the engines apart.
"""

from __future__ import annotations

import atexit
import threading
from contextlib import contextmanager, suppress
from decimal import Decimal
from typing import Any, BinaryIO

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa
from psycopg import errors as pg_errors
from psycopg import postgres
from psycopg.adapt import Dumper
from psycopg.types.numeric import NumericLoader
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool

from lib.store.db import Database
from lib.store.sql_text import for_postgres

POOL_SIZE = 12
CONNECT_SECONDS = 10
WRITE_ISOLATION = "REPEATABLE READ"
# The app's statements are short: JIT compiling the bigger ones cost more (tens of ms each) than it ever saved, and
# with the tables cached a random read costs about what a sequential one does (the planner then picks the indexes
# that the queues' pages need). Parallel workers stay: without them the team's Tracker and Home took twice as long.
SESSION_OPTIONS = "-c jit=off -c random_page_cost=1.1"


class WholeOrFloatLoader(NumericLoader):
    """numeric as int when whole, float otherwise: PostgreSQL's sum() and avg() of integers are numeric, DuckDB's are
    integers and doubles, and the app formats and compares them as numbers."""

    def load(self, data):
        value = super().load(data)
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() and value.is_finite() else float(value)
        return value


class TextList(list):
    """A list of strings sent as text[]: psycopg sends a str list as an untyped array, which unnest() and the
    like cannot resolve."""


class TextListDumper(Dumper):
    oid = postgres.types["text"].array_oid

    def dump(self, obj: TextList) -> bytes:
        items = ('NULL' if item is None else '"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"'
                 for item in obj)
        return ("{" + ",".join(items) + "}").encode()


def _typed(value: Any) -> Any:
    if isinstance(value, (list, tuple)) and value and all(isinstance(item, str) or item is None for item in value):
        return TextList(value)
    return value


def _configure(connection: psycopg.Connection) -> None:
    connection.adapters.register_dumper(TextList, TextListDumper)
    connection.adapters.register_loader("numeric", WholeOrFloatLoader)
    # DuckDB hands JSON columns back as their text; the app parses them itself.
    connection.adapters.register_loader("json", TextLoader)
    connection.adapters.register_loader("jsonb", TextLoader)


# PostgreSQL type names to Arrow types for frames (whatever is not named here is inferred by Arrow).
_ARROW_TYPES = {
    "bool": pa.bool_(), "int2": pa.int16(), "int4": pa.int32(), "int8": pa.int64(), "float4": pa.float64(),
    "float8": pa.float64(), "numeric": pa.float64(), "text": pa.string(), "varchar": pa.string(),
    "bpchar": pa.string(), "name": pa.string(), "json": pa.string(), "jsonb": pa.string(), "date": pa.date32(),
    "timestamp": pa.timestamp("us"), "bytea": pa.binary(), "_text": pa.list_(pa.string()),
    "_varchar": pa.list_(pa.string()), "_int4": pa.list_(pa.int32()), "_int8": pa.list_(pa.int64()),
    "_float8": pa.list_(pa.float64()), "_bool": pa.list_(pa.bool_()), "_date": pa.list_(pa.date32()),
}

# Arrow types of a registered frame to PostgreSQL column types.
def _pg_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_integer(arrow_type):
        return "BIGINT"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "DOUBLE PRECISION"
    if pa.types.is_date(arrow_type):
        return "DATE"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP"
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return "BYTEA"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return _pg_type(arrow_type.value_type) + "[]"
    return "TEXT"


_frame_lock = threading.Lock()
_frame_makers: list[duckdb.DuckDBPyConnection] = []


def _frame_maker() -> duckdb.DuckDBPyConnection:
    """A cursor of the one in-memory DuckDB that turns Arrow tables into frames exactly as DuckDB's own .df() does.
    One database for the process: opening one per thread (Streamlit runs each rerun on a new thread) cost 19 ms a
    rerun under load."""
    with _frame_lock:
        if not _frame_makers:
            _frame_makers.append(duckdb.connect())
            atexit.register(_frame_makers[0].close)
        return _frame_makers[0].cursor()


class PostgresCursor:
    """What the app uses of a DuckDB cursor, on one pooled PostgreSQL connection."""

    def __init__(self, connection: psycopg.Connection):
        self._connection = connection
        self._cursor = connection.cursor()
        self._registered: list[str] = []

    # Statements -------------------------------------------------------------------------------------------
    def execute(self, sql: str, params: Any = None) -> PostgresCursor:
        text, values = for_postgres(sql, params)
        values = [_typed(value) for value in values]
        self._cursor.execute(text, values or None)
        return self

    def fetchone(self) -> tuple | None:
        if self._cursor.description is None:
            return self._changed()[0]
        return self._cursor.fetchone()

    def fetchall(self) -> list[tuple]:
        if self._cursor.description is None:
            return self._changed()
        return self._cursor.fetchall()

    def _changed(self) -> list[tuple]:
        """What DuckDB answers an INSERT, UPDATE or DELETE without RETURNING: one row, the rows it changed (the
        app reads it to tell whether a guarded UPDATE found its row)."""
        return [(self._cursor.rowcount,)]

    def fetchmany(self, size: int) -> list[tuple]:
        return self._cursor.fetchmany(size)

    @property
    def description(self):
        return self._cursor.description

    def df(self) -> pd.DataFrame:
        table = self._arrow(self._cursor.description or [], self._cursor.fetchall())
        maker = _frame_maker()
        try:
            return maker.from_arrow(table).df()
        finally:
            maker.close()

    def copy_out(self, statement: str, target: BinaryIO) -> None:
        """The rows of a COPY … TO STDOUT written to target as the server sends them: no row becomes a Python
        object, so a big table streams at the speed of the socket."""
        with self._cursor.copy(statement) as copy:
            for chunk in copy:
                target.write(chunk)

    def _arrow(self, description, rows: list[tuple]) -> pa.Table:
        columns = list(zip(*rows)) if rows else [()] * len(description)
        arrays = []
        for column, values in zip(description, columns):
            info = self._connection.adapters.types.get(column.type_code)
            # The registry gives an array type's element type: its name with "_" before it is the array's.
            name = None if info is None else ("_" + info.name if info.array_oid == column.type_code else info.name)
            arrow_type = _ARROW_TYPES.get(name)
            arrays.append(pa.array(list(values), type=arrow_type) if arrow_type else pa.array(list(values)))
        return pa.Table.from_arrays(arrays, names=[column.name for column in description])

    def copy(self, statement: str, types: list[str]):
        """A COPY … FROM STDIN of this cursor, its columns of the PostgreSQL types named (rows by write_row)."""
        copy = self._cursor.copy(statement)
        return _TypedCopy(copy, types)

    # Transactions --------------------------------------------------------------------------------------------
    def begin(self, isolation: str = WRITE_ISOLATION) -> None:
        self._cursor.execute(f"BEGIN ISOLATION LEVEL {isolation}")

    def commit(self) -> None:
        self._cursor.execute("COMMIT")

    def rollback(self) -> None:
        self._cursor.execute("ROLLBACK")

    # Frames as tables -----------------------------------------------------------------------------------------
    def register(self, name: str, frame: pd.DataFrame) -> None:
        """A pandas frame as a temporary table of this connection, as DuckDB's register makes it a view."""
        table = pa.Table.from_pandas(frame, preserve_index=False)
        quoted = psycopg.sql.Identifier(name).as_string(self._connection)
        columns = ", ".join(f"{psycopg.sql.Identifier(field.name).as_string(self._connection)} {_pg_type(field.type)}"
                            for field in table.schema)
        self._cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{quoted}")
        self._cursor.execute(f"CREATE TEMP TABLE {quoted} ({columns})")
        with self._cursor.copy(f"COPY {quoted} FROM STDIN") as copy:
            for row in zip(*(column.to_pylist() for column in table.columns)):
                copy.write_row(row)
        self._registered.append(quoted)

    def unregister(self, name: str) -> None:
        quoted = psycopg.sql.Identifier(name).as_string(self._connection)
        self._cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{quoted}")
        if quoted in self._registered:
            self._registered.remove(quoted)

    def close(self) -> None:
        for quoted in self._registered:
            with suppress(psycopg.Error):
                self._cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{quoted}")
        self._cursor.close()


class _TypedCopy:
    def __init__(self, copy, types: list[str]):
        self._copy, self._types = copy, types

    def __enter__(self):
        entered = self._copy.__enter__()
        try:
            entered.set_types(self._types)
        except BaseException as error:
            self._copy.__exit__(type(error), error, error.__traceback__)  # ends the COPY, or the connection hangs
            raise
        return entered

    def __exit__(self, *exc):
        return self._copy.__exit__(*exc)


class PostgresPool:
    """The pool of connections to one PostgreSQL database, each set up as the app expects."""

    def __init__(self, url: str, size: int = POOL_SIZE):
        self.url = url
        # One connection first, so that a wrong URL or a server that is down is said at once (the pool would only
        # retry in the background until a caller timed out).
        psycopg.connect(url, connect_timeout=CONNECT_SECONDS).close()
        self._pool = ConnectionPool(url, min_size=1, max_size=size, open=True, configure=_configure,
                                    kwargs={"autocommit": True, "cursor_factory": psycopg.RawCursor,
                                            "application_name": "ilma",
                                            "options": SESSION_OPTIONS})

    @contextmanager
    def cursor(self):
        with self._pool.connection() as connection:
            cursor = PostgresCursor(connection)
            try:
                yield cursor
            finally:
                cursor.close()

    def close(self) -> None:
        self._pool.close()


CONFLICT_ERRORS = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)
DUPLICATE_ERRORS = (pg_errors.UniqueViolation,)


class PostgresDatabase(Database):
    """Database on PostgreSQL: a pool of connections instead of DuckDB's one, the same cursors and transactions."""

    dialect = "postgres"
    _conflicts = CONFLICT_ERRORS
    _duplicates = DUPLICATE_ERRORS

    def __init__(self, url: str, size: int = POOL_SIZE):
        super().__init__(None, None)
        self.url = url
        self._pool = PostgresPool(url, size)

    def close(self) -> None:
        copy = getattr(self, "_figures_copy", None)
        if copy is not None:
            copy.close()  # its DuckDB file in the temporary folder goes with it
        self._pool.close()

    @contextmanager
    def cursor(self):
        with self._pool.cursor() as cursor:
            yield cursor


FIRST_START_LOCK = 7_140_002  # advisory lock keys of this app: 7_140_001 migrations, 7_140_002 first start


@contextmanager
def first_start_lock(db: PostgresDatabase):
    """One replica at a time migrates and, on an empty database, builds the demo; the others wait and find it done."""
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(?)", [FIRST_START_LOCK])
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(?)", [FIRST_START_LOCK])
