"""The benchmark runs whole: every figure of `python -m bench`, on a small database and small inputs, so that a
change that breaks one part (as clearing every cached resource once did) cannot go unnoticed."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

from lib.config import PROJECT_ROOT

EVERY_FIGURE = {
    "demo_generate_s", "cold_start_s", "tracker_query_ms", "tracker_query_raw_sql_ms", "tracker_query_pandas_ms",
    "export_100k_s", "export_100k_peak_rss_mb", "qc_queue_ms", "sla_dashboard_ms", "sla_targets_1m_ms",
    "import_check_100k_s", "import_apply_100k_s", "archive_1m_s", "backup_1m_s", "backup_peak_mb",
    "backup_write_stall_ms", "backup_incremental_s", "restore_1m_s", "referral_rates_ms", "batch_review_ms",
    "sla_forecast_ms", "home_figures_ms", "signin_rerun_ms", "tracker_rerun_ms", "analytics_first_run_ms",
    "analytics_rerun_ms", "home_rerun_ms", "media_check_150mb_s", "upload_check_150mb_s", "crafted_upload_peak_mb",
    "learner_records_search_ms", "template_apply_10k_ms", "spreadsheet_check_s", "spreadsheet_check_peak_mb",
    "signin_write_stall_ms", "queue_ms", "postgres_move_in_s", "figures_copy_s", "similarity_recall",
    "similarity_false_matches", "similarity_pair_ms", "similarity_candidates_ms", "shared_text_month_ms",
    "similarity_index_mb",
}
# Each of these is printed for PostgreSQL beside DuckDB (bench/postgres.py), with the ratio.
ON_POSTGRES = {"tracker_query_ms", "qc_queue_ms", "queue_ms", "sla_dashboard_ms", "home_figures_ms",
               "referral_rates_ms"}


def test_the_whole_bench_runs_and_prints_every_figure(tmp_path):
    env = {**os.environ, "BENCH_CACHE": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "bench", "--submissions", "1500", "--smoke"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=1200, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    names = {figure["name"] for figure in figures}
    assert EVERY_FIGURE <= names, f"missing: {sorted(EVERY_FIGURE - names)}"
    assert all(isinstance(figure["value"], (int, float)) and math.isfinite(figure["value"]) for figure in figures)
    on_postgres = [figure for figure in figures if figure.get("backend") == "postgres" and "duckdb_ms" in figure]
    assert ON_POSTGRES <= {figure["name"] for figure in on_postgres}
    assert {figure["queue"] for figure in on_postgres if figure["name"] == "queue_ms"} == {
        "quality check, searched", "allocation", "marking", "sampling", "release"}
    assert all(figure["ratio"] > 0 for figure in on_postgres)


def test_the_speed_check_fails_a_figure_that_slipped_and_passes_one_that_did_not(db_path, monkeypatch, capsys):
    import time

    from bench import check

    def fast():
        time.sleep(0.002)

    def slipped():
        time.sleep(0.010)

    figures = []
    monkeypatch.setattr(check, "RUNS", 5)
    monkeypatch.setattr(check, "guards", lambda db: [check.Guard("steady", 2.0, fast, fast),
                                                     check.Guard("slipped", 2.0, slipped, fast)])
    outcome = check.check(db_path, lambda name, value, unit, **extra: figures.append((name, value, extra["ok"])))
    assert outcome == 1
    assert [(name, ok) for name, _, ok in figures] == [("check_steady_ratio", True), ("check_slipped_ratio", False)]
    assert "slipped: " in capsys.readouterr().out
