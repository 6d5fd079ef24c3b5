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
            similarity_candidates(scaled, emit, runs=15)
        finally:
            embedded.close()
            scaled.close()
    finally:
        server.stop()


def similarity_candidates(db: Database, emit, runs: int) -> None:
    """similarity_candidates_ms on PostgreSQL, as bench.similarity.index_figures measures it on DuckDB: a fingerprint
    of DEMO_SAMPLES_PER_FILE samples for every item (one evidence file each), a copy of one file planted, and the
    candidates for the probe's item found through the index on sample. The indexes are made after the rows (as a
    restore makes them), which is quicker than keeping them up row by row."""
    from bench.similarity import DEMO_SAMPLES_PER_FILE
    from lib.store import fingerprints

    with db.cursor() as cursor:
        items, first = cursor.execute(
            "SELECT count(*), (SELECT coalesce(max(id), 0) + 1000 FROM files) FROM submissions").fetchone()
        cursor.execute("DROP INDEX evidence_samples_by_sample")
        cursor.execute("DROP INDEX evidence_samples_by_file")
        cursor.execute("""INSERT INTO files (id, submission_id, kind, original_name, stored_name, size_bytes, sha256,
                                             uploaded_at, uploaded_by)
                          SELECT ? + row_number() OVER (ORDER BY id), id, 'evidence', 'bench.docx', 'bench-' || id,
                                 1000, '', now(), 0 FROM submissions""", [first])
        cursor.execute("INSERT INTO evidence_fingerprints SELECT ? + i, ?, NULL FROM generate_series(1, ?) i",
                       [first, DEMO_SAMPLES_PER_FILE, items])
        # 63-bit samples, as the fingerprints store them; twenty in one file never collide in practice.
        cursor.execute("""INSERT INTO evidence_samples
                          SELECT hashtextextended((? + i) || ':' || j, 0) >> 1, ? + i
                          FROM generate_series(1, ?) i, generate_series(1, ?) j""",
                       [first, first, items, DEMO_SAMPLES_PER_FILE])
        probe_file, copied_file = first + items // 2, first + items // 8 + 1
        cursor.execute("INSERT INTO evidence_samples SELECT sample, ? FROM evidence_samples WHERE file_id = ?",
                       [copied_file, probe_file])
        cursor.execute("CREATE INDEX evidence_samples_by_sample ON evidence_samples (sample, file_id)")
        cursor.execute("CREATE INDEX evidence_samples_by_file ON evidence_samples (file_id)")
        cursor.execute("ANALYZE files")
        cursor.execute("ANALYZE evidence_samples")
        cursor.execute("ANALYZE evidence_fingerprints")
        probe_item = cursor.execute("SELECT submission_id FROM files WHERE id = ?", [probe_file]).fetchone()[0]
    found = fingerprints.sharing_samples(db, int(probe_item), 2)
    assert [row[1] for row in found] == [copied_file], found
    emit("similarity_candidates_ms", median_ms(lambda: fingerprints.sharing_samples(db, int(probe_item), 2),
                                               runs=runs), "ms",
         files=items, samples_per_file=DEMO_SAMPLES_PER_FILE, backend="postgres")
