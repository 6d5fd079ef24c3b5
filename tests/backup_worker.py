"""A backup in a process of its own that says when it is part-way through placing files, then dawdles, so that a
test can kill -9 it there (tests/test_backup.py)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from lib.store import backup
from lib.store.db import Database
from lib.store.files import FileStore

_place = backup._place


def dawdling_place(source: Path, target: Path) -> bool:
    copied = _place(source, target)
    print("linking", flush=True)
    time.sleep(60)
    return copied


if __name__ == "__main__":
    db_path, files_dir, root = (Path(argument) for argument in sys.argv[1:4])
    backup._place = dawdling_place
    backup.take(Database.open(db_path), FileStore(files_dir), root)
