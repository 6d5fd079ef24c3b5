"""The cockpit's figures: the breach forecast and its back-test on the whole database, each role's home-page
figures, and each role's home page rerun in AppTest."""

from __future__ import annotations

from pathlib import Path

from bench.timing import median_ms, rerun_ms, signed_in_app
from lib.accounts.auth import user_by_username
from lib.analytics.home import home_figures, service_wide
from lib.service.forecast import back_test, forecast
from lib.store.db import Database

ROLE_USERS = {"assessment_team": "team.demo", "assessor": "assessor.demo", "lead_assessor": "lead.demo",
              "quality": "quality.demo", "centre": "centre.demo"}


def figures(db_path: Path, emit) -> None:
    db = Database.open(db_path)
    try:
        team = user_by_username(db, "team.demo")
        ahead = forecast(db, team)
        emit("sla_forecast_ms", median_ms(lambda: forecast(db, team), runs=7), "ms", open_items=len(ahead.items))
        emit("sla_back_test_ms", median_ms(lambda: back_test(db, team), runs=5), "ms")
        for role, username in ROLE_USERS.items():
            user = user_by_username(db, username)
            emit("home_figures_ms", median_ms(lambda u=user: home_figures(db, u, service_wide(db, u)), runs=9),
                 "ms", role=role)
    finally:
        db.close()


def rerun_figures(env: dict, emit, runs: int = 10) -> None:
    """Each role's home page script rerun in AppTest, signed in."""
    for role, username in ROLE_USERS.items():
        app = signed_in_app(env, username)
        emit("home_rerun_ms", rerun_ms(app, runs), "ms", role=role, runs=runs)
