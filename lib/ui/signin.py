"""The sign-in page, with a limit per browser session on top of lib's per-username throttle: after 10 failures
in one session, that browser waits (30 s, doubling, at most 15 minutes) before it may try again."""

from __future__ import annotations

import time

import streamlit as st

from lib.accounts import auth
from lib.accounts.passwords import MAX_PASSWORD_BYTES
from lib.demo import DEMO_PASSWORD, demo_accounts
from lib.errors import Refused
from lib.store.db import Database
from lib.ui import session
from lib.ui.text import escape_markdown

FREE_FAILURES_PER_BROWSER = 10
BROWSER_FAILURES = "sign_in_browser_failures"
BROWSER_WAIT_UNTIL = "sign_in_browser_wait_until"


def _browser_wait_seconds() -> int:
    return max(0, int(st.session_state.get(BROWSER_WAIT_UNTIL, 0) - time.monotonic() + 0.999))


def _count_browser_failure() -> None:
    failures = st.session_state.get(BROWSER_FAILURES, 0) + 1
    st.session_state[BROWSER_FAILURES] = failures
    if failures >= FREE_FAILURES_PER_BROWSER:
        delay = min(15 * 60, 30 * 2 ** (failures - FREE_FAILURES_PER_BROWSER))
        st.session_state[BROWSER_WAIT_UNTIL] = time.monotonic() + delay


def sign_in_page(db: Database, is_demo: bool, cookie_key: str) -> None:
    """Username and password form; on success the app reruns with the user's pages."""
    left, middle, right = st.columns([1, 2, 1])
    with middle:
        st.title("ILM Assessment Portal")
        st.caption("For ILM-approved centres and the ILM Assessment Team")
        notice = session.take_notice()
        if notice:
            st.info(notice, icon=":material/info:")
        with st.form("sign_in", clear_on_submit=False, border=True):
            username = st.text_input("Username", key="sign_in_username", autocomplete="username",
                                     max_chars=auth.MAX_USERNAME_LENGTH)
            password = st.text_input("Password", type="password", key="sign_in_password",
                                     autocomplete="current-password", max_chars=MAX_PASSWORD_BYTES)
            submitted = st.form_submit_button("Login", type="primary", key="sign_in_submit")
        if submitted:
            wait = _browser_wait_seconds()
            if wait:
                st.error(f"Too many failed sign-ins from this browser: wait {wait} seconds and try again.",
                         icon=":material/lock_clock:")
            elif not username.strip() or not password:
                st.error("Enter both your username and your password.", icon=":material/error:")
            else:
                try:
                    outcome = auth.sign_in(db, username, password, device_token=session.device_token(),
                                           device_key=cookie_key)
                except Refused as busy:
                    outcome = auth.SignInRefused("busy", str(busy))
                if isinstance(outcome, auth.SignInRefused):
                    if outcome.reason == "wrong_credentials":
                        _count_browser_failure()
                    refused_account = outcome.reason in ("wait", "closed", "centre_blocked")
                    st.error(escape_markdown(outcome.message),
                             icon=":material/lock:" if refused_account else ":material/error:")
                else:
                    st.session_state.pop(BROWSER_FAILURES, None)
                    session.complete_sign_in(outcome)
                    st.rerun()
        st.caption("Each person has their own account, set up by the ILM Assessment Team. "
                   "Contact: AssessmentPortal@i-l-m.com")
    if is_demo:
        st.warning(f"**Demo data.** Every demo account below has the password `{DEMO_PASSWORD}`. Start with "
                   "`team.demo` (the ILM Assessment Team) or `centre.demo` (a training centre).",
                   icon=":material/science:")
        st.dataframe(demo_accounts(db), hide_index=True, width="stretch", key="sign_in_demo_accounts",
                     column_config={"Try": st.column_config.TextColumn("What to try", width="large")})
