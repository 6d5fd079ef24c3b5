"""Accounts, run by the ILM Assessment Team: each person their own account; a centre account only against the
approval of that centre's quality contact; one-time passwords that must be changed; unlock, reset and close
(never delete: a closed account keeps its history and can only be reopened by a new approval).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from lib.accounts.passwords import hash_password, one_time_password
from lib.errors import NotAllowed, NotFound, Refused
from lib.rules.roles import ASSESSMENT_TEAM, CENTRE, QUALITY, ROLE_LABELS, ROLES, User
from lib.rules.text import check_text
from lib.store.db import Database, Writer
from lib.store.scope import not_centre_data

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class NewPassword:
    """A one-time password, shown once to the person who set it: it is stored only as a hash."""

    username: str
    password: str


def _team_only(user: User) -> None:
    if user.role != ASSESSMENT_TEAM:
        raise NotAllowed("Accounts are managed by the ILM Assessment Team.")


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def _approval(writer: Writer, centre_id: int, approved_by: str | None) -> str:
    contact = writer.execute("SELECT quality_contact, number FROM centres WHERE id = ?", [centre_id]).fetchone()
    if not approved_by or not approved_by.strip():
        raise Refused("A centre account needs the approval of the centre's quality contact: say who approved it.")
    if contact[0] and not _same_name(contact[0], approved_by):
        raise Refused(f"{approved_by.strip()} is not the quality contact of centre {contact[1]} "
                      f"({contact[0]} is): a centre account needs their approval.")
    return approved_by.strip()


def _not_a_learner(writer: Writer, centre_id: int, name: str) -> None:
    learner = writer.execute(
        """SELECT l.enr FROM learners l JOIN registrations r ON r.learner_id = l.id
           WHERE l.centre_id = ? AND lower(l.first_name || ' ' || l.last_name) = ? AND r.expires_on >= current_date
           LIMIT 1""", [centre_id, " ".join(name.lower().split())]).fetchone()
    if learner:
        raise Refused(f"{name} is a learner registered at this centre (ENR {learner[0]}): learners never get portal "
                      "accounts; their centre submits for them.")


@not_centre_data("the team's administration of accounts")
def create_account(db: Database, user: User, username: str, name: str, email: str, role: str,
                   centre_number: str | None = None, approved_by: str | None = None,
                   now: datetime | None = None) -> NewPassword:
    """A new account with a one-time password; centre accounts only with their quality contact's approval."""
    _team_only(user)
    username = (username or "").strip().lower()
    if not USERNAME.fullmatch(username):
        raise Refused("A username has 3 to 40 characters: lower-case letters, digits, dots, hyphens and underscores, "
                      "starting with a letter or digit (for example sam.carter).")
    name = check_text(name, "name", 100, required=True)
    email = (email or "").strip()
    if not EMAIL.fullmatch(email):
        raise Refused("Give the person's own email address (for example sam.carter@example.org).")
    if role not in ROLES:
        raise Refused(f"Choose a role: {', '.join(ROLE_LABELS.values())}.")
    if (role == CENTRE) != bool(centre_number):
        raise Refused("A centre account belongs to a centre; staff accounts belong to none.")
    password = one_time_password()
    password_hash = hash_password(password)
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        if writer.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise Refused(f"The username {username} is taken: every person has their own account.")
        centre_id, approver = None, None
        if role == CENTRE:
            found = writer.execute("SELECT id FROM centres WHERE number = ?", [centre_number]).fetchone()
            if found is None:
                raise NotFound(f"There is no centre {centre_number}.")
            centre_id = found[0]
            approver = _approval(writer, centre_id, approved_by)
            _not_a_learner(writer, centre_id, name)
        account_id = writer.execute("SELECT nextval('seq_users')").fetchone()[0]
        writer.execute(
            """INSERT INTO users (id, username, name, email, role, centre_id, approved_by, approved_at, password_hash,
                                  status, created_at, must_change_password)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, TRUE)""",
            [account_id, username, name, email, role, centre_id, approver, now if approver else None, password_hash,
             now])
        writer.audit("account_created", "user", account_id,
                     after={"username": username, "role": role, "centre": centre_number, "approved_by": approver})

    db.transact(user, work)
    return NewPassword(username, password)


def _account(writer: Writer, username: str) -> tuple:
    row = writer.execute("SELECT id, status, role, centre_id FROM users WHERE username = ?",
                         [(username or "").strip().lower()]).fetchone()
    if row is None:
        raise NotFound(f"There is no account {username}.")
    return row


