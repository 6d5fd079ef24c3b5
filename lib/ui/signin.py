"""The sign-in page."""

from __future__ import annotations

import streamlit as st

from lib.accounts import auth
from lib.store.db import Database
from lib.ui import session


def sign_in_page(db: Database, is_demo: bool) -> None:
    """Username and password form; on success the app reruns with the user's pages."""
    left, middle, right = st.columns([1, 2, 1])
    with middle:
        st.title("ILM Assessment Portal")
        st.caption("For ILM-approved centres and the ILM Assessment Team")
        notice = session.take_notice()
        if notice:
            st.info(notice, icon=":material/info:")
        with st.form("sign_in", clear_on_submit=False, border=True):
            username = st.text_input("Username", key="sign_in_username", autocomplete="username")
            password = st.text_input("Password", type="password", key="sign_in_password",
                                     autocomplete="current-password")
            submitted = st.form_submit_button("Login", type="primary", key="sign_in_submit")
        if submitted:
            if not username.strip() or not password:
                st.error("Enter both your username and your password.", icon=":material/error:")
            else:
                outcome = auth.sign_in(db, username, password)
                if isinstance(outcome, auth.SignInRefused):
                    refused_account = outcome.reason in ("locked", "closed", "centre_blocked")
                    st.error(outcome.message, icon=":material/lock:" if refused_account else ":material/error:")
                else:
                    session.complete_sign_in(outcome)
                    st.rerun()
        st.caption("Each person has their own account, set up by the ILM Assessment Team. "
                   "Contact: AssessmentPortal@i-l-m.com")
        if is_demo:
            st.warning("**Demo data.** Every demo account uses the password in the README, "
                       "for example `centre.demo` (a centre) or `team.demo` (the Assessment Team).",
                       icon=":material/science:")
