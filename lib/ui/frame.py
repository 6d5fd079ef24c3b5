"""The frame around every signed-in page: who is signed in, the demo marker, sign out."""

from __future__ import annotations

import streamlit as st

from lib.rules.roles import User
from lib.store.db import Database
from lib.ui import session
from lib.ui.text import escape_markdown


def sidebar(db: Database, user: User, is_demo: bool) -> None:
    with st.sidebar:
        if is_demo:
            st.badge("Demo data", icon=":material/science:", color="orange")
        st.markdown(f"**{escape_markdown(user.name)}**  \n{user.role_label}")
        if user.centre_number:
            st.caption(f"Centre {user.centre_number} · {escape_markdown(user.centre_name)}")
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            session.sign_out(db, user)
            st.rerun()
