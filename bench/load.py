"""python -m bench load --sessions N --seconds S: the real server (`streamlit run`) on the benchmark database,
driven by N concurrent signed-in sessions through Streamlit's own websocket protocol.

Each session is what a browser tab sends and receives: BackMsg rerun requests carrying the page, the address's
query string and the widgets' states, and the ForwardMsg stream back until the script has finished. Two in
three sessions are centres filtering and paging the Tracker; the rest are the team on the quality-check queue
(with a search), Allocation, the SLA dashboard and Referral rates. Each waits 2 to 5 s between actions.

Printed: load_p50_ms and load_p95_ms (one rerun: from sending the change to the finished script),
load_errors (exceptions shown, pages not found, timeouts, dropped connections), server_peak_rss_mb and
server_rss_per_session_mb (the server's peak resident memory over the run, less what it held once a centre and a
team member had been through every page, divided by the sessions; that baseline is printed too).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import socket
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from lib.accounts.passwords import hash_password
from lib.demo import DEMO_PASSWORD
from lib.store import devserver
from lib.store.db import connect

FINISHED = ForwardMsg.ScriptFinishedStatus
RERUN_TIMEOUT_S = 60
THINK_S = (2.0, 5.0)
LOAD_USER = "load{role}{n:03d}.demo"
SEARCHES = ("Smith", "Jones", "Patel", "Brown", "1234", "Taylor")
WARM_PAGES = {"centre": ("tracker", ""), "assessment_team": ("quality-check", "allocation", "sla", "referral-rates", "")}


class RerunFailed(Exception):
    """The app showed an exception, did not find the page, or the connection went."""


@dataclass
class Session:
    url: str
    username: str
    ids: dict[str, str] = field(default_factory=dict)  # widget key -> widget id, from the last run
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page script hash
    page_hash: str = ""
    connection: object = None

    async def open(self) -> None:
        stream = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self.connection = await websockets.connect(stream, subprotocols=["streamlit"], max_size=None,
                                                   ping_interval=None)
        # As a browser does: small frames go out at once rather than waiting on the last one's ACK (Nagle).
        self.connection.transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()

    async def rerun(self, page: str | None = None, query: str = "", widgets: tuple[WidgetState, ...] = ()) -> float:
        """Ask for a rerun (of another page, when named) and wait for the script to finish; milliseconds taken."""
        if page is not None:
            self.page_hash = self.pages[page]
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_script_hash = self.page_hash
        message.rerun_script.widget_states.widgets.extend(widgets)
        started = time.perf_counter()
        await self.connection.send(message.SerializeToString())
        self.ids = {}
        while True:
            try:
                raw = await asyncio.wait_for(self.connection.recv(), RERUN_TIMEOUT_S)
            except (TimeoutError, websockets.ConnectionClosed) as gone:
                raise RerunFailed(f"{self.username}: {type(gone).__name__}") from None
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                inner = getattr(element, element.WhichOneof("type"))
                if element.WhichOneof("type") == "exception":
                    raise RerunFailed(f"{self.username}: {inner.type}: {inner.message}")
                widget_id = getattr(inner, "id", "")
                if widget_id.startswith("$$ID-"):
                    self.ids[widget_id.split("-", 2)[2]] = widget_id
            elif kind == "navigation":
                self.pages = {page.url_pathname: page.page_script_hash for page in forward.navigation.app_pages}
            elif kind == "page_not_found":
                raise RerunFailed(f"{self.username}: page not found")
            elif kind == "script_finished" and forward.script_finished != FINISHED.FINISHED_EARLY_FOR_RERUN:
                return (time.perf_counter() - started) * 1000

    def trigger(self, key: str) -> tuple[WidgetState, ...]:
        return (WidgetState(id=self.ids[key], trigger_value=True),) if key in self.ids else ()

    def text(self, key: str, value: str) -> tuple[WidgetState, ...]:
        return (WidgetState(id=self.ids[key], string_value=value),) if key in self.ids else ()

    async def sign_in(self) -> None:
        await self.rerun()
        await self.rerun(widgets=(*self.text("sign_in_username", self.username),
                                  *self.text("sign_in_password", DEMO_PASSWORD), *self.trigger("sign_in_submit")))
        if not {"tracker", "quality-check"} & set(self.pages):
            raise RerunFailed(f"{self.username}: not signed in")
        self.page_hash = ""


def centre_action(session: Session, chance: random.Random):
    """Filtering and paging the Tracker, as centres do most."""
    choice = chance.random()
    if choice < 0.25:
        return "tracker filtered", session.rerun(
            "tracker", query=chance.choice(("status=Referred", "status=Rejected", "status=Submitted")))
    if choice < 0.65 and "tracker_next" in session.ids:
        return "tracker next page", session.rerun(widgets=session.trigger("tracker_next"))
    if choice < 0.8 and "tracker_clear" in session.ids:
        return "tracker cleared", session.rerun(widgets=session.trigger("tracker_clear"))
    if choice < 0.9:
        return "tracker", session.rerun("tracker")
    return "centre home", session.rerun("")


def team_action(session: Session, chance: random.Random):
    """The team on its queues and Referral rates."""
    choice = chance.random()
    if choice < 0.2:
        return "quality check", session.rerun("quality-check")
    if choice < 0.4 and "qc_table_search" in session.ids:
        return "quality check searched", session.rerun(
            widgets=session.text("qc_table_search", chance.choice(SEARCHES)))
    if choice < 0.55:
        return "allocation", session.rerun("allocation")
    if choice < 0.75:
        return "sla dashboard", session.rerun("sla")
    if choice < 0.95:
        return "referral rates", session.rerun("referral-rates")
    return "team home", session.rerun("")


@dataclass
class Tally:
    timings: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    by_action: dict[str, list[float]] = field(default_factory=dict)

    def add(self, action: str, milliseconds: float) -> None:
        self.timings.append(milliseconds)
        self.by_action.setdefault(action, []).append(milliseconds)

    def p95_by_action(self) -> dict[str, float]:
        """Which of the mix's actions the slow reruns were: each action's p95, slowest first."""
        figures = {action: _p95(sorted(timings)) for action, timings in self.by_action.items()}
        return dict(sorted(figures.items(), key=lambda item: -item[1]))


async def drive(session: Session, act, until: float, tally: Tally, chance: random.Random) -> None:
    while time.monotonic() < until:
        await asyncio.sleep(chance.uniform(*THINK_S))
        if time.monotonic() >= until:
            break
        action, rerun = act(session, chance)
        try:
            tally.add(action, await rerun)
        except RerunFailed as failure:
            tally.errors.append(str(failure))
            await session.close()
            try:
                await session.open()
                await session.sign_in()
            except (RerunFailed, OSError) as again:
                tally.errors.append(str(again))
                return


def add_load_accounts(db_path: Path, sessions: int) -> list[tuple[str, str]]:
    """(username, role) for each session: two in three centre users spread over the active centres, the rest
    team members; created once in the benchmark database (one bcrypt hash for all, as the demo does)."""
    connection = connect(db_path)
    try:
        centres = [row[0] for row in connection.execute(
            "SELECT id FROM centres WHERE status = 'active' ORDER BY id").fetchall()]
        password = hash_password(DEMO_PASSWORD, rounds=10)
        accounts = []
        for n in range(sessions):
            role = "assessment_team" if n % 3 == 2 else "centre"
            username = LOAD_USER.format(role="team" if role == "assessment_team" else "centre", n=n)
            centre = centres[n % len(centres)] if role == "centre" else None
            connection.execute(
                """INSERT INTO users (id, username, name, role, centre_id, password_hash, created_at)
                   SELECT (SELECT max(id) + 1 FROM users), ?, ?, ?, ?, ?, now()
                   WHERE NOT EXISTS (SELECT 1 FROM users WHERE username = ?)""",
                [username, f"Load user {n}", role, centre, password, username])
            accounts.append((username, role))
        return accounts
    finally:
        connection.close()


async def sample_rss(process: psutil.Process, peak: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], process.memory_info().rss / 2 ** 20)
        except psutil.Error:
            return
        await asyncio.sleep(0.25)


class Processes:
    """The memory of the app's processes together (one, or every replica)."""

    def __init__(self, pids: list[int]):
        self.processes = [psutil.Process(pid) for pid in pids]

    def memory_info(self):
        return _Rss(sum(process.memory_info().rss for process in self.processes))


