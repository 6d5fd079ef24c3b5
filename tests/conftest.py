"""Shared fixtures: a small deterministic demo database, copied fresh for each test."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from lib import demo
from lib.auth import user_by_username
from lib.db import Database
from lib.users import User

TODAY = date(2026, 11, 23)
SMALL_DEMO_SUBMISSIONS = 800


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    demo.build(path, SMALL_DEMO_SUBMISSIONS, seed_value=7, today=TODAY)
    return path


@pytest.fixture
def db_path(demo_template, tmp_path) -> Path:
    path = tmp_path / "ilma.duckdb"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def db(db_path) -> Database:
    database = Database.open(db_path)
    yield database
    database.close()


def load_user(db: Database, username: str) -> User:
    user = user_by_username(db, username)
    assert user is not None, username
    return user
