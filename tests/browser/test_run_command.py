"""The README's run command on an empty data folder: the sign-in form, not an error box, and a database on disk."""

from __future__ import annotations

import os
import subprocess
import sys

from playwright.sync_api import expect

from lib.config import PROJECT_ROOT
from lib.store import devserver
from tests.browser.conftest import wait_idle


def test_the_run_command_serves_the_sign_in_form_on_a_fresh_data_folder(tmp_path, page):
    data = tmp_path / "data"
    data.mkdir()
    port = devserver.free_port()
    # As the README has it (python -m streamlit run app.py), with this environment's Python and no settings
    # beyond where the data folder is, so the cookie key is generated and the demo database built.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ILMA_", "STREAMLIT_"))}
    env["ILMA_DB"] = str(data / "ilma.duckdb")
    env["ILMA_SECRETS_FILE"] = str(tmp_path / "absent-secrets.toml")
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
                               cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://localhost:{port}"
        devserver.wait_healthy(url, process)
        page.goto(url)
        expect(page.locator(".st-key-sign_in_username input")).to_be_visible(timeout=120_000)
        wait_idle(page)
        assert page.get_by_test_id("stException").count() == 0
        assert page.get_by_test_id("stSidebarNav").count() == 0, "signed out, no page list may show"
        assert (data / "ilma.duckdb").stat().st_size > 0
        assert (data / ".cookie_key").exists()
        assert b"Traceback" not in (tmp_path / "server.log").read_bytes()
    finally:
        devserver.stop(process)
        log.close()
