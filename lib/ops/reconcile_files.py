"""python -m lib reconcile-files [--db PATH] [--files DIR]: the file store and the database in step.

Removes unfinished .part files, moves stored files that no row points to into the store's .quarantine folder,
and lists rows whose file is missing. Prints one JSON summary; exits 1 when files are missing. Run it with the
app stopped (the app does the same at every start).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lib.config import load_settings
from lib.store.db import Database, DatabaseLocked
from lib.store.files import FileStore
from lib.store.reconcile import reconcile_files


def main(argv: list[str]) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m lib reconcile-files", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=settings.db_path, help="the database (default: ILMA_DB)")
    parser.add_argument("--files", type=Path, default=None, help="the file store (default: ILMA_FILES)")
    args = parser.parse_args(argv)
    files_dir = args.files or (settings.files_dir if args.db == settings.db_path else args.db.parent / "files")
    if not args.db.exists():
        parser.error(f"{args.db} does not exist")
    try:
        db = Database.open(args.db)
    except DatabaseLocked as error:
        print(f"{error.path} is in use by {error.holder}: stop the app first.")
        return 2
    try:
        outcome = reconcile_files(db, FileStore(files_dir))
    finally:
        db.close()
    print(json.dumps(outcome.summary()))
    return 1 if outcome.missing else 0
