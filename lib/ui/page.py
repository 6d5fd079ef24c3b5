"""What every signed-in page starts with: the shared context and the signed-in user."""

from __future__ import annotations

import streamlit as st

from lib.db import Database
from lib.errors import Refused
from lib.files import FileStore
from lib.scope import NotFound
from lib.ui import session
from lib.ui.context import app_context
from lib.users import User


def page_setup() -> tuple[Database, User]:
    """The database and the signed-in user; app.py has checked the session on this run."""
    user = st.session_state.get(session.USER)
    if user is None:
        st.stop()
    return app_context().db, user


def file_store() -> FileStore:
    return app_context().store


def show_notice(key: str) -> None:
    """A message left by the previous page (after an upload or a submission), shown once."""
    notice = st.session_state.pop(key, None)
    if notice:
        st.success(notice, icon=":material/check_circle:")


def run_action(work, notice_key: str, success: str) -> None:
    """Do a user's action; a refusal is shown where they are, a success is announced after the rerun."""
    try:
        work()
    except (Refused, NotFound) as refused:
        st.error(str(refused), icon=":material/error:")
    else:
        st.session_state[notice_key] = success
        st.rerun()
