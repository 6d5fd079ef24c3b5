"""Tracker figures: the grid query against hand-written SQL and pandas, the page rerun, the Excel export."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from bench.timing import median_ms, rerun_ms, scaled, signed_in_app
from lib.accounts.auth import user_by_username
from lib.centre.tracker import columns_for, tracker_page, tracker_source
from lib.store import grid
from lib.store.db import Database
from lib.store.export import write_xlsx
from lib.store.grid import ColumnFilter, Condition, GridQuery, Sort

USERS = {"centre": "centre.demo", "assessment_team": "team.demo"}
QUERY = GridQuery((ColumnFilter("Learner", Condition(grid.CONTAINS, "li")),
                   ColumnFilter("Status", Condition(grid.EQUALS, "Completed"))), Sort("Submitted", True), 0, 10)
EXPORT_ROWS = scaled(100_000, 1_000)


RAW_KEYS = """
    SELECT s.id, count(*) OVER () FROM submissions s JOIN learners l ON l.id = s.learner_id
    WHERE s.stage = 'released' AND s.result = 'Pass' AND contains(l.search_name, 'li') {centre}
    ORDER BY CAST(s.submitted_at AS DATE) DESC, s.id DESC LIMIT 10"""
RAW_ROWS = """
    SELECT s.id, b.name, CAST(s.submitted_at AS DATE), CAST(s.released_at AS DATE), l.enr,
           l.first_name || ' ' || l.last_name, s.unit_codes, s.type, s.category, 'Completed', s.result, s.mark
    FROM submissions s JOIN learners l ON l.id = s.learner_id LEFT JOIN batches b ON b.id = s.batch_id
    WHERE list_contains(?, s.id) ORDER BY CAST(s.submitted_at AS DATE) DESC, s.id DESC"""


def raw_sql(db: Database, centre_id: int | None) -> None:
    centre = f"AND s.centre_id = {int(centre_id)}" if centre_id else ""
    keys = [row[0] for row in db.query_all(RAW_KEYS.format(centre=centre))]
    db.query_df(RAW_ROWS, [keys])


def pandas_way(db: Database, user) -> tuple[float, float]:
    """Load every Tracker row the user may see (what st.cache_data would hold), then filter, sort, page."""
    started = time.perf_counter()
    frame = tracker_page(db, user, GridQuery(limit=10_000_000)).rows
    load_ms = (time.perf_counter() - started) * 1000

    def query():
        kept = frame[frame.Learner.str.lower().str.contains("li", regex=False) & (frame.Status == "Completed")]
        kept.sort_values(["Submitted", "ID"], ascending=False).head(10)

    return median_ms(query), load_ms


def query_figures(db_path: Path, emit) -> None:
    db = Database.open(db_path)
    try:
        for role, username in USERS.items():
            user = user_by_username(db, username)
            emit("tracker_query_ms", median_ms(lambda u=user: tracker_page(db, u, QUERY)), "ms", user=role)
            emit("tracker_query_raw_sql_ms", median_ms(lambda u=user: raw_sql(db, u.centre_id)), "ms", user=role)
            filtered, load = pandas_way(db, user)
            emit("tracker_query_pandas_ms", filtered, "ms", user=role, load_ms=round(load, 1))
    finally:
        db.close()


def rerun_figures(db_path: Path, env: dict, emit, runs: int = 10) -> None:
    """The Tracker page script rerun in AppTest, signed in, with the benchmark's filters applied."""
    for role, username in USERS.items():
        app = signed_in_app(env, username)
        app.switch_page("pages/centre/tracker_page.py").run()
        app.session_state["tracker_filters"] = QUERY.filters
        app.session_state["tracker_sort"] = "Submitted"
        emit("tracker_rerun_ms", rerun_ms(app, runs), "ms", user=role, runs=runs)


def export_probe(db_path: str) -> None:
    """Run in a child process: export 100,000 Tracker rows; print seconds and peak RSS above the start."""
    db = Database.open(Path(db_path))
    user = user_by_username(db, "team.demo")
    columns = columns_for(user)
    headers = [c.label for c in columns.columns if c.shown]
    write_xlsx(headers, itertools.islice(grid.iterate(db, tracker_source(user), columns, GridQuery()), 100), "warm-up")
    process = psutil.Process()
    baseline = peak = process.memory_info().rss
    finished = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not finished.wait(0.02):
            peak = max(peak, process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    data = write_xlsx(headers, itertools.islice(grid.iterate(db, tracker_source(user), columns, GridQuery()), EXPORT_ROWS),
                      "Centre Report")
    seconds = time.perf_counter() - started
    finished.set()
    sampler.join()
    peak = max(peak, process.memory_info().rss)
    print(json.dumps({"seconds": seconds, "rss_growth_mb": (peak - baseline) / 1024 / 1024, "bytes": len(data)}))


def export_figures(db_path: Path, emit) -> None:
    done = subprocess.run([sys.executable, "-c", f"from bench.tracker import export_probe; export_probe({str(db_path)!r})"],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    emit("export_100k_s", result["seconds"], "s", rows=EXPORT_ROWS, xlsx_mb=round(result["bytes"] / 1e6, 1))
    emit("export_100k_peak_rss_mb", result["rss_growth_mb"], "MB", rows=EXPORT_ROWS)
