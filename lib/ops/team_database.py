"""Opening the database for a command that acts as an assessment-team member (imports, retention)."""

from __future__ import annotations

from pathlib import Path

from lib.accounts.auth import user_by_username
from lib.rules.roles import User
from lib.store.db import Database, DatabaseLocked


class CommandRefused(Exception):
    """The command cannot run; the message says why and what to do."""


def open_as_team(db_path: Path, username: str | None, page: str) -> tuple[Database, User]:
    """The database and the team account the command's changes are recorded against (the first active one when
    none is named); page names where the same can be done in the app while it runs."""
    if not Path(db_path).exists():
        raise CommandRefused(f"There is no database at {db_path}: name one with --db (or ILMA_DB). Nothing was created.")
    try:
        db = Database.open(db_path)
    except DatabaseLocked as error:
        raise CommandRefused(f"{error.path} is in use by {error.holder}: stop the app first, or use {page}.") from None
    username = username or (db.query_one(
        "SELECT username FROM users WHERE role = 'assessment_team' AND status = 'active' ORDER BY id") or [None])[0]
    user = user_by_username(db, username) if username else None
    if user is None or user.role != "assessment_team":
        db.close()
        raise CommandRefused("No assessment-team account to run as: name one with --as.")
    return db, user
