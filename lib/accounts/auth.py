"""Signing in and out: throttled failed attempts, refused accounts, one live session per person.

The rule for failed sign-ins, and why. Failures are counted per username as typed, whether an account has it
or not, and answered the same way (same message, same password hashing work, same delay), so nobody can learn
which usernames exist. The first 5 failures in a row cost nothing; each one after that makes the username wait
before its next try: 5 s, 10 s, 20 s, 40 s, then 60 s at most. A hard lock would let anyone who knows a staff
username keep that person out for good by typing wrong passwords; a delay capped at a minute costs the real
person at most a minute, while it slows a guesser to one try a minute per username. The sign-in page adds a
limit per browser session (lib/ui/signin.py). A right password clears the count.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from lib.accounts import devices
from lib.accounts.passwords import DEFAULT_ROUNDS, check_password, cost_of, hash_password, password_problem
from lib.config import FIRST_DELAY_SECONDS, FREE_FAILED_SIGN_INS, MAX_DELAY_SECONDS, SESSION_HOURS
from lib.errors import Refused
from lib.rules.roles import User
from lib.store.db import ChangedMeanwhile, Database, Writer
from lib.store.scope import not_centre_data

WRONG_CREDENTIALS = "Incorrect username or password."
SIGNED_IN_ELSEWHERE = (
    "You were signed out because your account signed in from another browser. Each person needs "
    "their own account: if this was not you, contact the ILM Assessment Team."
)
_END_MESSAGES = {
    "signed_out": "You have signed out.",
    "signed_in_elsewhere": SIGNED_IN_ELSEWHERE,
    "account_closed": "Your account has been closed.",
    "centre_blocked": "Your centre has been blocked.",
}


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str
    ended_other_sessions: int
    device_token: str | None = None  # for the browser to keep: it signed in to this account


@dataclass(frozen=True)
class SignInRefused:
    reason: str
    message: str


@dataclass(frozen=True)
class SessionEnded:
    reason: str
    message: str


_USER_COLUMNS = """
    u.id, u.username, u.name, u.role, u.centre_id, c.number, c.name,
    u.status, u.closed_at, u.failed_sign_ins, u.locked_until, u.password_hash,
    c.status, c.blocked_reason, coalesce(u.must_change_password, FALSE), coalesce(c.is_hei, FALSE)
"""


def _user(row: tuple) -> User:
    return User(id=row[0], username=row[1], name=row[2], role=row[3], centre_id=row[4],
                centre_number=row[5], centre_name=row[6], must_change_password=bool(row[14]), is_hei=bool(row[15]))


def user_by_username(db: Database, username: str) -> User | None:
    """The account with this username, as the User value lib functions take."""
    row = db.query_one(
        f"SELECT {_USER_COLUMNS} FROM users u LEFT JOIN centres c ON c.id = u.centre_id WHERE u.username = ?",
        [username.strip().lower()],
    )
    return _user(row) if row else None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _refusal_for_account(row: tuple) -> SignInRefused | None:
    status, closed_at, centre_status, blocked_reason = row[7], row[8], row[12], row[13]
    if status == "closed":
        when = f" on {closed_at:%d/%m/%Y}" if closed_at else ""
        return SignInRefused(
            "closed",
            f"This account was closed{when}. It can be reopened only with a new approval from your centre's "
            "quality contact: ask the ILM Assessment Team if you still need access.",
        )
    if centre_status == "blocked":
        reason = blocked_reason or "no reason recorded"
        return SignInRefused(
            "centre_blocked",
            f"Your centre {row[5]} {row[6]} is blocked from the portal ({reason}). "
            "Contact the ILM Assessment Team to have it unblocked.",
        )
    return None


MAX_USERNAME_LENGTH = 40  # the longest a username can be (lib/admin/accounts.py)


@dataclass(frozen=True)
class _Seen:
    """What a sign-in read before hashing, to check in its transaction that nothing changed meanwhile."""

    throttle: tuple | None
    device: tuple | None
    password_hash: str | None


def _typical_cost(db: Database) -> int:
    """The bcrypt cost most accounts' hashes have: a decoy must cost what they cost."""
    found = db.query_one("SELECT substr(password_hash, 5, 2) AS cost FROM users GROUP BY cost "
                         "ORDER BY count(*) DESC, cost DESC LIMIT 1")
    return cost_of(f"$2b${found[0]}$salt") if found else DEFAULT_ROUNDS


def _read(cursor, username: str, nonce: str | None) -> tuple[tuple | None, tuple | None, tuple | None]:
    throttle = cursor.execute("SELECT failures, next_allowed FROM sign_in_throttle WHERE username = ?",
                              [username]).fetchone()
    device = cursor.execute("SELECT failures, locked_until FROM device_lockouts WHERE nonce = ? AND username = ?",
                            [nonce, username]).fetchone() if nonce else None
    row = cursor.execute(
        f"SELECT {_USER_COLUMNS} FROM users u LEFT JOIN centres c ON c.id = u.centre_id WHERE u.username = ?",
        [username]).fetchone()
    return throttle, device, row


