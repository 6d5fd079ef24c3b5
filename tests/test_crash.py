"""kill -9 at random moments of the upload -> submit -> release loop: afterwards the database holds no
half-written item, and after reconciliation the file store holds no file that no row points to."""

from __future__ import annotations

import random
import subprocess
import sys

from lib.config import PROJECT_ROOT
from lib.store.db import Database
from lib.store.files import FileStore
from lib.store.reconcile import QUARANTINE, reconcile_files

KILLS = 30


def run_and_kill(db_path, files_dir, chance: random.Random) -> int:
    """Start the worker, let it work for a random moment, kill -9 it; the items it finished."""
    worker = subprocess.Popen([sys.executable, "-m", "tests.crash_worker", str(db_path), str(files_dir)],
                              cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert worker.stdout.readline().strip() == "ready"
    try:
        worker.wait(timeout=chance.uniform(0.2, 2.5))
    except subprocess.TimeoutExpired:
        worker.kill()  # SIGKILL: no clean-up of any kind
    worker.wait()
    return sum(1 for line in worker.stdout if line.strip().isdigit())


def test_kill_9_during_the_loop_leaves_nothing_half_written(db_path):
    files_dir = db_path.parent / "files"
    chance = random.Random(2026)
    db = Database.open(db_path)
    before = db.query_one("SELECT max(id) FROM submissions")[0]
    db.close()
    finished = sum(run_and_kill(db_path, files_dir, chance) for _ in range(KILLS))
    assert finished > 0, "the worker should finish some items between kills"

    db = Database.open(db_path)  # DuckDB replays its write-ahead log after the kills
    try:
        store = FileStore(files_dir)
        first = reconcile_files(db, store)
        again = reconcile_files(db, store)
        assert first.missing == [] and again.missing == []
        assert (again.partials_removed, again.orphans_quarantined) == (0, 0)
        on_disk = {p.relative_to(files_dir).as_posix() for p in files_dir.glob("??/*")}
        referenced = {row[0] for row in db.query_all("SELECT stored_name FROM files")}
        assert on_disk == referenced, "every stored file has its row and every row its file"
        assert not list(files_dir.glob("??/.*.part"))
        # Every item the worker started is whole: its units, its evidence, and what its stage says it has.
        broken = db.query_all(
            """SELECT s.id, s.stage FROM submissions s WHERE s.id > ? AND (
                   NOT EXISTS (SELECT 1 FROM submission_units u WHERE u.submission_id = s.id)
                OR NOT EXISTS (SELECT 1 FROM files f WHERE f.submission_id = s.id AND f.kind = 'evidence')
                OR (s.stage IN ('marked', 'ready', 'released') AND EXISTS (
                       SELECT 1 FROM submission_units u WHERE u.submission_id = s.id AND u.result IS NULL))
                OR (s.stage IN ('ready', 'released') AND NOT EXISTS (
                       SELECT 1 FROM files f WHERE f.submission_id = s.id AND f.kind = 'marked_result_sheet'))
                OR (s.stage = 'released' AND (s.result IS NULL OR s.released_at IS NULL)))""", [before])
        assert broken == []
        started = db.query_one("SELECT count(*) FROM submissions WHERE id > ?", [before])[0]
        assert started >= finished
        print(f"{KILLS} kills, {finished} items finished, {started} started, "
              f"{first.partials_removed} .part removed, {first.orphans_quarantined} orphans quarantined")
        if first.orphans_quarantined:
            assert len(list((files_dir / QUARANTINE).rglob("??/*"))) == first.orphans_quarantined
    finally:
        db.close()