@dataclass
class _Rss:
    rss: int


async def run_load(url: str, server_pids: int | list[int], accounts: list[tuple[str, str]], seconds: float,
                   seed: int = 7, warm_urls: list[str] | None = None) -> dict:
    server = Processes(server_pids if isinstance(server_pids, list) else [server_pids])
    # A centre and a team member first, through every page of the mix, on every replica (warm_urls: each one's
    # own address, as a service in use has them): modules imported, the shared caches filled, DuckDB's buffers
    # warm. What the server holds then is the baseline each further session adds to.
    for warm_url, (username, role) in itertools.product(
            warm_urls or [url], ({role: (username, role) for username, role in accounts}).values()):
        warm = Session(warm_url, username)
        await warm.open()
        await warm.sign_in()
        for page in WARM_PAGES[role]:
            await warm.rerun(page)
        await warm.close()
    baseline = server.memory_info().rss / 2 ** 20
    peak, stop = [baseline], asyncio.Event()
    sampler = asyncio.create_task(sample_rss(server, peak, stop))
    sessions = [Session(url, username) for username, _ in accounts]
    tally = Tally()
    for session in sessions:  # signing in is set-up, not load: one after another
        await session.open()
        await session.sign_in()
    until = time.monotonic() + seconds
    chances = [random.Random(seed + n) for n in range(len(sessions))]
    await asyncio.gather(*(drive(session, centre_action if role == "centre" else team_action, until, tally, chance)
                           for session, (_, role), chance in zip(sessions, accounts, chances)))
    stop.set()
    await sampler
    for session in sessions:
        await session.close()
    timings = sorted(tally.timings)
    return {
        "load_p50_ms": statistics.median(timings) if timings else float("nan"),
        "load_p95_ms": _p95(timings),
        "load_errors": len(tally.errors),
        "server_peak_rss_mb": peak[0],
        "server_baseline_rss_mb": baseline,
        "server_rss_per_session_mb": (peak[0] - baseline) / len(sessions),
        "reruns": len(timings),
        "first_errors": tally.errors[:3],
        "p95_by_action": {action: round(ms) for action, ms in tally.p95_by_action().items()},
    }


