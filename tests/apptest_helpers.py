"""Driving the app in streamlit.testing's AppTest."""

from __future__ import annotations

import secrets

from streamlit.testing.v1 import AppTest

from lib.config import PROJECT_ROOT
from lib.demo import DEMO_PASSWORD

APP = str(PROJECT_ROOT / "app.py")
STRONG_KEY = secrets.token_urlsafe(36)  # made per run: a key written in the repository would be a published one


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def sign_in(at: AppTest, username: str, password: str = DEMO_PASSWORD) -> AppTest:
    at.run()
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(password)
    at.button(key="sign_in_submit").click()
    at.run()
    if "Home" in page_names(at):
        # A browser follows the rerun to the default page; AppTest keeps asking for the sign-in page.
        at.switch_page("pages/common/home_page.py").run()
    return at


def page_names(at: AppTest) -> list[str]:
    """The titles of the pages st.navigation registered on the last run, in menu order, each once: signed out,
    every page's address is registered to the one sign-in page."""
    return list(dict.fromkeys(info["page_name"] for info in at._registered_pages.values()))


def texts(at: AppTest) -> str:
    """Every message, caption, title and markdown text on the page, joined, for 'in' checks."""
    parts = []
    for kind in ("error", "info", "warning", "success", "caption", "title", "markdown", "header", "subheader"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    return "\n".join(parts)


def table_widget_key(at: AppTest, table_key: str) -> str:
    """The key the shared table widget gave its dataframe on the last run (it changes with the rows shown)."""
    keys = [frame.proto.id.rsplit("-", 1)[-1] for frame in at.dataframe]
    matches = [key for key in keys if key.startswith(f"{table_key}__")]
    assert len(matches) == 1, f"no single table {table_key} among {keys}"
    return matches[0]


def tick(at: AppTest, table_key: str, rows: list[int]) -> AppTest:
    """Tick rows (positions on the page shown) of a table, as a click in the browser would, and rerun."""
    at.session_state[table_widget_key(at, table_key)] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    return at


def open_page(at: AppTest, script: str) -> AppTest:
    """Switch to a page script and run it; it must not raise."""
    at.switch_page(script).run()
    assert not at.exception
    return at
