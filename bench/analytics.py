"""Analytics figures: every referral-rate grouping of the page's default view, in DuckDB and in pandas over
the whole table in memory; batch review, SLA performance and the EQA check; the page rerun in AppTest."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from bench.timing import median_ms, rerun_ms, signed_in_app
from lib.accounts.auth import user_by_username
from lib.analytics import eqa
from lib.analytics.batch_review import batches
from lib.analytics.referrals import GROUPS, Period, against_service, rate_view
from lib.service import sla
from lib.store.db import Database


def default_period() -> Period:
    today = date.today()
    return Period(today - timedelta(days=365), today)


def all_groupings(db: Database, user, period: Period) -> dict[str, pd.DataFrame]:
    """What the page computes for its default view: each grouping with the service rates beside it."""
    return rate_view(db, user, period).tables


def load_results(db: Database) -> pd.DataFrame:
    """Every unit result with what the groupings need, as one DataFrame (the pandas comparison's input)."""
    return db.query_df(
        """SELECT c.number AS centre, c.name AS centre_name, u.unit_code AS unit, s.qualification_code AS qualification,
                  a.name AS assessor, s.batch_id, b.name AS batch, s.released_at, s.stage, u.result
           FROM submissions s JOIN submission_units u ON u.submission_id = s.id JOIN centres c ON c.id = s.centre_id
           LEFT JOIN users a ON a.id = s.assessor_id LEFT JOIN batches b ON b.id = s.batch_id""")


PANDAS_KEYS = {"centre": ["centre", "centre_name"], "unit": ["unit"], "qualification": ["qualification"],
               "assessor": ["assessor"], "batch": ["batch_id", "batch", "centre"], "month": ["month"]}


def pandas_groupings(frame: pd.DataFrame, period: Period) -> dict[str, pd.DataFrame]:
    released_on = frame.released_at.dt.date
    kept = frame[(frame.stage == "released") & frame.result.notna() & (released_on >= period.start)
                 & (released_on <= period.end)].assign(referral=lambda f: f.result == "Referral",
                                                       month=lambda f: f.released_at.dt.strftime("%Y-%m"))
    service = 100 * kept.referral.mean()
    monthly = kept.groupby("month").referral.mean().mul(100).to_dict()
    out = {}
    for group, keys in PANDAS_KEYS.items():
        rows = kept[kept.batch_id.notna()] if group == "batch" else kept
        table = rows.groupby(keys, dropna=False).agg(Results=("referral", "size"), Referrals=("referral", "sum"))
        table = table.reset_index()
        table["Rate %"] = (100 * table.Referrals / table.Results).round(1)
        out[group] = against_service(table.rename(columns={"month": "Month"}), monthly if group == "month" else service)
    return out


def figures(db_path: Path, emit) -> None:
    db = Database.open(db_path)
    try:
        team, quality = user_by_username(db, "team.demo"), user_by_username(db, "quality.demo")
        period = default_period()
        emit("referral_rates_ms", median_ms(lambda: all_groupings(db, team, period), runs=9), "ms",
             groupings=len(GROUPS))
        started = time.perf_counter()
        frame = load_results(db)
        emit("referral_rates_pandas_load_ms", (time.perf_counter() - started) * 1000, "ms", rows=len(frame))
        in_duckdb, in_pandas = all_groupings(db, team, period), pandas_groupings(frame, period)
        assert all(int(in_duckdb[g].Results.sum()) == int(in_pandas[g].Results.sum()) for g in GROUPS)
        emit("referral_rates_pandas_ms", median_ms(lambda: pandas_groupings(frame, period), runs=9), "ms",
             groupings=len(GROUPS))
        emit("batch_review_ms", median_ms(lambda: batches(db, team, period), runs=9), "ms")
        today = date.today()
        emit("sla_performance_ms", median_ms(lambda: [sla.performance(db, team, period.start, today, by=by)
                                                      for by in (None, "month", "centre")], runs=9), "ms")
        emit("eqa_check_ms", median_ms(lambda: eqa.raise_alerts(db, quality), runs=5), "ms")
    finally:
        db.close()


def rerun_figures(env: dict, emit, runs: int = 10) -> None:
    """The referral-rates page script rerun in AppTest, signed in as the assessment team, default view."""
    from lib.ui import rates_cache

    app = signed_in_app(env, "team.demo")
    app.switch_page("pages/analytics/referrals_page.py").run()
    # A first look counts the rates; reruns within two minutes reuse them. Only that cache is cleared: clearing
    # every cache_resource would drop the app's open database, which DuckDB will not open twice in one process.
    rates_cache._counted.clear()
    started = time.perf_counter()
    app.run()
    emit("analytics_first_run_ms", (time.perf_counter() - started) * 1000, "ms", page="referral rates")
    emit("analytics_rerun_ms", rerun_ms(app, runs), "ms", page="referral rates", runs=runs)
