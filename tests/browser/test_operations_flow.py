"""Operations in Chromium, with the app's job scheduler running: the team runs a backup now, sees it kept and how to
restore it; a command run meanwhile hands its job to the same app."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from lib.config import PROJECT_ROOT
from lib.store import backup, devserver
from tests.browser.conftest import STRONG_KEY, as_user, choose_option, notice, settle


@pytest.fixture
def scheduled_app(demo_template, tmp_path):
    db_path = tmp_path / "ilma.duckdb"
    shutil.copy(demo_template, db_path)
    shutil.copytree(demo_template.parent / "files", tmp_path / "files", copy_function=os.link)
    env = {**os.environ, "ILMA_DB": str(db_path), "ILMA_COOKIE_KEY": STRONG_KEY, "ILMA_JOBS": "manual",
           "ILMA_SECRETS_FILE": str(tmp_path / "no-secrets.toml"), "ILMA_BACKUPS": str(tmp_path / "backups")}
    process, url = devserver.start(env)
    yield url, env, tmp_path / "backups"
    devserver.stop(process)


def test_the_team_runs_a_backup_now_and_a_command_runs_one_beside_it(browser, scheduled_app):
    url, env, backups = scheduled_app
    context, page = as_user(browser, url, "team.demo")
    try:
        page.goto(f"{url}/operations")
        expect(page.get_by_role("heading", name="Operations", exact=True)).to_be_visible(timeout=30_000)
        settle(page)
        expect(page.get_by_text("No backup has been taken yet.")).to_be_visible()
        choose_option(page, "operations_job", "Backup")
        page.locator(".st-key-operations_run button").click()
        settle(page)
        expect(page.get_by_text("Run backup now?")).to_be_visible()
        page.locator(".st-key-operations_run_confirm button").click()
        notice(page, "Backup: done")
        kept = backup.backups(backups)
        assert len(kept) == 1 and backup.verify(kept[0]).ok
        expect(page.get_by_text(f"python -m lib verify-backup {kept[0]}")).to_be_visible()
        page.screenshot(path=str(PROJECT_ROOT / "docs" / "operations.tmp.png"), full_page=True)

        command = subprocess.run([sys.executable, "-m", "lib", "backup"], cwd=PROJECT_ROOT, env=env,
                                 capture_output=True, text=True, timeout=300)
        assert command.returncode == 0, command.stderr
        assert json.loads(command.stdout)["outcome"] == "done"
        assert len(backup.backups(backups)) == 2
        page.goto(f"{url}/operations")  # a fresh visit, as the team's next look at the page
        expect(page.get_by_role("heading", name="Operations", exact=True)).to_be_visible(timeout=30_000)
        settle(page)
        # The runs table (a canvas grid) carries its cells for screen readers: the command's run is listed.
        expect(page.get_by_text("Command", exact=True).first).to_be_attached(timeout=30_000)
    finally:
        context.close()
