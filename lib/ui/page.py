"""What every signed-in page starts with: the shared context and the signed-in user."""

from __future__ import annotations

import streamlit as st

from lib.errors import Refused
from lib.rules.roles import User
from lib.store.db import Database
from lib.store.files import FileStore
from lib.store.scope import NotFound
from lib.ui import session
from lib.ui.context import app_context
from lib.ui.tables import clear_ticks
from lib.ui.text import escape_markdown


def page_setup() -> tuple[Database, User]:
    """The database and the signed-in user; app.py has checked the session on this run."""
    user = st.session_state.get(session.USER)
    if user is None:
        st.stop()
    return app_context().db, user


def file_store() -> FileStore:
    return app_context().store


def show_notice(key: str, warning: bool = False) -> None:
    """A message left by the previous page (after an upload or a submission), shown once; warning: what that page
    could not finish, left here for the user."""
    notice = st.session_state.pop(key, None)
    if notice and warning:
        st.warning(escape_markdown(notice), icon=":material/pending_actions:")
    elif notice:
        st.success(escape_markdown(notice), icon=":material/check_circle:")


def run_action(work, notice_key: str, success, ticks: str | None = None) -> None:
    """Do a user's action; a refusal is shown where they are, a success is announced after the rerun.

    success: the announcement, or a function of what work returned that makes it.
    ticks names the table whose ticked records the action was on: they are unticked once it is done, so the
    next record never comes up ticked with its action button live.
    """
    try:
        done = work()
    except (Refused, NotFound) as refused:
        st.error(escape_markdown(refused), icon=":material/error:")
    else:
        if ticks:
            clear_ticks(ticks)
        st.session_state[notice_key] = success(done) if callable(success) else success
        st.rerun()
