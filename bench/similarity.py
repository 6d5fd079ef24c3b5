"""Copied-work figures on a generated set: 200 originals, 200 copies edited as learners edit (paragraphs
reordered, 10-20% of words changed, added or removed) and 200 texts written apart on the same topic; recall and
false matches at the default threshold, and the time one pair's comparison takes."""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.timing import median_ms, scaled
from lib.demo.essays import edited, original
from lib.rules.similarity import DEFAULT_THRESHOLD, shared_text, words_of

TEXTS = scaled(200, 20)


def figures(emit) -> None:
    originals = [words_of(original(seed)) for seed in range(TEXTS)]
    copies = [words_of(edited(original(seed), seed, 0.10 + 0.10 * (seed % 3) / 2)) for seed in range(TEXTS)]
    apart = [words_of(original(100_000 + seed)) for seed in range(TEXTS)]
    timings = []
    found = 0
    for first, copy in zip(originals, copies, strict=True):
        started = time.perf_counter()
        found += shared_text(first, copy).share >= DEFAULT_THRESHOLD
        timings.append((time.perf_counter() - started) * 1000)
    false_matches = sum(shared_text(first, other).share >= DEFAULT_THRESHOLD
                        for first in originals for other in apart[:scaled(20, 5)])
    emit("similarity_recall", round(found / TEXTS, 3), "fraction", pairs=TEXTS, threshold=DEFAULT_THRESHOLD)
    emit("similarity_false_matches", false_matches, "pairs", pairs=TEXTS * scaled(20, 5))
    emit("similarity_pair_ms", round(statistics.median(timings), 2), "ms", words=len(originals[0].compared))


DEMO_SAMPLES_PER_FILE = 20  # the demo's evidence is about 320 words: one run in SAMPLE_EVERY kept
TYPICAL_SAMPLES_PER_FILE = 125  # evidence of about 2,000 words
INDEX_FILES = scaled(100_000, 2_000)
MIGRATION = Path(__file__).resolve().parent.parent / "lib" / "store" / "migrations" / "0025_evidence_fingerprints.sql"


def _fill_fingerprints(cursor, first_file: int, files: int, samples_per_file: int, submissions: str | None) -> None:
    """Fingerprint rows for `files` evidence files from first_file on, each with samples_per_file random samples
    (and, with submissions, a files row for each on one of those items)."""
    if submissions:
        cursor.execute(f"""INSERT INTO files (id, submission_id, kind, original_name, stored_name, size_bytes, sha256,
                                              uploaded_at, uploaded_by)
                           SELECT {first_file} + row_number() OVER (ORDER BY id), id, 'evidence', 'bench.docx',
                                  'bench-' || id, 1000, '', now(), 0 FROM ({submissions})""")
    cursor.execute(f"""INSERT INTO evidence_fingerprints
                       SELECT {first_file} + i, {samples_per_file}, NULL FROM range(1, {files} + 1) t(i)""")
    cursor.execute(f"""INSERT INTO evidence_samples
                       SELECT DISTINCT CAST(hash({first_file} + i, j) >> 1 AS BIGINT), {first_file} + i
                       FROM range(1, {files} + 1) t(i), range({samples_per_file}) s(j)""")


def _busiest_month(db) -> tuple[date, date]:
    """The first day of the month with the most submissions, and of the month after it."""
    start = db.query_one("""SELECT date_trunc('month', submitted_at) AS month FROM submissions
                            WHERE submitted_at IS NOT NULL GROUP BY month ORDER BY count(*) DESC, month LIMIT 1""")[0]
    start = start.date() if isinstance(start, datetime) else start
    return start, (start + timedelta(days=32)).replace(day=1)


def index_figures(db_path, emit, runs: int = 15) -> None:
    """similarity_candidates_ms: the candidates for one new file's item among the evidence of the whole demo (a
    fingerprint for every item, as if each had one evidence file), one of them planted; shared_text_month_ms: the
    pairs of items sharing samples for Shared text's clusters, a month's evidence (the busiest) against all of
    it; similarity_index_mb: the stored fingerprints' size per 100,000 files of typical evidence."""
    import shutil
    import tempfile

    import duckdb

    from lib.analytics import copied_clusters
    from lib.store import fingerprints
    from lib.store.db import Database

    with tempfile.TemporaryDirectory(prefix="ilma-bench-similarity-") as folder:
        copy = Path(folder) / "demo.duckdb"
        shutil.copy(db_path, copy)
        connection = duckdb.connect(str(copy))
        items = connection.execute("SELECT count(*) FROM submissions").fetchone()[0]
        first = connection.execute("SELECT coalesce(max(id), 0) + 1000 FROM files").fetchone()[0]
        _fill_fingerprints(connection, first, items, DEMO_SAMPLES_PER_FILE, "SELECT id FROM submissions")
        probe_item, probe_file, copied_file = connection.execute(
            f"""SELECT (SELECT submission_id FROM files WHERE id = {first} + {items // 2}),
                       {first} + {items // 2}, {first} + {items // 8 + 1}""").fetchone()
        connection.execute("INSERT INTO evidence_samples SELECT sample, ? FROM evidence_samples WHERE file_id = ?",
                           [copied_file, probe_file])
        connection.execute("CHECKPOINT")
        connection.close()
        db = Database.open(copy)
        try:
            found = fingerprints.sharing_samples(db, int(probe_item), 2)
            assert [row[1] for row in found] == [copied_file], found
            emit("similarity_candidates_ms", median_ms(lambda: fingerprints.sharing_samples(db, int(probe_item), 2),
                                                       runs=runs), "ms",
                 files=items, samples_per_file=DEMO_SAMPLES_PER_FILE, backend="duckdb")
            month = _busiest_month(db)
            emit("shared_text_month_ms", median_ms(lambda: db.query_all(copied_clusters.PAIRS, [*month, 2]),
                                                   runs=max(1, runs // 5)), "ms",
                 month=f"{month[0]:%m/%Y}", files=items, samples_per_file=DEMO_SAMPLES_PER_FILE, backend="duckdb")
        finally:
            db.close()
        sized = Path(folder) / "index.duckdb"
        connection = duckdb.connect(str(sized))
        connection.execute(MIGRATION.read_text().split("INSERT INTO settings")[0])  # the two tables, as stored
        connection.execute("CHECKPOINT")
        empty = sized.stat().st_size
        _fill_fingerprints(connection, 0, INDEX_FILES, TYPICAL_SAMPLES_PER_FILE, None)
        connection.execute("CHECKPOINT")
        connection.close()
        per_100k = (sized.stat().st_size - empty) / 1024 / 1024 * 100_000 / INDEX_FILES
        emit("similarity_index_mb", per_100k, "MB", per_files=100_000, measured_on=INDEX_FILES,
             samples_per_file=TYPICAL_SAMPLES_PER_FILE, backend="duckdb")
