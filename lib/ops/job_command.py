"""A `python -m lib` command for one of the service's jobs: run it here when nobody holds the database, or hand it
to the running app (through its mailbox) and wait for the outcome. It never asks for the app to be stopped."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from lib.config import Settings, load_settings
from lib.errors import Refused
from lib.ops import jobs
from lib.ops.scheduler import Mailbox, NoAppAnswering
from lib.store.db import Database, DatabaseLocked, connect
from lib.store.migrate import SchemaTooNew, check_not_newer, migrate
from lib.store.stores import open_file_store

DEFAULT_TIMEOUT_SECONDS = 3600.0


def settings_for(db: Path | None = None, files: Path | None = None, archive: Path | None = None,
                 backups: Path | None = None) -> Settings:
    """The environment's settings with what the command line named instead; a database named without a file store
    has its store beside it, as the app would."""
    settings = load_settings()
    if db is not None and Path(db).resolve() != settings.db_path:
        settings = load_settings({"ILMA_DB": str(db)})
    changes = {name: Path(value).resolve() for name, value in
               (("files_dir", files), ("archive_dir", archive), ("backups_dir", backups)) if value is not None}
    return replace(settings, **changes)


def run_job(settings: Settings, job: str, args: dict, username: str | None = None,
            timeout: float = DEFAULT_TIMEOUT_SECONDS, alone_args: dict | None = None) -> dict:
    """Run the job here, or in the app that holds the database; the outcome as JSON-ready data. alone_args are
    added only when it runs here, with no app beside it (reconciling files of any age, say).

    Raises Refused with what to do when neither can run it."""
    jobs.job(job)
    if settings.database_url:
        return _run_on_postgres(settings, job, args, username)
    if not settings.db_path.exists():
        raise Refused(f"There is no database at {settings.db_path}: name one with --db (or ILMA_DB).")
    try:
        connection = connect(settings.db_path)
    except DatabaseLocked as error:
        return _hand_over(settings, error, job, args, username, timeout)
    db = Database(connection, settings.db_path)
    try:
        try:
            migrate(connection)
        except SchemaTooNew as too_new:
            raise Refused(f"{settings.db_path} was written by a newer version of the app ({too_new}).") from None
        jobs.recover_interrupted(db)
        user = jobs.runner(db, username)
        return jobs.run(db, open_file_store(settings), settings, job, user, "command",
                        {**(alone_args or {}), **args}).as_json()
    finally:
        db.close()


def _run_on_postgres(settings: Settings, job: str, args: dict, username: str | None) -> dict:
    """On PostgreSQL the command runs the job itself beside the replicas: the jobs' advisory lock keeps it to one
    run at a time across all of them."""
    db = Database.open_url(settings.database_url)
    try:
        check_not_newer_database(db)
        jobs.recover_interrupted(db)
        user = jobs.runner(db, username)
        return jobs.run(db, open_file_store(settings), settings, job, user, "command", args).as_json()
    finally:
        db.close()


def check_not_newer_database(db: Database) -> None:
    with db.cursor() as cursor:
        try:
            check_not_newer(cursor)
        except SchemaTooNew as too_new:
            raise Refused(f"The database was written by a newer version of the app ({too_new}).") from None


def _hand_over(settings: Settings, error: DatabaseLocked, job: str, args: dict, username: str | None,
               timeout: float) -> dict:
    mailbox = Mailbox.for_database(settings.db_path)
    pid = mailbox.answering_pid()
    if pid is None:
        raise Refused(f"{error.path} is held by {error.holder}, which does not answer job requests (only the app "
                      "does, while it runs). Close that program, then run this again.")
    print(f"The app (process {pid}) holds {settings.db_path}; it runs {job} now and this waits for the outcome.",
          file=sys.stderr, flush=True)
    request_id = mailbox.post(job, {key: str(value) for key, value in args.items()}, username)
    try:
        return mailbox.wait(request_id, timeout)
    except (NoAppAnswering, TimeoutError) as problem:
        raise Refused(str(problem)) from None


def main_for(job: str, args: dict, settings: Settings, username: str | None, timeout: float,
             failed_when=lambda figures: False, alone_args: dict | None = None) -> int:
    """Run a job for a command and print its outcome and figures as one JSON line; exit 0 when done, 1 when it
    failed (or failed_when(figures) says its figures are a failure), 2 when it could not run."""
    try:
        outcome = run_job(settings, job, args, username, timeout, alone_args)
    except Refused as refusal:
        print(refusal, file=sys.stderr)
        return 2
    print(json.dumps({**outcome.get("figures", {}), **{key: value for key, value in outcome.items()
                                                      if key != "figures"}}, default=str))
    if outcome.get("message"):
        print(outcome["message"], file=sys.stderr)
    if outcome.get("outcome") != "done":
        return 1 if outcome.get("outcome") == "failed" else 2
    return 1 if failed_when(outcome.get("figures", {})) else 0
