"""python -m bench [--submissions N] [--rebuild] [--smoke]: build or reuse a demo database, print figures as JSON
lines (--smoke: every figure on small inputs, to show the bench runs whole).
python -m bench load --sessions N --seconds S: the live server under N concurrent sessions (bench/load.py)."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from bench.timing import SMOKE

if "--smoke" in sys.argv[1:]:
    os.environ[SMOKE] = "1"  # before the figures' modules are imported: their sizes are read at import

from bench import admin, analytics, check, cockpit, ilm, load, ops, postgres, records, similarity, tracker, uploads
from bench.timing import rerun_ms
from lib import demo
from lib.config import PROJECT_ROOT
from lib.store import devserver
from lib.store.db import connect
from lib.store.migrate import migrate

CHECK_SUBMISSIONS = 50_000
CACHE = Path(os.environ.get("BENCH_CACHE") or PROJECT_ROOT / ".bench-cache")
SEED = 2025
COOKIE_KEY = secrets.token_urlsafe(36)  # made per run: a key written in the repository would be a published one


def emit(name: str, value: float, unit: str, **extra) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra}), flush=True)


def database(submissions: int, rebuild: bool) -> Path:
    """The cached benchmark database for this size, built (and its build time printed) when missing."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo-{submissions}-seed{SEED}.duckdb"
    record = path.with_suffix(".json")
    if rebuild:
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
    if path.exists() and record.exists():
        built = json.loads(record.read_text())
        emit("demo_generate_s", built["seconds"], "s", submissions=submissions, cached=True, built_on=built["date"])
        connection = connect(path)  # a cached database may predate the newest migrations
        migrate(connection)
        connection.close()
        return path
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    demo.build(path, submissions, SEED)
    seconds = time.perf_counter() - started
    record.write_text(json.dumps({"seconds": seconds, "date": date.today().isoformat()}))
    emit("demo_generate_s", seconds, "s", submissions=submissions, cached=False)
    return path


def bench_env(db_path: Path) -> dict[str, str]:
    return {**os.environ, "ILMA_DB": str(db_path), "ILMA_COOKIE_KEY": COOKIE_KEY, "ILMA_JOBS": "off",
            "ILMA_SECRETS_FILE": str(CACHE / "no-secrets.toml")}


def cold_start(db_path: Path, runs: int = 3) -> None:
    """Seconds from starting the server process to /_stcore/health answering (median of runs)."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        process, _url = devserver.start(bench_env(db_path))
        timings.append(time.perf_counter() - started)
        devserver.stop(process)
    emit("cold_start_s", statistics.median(timings), "s", runs=runs)


def signin_rerun(db_path: Path, runs: int = 20) -> None:
    """Milliseconds for one rerun of the sign-in page script in AppTest (median), after a warm-up run."""
    from streamlit.testing.v1 import AppTest

    os.environ.update(bench_env(db_path))
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
    app.run()
    emit("signin_rerun_ms", rerun_ms(app, runs), "ms", runs=runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if cached")
    parser.add_argument("--smoke", action="store_true", help="small inputs everywhere: shows the bench runs whole")
    parser.add_argument("--check", action="store_true", help="CI's guard: each guarded figure against its raw-SQL "
                        "baseline in the same run, exit 1 past its limit (default 50,000 submissions)")
    parser.add_argument("--only", choices=["uploads", "media", "records", "admin", "cockpit", "ops", "postgres",
                                                 "similarity"],
                        help="only this group of figures")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["load"]:
        return load.main(argv[1:], database, bench_env, emit)
    args = parser.parse_args(argv)
    if args.check:
        submissions = args.submissions if "--submissions" in argv else CHECK_SUBMISSIONS
        return check.check(database(submissions, args.rebuild), emit)
    if args.only == "uploads":
        uploads.figures(emit)
        return 0
    if args.only == "media":
        uploads.media_figures(emit)
        return 0
    if args.only == "records":
        records.figures(emit)
        return 0
    if args.only == "similarity":
        similarity.figures(emit)
        similarity.index_figures(database(args.submissions, args.rebuild), emit)
        return 0
    db_path = database(args.submissions, args.rebuild)
    if args.only == "admin":
        admin.figures(db_path, emit)
        return 0
    if args.only == "ops":
        ops.figures(db_path, emit)
        return 0
    if args.only == "postgres":
        postgres.figures(db_path, emit)
        return 0
    if args.only == "cockpit":
        cockpit.figures(db_path, emit)
        cockpit.rerun_figures(bench_env(db_path), emit)
        return 0
    # Child processes first: once AppTest has opened the database in this process, it holds the file's lock.
    cold_start(db_path)
    tracker.query_figures(db_path, emit)
    tracker.export_figures(db_path, emit)
    ilm.figures(db_path, emit)
    admin.figures(db_path, emit)
    ops.figures(db_path, emit)
    analytics.figures(db_path, emit)
    cockpit.figures(db_path, emit)
    postgres.figures(db_path, emit)
    signin_rerun(db_path)
    tracker.rerun_figures(db_path, bench_env(db_path), emit)
    analytics.rerun_figures(bench_env(db_path), emit)
    cockpit.rerun_figures(bench_env(db_path), emit)
    uploads.figures(emit)
    records.figures(emit)
    similarity.figures(emit)
    similarity.index_figures(db_path, emit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
