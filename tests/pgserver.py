"""A throwaway PostgreSQL server for tests: Debian's PostgreSQL 15 binaries, initdb + pg_ctl run as the postgres
user (the server refuses root), in a temporary folder, listening on a free loopback port."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "ilma"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bin_dir() -> Path:
    """The folder of pg_ctl and friends (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError("PostgreSQL's server binaries (pg_ctl) are missing: apt-get install postgresql")


def _as_server_user(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr + done.stdout)
    return done


@dataclass
class PostgresServer:
    folder: Path
    port: int
    data: Path | None = None  # folder/data unless it was started from elsewhere

    @property
    def data_dir(self) -> Path:
        return self.data or self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        with _suppress_failure():
            _as_server_user([str(bin_dir() / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate", "-w"])
        shutil.rmtree(self.folder, ignore_errors=True)


class _suppress_failure:
    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        return kind is subprocess.CalledProcessError


def start(folder: Path | None = None, settings: dict[str, str] | None = None) -> PostgresServer:
    """A new cluster in folder/data (by default a new folder under /tmp, which the postgres user can reach, unlike
    pytest's own), started and answering; trust authentication on loopback only. stop() removes the folder."""
    folder = Path(tempfile.mkdtemp(prefix="ilma-postgres-")) if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    _as_server_user([str(bin_dir() / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                     "--locale=C.UTF-8", "--no-sync"])
    port = _free_port()
    options = {"listen_addresses": "'127.0.0.1'", "port": str(port), "unix_socket_directories": f"'{folder}'",
               "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "200",
               "shared_buffers": "128MB", **(settings or {})}
    with open(data / "postgresql.conf", "a") as conf:
        conf.writelines(f"{name} = {value}\n" for name, value in options.items())
    _as_server_user([str(bin_dir() / "pg_ctl"), "start", "-D", str(data), "-l", str(folder / "server.log"), "-w",
                     "-t", "60"])
    server = PostgresServer(folder, port)
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL did not answer on port {port}; see {folder / 'server.log'}")
        time.sleep(0.1)


def server_command(name: str, *args: str) -> subprocess.CompletedProcess:
    """One of PostgreSQL's programs (pg_basebackup, pg_ctl…) run as the server's user."""
    return _as_server_user([str(bin_dir() / name), *args])


def start_existing(folder: Path, data: Path) -> PostgresServer:
    """Start a cluster already in `data` (a restored base backup) on a new free port; stop() removes folder."""
    port = _free_port()
    with open(data / "postgresql.auto.conf", "a") as conf:
        conf.write(f"port = {port}\nunix_socket_directories = '{folder}'\n")
    _as_server_user([str(bin_dir() / "pg_ctl"), "start", "-D", str(data), "-l", str(folder / "server.log"), "-w",
                     "-t", "120"])
    return PostgresServer(folder, port, data)
