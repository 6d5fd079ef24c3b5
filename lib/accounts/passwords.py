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
