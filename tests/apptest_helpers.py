"""Driving the app in streamlit.testing's AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib.config import PROJECT_ROOT
from lib.demo import DEMO_PASSWORD

APP = str(PROJECT_ROOT / "app.py")
STRONG_KEY = "test-cookie-key-" + "x" * 40


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
        at.switch_page("pages/home_page.py").run()
    return at


def page_names(at: AppTest) -> list[str]:
    """The pages st.navigation registered on the last run, in menu order."""
    return [info["page_name"] for info in at._registered_pages.values()]


def texts(at: AppTest) -> str:
    """Every message, caption, title and markdown text on the page, joined, for 'in' checks."""
    parts = []
    for kind in ("error", "info", "warning", "success", "caption", "title", "markdown", "header", "subheader"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    return "\n".join(parts)
