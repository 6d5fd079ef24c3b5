"""Administration figures: a 100,000-row Walled Garden registrations export checked and applied, and the
oldest third of the database archived."""

from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.timing import scaled
from lib.accounts.auth import user_by_username
from lib.admin import retention
from lib.admin.registrations import apply_import, check_import
from lib.config import PROJECT_ROOT
from lib.store.db import Database, connect
from lib.store.files import FileStore
from lib.store.migrate import migrate

ROWS = scaled(100_000, 1_000)
HEADER = "Centre Number,ENR,First Name,Last Name,Qualification Code,Registration Date,Expiry Date,ULN,Date of Birth"


def export(db: Database, rows: int = ROWS) -> bytes:
    """A realistic export: a quarter existing learners (some renamed, some extended), the rest new, a few errors."""
    chance = random.Random(17)
    approvals = db.query_all("""SELECT c.number, a.qualification_code FROM centre_approvals a
                                JOIN centres c ON c.id = a.centre_id WHERE c.status = 'active'""")
    existing = db.query_all(
        f"""SELECT c.number, l.enr, l.first_name, l.last_name, r.qualification_code, r.registered_on, r.expires_on
            FROM learners l JOIN centres c ON c.id = l.centre_id JOIN registrations r ON r.learner_id = l.id
            USING SAMPLE {rows // 4} ROWS""")
    lines = [HEADER]
    for number, enr, first, last, qualification, registered, expires in existing:
        if chance.random() < 0.1:
            last = last + "-Smith"
        if chance.random() < 0.1:
            expires = expires + timedelta(days=365)
        lines.append(f"{number},{enr},{first},{last},{qualification},{registered:%d/%m/%Y},{expires:%d/%m/%Y},,")
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for index in range(rows - len(existing)):
        number, qualification = chance.choice(approvals)
        enr = "".join(chance.choice(letters) for _ in range(3)) + f"{index % 10_000:04d}"
        centre = "999999" if index % 1000 == 0 else number
        lines.append(f"{centre},{enr},Learner,Number{index},{qualification},01/09/2026,31/08/2029,"
                     f"{chance.randrange(10**9, 10**10)},2000-01-01")
    return ("\n".join(lines) + "\n").encode()


def _copy(db_path: Path, folder: Path) -> Database:
    """A copy of the benchmark database in folder, opened as the app opens it (migrated), for figures that write."""
    copy = folder / "copy.duckdb"
    shutil.copy(db_path, copy)
    connection = connect(copy)
    migrate(connection)
    return Database(connection, copy)


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it is not inherited across exec, so a child
    of a large benchmark process reports its own)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024


def _measure(step: str, db_path: Path) -> None:
    """One figure in this process, printed as a JSON line with the process's own peak memory."""
    with tempfile.TemporaryDirectory() as folder:
        db = _copy(db_path, Path(folder))
        try:
            team = user_by_username(db, "team.demo")
            extra: dict = {}
            if step in ("check", "apply"):
                data = export(db)
            else:
                before = db.query_one("""SELECT quantile_disc(coalesce(released_at, rejected_at), 0.3333)
                                         FROM submissions WHERE stage IN ('released', 'rejected')""")[0]
            start_rss = _rss_mb()
            started = time.perf_counter()
            if step == "check":
                check = check_import(db, team, "registrations.csv", data)
                extra = {"rows": len(check.rows), "accepted": len(check.accepted), "refused": len(check.errors)}
            elif step == "apply":
                done, _ = apply_import(db, team, "registrations.csv", data)
                extra = {"new_learners": done["new_learners"], "new_registrations": done["new_registrations"]}
            else:
                run = retention.archive(db, team, FileStore(Path(folder) / "files"), Path(folder) / "archive",
                                        before=before)
                extra = {"items": run.items, "chunks": run.chunks}
            seconds = time.perf_counter() - started
        finally:
            db.close()
    name = {"check": "import_check_100k_s", "apply": "import_apply_100k_s", "archive": "archive_1m_s"}[step]
    print(json.dumps({"name": name, "value": round(seconds, 3), "unit": "s", **extra,
                      "peak_rss_mb": round(_peak_mb()), "rss_before_mb": round(start_rss),
                      "grew_mb": round(_peak_mb() - start_rss)}), flush=True)


def figures(db_path: Path, emit) -> None:
    """Each figure in a process of its own, so that each peak is its own."""
    for step in ("check", "apply", "archive"):
        done = subprocess.run([sys.executable, "-m", "bench.admin", step, str(db_path)], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, check=True)
        for line in done.stdout.splitlines():
            figure = json.loads(line)
            emit(figure.pop("name"), figure.pop("value"), figure.pop("unit"), **figure)


if __name__ == "__main__":
    _measure(sys.argv[1], Path(sys.argv[2]))
