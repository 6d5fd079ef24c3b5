"""Device cookies, as OWASP describes them against lock-out by a guesser: a browser that has signed in to an
account gets a signed token naming that account and a random nonce. Presented again with that username, it lets
the browser past the delay that failed sign-ins from unknown browsers put on the username, and counts the
browser's own failures: after DEVICE_FREE_FAILURES in a row its nonce is locked out for a while, and the browser
is treated as unknown again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

DEVICE_COOKIE = "ilma_device"
DEVICE_DAYS = 365
DEVICE_FREE_FAILURES = 5
DEVICE_LOCKOUT = timedelta(hours=1)
MAX_TOKEN_LENGTH = 300


def _signature(payload: str, key: str) -> str:
    digest = hmac.new(f"device:{key}".encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(username: str, key: str, now: datetime | None = None) -> str:
    """A new device token for this username, valid for DEVICE_DAYS."""
    expires = int(((now or datetime.now()) + timedelta(days=DEVICE_DAYS)).timestamp())
    payload = f"{username}|{secrets.token_urlsafe(18)}|{expires}"
    return f"{payload}|{_signature(payload, key)}"


def nonce_for(token: str | None, username: str, key: str, now: datetime | None = None) -> str | None:
    """The nonce of a valid, unexpired token issued for this username; None for anything else."""
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count("|") != 3:
        return None
    named, nonce, expires, signature = token.split("|")
    if not hmac.compare_digest(signature, _signature(f"{named}|{nonce}|{expires}", key)):
        return None
    if named != username or not expires.isdigit() or int(expires) < (now or datetime.now()).timestamp():
        return None
    return nonce
