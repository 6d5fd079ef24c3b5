"""bcrypt password hashes, in the format streamlit-authenticator's Hasher writes and checks.

The hashing is done with bcrypt directly so that lib/ needs no Streamlit import; a hash made
here is accepted by streamlit_authenticator.Hasher.check_pw and the other way round.
"""

from __future__ import annotations

from functools import lru_cache

import bcrypt

MIN_PASSWORD_LENGTH = 10


@lru_cache(maxsize=1)
def _decoy_hash() -> bytes:
    """Checked when the username is unknown, so that a wrong name takes as long as a wrong password."""
    return bcrypt.hashpw(b"decoy password", bcrypt.gensalt(rounds=12))


def hash_password(password: str, rounds: int = 12) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def check_password(password: str, password_hash: str | None) -> bool:
    """True when password matches; spends the same bcrypt time when there is no hash to check."""
    if not password_hash:
        bcrypt.checkpw(password.encode(), _decoy_hash())
        return False
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


def one_time_password() -> str:
    """A password for a new or reset account, shown once to the person who set it up; it must be changed."""
    import secrets

    words = ("amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "indigo", "juniper", "kestrel",
             "lumen", "maple", "nectar", "orchid", "pebble", "quartz", "raven", "saffron", "tundra", "umber",
             "violet", "willow", "yarrow", "zephyr")
    return "-".join(secrets.choice(words) for _ in range(3)) + f"-{secrets.randbelow(10_000):04d}"


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a new password is refused, or None: long enough, and not guessable (zxcvbn's estimate, which knows
    common passwords, names, keyboard patterns and the person's own username and name)."""
    from zxcvbn import zxcvbn

    if len(password) < MIN_PASSWORD_LENGTH:
        return f"A password needs at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > 200:
        return "A password may have at most 200 characters."
    estimate = zxcvbn(password[:100], user_inputs=[value for value in user_inputs if value])
    if estimate["score"] < 3:
        advice = estimate["feedback"].get("warning") or "It would be easy to guess."
        suggestions = " ".join(estimate["feedback"].get("suggestions") or [])
        return f"Choose a stronger password. {advice} {suggestions}".strip()
    return None