def _waiting_until(throttle: tuple | None, device: tuple | None, trusted: bool, now: datetime) -> datetime | None:
    """When this attempt may be made: a known browser waits only for its own lock-out, others for the username's."""
    if trusted:
        return device[1] if device and device[1] and device[1] > now else None
    return throttle[1] if throttle and throttle[1] and throttle[1] > now else None


def sign_in(db: Database, username: str, password: str, now: datetime | None = None,
            device_token: str | None = None, device_key: str | None = None) -> SignedIn | SignInRefused:
    """Check the password; throttle repeated failures per username (a browser with this account's device token
    past that, on its own count); refuse closed accounts and blocked centres.

    The password is hashed before the transaction, so no writer waits for bcrypt; the transaction re-reads what
    the check relied on and, if a failure was counted meanwhile that makes this attempt wait, refuses it as too
    soon, so parallel guesses gain nothing. A username or password longer than any account's gets the same answer
    as a wrong password, and what a failure writes is bounded by the username's length."""
    now = now or datetime.now()
    username = username.strip().lower()
    typed = username[:MAX_USERNAME_LENGTH]
    nonce = devices.nonce_for(device_token, username, device_key) if device_key else None
    with db.cursor() as cursor:
        throttle, device, row = _read(cursor, typed, nonce)
    trusted = nonce is not None and not (device and device[1] and device[1] > now)
    wait = _waiting_until(throttle, device, trusted, now)
    if wait is None:
        usable = row if len(username) <= MAX_USERNAME_LENGTH else None
        matched = check_password(password, usable[11] if usable else None, _typical_cost(db))
    seen = _Seen(throttle, device, row[11] if row else None)

    def work(writer: Writer) -> SignedIn | SignInRefused:
        throttle_now, device_now, row_now = _read(writer.cursor, typed, nonce)
        if row_now is not None:
            writer.act_for(row_now[0], row_now[1])
        user_id = row_now[0] if row_now else None
        waiting = wait or _waiting_until(throttle_now, device_now, trusted, now)
        if waiting:
            writer.audit("sign_in_refused", "user", user_id, after={"username": typed,
                                                                    "why": "waiting after failed sign-ins"})
            return _wait_refusal(waiting, now)
        if (row_now[11] if row_now else None) != seen.password_hash:
            raise _HashChanged
        if not matched:
            if trusted:
                return _count_device_failure(writer, typed, user_id, nonce, device_now, now)
            return _count_failure(writer, typed, user_id, throttle_now[0] if throttle_now else 0, now)
        writer.execute("DELETE FROM sign_in_throttle WHERE username = ?", [typed])
        if trusted:
            writer.execute("DELETE FROM device_lockouts WHERE nonce = ?", [nonce])
        refusal = _refusal_for_account(row_now)
        if refusal:
            writer.audit("sign_in_refused", "user", row_now[0], after={"why": refusal.reason})
            return refusal
        user = _user(row_now)
        token, ended = _start_session(writer, user, now)
        # A locked-out device's token is spent: the browser gets a new one with this success.
        new_device = device_token if trusted else devices.issue(username, device_key, now) if device_key else None
        return SignedIn(user, token, ended, new_device)

    # Two sign-ins to one account at the same moment: the database keeps one live session per person, so the
    # later one is refused a duplicate; it tries again, ends the other session as any sign-in does, and wins.
    for attempt in range(3):
        try:
            return db.transact(None, work, actor_name=typed or "(blank)")
        except _HashChanged:  # the password changed while it was hashed: check it against the new one
            return sign_in(db, username, password, now, device_token, device_key)
        except ChangedMeanwhile:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


class _HashChanged(Exception):
    pass


def _count_device_failure(writer: Writer, username: str, user_id: int | None, nonce: str, device: tuple | None,
                          now: datetime) -> SignInRefused:
    failures = (device[0] if device else 0) + 1
    locked = now + devices.DEVICE_LOCKOUT if failures >= devices.DEVICE_FREE_FAILURES else None
    writer.execute("""INSERT INTO device_lockouts VALUES (?, ?, ?, ?, ?)
                      ON CONFLICT (nonce) DO UPDATE SET failures = excluded.failures,
                          last_failure = excluded.last_failure, locked_until = excluded.locked_until""",
                   [nonce, username, 0 if locked else failures, now, locked])
    writer.execute("DELETE FROM device_lockouts WHERE last_failure < ? AND (locked_until IS NULL OR locked_until < ?)",
                   [now - timedelta(days=1), now])
    writer.audit("sign_in_failed", "user", user_id, after={"username": username, "device_failures": failures,
                                                            "device_locked_until": locked})
    return SignInRefused("wrong_credentials", WRONG_CREDENTIALS)


def _wait_refusal(next_allowed: datetime, now: datetime) -> SignInRefused:
    seconds = max(1, int((next_allowed - now).total_seconds() + 0.999))
    return SignInRefused(
        "wait",
        f"Too many failed sign-ins for this username: wait {seconds} second{'s' if seconds != 1 else ''} and try "
        "again. If you have forgotten your password, ask the ILM Assessment Team.",
    )


