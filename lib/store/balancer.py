"""Several app processes behind HAProxy: the scale-out configuration's front (deploy/haproxy.cfg is its two-replica
form) and the helper that starts it on loopback for the browser test and the load benchmark.

A person's browser keeps to one replica by HAProxy's cookie (Streamlit keeps a session's uploads and widgets in the
process that serves it); when that replica dies, `option redispatch` sends them to another, where their sign-in
cookie is still good (sessions are rows in the shared database, signed with the shared ILMA_COOKIE_KEY).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lib.store import devserver

REPLICA_COOKIE = "ilma_replica"


def haproxy_config(front_port: int, replica_ports: list[int], address: str = "127.0.0.1") -> str:
    """HAProxy's configuration for replicas on these ports behind one front port."""
    servers = "\n".join(f"    server replica{n} {address}:{port} check cookie replica{n}"
                        for n, port in enumerate(replica_ports, 1))
    return f"""# The scale-out front: HAProxy before {len(replica_ports)} app processes (python -m streamlit run app.py each,
# sharing ILMA_DATABASE_URL, ILMA_FILES, ILMA_COOKIE_KEY and STREAMLIT_SERVER_COOKIE_SECRET).
global
    maxconn 4096

defaults
    mode http
    option http-server-close
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    # Streamlit's page is one long websocket: it may stay open for hours.
    timeout tunnel 8h
    # A replica that stops answering: its people are sent to another (they sign in again there if need be).
    option redispatch
    retries 2

frontend ilma
    bind {address}:{front_port}
    default_backend replicas

backend replicas
    balance leastconn
    # Each browser keeps to the replica that holds its session (its widgets and uploads are in that process).
    cookie {REPLICA_COOKIE} insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
{servers}
"""


@dataclass
class Cluster:
    url: str
    replicas: list[subprocess.Popen]
    replica_urls: list[str]
    balancer: subprocess.Popen
    folder: Path
    stopped: list[int] = field(default_factory=list)

    def kill_replica(self, index: int) -> None:
        """kill -9 one replica, as a crash would."""
        self.replicas[index].kill()
        self.replicas[index].wait(10)
        self.stopped.append(index)

    def stop(self) -> None:
        self.balancer.kill()
        for process in self.replicas:
            devserver.stop(process)
        shutil.rmtree(self.folder, ignore_errors=True)


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if not found:
        raise RuntimeError("haproxy is missing: apt-get install haproxy (the test command installs it)")
    return found


def start_cluster(env: Mapping[str, str], replicas: int = 2) -> Cluster:
    """`replicas` app processes sharing env (a PostgreSQL ILMA_DATABASE_URL and usually a bucket), and HAProxy in
    front of them on a free port. The replicas start one after another: the first migrates (and builds the demo on
    an empty database); the rest find it done."""
    shared = {**env, "STREAMLIT_SERVER_COOKIE_SECRET": env.get("STREAMLIT_SERVER_COOKIE_SECRET")
              or secrets.token_urlsafe(32)}
    processes, urls = [], []
    folder = Path(tempfile.mkdtemp(prefix="ilma-balancer-"))
    try:
        for _ in range(replicas):
            process, url = devserver.start(shared)
            processes.append(process)
            urls.append(url)
        front = devserver.free_port()
        config = folder / "haproxy.cfg"
        config.write_text(haproxy_config(front, [int(url.rsplit(":", 1)[1]) for url in urls]))
        subprocess.run([haproxy_binary(), "-c", "-q", "-f", str(config)], check=True)
        balancer = subprocess.Popen([haproxy_binary(), "-db", "-f", str(config)], stdout=subprocess.DEVNULL,
                                    stderr=open(folder / "haproxy.log", "wb"))  # noqa: SIM115 - the child keeps it
        url = f"http://127.0.0.1:{front}"
        devserver.wait_healthy(url, balancer, seconds=30)  # through HAProxy to a replica
    except BaseException:
        for process in processes:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Cluster(url, processes, urls, balancer, folder)


if __name__ == "__main__":  # pragma: no cover - writes deploy/haproxy.cfg from haproxy_config
    target = Path(__file__).resolve().parents[2] / "deploy" / "haproxy.cfg"
    target.write_text(haproxy_config(8500, [8501, 8502]))
    print(target, os.path.getsize(target))
