"""Who is signed in to this browser session: session state, the server-side session row, the cookie.

The cookie is streamlit-authenticator's signed JWT cookie, carrying a random session token
instead of the username, so that signing out (which ends the token's row in DuckDB) makes a
copied cookie worthless.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

import jwt
import streamlit as st
from streamlit_authenticator.models.cookie_model import CookieModel

from lib.accounts import auth, devices
from lib.config import COOKIE_NAME, SESSION_HOURS
from lib.rules.roles import User
from lib.store.db import Database

TOKEN = "ilma_session_token"
USER = "ilma_user"
NOTICE = "ilma_notice"
COOKIE_TO_SET = "ilma_cookie_to_set"
COOKIE_TO_DELETE = "ilma_cookie_to_delete"
DEVICE_TO_SET = "ilma_device_to_set"


class SessionCookie(CookieModel):
    """The library's cookie model with our session token as its payload."""

    def __init__(self, cookie_key: str):
        super().__init__(COOKIE_NAME, cookie_key, SESSION_HOURS / 24)

    def read_token(self) -> str | None:
        raw = st.context.cookies.get(COOKIE_NAME)
        if not raw:
            return None
        try:
            payload = jwt.decode(raw, self.cookie_key, algorithms=["HS256"])
        except jwt.PyJWTError:
            return None
        if payload.get("exp_date", 0) <= datetime.now().timestamp():
            return None
        return payload.get("sid")

    def write_token(self, token: str) -> None:
        expires = datetime.now() + timedelta(hours=SESSION_HOURS)
        value = jwt.encode({"sid": token, "exp_date": expires.timestamp()}, self.cookie_key, algorithm="HS256")
        self.cookie_manager.set(COOKIE_NAME, value, key="ilma_cookie_set", expires_at=expires)

    def write_device(self, token: str) -> None:
        """The device cookie: this browser has signed in to the account it names (lib/accounts/devices.py)."""
        expires = datetime.now() + timedelta(days=devices.DEVICE_DAYS)
        self.cookie_manager.set(devices.DEVICE_COOKIE, token, key="ilma_device_set", expires_at=expires)

    def forget(self) -> None:
        # KeyError: the component had not reported the cookie yet; the browser drops it all the same.
        with contextlib.suppress(KeyError):
            self.cookie_manager.delete(COOKIE_NAME, key="ilma_cookie_delete")


def _clear(notice: str | None = None) -> None:
    for key in (TOKEN, USER):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE] = notice


def current_user(db: Database, cookie_key: str) -> User | None:
    """The signed-in user, checked against the server-side session on every run."""
    cookie = SessionCookie(cookie_key)
    _flush_cookie_changes(cookie)
    token = st.session_state.get(TOKEN)
    from_cookie = False
    if token is None and not st.session_state.get(COOKIE_TO_DELETE):
        token = cookie.read_token()
        from_cookie = token is not None
    if token is None:
        return None
    outcome = auth.resume_session(db, token)
    if isinstance(outcome, User):
        st.session_state[TOKEN] = token
        st.session_state[USER] = outcome
        return outcome
    quiet = outcome is None or (from_cookie and outcome.reason == "signed_out")
    _clear(None if quiet else outcome.message)
    return None


def _flush_cookie_changes(cookie: SessionCookie) -> None:
    """Cookie writes happen on the run after sign-in or sign-out, so the browser gets to render them."""
    token = st.session_state.pop(COOKIE_TO_SET, None)
    if token:
        cookie.write_token(token)
    device = st.session_state.pop(DEVICE_TO_SET, None)
    if device:
        cookie.write_device(device)
    if st.session_state.pop(COOKIE_TO_DELETE, None):
        cookie.forget()


def complete_sign_in(signed_in: auth.SignedIn) -> None:
    st.session_state[TOKEN] = signed_in.token
    st.session_state[USER] = signed_in.user
    st.session_state[COOKIE_TO_SET] = signed_in.token
    if signed_in.device_token:
        st.session_state[DEVICE_TO_SET] = signed_in.device_token
    st.session_state.pop(NOTICE, None)


def device_token() -> str | None:
    """The device cookie this browser sent, if any (checked by lib/accounts/devices.py)."""
    return st.context.cookies.get(devices.DEVICE_COOKIE)


def sign_out(db: Database, user: User) -> None:
    token = st.session_state.get(TOKEN)
    if token:
        auth.sign_out(db, user, token)
    _clear("You have signed out.")
    st.session_state[COOKIE_TO_DELETE] = True


def take_notice() -> str | None:
    return st.session_state.pop(NOTICE, None)


def password_changed(user: User) -> None:
    """The signed-in user has chosen their own password: the rest of their pages open."""
    from dataclasses import replace

    st.session_state[USER] = replace(user, must_change_password=False)
