"""Sign-in, sign-out and navigation, through the real app script in AppTest."""

from __future__ import annotations

import pytest

from lib.demo import DEMO_PASSWORD
from tests.apptest_helpers import STRONG_KEY, new_app, page_names, sign_in, texts
from tests.test_navigation import EXPECTED

ROLE_USERS = {"centre": "centre.demo", "assessment_team": "team.demo", "assessor": "assessor.demo",
              "lead_assessor": "lead.demo", "quality": "quality.demo"}


def menu(role: str) -> list[str]:
    """A role's page titles in menu order, its sections read top to bottom."""
    return [title for titles in EXPECTED[role].values() for title in titles]


@pytest.fixture
def app_env(db_path, monkeypatch, tmp_path):
    monkeypatch.setenv("ILMA_DB", str(db_path))
    monkeypatch.setenv("ILMA_COOKIE_KEY", STRONG_KEY)
    monkeypatch.setenv("ILMA_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    return db_path


def test_signed_out_visitors_see_only_the_sign_in_page(app_env):
    at = new_app().run()
    assert not at.exception
    assert page_names(at) == ["Sign in"]
    assert at.text_input(key="sign_in_username").label == "Username"
    assert "Demo data" in texts(at) and DEMO_PASSWORD in texts(at)
    accounts = at.dataframe[0].value  # every demo account, with its role, to sign in with
    assert set(ROLE_USERS.values()) <= set(accounts.Username)
    assert dict(zip(accounts.Username, accounts.Role))["lead.demo"] == "Lead Assessor"


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_each_role_sees_exactly_its_pages_and_every_page_renders(app_env, role):
    at = sign_in(new_app(), ROLE_USERS[role])
    assert not at.exception
    assert page_names(at) == menu(role)
    scripts = [info["script_path"] for info in at._registered_pages.values()]
    for script in scripts[1:]:
        at.switch_page(script.split("/main/")[-1] if "/main/" in script else script).run()
        assert not at.exception, (role, script)
    assert "Demo data" in texts(at)


def test_a_wrong_password_shows_an_error(app_env):
    at = sign_in(new_app(), "centre.demo", "not-the-password")
    assert [e.value for e in at.error] == ["Incorrect username or password."]
    assert page_names(at) == ["Sign in"]


def test_blank_fields_are_asked_for(app_env):
    at = sign_in(new_app(), "", "")
    assert "Enter both your username and your password." in texts(at)


def test_repeated_failures_make_the_username_wait(app_env):
    at = new_app()
    for _ in range(6):
        sign_in(at, "centre.demo", "wrong-password")
    assert "Too many failed sign-ins for this username: wait" in texts(at)
    sign_in(at, "centre.demo")
    assert "wait" in texts(at) and page_names(at) == ["Sign in"]


def test_a_closed_account_says_why(app_env):
    at = sign_in(new_app(), "closed.demo")
    assert "This account was closed" in texts(at)
    assert page_names(at) == ["Sign in"]


def test_a_blocked_centre_says_why(app_env):
    at = sign_in(new_app(), "blocked.demo")
    assert "is blocked from the portal" in texts(at) and "unpaid" in texts(at)


def test_the_centre_home_page_shows_its_own_figures(app_env):
    at = sign_in(new_app(), "centre.demo")
    assert at.title[0].value == "Northbridge Training Ltd"
    assert [m.label for m in at.metric] == [
        "My referral rate, last 12 months", "Missing a result sheet", "Referred items to re-submit",
        "Rejected items to re-submit", "Latest feedback report"]
    assert at.metric[0].value.endswith("%") and "points" in at.metric[0].proto.delta


def test_the_tracker_pages_through_the_centres_submissions(app_env):
    at = sign_in(new_app(), "centre.demo")
    at.switch_page("pages/centre/tracker_page.py").run()
    assert at.title[0].value == "Tracker"
    assert len(at.dataframe[0].value) == 10
    assert any(c.value.startswith("1 - 10 of ") for c in at.caption)
    at.button(key="tracker_next").click().run()
    assert any(c.value.startswith("11 - 20 of ") for c in at.caption)
    at.selectbox(key="tracker_per_page").select(50).run()
    assert len(at.dataframe[0].value) == 50
    assert "Centre" not in at.dataframe[0].value.columns


def test_signing_out_returns_to_the_sign_in_page(app_env):
    at = sign_in(new_app(), "team.demo")
    at.button(key="sign_out").click().run()
    assert page_names(at) == ["Sign in"]
    assert "You have signed out." in texts(at)


def test_a_second_sign_in_elsewhere_ends_the_first_session_with_a_message(app_env):
    first = sign_in(new_app(), "centre.demo")
    assert page_names(first) == menu("centre")
    second = sign_in(new_app(), "centre.demo")
    assert page_names(second) == menu("centre")
    first.run()
    assert page_names(first) == ["Sign in"]
    assert "signed in from another browser" in texts(first)


def test_an_unusable_data_folder_gives_a_page_not_a_traceback(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ILMA_DB", str(blocker / "ilma.duckdb"))
    monkeypatch.setenv("ILMA_COOKIE_KEY", STRONG_KEY)
    at = new_app().run()
    assert not at.exception
    assert "cannot be created" in texts(at) and "ILMA_DB" in texts(at)
    assert page_names(at) == ["Cannot start"]


def test_an_empty_secrets_file_gives_a_page_not_a_traceback(db_path, tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("")
    monkeypatch.setenv("ILMA_DB", str(db_path))
    monkeypatch.delenv("ILMA_COOKIE_KEY", raising=False)
    monkeypatch.setenv("ILMA_SECRETS_FILE", str(secrets))
    at = new_app().run()
    assert not at.exception
    assert "The secrets file has no cookie key" in texts(at)
