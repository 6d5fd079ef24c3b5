"""bcrypt password hashes, in the format streamlit-authenticator's Hasher writes and checks.

The hashing is done with bcrypt directly so that lib/ needs no Streamlit import; a hash made
here is accepted by streamlit_authenticator.Hasher.check_pw and the other way round.
"""

from __future__ import annotations

from functools import lru_cache

import bcrypt

MIN_PASSWORD_LENGTH = 10
# bcrypt reads at most 72 bytes; a longer password is refused when chosen, and answered as a wrong one at sign-in.
MAX_PASSWORD_BYTES = 72
DEFAULT_ROUNDS = 12


@lru_cache(maxsize=8)
def _decoy_hash(rounds: int) -> bytes:
    """Checked when there is no real hash to check, at the real hashes' cost, so a wrong name or an over-long
    password takes as long as a wrong password."""
    return bcrypt.hashpw(b"decoy password", bcrypt.gensalt(rounds=rounds))


def cost_of(password_hash: str | None) -> int:
    """The bcrypt cost (log2 rounds) a hash was made with; the default for anything else."""
    match = password_hash and len(password_hash) > 7 and password_hash[4:6]
    return int(match) if match and match.isdigit() and 4 <= int(match) <= 31 else DEFAULT_ROUNDS


def hash_password(password: str, rounds: int = 12) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def check_password(password: str, password_hash: str | None, decoy_rounds: int = DEFAULT_ROUNDS) -> bool:
    """True when password matches. With no hash to check, or a password bcrypt cannot take (over 72 bytes), it
    spends the same bcrypt time on a decoy of decoy_rounds (the cost real hashes have) and says False."""
    encoded = password.encode()
    if not password_hash or len(encoded) > MAX_PASSWORD_BYTES:
        bcrypt.checkpw(encoded[:MAX_PASSWORD_BYTES], _decoy_hash(cost_of(password_hash) if password_hash
                                                                  else decoy_rounds))
        return False
    try:
        return bcrypt.checkpw(encoded, password_hash.encode())
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
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        return (f"A password may have at most {MAX_PASSWORD_BYTES} bytes: {MAX_PASSWORD_BYTES} plain letters, "
                "digits or spaces, fewer with accents or emoji.")
    estimate = zxcvbn(password[:100], user_inputs=[value for value in user_inputs if value])
    if estimate["score"] < 3:
        advice = estimate["feedback"].get("warning") or "It would be easy to guess."
        suggestions = " ".join(estimate["feedback"].get("suggestions") or [])
        return f"Choose a stronger password. {advice} {suggestions}".strip()
    return None
