"""Shared fixtures: a small deterministic demo database, copied fresh for each test."""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture
def db(db_path) -> Database:
    database = Database.open(db_path)
    yield database
    database.close()


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


@pytest.fixture
def as_role(db_path, monkeypatch, tmp_path):
    """Sign in to the app in AppTest as a demo user and open a page script."""
    from tests.apptest_helpers import STRONG_KEY, new_app, sign_in

    monkeypatch.setenv("ILMA_DB", str(db_path))
    monkeypatch.setenv("ILMA_COOKIE_KEY", STRONG_KEY)
    monkeypatch.setenv("ILMA_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))

    def signed_in(username: str, script: str):
        at = sign_in(new_app(), username)
        at.switch_page(script).run()
        assert not at.exception, at.exception
        return at

    return signed_in


@pytest.fixture
def centre_app(db_path, monkeypatch, tmp_path):
    """The demo centre's user signed in to the app in AppTest."""
    from tests.apptest_helpers import STRONG_KEY, new_app, sign_in

    monkeypatch.setenv("ILMA_DB", str(db_path))
    monkeypatch.setenv("ILMA_COOKIE_KEY", STRONG_KEY)
    monkeypatch.setenv("ILMA_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    return sign_in(new_app(), "centre.demo")