def _p95(timings: list[float]) -> float:
    return timings[min(len(timings) - 1, int(0.95 * len(timings)))] if timings else float("nan")


def _counts(text: str) -> list[int]:
    """"30,60,120" as [30, 60, 120]: a curve is measured point by point."""
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number or a comma-separated list of numbers") from None
    return counts


def main(argv: list[str], database, bench_env, emit) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=_counts, default=[30], help="sessions, or a list (30,60,120)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--replicas", type=_counts, default=[0],
                        help="0: the embedded default (one process on the DuckDB file); N: the scale-out "
                             "configuration, N replicas behind HAProxy on PostgreSQL and an S3 server; or a list "
                             "(1,2): each count at each number of sessions")
    args = parser.parse_args(argv)
    if min(args.sessions) < 1 or args.seconds <= 0 or min(args.replicas) < 0:
        parser.error("--sessions must be at least 1, --seconds more than 0 and --replicas 0 or more")
    db_path = database(args.submissions, False)
    accounts = add_load_accounts(db_path, max(args.sessions))
    points = [(replicas, sessions) for replicas in args.replicas for sessions in args.sessions]

    def report(replicas: int, sessions: int, figures: dict) -> None:
        extra = {"sessions": sessions, "seconds": args.seconds, "submissions": args.submissions,
                 "replicas": replicas or "embedded", "reruns": figures.pop("reruns")}
        errors = figures.pop("first_errors")
        by_action = figures.pop("p95_by_action")
        for name, value in figures.items():
            detail = {"by_action": by_action} if name == "load_p95_ms" else {}
            emit(name, value, "count" if name == "load_errors" else "MB" if name.endswith("_mb") else "ms",
                 **extra, **detail)
        if errors:
            emit("load_first_errors", len(errors), "count", examples=errors, **extra)

    for replicas, sessions in points:
        if replicas == 0:
            process, url = devserver.start(bench_env(db_path))
            try:
                report(0, sessions, asyncio.run(run_load(url, process.pid, accounts[:sessions], args.seconds)))
            finally:
                devserver.stop(process)
    scaled = [(replicas, sessions) for replicas, sessions in points if replicas]
    if scaled:
        _scaled_out(db_path, bench_env(db_path), scaled, accounts, args.seconds, report)
    return 0


def _scaled_out(db_path: Path, env: dict[str, str], points: list[tuple[int, int]], accounts: list[tuple[str, str]],
                seconds: float, report) -> None:
    """The load at each (replicas, sessions) point: that many app processes behind HAProxy, on a throwaway
    PostgreSQL holding the benchmark's database (moved in once, first) and an S3 server for files (the load's
    pages read no stored file, so the files are not copied), all on 127.0.0.1; a fresh cluster per point."""
    import tempfile

    import psycopg

    from lib.store.balancer import start_cluster
    from lib.store.db import Database
    from lib.store.transfer import copy_database
    from tests import pgserver, s3server

    postgres = pgserver.start()
    folder = Path(tempfile.mkdtemp(prefix="ilma-load-"))
    bucket = s3server.start(folder)
    try:
        with psycopg.connect(postgres.url(), autocommit=True) as admin:
            admin.execute("CREATE DATABASE ilma_load")
        source, target = Database.open(db_path), Database.open_url(postgres.url("ilma_load"))
        try:
            copy_database(source, target)
        finally:
            source.close()
            target.close()
        for replicas, sessions in points:
            cluster = start_cluster({**env, "ILMA_DATABASE_URL": postgres.url("ilma_load"),
                                     **bucket.env(s3server.BUCKET, "load")}, replicas)
            try:
                report(replicas, sessions, asyncio.run(run_load(
                    cluster.url, [process.pid for process in cluster.replicas], accounts[:sessions], seconds,
                    warm_urls=cluster.replica_urls)))
            finally:
                cluster.stop()
    finally:
        bucket.stop()
        postgres.stop()
