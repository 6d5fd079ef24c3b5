"""A real installation: an empty database with the service's reference data and one assessment-team account,
no demo data. The team then sets up centres, accounts and registrations in the app."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from lib.accounts.passwords import hash_password, one_time_password
from lib.admin.accounts import EMAIL, USERNAME, NewPassword
from lib.errors import Refused
from lib.rules.reference_data import QUALIFICATIONS, unit_rows
from lib.store.db import Database, Writer
from lib.store.migrate import create_database


def load_reference_data(writer: Writer) -> None:
    """The qualifications and units the service assesses, as the seeds and the policy name them."""
    writer.execute("INSERT INTO qualifications (code, name, level) SELECT * FROM (VALUES "
                   + ", ".join("(?, ?, ?)" for _ in QUALIFICATIONS) + ")",
                   [value for code, name, level, _ in QUALIFICATIONS for value in (code, name, level)])
    units = unit_rows()
    writer.execute("INSERT INTO units (code, name, level, credits, word_limit) SELECT * FROM (VALUES "
                   + ", ".join("(?, ?, ?, ?, ?)" for _ in units) + ")", [value for unit in units for value in unit])
    links = [(code, unit[0]) for code, _, _, members in QUALIFICATIONS for unit in members]
    writer.execute("INSERT INTO qualification_units (qualification_code, unit_code) SELECT * FROM (VALUES "
                   + ", ".join("(?, ?)" for _ in links) + ")", [value for link in links for value in link])
    writer.audit("reference_data_loaded", "qualifications", None,
                 after={"qualifications": len(QUALIFICATIONS), "units": len(units)})


def initialise(path: Path, admin_username: str, admin_name: str, admin_email: str,
               now: datetime | None = None) -> NewPassword:
    """Create the database at path, whole or not at all; returns the first account's one-time password."""
    admin_username = (admin_username or "").strip().lower()
    if not USERNAME.fullmatch(admin_username):
        raise Refused("The username has 3 to 40 characters: lower-case letters, digits, dots, hyphens, underscores.")
    if not EMAIL.fullmatch((admin_email or "").strip()):
        raise Refused("Give the first team member's email address with --email.")
    password = one_time_password()
    now = now or datetime.now()

    def fill(db: Database) -> None:
        def work(writer: Writer) -> None:
            load_reference_data(writer)
            account_id = writer.execute("SELECT nextval('seq_users')").fetchone()[0]
            writer.execute(
                """INSERT INTO users (id, username, name, email, role, password_hash, status, created_at,
                                      must_change_password)
                   VALUES (?, ?, ?, ?, 'assessment_team', ?, 'active', ?, TRUE)""",
                [account_id, admin_username, admin_name.strip() or admin_username, admin_email.strip(),
                 hash_password(password), now])
            writer.audit("account_created", "user", account_id,
                         after={"username": admin_username, "role": "assessment_team", "by": "python -m lib init"})

        db.transact(None, work, actor_name="python -m lib init")

    create_database(path, fill)
    return NewPassword(admin_username, password)
