"""The app's job scheduler: one thread that runs the due jobs one at a time, and the requests of people (Run now)
and of commands (`python -m lib backup` while the app holds the database).

Commands cannot open the database while the app runs, so they talk to it through a mailbox folder beside the
database (`ilma.duckdb.jobs/`): a request file in, an answer file out, and a heartbeat that says the app is there.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lib.config import Settings, jobs_mailbox
from lib.errors import Refused
from lib.ops import jobs
from lib.store.db import Database
from lib.store.files import FileStore, write_atomically

log = logging.getLogger("ilma.scheduler")

HEARTBEAT = "scheduler.json"
# A heartbeat older than this means no app is answering.
FRESH_SECONDS = 10.0
REQUEST_BYTES = 10_000


class NoAppAnswering(Exception):
    """The database is held, but no running app answers job requests."""


def _write_atomically(path: Path, payload: dict) -> None:
    write_atomically(path, json.dumps(payload, default=str).encode())


@dataclass(frozen=True)
class Mailbox:
    folder: Path

    @classmethod
    def for_database(cls, db_path: Path) -> Mailbox:
        return cls(jobs_mailbox(Path(db_path)))

    @property
    def requests(self) -> Path:
        return self.folder / "requests"

    @property
    def answers(self) -> Path:
        return self.folder / "answers"

    def prepare(self) -> None:
        for folder in (self.requests, self.answers):
            folder.mkdir(parents=True, exist_ok=True)

    def beat(self, now: float | None = None) -> None:
        _write_atomically(self.folder / HEARTBEAT, {"pid": os.getpid(), "at": now or time.time()})

    def answering_pid(self) -> int | None:
        """The process id of the app answering requests, or None when there is no fresh heartbeat."""
        try:
            beat = json.loads((self.folder / HEARTBEAT).read_text())
        except (OSError, ValueError):
            return None
        return int(beat["pid"]) if time.time() - float(beat["at"]) < FRESH_SECONDS else None

    def post(self, job: str, args: dict, username: str | None) -> str:
        self.prepare()
        request_id = f"{time.time_ns()}-{secrets.token_hex(4)}"
        _write_atomically(self.requests / f"{request_id}.json", {"job": job, "args": args, "username": username})
        return request_id

    def wait(self, request_id: str, timeout: float, poll: float = 0.25) -> dict:
        """The app's answer to a request; NoAppAnswering if the app stops answering first, TimeoutError after
        timeout seconds."""
        answer = self.answers / f"{request_id}.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if answer.exists():
                found = json.loads(answer.read_text())
                answer.unlink(missing_ok=True)
                return found
            if self.answering_pid() is None:
                raise NoAppAnswering("The app stopped answering before the job ended.")
            time.sleep(poll)
        raise TimeoutError(f"No answer within {timeout:.0f} s; the job may still be running (see Operations).")

    def take(self) -> list[tuple[str, dict | None]]:
        """The waiting requests, oldest first, each claimed (renamed) so it is taken once; None for one that
        cannot be read."""
        if not self.requests.is_dir():
            return []
        taken = []
        for path in sorted(self.requests.glob("*.json")):
            claimed = path.with_suffix(".taken")
            try:
                os.replace(path, claimed)
            except FileNotFoundError:
                continue
            try:
                raw = claimed.read_bytes()[:REQUEST_BYTES + 1]
                request = json.loads(raw) if len(raw) <= REQUEST_BYTES else None
                request = request if isinstance(request, dict) else None
            except (OSError, ValueError):
                request = None
            claimed.unlink(missing_ok=True)
            taken.append((path.stem, request))
        return taken

    def answer(self, request_id: str, payload: dict) -> None:
        self.prepare()
        _write_atomically(self.answers / f"{request_id}.json", payload)


class Ticket:
    """A person's queued run: wait() for its answer (the run's outcome as JSON-ready data)."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self.answer: dict = {}

    def wait(self, seconds: float) -> dict | None:
        return self.answer if self._done.wait(seconds) else None

    def give(self, answer: dict) -> None:
        self.answer = answer
        self._done.set()


