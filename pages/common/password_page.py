"""Change password: any user's own; the only page of an account signed in with a one-time password."""

import streamlit as st

from lib.accounts.auth import change_own_password
from lib.accounts.passwords import MIN_PASSWORD_LENGTH
from lib.errors import Refused
from lib.ui import session
from lib.ui.page import page_setup
from lib.ui.text import escape_markdown

db, user = page_setup()
st.title("Change password")
if user.must_change_password:
    st.info("You signed in with a one-time password. Choose your own password to continue.", icon=":material/key:")
st.caption(f"At least {MIN_PASSWORD_LENGTH} characters, and not easy to guess: a few unrelated words work well. "
           "Your username, your name and common passwords are refused.")
with st.form("password_form", clear_on_submit=True):
    current = st.text_input("Current password", type="password", key="password_current",
                            autocomplete="current-password")
    new = st.text_input("New password", type="password", key="password_new", autocomplete="new-password")
    again = st.text_input("New password again", type="password", key="password_again", autocomplete="new-password")
    submitted = st.form_submit_button("Change password", type="primary", key="password_submit")
if submitted:
    if new != again:
        st.error("The two new passwords are not the same.", icon=":material/error:")
    else:
        try:
            change_own_password(db, user, current, new)
        except Refused as refused:
            st.error(escape_markdown(refused), icon=":material/error:")
        else:
            session.password_changed(user)
            st.success("Your password is changed.", icon=":material/check_circle:")
            st.rerun()