def delay_after(failures: int) -> timedelta | None:
    """How long a username waits after this many failures in a row (None: no wait yet)."""
    if failures < FREE_FAILED_SIGN_INS:
        return None
    return timedelta(seconds=min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (failures - FREE_FAILED_SIGN_INS)))


def _count_failure(writer: Writer, username: str, user_id: int | None, failures: int, now: datetime) -> SignInRefused:
    failures += 1
    delay = delay_after(failures)
    next_allowed = now + delay if delay else None
    writer.execute(
        """INSERT INTO sign_in_throttle VALUES (?, ?, ?, ?)
           ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure,
                                                next_allowed = excluded.next_allowed""",
        [username, failures, now, next_allowed])
    # Usernames nobody has got wrong for a day are forgotten, so typing random names cannot fill the table.
    writer.execute("DELETE FROM sign_in_throttle WHERE last_failure < ?", [now - timedelta(days=1)])
    writer.audit("sign_in_failed", "user", user_id, after={"username": username, "failures": failures,
                                                            "wait_until": next_allowed})
    return SignInRefused("wrong_credentials", WRONG_CREDENTIALS)


def _start_session(writer: Writer, user: User, now: datetime) -> tuple[str, int]:
    """Open a session; any session the same person still has open is ended as a security event."""
    ended = [expires_at for (expires_at,) in writer.execute(
        """UPDATE sessions SET ended_at = ?, end_reason = 'signed_in_elsewhere'
           WHERE user_id = ? AND ended_at IS NULL RETURNING expires_at""",
        [now, user.id],
    ).fetchall() if expires_at > now]
    if ended:
        writer.audit("security_event", "user", user.id,
                     after={"event": "simultaneous sign-in", "sessions_ended": len(ended)})
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=SESSION_HOURS)
    writer.execute(
        "INSERT INTO sessions (token_hash, user_id, started_at, expires_at) VALUES (?, ?, ?, ?)",
        [token_hash(token), user.id, now, expires_at],
    )
    writer.audit("sign_in", "user", user.id, after={"expires_at": expires_at})
    return token, len(ended)


def resume_session(db: Database, token: str, now: datetime | None = None) -> User | SessionEnded | None:
    """The user a live session token belongs to; SessionEnded says why a known one no longer works."""
    now = now or datetime.now()
    row = db.query_one(
        f"""SELECT {_USER_COLUMNS}, s.ended_at, s.end_reason, s.expires_at
            FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN centres c ON c.id = u.centre_id
            WHERE s.token_hash = ?""",
        [token_hash(token)],
    )
    if row is None:
        return None
    ended_at, end_reason, expires_at = row[16], row[17], row[18]
    if ended_at is not None:
        # Ended because the centre was blocked or the account closed: say why, in the words the sign-in uses.
        refusal = _refusal_for_account(row) if end_reason in ("centre_blocked", "account_closed") else None
        return SessionEnded(end_reason, refusal.message if refusal else _END_MESSAGES[end_reason])
    if expires_at <= now:
        return SessionEnded("expired", "Your session has expired: please sign in again.")
    refusal = _refusal_for_account(row)
    if refusal:
        reason = "account_closed" if refusal.reason == "closed" else "centre_blocked"
        _end(db, _user(row), token, reason, now)
        return SessionEnded(reason, refusal.message)
    return _user(row)


def _end(db: Database, user: User, token: str, reason: str, now: datetime) -> None:
    def work(writer: Writer) -> None:
        writer.execute(
            "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND ended_at IS NULL",
            [now, reason, token_hash(token)],
        )
        writer.audit("session_ended", "user", user.id, after={"reason": reason})

    db.transact(user, work)


@not_centre_data("ends the caller's own session")
def sign_out(db: Database, user: User, token: str, now: datetime | None = None) -> None:
    """End the session on the server, so the browser's cookie is worthless even if copied."""
    _end(db, user, token, "signed_out", now or datetime.now())


@not_centre_data("changes the caller's own password")
def change_own_password(db: Database, user: User, current: str, new: str, now: datetime | None = None) -> None:
    """Any user changes their own password; a one-time password must be changed this way before anything else."""
    if new == current:
        raise Refused("The new password must differ from the current one.")
    problem = password_problem(new, (user.username, user.name, *user.username.split(".")))
    if problem:
        raise Refused(problem)
    new_hash = hash_password(new)
    # Checked before the transaction, so no writer waits for bcrypt; the transaction makes sure the hash it was
    # checked against is still the account's.
    checked = db.query_one("SELECT password_hash FROM users WHERE id = ? AND status = 'active'", [user.id])
    if checked is None or not check_password(current, checked[0]):
        raise Refused("The current password is not right.")

    def work(writer: Writer) -> None:
        row = writer.execute("SELECT password_hash FROM users WHERE id = ? AND status = 'active'", [user.id]).fetchone()
        if row is None or row[0] != checked[0]:
            raise Refused("Your password was changed meanwhile: sign in again with the new one.")
        writer.execute("UPDATE users SET password_hash = ?, must_change_password = FALSE WHERE id = ?",
                       [new_hash, user.id])
        writer.audit("password_changed", "user", user.id, after={"by": "the account holder"})

    db.transact(user, work)