@dataclass(frozen=True)
class Request:
    job: str
    username: str | None
    trigger: str
    args: dict
    request_id: str | None = None
    ticket: Ticket | None = None


class Scheduler:
    """Runs due jobs, people's and commands' requests, one at a time, in one background thread."""

    def __init__(self, db: Database, store: FileStore, settings: Settings, automatic: bool = True,
                 check_every: float = 60.0, tick: float = 1.0):
        self.db, self.store, self.settings = db, store, settings
        self.automatic, self.check_every, self.tick = automatic, check_every, tick
        self.mailbox = Mailbox.for_database(settings.db_path)
        self._queue: queue.Queue[Request] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ilma-scheduler", daemon=True)
        # Its own thread, so the heartbeat goes on while a long job runs and commands waiting for it keep waiting.
        self._heart = threading.Thread(target=self._beat, name="ilma-scheduler-heartbeat", daemon=True)
        self.running: str | None = None

    def start(self) -> Scheduler:
        jobs.recover_interrupted(self.db)
        self.mailbox.prepare()
        self.mailbox.beat()
        self._heart.start()
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
        self._heart.join(timeout)

    def _beat(self) -> None:
        while not self._stop.is_set():
            try:
                self.mailbox.beat()
            except OSError:
                log.exception("the job scheduler cannot write its heartbeat")
            self._stop.wait(self.tick)

    def submit(self, job: str, username: str) -> Ticket:
        """Queue a person's Run now; it runs after what is running now."""
        jobs.job(job)
        ticket = Ticket()
        self._queue.put(Request(job, username, "person", {}, ticket=ticket))
        return ticket

    def _loop(self) -> None:
        last_check = 0.0
        while not self._stop.is_set():
            try:
                for request_id, request in self.mailbox.take():
                    self._queue.put(self._from_mailbox(request_id, request))
                if self.automatic and time.monotonic() - last_check >= self.check_every:
                    last_check = time.monotonic()
                    for spec in jobs.due_jobs(self.db, datetime.now()):
                        self._queue.put(Request(spec.name, None, "schedule", {}))
                self._drain()
            except Exception:  # the scheduler must outlive any one failure
                log.exception("the job scheduler's loop failed; it goes on")
            self._stop.wait(self.tick)

    def _from_mailbox(self, request_id: str, request: dict | None) -> Request:
        if request is None or not isinstance(request.get("job"), str) or not isinstance(request.get("args", {}), dict):
            return Request("", None, "command", {}, request_id)
        args = {key: str(value) for key, value in request.get("args", {}).items() if isinstance(key, str)}
        username = request.get("username") if isinstance(request.get("username"), str) else None
        return Request(request["job"], username, "command", args, request_id)

    def _drain(self) -> None:
        while not self._stop.is_set():
            try:
                request = self._queue.get_nowait()
            except queue.Empty:
                return
            answer = self._run(request)
            if request.request_id:
                self.mailbox.answer(request.request_id, answer)
            if request.ticket:
                request.ticket.give(answer)

    def _run(self, request: Request) -> dict:
        if request.trigger == "schedule" and request.job not in {spec.name for spec in
                                                                 jobs.due_jobs(self.db, datetime.now())}:
            return {}  # run meanwhile, by a person or a command
        self.running = request.job
        try:
            user = jobs.runner(self.db, request.username)
            outcome = jobs.run(self.db, self.store, self.settings, request.job, user, request.trigger, request.args)
            return outcome.as_json()
        except Refused as refusal:
            return {"outcome": "refused", "message": str(refusal), "job": request.job}
        except Exception as error:
            log.exception("job request %s failed", request)
            return {"outcome": "failed", "message": f"{type(error).__name__}: {error}", "job": request.job}
        finally:
            self.running = None
