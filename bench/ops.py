"""Operations figures: a backup of the benchmark database (a copy, with 10,000 stored files) while a user writes,
its restore, and the next backup that finds only new files (python -m bench --only ops)."""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from bench.admin import _copy, _rss_mb
from bench.timing import scaled
from lib.config import PROJECT_ROOT
from lib.store import backup
from lib.store.db import Database
from lib.store.files import FileStore

FILES = scaled(10_000, 200)


def _add_files(db: Database, store: FileStore, count: int) -> None:
    """count evidence files of 6 to 40 KB, stored and pointed to by rows of released items."""
    rows = []
    for index in range(count):
        data = (f"Evidence {index}: " + "the learner reflects on leading the team. " * (150 + index % 800)).encode()
        rows.append((store.put(data), len(data), hashlib.sha256(data).hexdigest(), f"S.Smith-ABC{index:06d}(1).docx"))
    ids = [row[0] for row in db.query_all("SELECT id FROM submissions WHERE stage = 'released' ORDER BY id LIMIT ?",
                                          [count])]

    def work(writer):
        writer.cursor.executemany(
            """INSERT INTO files (id, submission_id, unit_code, kind, original_name, stored_name, size_bytes, sha256,
                                  uploaded_at, uploaded_by)
               VALUES (nextval('seq_files'), ?, NULL, 'evidence', ?, ?, ?, ?, ?, 1)""",
            [[ids[index % len(ids)], name, stored, size, digest, datetime(2026, 1, 5)]
             for index, (stored, size, digest, name) in enumerate(rows)])
        writer.audit("bench_files", "files")

    db.transact(None, work, actor_name="bench")


def _reset_peak() -> None:
    with open(f"/proc/{os.getpid()}/clear_refs", "w") as clear:
        clear.write("5")


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Writer(threading.Thread):
    """A user writing (a setting and its audit row) every 20 ms; how long each write took."""

    def __init__(self, db: Database):
        super().__init__(daemon=True)
        self.db, self.stop, self.waits = db, threading.Event(), []

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            started = time.perf_counter()
            self.db.transact(None, lambda writer, n=n: (
                writer.execute("INSERT INTO settings VALUES (?, '1', 'bench write')", [f"bench_write_{n}"]),
                writer.audit("bench_write", "settings", n)), actor_name="bench")
            self.waits.append((time.perf_counter() - started) * 1000)
            n += 1
            time.sleep(0.02)


def _measure(db_path: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        db = _copy(db_path, folder)
        store = FileStore(folder / "files")
        _add_files(db, store, FILES)
        db.query_all("SELECT stage, count(*) FROM submissions GROUP BY stage")  # warm, as a running app is
        rows = db.query_one("SELECT count(*) FROM submissions")[0]
        writer = Writer(db)
        writer.start()
        time.sleep(0.5)
        before = len(writer.waits)
        baseline = statistics.median(writer.waits) if writer.waits else 0.0
        start_rss = _rss_mb()
        _reset_peak()
        started = time.perf_counter()
        taken = backup.take(db, store, folder / "backups")
        seconds = time.perf_counter() - started
        peak = _peak_mb()
        during = writer.waits[before:]
        time.sleep(0.3)
        writer.stop.set()
        writer.join()
        emit("backup_1m_s", seconds, "s", submissions=rows, files=taken.files, rows=sum(taken.tables.values()),
             size_mb=round(backup.read_manifest(taken.folder)["size_bytes"] / 1e6))
        emit("backup_peak_mb", peak - start_rss, "MB", peak_rss_mb=round(peak), rss_before_mb=round(start_rss))
        emit("backup_write_stall_ms", max(during) if during else 0.0, "ms", writes_during=len(during),
             median_during_ms=round(statistics.median(during), 1) if during else None,
             median_before_ms=round(baseline, 1))
        _add_files(db, store, 100)
        started = time.perf_counter()
        again = backup.take(db, store, folder / "backups")
        emit("backup_incremental_s", time.perf_counter() - started, "s", files=again.files, files_read=again.files_read)
        db.close()
        started = time.perf_counter()
        backup.restore(taken.folder, folder / "restored" / "ilma.duckdb", folder / "restored" / "files")
        emit("restore_1m_s", time.perf_counter() - started, "s", files=taken.files)


def emit(name: str, value: float, unit: str, **extra) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra}), flush=True)


def figures(db_path: Path, emit_figure) -> None:
    """In a process of its own, so that its peak memory is its own."""
    done = subprocess.run([sys.executable, "-m", "bench.ops", str(db_path)], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, check=True)
    for line in done.stdout.splitlines():
        figure = json.loads(line)
        emit_figure(figure.pop("name"), figure.pop("value"), figure.pop("unit"), **figure)


if __name__ == "__main__":
    _measure(Path(sys.argv[1]))