@not_centre_data("the team's administration of accounts")
def reset_password(db: Database, user: User, username: str) -> NewPassword:
    """A new one-time password for an active account (it must be changed at the next sign-in)."""
    _team_only(user)
    password = one_time_password()
    password_hash = hash_password(password)

    def work(writer: Writer) -> None:
        account_id, status, _, _ = _account(writer, username)
        if status != "active":
            raise Refused(f"The account {username} is closed: it can only be reopened with a new approval.")
        writer.execute("UPDATE users SET password_hash = ?, must_change_password = TRUE WHERE id = ?",
                       [password_hash, account_id])
        writer.execute("DELETE FROM sign_in_throttle WHERE username = ?", [username.strip().lower()])
        writer.audit("password_reset", "user", account_id, after={"by": user.username})

    db.transact(user, work)
    return NewPassword(username.strip().lower(), password)


@not_centre_data("the team's administration of accounts")
def unlock(db: Database, user: User, username: str) -> None:
    """Let a username try again at once after failed sign-ins."""
    _team_only(user)

    def work(writer: Writer) -> None:
        account_id = _account(writer, username)[0]
        writer.execute("DELETE FROM sign_in_throttle WHERE username = ?", [username.strip().lower()])
        writer.audit("account_unlocked", "user", account_id)

    db.transact(user, work)


@not_centre_data("the team's administration of accounts")
def close_account(db: Database, user: User, username: str, reason: str, now: datetime | None = None) -> None:
    """Close an account: it is kept with its history, its sessions end at once, and it cannot sign in."""
    _team_only(user)
    reason = check_text(reason, "reason for closing the account", required=True)
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        account_id, status, _, _ = _account(writer, username)
        if account_id == user.id:
            raise Refused("You cannot close your own account: ask another member of the team.")
        if status == "closed":
            raise Refused(f"The account {username} is already closed.")
        writer.execute("UPDATE users SET status = 'closed', closed_at = ? WHERE id = ?", [now, account_id])
        writer.execute("""UPDATE sessions SET ended_at = ?, end_reason = 'account_closed'
                          WHERE user_id = ? AND ended_at IS NULL""", [now, account_id])
        writer.audit("account_closed", "user", account_id, after={"reason": reason})

    db.transact(user, work)


@not_centre_data("the team's administration of accounts")
def reopen_account(db: Database, user: User, username: str, approved_by: str | None = None,
                   now: datetime | None = None) -> NewPassword:
    """Reopen a closed account with a new approval (the centre's quality contact for a centre account)."""
    _team_only(user)
    password = one_time_password()
    password_hash = hash_password(password)
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        account_id, status, role, centre_id = _account(writer, username)
        if status != "closed":
            raise Refused(f"The account {username} is open.")
        approver = _approval(writer, centre_id, approved_by) if role == CENTRE else user.name
        writer.execute("""UPDATE users SET status = 'active', closed_at = NULL, password_hash = ?,
                          must_change_password = TRUE, approved_by = ?, approved_at = ? WHERE id = ?""",
                       [password_hash, approver, now, account_id])
        writer.audit("account_reopened", "user", account_id, after={"approved_by": approver})

    db.transact(user, work)
    return NewPassword(username.strip().lower(), password)


@not_centre_data("the team's and quality's list of every account")
def accounts(db: Database, user: User) -> pd.DataFrame:
    """Every account, closed ones included, with its centre and approval."""
    if user.role not in (ASSESSMENT_TEAM, QUALITY):
        raise NotAllowed("The list of accounts is for the ILM Assessment Team and quality.")
    frame = db.query_df(
        """SELECT u.username AS "Username", u.name AS "Name", u.email AS "Email", u.role AS "Role",
                  c.number AS "Centre", u.status AS "Status", u.approved_by AS "Approved by",
                  u.approved_at AS "Approved", u.created_at AS "Created", u.closed_at AS "Closed",
                  coalesce(u.must_change_password, FALSE) AS "One-time password",
                  t.next_allowed > now()::TIMESTAMP AS "Waiting after failed sign-ins"
           FROM users u LEFT JOIN centres c ON c.id = u.centre_id
           LEFT JOIN sign_in_throttle t ON t.username = u.username
           ORDER BY u.status, u.role, u.username""")
    frame["Role"] = frame.Role.map(ROLE_LABELS)
    return frame
