"""Shared fixtures: a small deterministic demo database, copied fresh for each test, on each storage backend.

`db` (and the app fixtures) run every test that takes them on the embedded DuckDB file and on PostgreSQL (a
throwaway server started once per run, each test on a database created from a template). ILMA_TEST_BACKENDS=duckdb
(or postgres) narrows a run to one of them.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

from lib import demo
from lib.accounts.auth import user_by_username
from lib.rules.roles import User
from lib.store.db import Database

# The app's job scheduler stays out of tests unless one asks for it (tests/test_jobs.py does).
os.environ.setdefault("ILMA_JOBS", "off")

TODAY = date(2026, 11, 23)
SMALL_DEMO_SUBMISSIONS = 800
BACKENDS = [name for name in os.environ.get("ILMA_TEST_BACKENDS", "duckdb,postgres").split(",") if name]
TEMPLATE_DATABASE = "ilma_template"
_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    demo.build(path, SMALL_DEMO_SUBMISSIONS, seed_value=7, today=TODAY, files_dir=path.parent / "files")
    return path


@pytest.fixture
def db_path(demo_template, tmp_path) -> Path:
    path = tmp_path / "ilma.duckdb"
    shutil.copy(demo_template, path)
    # The demo's files beside it, as the app keeps them; linked, not copied: stored files are never rewritten.
    shutil.copytree(demo_template.parent / "files", tmp_path / "files", copy_function=os.link)
    return path


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3 server (SeaweedFS) with one bucket, tests.s3server.BUCKET, for the run."""
    from tests import s3server

    server = s3server.start(tmp_path_factory.mktemp("s3"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server():
    from tests import pgserver

    server = pgserver.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server, demo_template) -> str:
    """The small demo moved into a PostgreSQL database that each test's database is created from."""
    import psycopg

    from lib.store.transfer import copy_database

    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {TEMPLATE_DATABASE}")
    source, target = Database.open(demo_template), Database.open_url(postgres_server.url(TEMPLATE_DATABASE))
    try:
        copy_database(source, target)
    finally:
        source.close()
        target.close()
    return TEMPLATE_DATABASE


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    embedded_only = request.node.get_closest_marker("embedded_only")
    if embedded_only and request.param != "duckdb":
        pytest.skip(embedded_only.args[0])
    return request.param


@pytest.fixture
def database_url(backend, request) -> str | None:
    """A fresh copy of the demo on PostgreSQL for this test (None on the embedded backend)."""
    if backend != "postgres":
        yield None
        return
    import psycopg

    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    name = f"ilma_test_{os.getpid()}_{next(_database_numbers)}"
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield server.url(name)
    release_app_contexts()
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def release_app_contexts() -> None:
    """Close the databases the app opened in this test (their pools and figures copies), before the test's database
    goes: a copy still being made would read a database that no longer exists."""
    context = sys.modules.get("lib.ui.context")
    if context is not None:
        context._open.clear()


@pytest.fixture
def db(db_path, database_url) -> Database:
    database = Database.open_url(database_url) if database_url else Database.open(db_path)
    database.test_files_dir = db_path.parent / "files"  # the demo's files, beside the file on either backend
    yield database
    database.close()


def files_beside(db: Database) -> Path:
    """The folder of the test database's demo files (on PostgreSQL db.path is None)."""
    return getattr(db, "test_files_dir", None) or Path(db.path).parent / "files"


def load_user(db: Database, username: str) -> User:
    user = user_by_username(db, username)
    assert user is not None, username
    return user


@pytest.fixture
def centre(db) -> User:
    """The demo centre's user (Northbridge Training Ltd)."""
    return load_user(db, "centre.demo")


@pytest.fixture
def tutor(db) -> User:
    """A second user of the same centre (a record's QA verifier is not its last editor)."""
    return load_user(db, "tutor.demo")


def open_test_database(db_path: Path) -> Database:
    """This test's database opened again, as another process would: PostgreSQL when the app under test is pointed
    at it (point_app_at), else the file."""
    url = os.environ.get("ILMA_DATABASE_URL")
    return Database.open_url(url) if url else Database.open(db_path)


def point_app_at(monkeypatch, db_path, database_url) -> None:
    """The app under test opens this test's database (and the demo's files beside db_path)."""
    monkeypatch.setenv("ILMA_DB", str(db_path))
    if database_url:
        monkeypatch.setenv("ILMA_DATABASE_URL", database_url)
    else:
        monkeypatch.delenv("ILMA_DATABASE_URL", raising=False)


@pytest.fixture
def as_role(db_path, database_url, monkeypatch, tmp_path):
    """Sign in to the app in AppTest as a demo user and open a page script."""
    from tests.apptest_helpers import STRONG_KEY, new_app, sign_in

    point_app_at(monkeypatch, db_path, database_url)
    monkeypatch.setenv("ILMA_COOKIE_KEY", STRONG_KEY)
    monkeypatch.setenv("ILMA_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))

    def signed_in(username: str, script: str):
        at = sign_in(new_app(), username)
        at.switch_page(script).run()
        assert not at.exception, at.exception
        return at

    return signed_in


@pytest.fixture
def centre_app(db_path, database_url, monkeypatch, tmp_path):
    """The demo centre's user signed in to the app in AppTest."""
    from tests.apptest_helpers import STRONG_KEY, new_app, sign_in

    point_app_at(monkeypatch, db_path, database_url)
    monkeypatch.setenv("ILMA_COOKIE_KEY", STRONG_KEY)
    monkeypatch.setenv("ILMA_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    return sign_in(new_app(), "centre.demo")
