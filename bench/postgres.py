"""The query figures on PostgreSQL beside the embedded DuckDB file, on the same demo: the benchmark's database
is moved into a throwaway PostgreSQL server (as `python -m lib migrate-to-postgres` moves an installation), then
each queue, list and home figure is timed on both and printed with its ratio. Figures on PostgreSQL that are
counted in the figures copy (lib/store/figures.py) are timed with the copy made, as a replica serves them."""

from __future__ import annotations

import time
from pathlib import Path

from bench.cockpit import ROLE_USERS
from bench.timing import median_ms
from bench.tracker import QUERY
from lib.accounts.auth import user_by_username
from lib.analytics.home import home_figures, service_wide
from lib.analytics.referrals import GROUPS, rate_view
from lib.centre.tracker import tracker_page
from lib.service.allocation import allocation_queue
from lib.service.marking import my_queue
from lib.service.quality_check import qc_queue
from lib.service.queues import QueueView
from lib.service.release import release_queue
from lib.service.sampling import sampling_queue
from lib.service.sla import open_items
from lib.store.db import Database
from lib.store.figures import make_snapshot

DATABASE = "ilma_bench"
FIRST_PAGE = QueueView()
SEARCHED = "smith"  # a surname many learners share


def _cases(db: Database) -> list[tuple[str, dict, object]]:
    """(figure, its labels, the work) for one database."""
    user = {role: user_by_username(db, username) for role, username in ROLE_USERS.items()}
    team = user["assessment_team"]
    return [
        *[("tracker_query_ms", {"user": role}, lambda u=user[role]: tracker_page(db, u, QUERY))
          for role in ("centre", "assessment_team")],
        # A queue's first page with its counts, as its page reads it; a search reads every name of the queue.
        ("qc_queue_ms", {}, lambda: qc_queue(db, team, FIRST_PAGE)),
        ("queue_ms", {"queue": "quality check, searched"}, lambda: qc_queue(db, team, QueueView(words=SEARCHED))),
        ("queue_ms", {"queue": "allocation"}, lambda: allocation_queue(db, team, view=FIRST_PAGE)),
        ("queue_ms", {"queue": "marking"}, lambda: my_queue(db, user["assessor"], FIRST_PAGE)),
        ("queue_ms", {"queue": "sampling"}, lambda: sampling_queue(db, user["lead_assessor"], FIRST_PAGE)),
        ("queue_ms", {"queue": "release"}, lambda: release_queue(db, team, FIRST_PAGE)),
        ("sla_dashboard_ms", {"query": "open items by stage"}, lambda: open_items(db, team)),
        *[("home_figures_ms", {"role": role}, lambda u=user[role]: home_figures(db, u, service_wide(db, u)))
          for role in ROLE_USERS],
        ("referral_rates_ms", {"groupings": len(GROUPS), "period": "all time"}, lambda: rate_view(db, team)),
    ]


def figures(db_path: Path, emit, runs: int = 5) -> None:
    import psycopg

    from lib.store.transfer import copy_database
    from tests import pgserver

    server = pgserver.start()
    try:
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
        embedded, scaled = Database.open(db_path), Database.open_url(server.url(DATABASE))
        try:
            started = time.perf_counter()
            copy_database(embedded, scaled)
            emit("postgres_move_in_s", time.perf_counter() - started, "s")
            started = time.perf_counter()
            make_snapshot(scaled).close()
            emit("figures_copy_s", time.perf_counter() - started, "s", backend="postgres")
            for (name, labels, on_duckdb), (_, _, on_postgres) in zip(_cases(embedded), _cases(scaled)):
                duckdb_ms, postgres_ms = median_ms(on_duckdb, runs=runs), median_ms(on_postgres, runs=runs)
                emit(name, postgres_ms, "ms", **labels, backend="postgres", duckdb_ms=round(duckdb_ms, 1),
                     ratio=round(postgres_ms / duckdb_ms, 2) if duckdb_ms else None)
        finally:
            embedded.close()
            scaled.close()
    finally:
        server.stop()
