"""The service's jobs: what each does, when it is due, and one run at a time recorded with its outcome.

A run takes the one row of `job_lock` (its key makes the database refuse a second) in the same transaction that
records the run as running; it ends by recording the outcome and figures and giving the row back. A process that
died mid-run leaves both behind: `recover_interrupted` marks such runs interrupted when the database is opened by
the only process that can hold it.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from lib.accounts.auth import user_by_username
from lib.admin import retention
from lib.analytics import eqa, invoicing
from lib.config import Settings
from lib.errors import Refused
from lib.records.listing import funding_return
from lib.rules.roles import ASSESSMENT_TEAM, User
from lib.service.settings import setting
from lib.store import backup, pg_backup
from lib.store.db import ChangedMeanwhile, Database, Writer
from lib.store.files import FileStore, write_atomically
from lib.store.reconcile import reconcile_files
from lib.store.scope import not_centre_data

log = logging.getLogger("ilma.jobs")

LOCK = "jobs"
# A job is overdue this long after a run was due and none has completed.
GRACE = timedelta(hours=2)
# Files younger than this are left alone by a scheduled reconciliation: an upload may be in flight.
RECONCILE_MIN_AGE_SECONDS = 3600
TEAM_ONLY = "Only the ILM Assessment Team runs the service's jobs."


class JobBusy(Refused):
    """Another job is running; one runs at a time."""


@dataclass(frozen=True)
class JobContext:
    db: Database
    store: FileStore
    settings: Settings
    user: User
    now: datetime
    args: dict


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    what: str
    run: Callable[[JobContext], dict]
    weekly: bool = False
    arguments: tuple[str, ...] = ()

    def period(self, timing: Timing) -> timedelta:
        if self.weekly:
            return timedelta(days=7)
        return timedelta(hours=timing.backup_hours) if self.name == "backup" else timedelta(days=1)

    def latest_slot(self, timing: Timing, now: datetime) -> datetime:
        """The latest time at or before now when this job was due."""
        slot = now.replace(hour=timing.hour, minute=0, second=0, microsecond=0)
        if self.weekly:  # Wednesdays, when the previous week is invoiced
            slot -= timedelta(days=(slot.weekday() - 2) % 7)
            return slot if slot <= now else slot - timedelta(days=7)
        if slot > now:
            slot -= timedelta(days=1)
        period = self.period(timing)
        while slot + period <= now:
            slot += period
        return slot

    def schedule(self, timing: Timing) -> str:
        if self.weekly:
            return f"Wednesdays at {timing.hour:02d}:00"
        hours = int(timing.backup_hours) if self.name == "backup" else 24
        return f"nightly at {timing.hour:02d}:00" if hours == 24 else f"every {hours} hours from {timing.hour:02d}:00"


@dataclass(frozen=True)
class Timing:
    """The settings the schedule follows, read once for every job."""

    hour: int
    backup_hours: float

    @classmethod
    def of(cls, db: Database | Writer) -> Timing:
        return cls(int(setting(db, "jobs_hour")), setting(db, "backup_interval_hours"))


def _folder_store(context: JobContext, what: str) -> FileStore:
    if not isinstance(context.store, FileStore):
        raise Refused(f"{what} works on the folder file store; with files in a bucket (ILMA_FILES=s3://…) keep the "
                      "bucket's own versioned copies until the database and the bucket are backed up together.")
    return context.store


def _backup(context: JobContext) -> dict:
    root = Path(context.args.get("to") or context.settings.backups_dir)
    if context.db.dialect == "postgres":
        result = pg_backup.take_postgres(context.db, context.store, root, context.now)
    else:
        _folder_store(context, "The backup")
        result = backup.take(context.db, context.store, root, context.now)
    figures = result.figures()
    if not context.args.get("to"):
        figures["removed"] = [path.name for path in backup.prune(root, int(setting(context.db, "backup_keep")))]
    figures["folder"] = str(result.folder)
    return figures


def _archive(context: JobContext) -> dict:
    before = context.args.get("before")
    cutoff = datetime.combine(date.fromisoformat(before), datetime.min.time()) if before else None
    run = retention.archive(context.db, context.user, context.store, context.settings.archive_dir, before=cutoff)
    return {"items": run.items, "files": run.files, "chunks": run.chunks, "invoices_archived": run.invoices,
            "unfinished_discarded": run.discarded}


def _reconcile(context: JobContext) -> dict:
    age = float(context.args.get("older_than_seconds", RECONCILE_MIN_AGE_SECONDS))
    return reconcile_files(context.db, context.store, older_than_seconds=age).summary()


def _eqa(context: JobContext) -> dict:
    return {"alerts_opened": eqa.raise_alerts(context.db, context.user, context.now.date(), context.now)}


def _invoicing(context: JobContext) -> dict:
    week = invoicing.week_to_bill(context.now.date())
    ran_by = context.db.query_one(
        """SELECT username, occurred_at FROM audit_log WHERE action IN ('invoices_raised', 'invoicing_run_empty')
           AND after->>'week_start' = ? ORDER BY occurred_at DESC LIMIT 1""",
        [week.isoformat()])
    if ran_by is not None and context.args.get("trigger") == "schedule":
        return {"week_start": week.isoformat(), "invoices": 0,
                "already_run": f"by {ran_by[0]} on {ran_by[1]:%d/%m/%Y %H:%M}"}
    ids = invoicing.run_week(context.db, context.user, week, context.now.date())
    return {"week_start": week.isoformat(), "invoices": len(ids)}


JOBS: dict[str, Job] = {job.name: job for job in (
    Job("backup", "Backup", "A consistent copy of the database and every stored file, verified by a manifest; the "
        "oldest beyond the number kept are removed.", _backup, arguments=("to",)),
    Job("archive", "Archive (retention)", "Items past the retention period go to the archive with their files.",
        _archive, arguments=("before",)),
    Job("reconcile-files", "File check", "Unfinished uploads removed, files no row points to quarantined, rows "
        "whose file is missing listed.", _reconcile, arguments=("older_than_seconds",)),
    Job("eqa-alerts", "EQA alerts", "Centres above the service's monthly rate for months in a row raise an alert.",
        _eqa),
    Job("invoicing", "Invoicing run", "The previous week's re-assessments billed, unless the team has run it.",
        _invoicing, weekly=True),
)}


def _export_ilr(context: JobContext) -> dict:
    out = Path(context.args["out"])
    if not out.is_absolute() or not out.parent.is_dir():
        raise Refused(f"The ILR file goes in an existing folder, named in full: {out.parent} is not one.")
    made = funding_return(context.db, context.user, context.args.get("include_all") == "yes", context.now.date(),
                          context.args.get("centre"), context.now)
    write_atomically(out, made.xml)
    return {"file": str(out), "learners": made.learners, "left_out": [f"{who}: {why}" for who, why in made.left_out]}


# Jobs a command asks for (through the app's mailbox while it holds the database); never scheduled.
ON_REQUEST: dict[str, Job] = {job.name: job for job in (
    Job("export-ilr", "ILR file", "A centre's funding return for the ESFA, written where the command says.",
        _export_ilr, arguments=("centre", "out", "include_all")),
)}


def job(name: str) -> Job:
    spec = JOBS.get(name) or ON_REQUEST.get(name)
    if spec is None:
        raise Refused(f"There is no job called {name!r}; the jobs are {', '.join([*JOBS, *ON_REQUEST])}.")
    return spec


def runner(db: Database, username: str | None = None) -> User:
    """The team account a job acts as: the one named, else the first active one."""
    username = username or (db.query_one(
        "SELECT username FROM users WHERE role = 'assessment_team' AND status = 'active' ORDER BY id") or [None])[0]
    user = user_by_username(db, username) if username else None
    if user is None or user.role != ASSESSMENT_TEAM:
        raise Refused("No active assessment-team account to run the job as.")
    return user


# On PostgreSQL a run also holds this advisory lock on a connection of its own for as long as it runs: the server
# lets go of it when the connection ends, so a replica that died mid-run is told apart from one still running.
JOB_ADVISORY_LOCK = 7_140_003


@contextmanager
def _replica_turn(db: Database) -> Iterator[None]:
    """On PostgreSQL, the jobs' advisory lock for the duration (JobBusy if another replica holds it); nothing on
    DuckDB, which one process holds."""
    if db.dialect != "postgres":
        yield
        return
    with db.cursor() as cursor:
        if not cursor.execute("SELECT pg_try_advisory_lock(?)", [JOB_ADVISORY_LOCK]).fetchone()[0]:
            raise JobBusy(_busy_message(db))
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(?)", [JOB_ADVISORY_LOCK])


def recover_interrupted(db: Database, now: datetime | None = None) -> int:
    """Mark runs left running by a process that died as interrupted and free the lock; only for the process that
    alone holds the database (the app at start, or a command run while it is stopped). On PostgreSQL, where other
    replicas run, only when no replica holds the jobs' advisory lock (a running job's replica does)."""
    now = now or datetime.now()
    if db.dialect == "postgres":
        try:
            with _replica_turn(db):
                return _recover(db, now)
        except JobBusy:
            return 0
    return _recover(db, now)


def _recover(db: Database, now: datetime) -> int:

    def work(writer: Writer) -> int:
        stale = writer.execute("SELECT id, job FROM job_runs WHERE outcome = 'running'").fetchall()
        writer.execute("UPDATE job_runs SET outcome = 'interrupted', ended_at = ?, message = "
                       "'The app stopped while it ran.' WHERE outcome = 'running'", [now])
        writer.execute("DELETE FROM job_lock")
        writer.audit("jobs_recovered", "job_run", None, None, {"interrupted": [row[0] for row in stale]})
        return len(stale)

    running = db.query_one("SELECT count(*) FROM job_runs WHERE outcome = 'running'")[0]
    locked = db.query_one("SELECT count(*) FROM job_lock")[0]
    return db.transact(None, work, actor_name="scheduler") if running or locked else 0


def _start(db: Database, name: str, trigger: str, requested_by: str, now: datetime) -> int:
    def work(writer: Writer) -> int:
        run_id = writer.execute("SELECT nextval('seq_job_runs')").fetchone()[0]
        writer.execute("INSERT INTO job_lock VALUES (?, ?, ?)", [LOCK, run_id, now])
        writer.execute("INSERT INTO job_runs (id, job, trigger, requested_by, started_at, outcome) "
                       "VALUES (?, ?, ?, ?, ?, 'running')", [run_id, name, trigger, requested_by, now])
        writer.audit("job_started", "job_run", run_id, None, {"job": name, "trigger": trigger})
        return run_id

    try:
        return db.transact(None, work, actor_name=requested_by)
    except ChangedMeanwhile:
        raise JobBusy(_busy_message(db)) from None


def _busy_message(db: Database) -> str:
    busy = db.query_one("SELECT r.job, r.started_at, r.requested_by FROM job_lock l JOIN job_runs r "
                        "ON r.id = l.run_id")
    what = f"{JOBS[busy[0]].title if busy[0] in JOBS else busy[0]}, started {busy[1]:%d/%m/%Y %H:%M:%S} by " \
           f"{busy[2]}" if busy else "another job"
    return f"One job runs at a time, and {what} is running: try again when it ends."


def _finish(db: Database, run_id: int, outcome: str, figures: dict | None, message: str | None,
            requested_by: str) -> None:
    def work(writer: Writer) -> None:
        writer.execute("UPDATE job_runs SET outcome = ?, ended_at = ?, figures = ?, message = ? WHERE id = ?",
                       [outcome, datetime.now(), json.dumps(figures or {}, default=str), message, run_id])
        writer.execute("DELETE FROM job_lock WHERE run_id = ?", [run_id])
        writer.audit("job_finished", "job_run", run_id, None, {"outcome": outcome, "figures": figures,
                                                              "message": message})

    db.transact(None, work, actor_name=requested_by)


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    job: str
    outcome: str
    figures: dict
    message: str | None

    def as_json(self) -> dict:
        return {"run": self.run_id, "job": self.job, "outcome": self.outcome, "figures": self.figures,
                "message": self.message}


@not_centre_data("the team's service-wide jobs; each job scopes its own reads and writes")
def run(db: Database, store: FileStore, settings: Settings, name: str, user: User, trigger: str,
        args: dict | None = None, now: datetime | None = None) -> RunOutcome:
    """Run one job now as user, recorded; refused with JobBusy while another runs. A failure is recorded with
    its message and returned, not raised."""
    if user.role != ASSESSMENT_TEAM:
        raise Refused(TEAM_ONLY)
    spec = job(name)
    args = {key: value for key, value in (args or {}).items() if key in spec.arguments}
    now = now or datetime.now()
    with _replica_turn(db):
        run_id = _start(db, name, trigger, user.username, now)
        try:
            figures = spec.run(JobContext(db, store, settings, user, now, {**args, "trigger": trigger}))
        except BaseException as error:
            message = str(error) if isinstance(error, Refused) else f"{type(error).__name__}: {error}"
            log.error("job %s (run %s) failed: %s\n%s", name, run_id, message, traceback.format_exc())
            _finish(db, run_id, "failed", None, message, user.username)
            if not isinstance(error, Exception):
                raise
            return RunOutcome(run_id, name, "failed", {}, message)
        _finish(db, run_id, "done", figures, None, user.username)
        return RunOutcome(run_id, name, "done", figures, None)


def _created(db: Database, now: datetime) -> datetime:
    return db.query_one("SELECT min(applied_at) FROM schema_version")[0] or now


def due_jobs(db: Database, now: datetime) -> list[Job]:
    """The jobs with no run (other than an interrupted one) since their latest due time, in the order they run; a
    job never run is first due at its first slot after the database was created."""
    started = dict(db.query_all("SELECT job, max(started_at) FROM job_runs WHERE outcome <> 'interrupted' "
                                "GROUP BY job"))
    created, timing = _created(db, now), Timing.of(db)
    return [spec for spec in JOBS.values() if (started.get(spec.name) or created) < spec.latest_slot(timing, now)]


@dataclass(frozen=True)
class JobState:
    job: Job
    schedule: str
    last_started: datetime | None
    last_outcome: str | None
    last_done: datetime | None
    next_due: datetime
    problem: str | None  # "failed" or "overdue", or None


def states(db: Database, now: datetime | None = None) -> list[JobState]:
    """Each job's schedule, last run and whether it failed or is overdue."""
    now = now or datetime.now()
    last = {row[0]: row[1:] for row in db.query_all(
        """SELECT job, max(started_at),
                  (SELECT r.outcome FROM job_runs r WHERE r.job = j.job AND r.outcome <> 'running'
                   ORDER BY r.started_at DESC LIMIT 1),
                  max(started_at) FILTER (WHERE outcome = 'done')
           FROM job_runs j GROUP BY job""")}
    created, timing = _created(db, now), Timing.of(db)
    found = []
    for spec in JOBS.values():
        started, outcome, done = last.get(spec.name, (None, None, None))
        period = spec.period(timing)
        if outcome == "failed":
            problem = "failed"
        elif (done or created) + period + GRACE < now:
            problem = "overdue"
        else:
            problem = None
        found.append(JobState(spec, spec.schedule(timing), started, outcome, done,
                              spec.latest_slot(timing, now) + period, problem))
    return found


@not_centre_data("the state of the service's jobs, for the team")
def problems(db: Database, user: User, now: datetime | None = None) -> list[JobState]:
    """The failed and overdue jobs, for the team's Home."""
    if user.role != ASSESSMENT_TEAM:
        return []
    return [state for state in states(db, now) if state.problem]


@not_centre_data("the runs of the service's jobs, for the team")
def recent_runs(db: Database, user: User, limit: int = 50) -> pd.DataFrame:
    """The latest runs of every job, newest first."""
    if user.role != ASSESSMENT_TEAM:
        raise Refused(TEAM_ONLY)
    frame = db.query_df(
        """SELECT id, job, trigger, requested_by, started_at, ended_at, outcome, figures, message FROM job_runs
           ORDER BY started_at DESC, id DESC LIMIT ?""", [limit])
    return frame.assign(job=frame.job.map(lambda name: job(name).title if name in JOBS or name in ON_REQUEST else name))
