"""Keeping the file store and the database in step after a crash.

A file is written to a temporary name, renamed into place, and only then does the row that points to it
commit; a crash in between leaves a .part file or a stored file that no row points to. At start-up (and from
`python -m lib reconcile-files`) .part files are removed and unreferenced stored files are moved to a
quarantine folder, never deleted; a row whose file is missing is reported, never silently ignored.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lib.store.db import Database
from lib.store.files import FileStore
from lib.store.objects import ObjectStore

log = logging.getLogger("ilma.files")

STORED = re.compile(r"[0-9a-f]{2}/[0-9a-f]{40}")
PARTIAL = re.compile(r"[0-9a-f]{2}/\.[0-9a-f]{40}\.part")
QUARANTINE = ".quarantine"


@dataclass
class Reconciliation:
    partials_removed: int = 0
    orphans_quarantined: int = 0
    missing: list[str] = field(default_factory=list)
    quarantine_folder: str | None = None

    def summary(self) -> dict:
        return {"partials_removed": self.partials_removed, "orphans_quarantined": self.orphans_quarantined,
                "missing": len(self.missing), "missing_files": self.missing[:100],
                "quarantine_folder": self.quarantine_folder}


def _store_entries(root: Path):
    if not root.is_dir():
        return
    for folder in os.scandir(root):
        if folder.is_dir() and re.fullmatch(r"[0-9a-f]{2}", folder.name):
            for entry in os.scandir(folder.path):
                if entry.is_file():
                    yield f"{folder.name}/{entry.name}", entry


def reconcile_files(db: Database, store: FileStore | ObjectStore, older_than_seconds: float = 0,
                    now: datetime | None = None) -> Reconciliation:
    """Remove .part files, quarantine stored files no row points to, report rows whose file is missing.

    Only files last written more than older_than_seconds ago are touched, so a run beside a live app leaves
    uploads in flight alone.
    """
    referenced = {row[0] for row in db.query_all("SELECT stored_name FROM files")}
    cutoff = time.time() - older_than_seconds
    outcome = Reconciliation()
    present = set()
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    if isinstance(store, ObjectStore):
        return _reconcile_bucket(store, referenced, cutoff, stamp)
    quarantine = store.root / QUARANTINE / stamp
    for name, entry in _store_entries(store.root):
        if STORED.fullmatch(name):
            present.add(name)
            if name in referenced or entry.stat().st_mtime > cutoff:
                continue
            (quarantine / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(entry.path, quarantine / name)
            outcome.orphans_quarantined += 1
        elif PARTIAL.fullmatch(name) and entry.stat().st_mtime <= cutoff:
            os.unlink(entry.path)
            outcome.partials_removed += 1
    outcome.missing = sorted(referenced - present)
    if outcome.orphans_quarantined:
        outcome.quarantine_folder = str(quarantine)
    return _logged(outcome, quarantine)


def _reconcile_bucket(store: ObjectStore, referenced: set[str], cutoff: float, stamp: str) -> Reconciliation:
    """The same on a bucket: objects are written whole, so there are no partial ones; an object no row points to
    is moved under the quarantine prefix once it is older than the threshold (one replica never takes another's
    upload in flight)."""
    outcome = Reconciliation()
    present = set()
    for name, written in store.entries():
        present.add(name)
        if name in referenced or written.timestamp() > cutoff:
            continue
        store.quarantine(name, f"{QUARANTINE}/{stamp}")
        outcome.orphans_quarantined += 1
    outcome.missing = sorted(referenced - present)
    where = store.key_for(f"{QUARANTINE}/{stamp}")
    if outcome.orphans_quarantined:
        outcome.quarantine_folder = f"s3://{store.bucket}/{where}"
    return _logged(outcome, outcome.quarantine_folder)


def _logged(outcome: Reconciliation, quarantine) -> Reconciliation:
    if outcome.partials_removed or outcome.orphans_quarantined:
        log.warning("file store: removed %d unfinished .part file(s); moved %d file(s) no row points to into %s",
                    outcome.partials_removed, outcome.orphans_quarantined, quarantine)
    if outcome.missing:
        log.error("file store: %d file(s) that rows point to are missing, for example %s",
                  len(outcome.missing), ", ".join(outcome.missing[:5]))
    return outcome
