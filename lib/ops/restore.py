"""python -m lib restore: a new database and file store from a backup (DIR, --db or --to-database, --files).

    python -m lib restore DIR --db PATH --files DIR [--replace]          a backup of the embedded database
    python -m lib restore DIR --to-database URL --files s3://…|DIR        a backup of the scale-out configuration

The backup is verified first; existing ones are refused unless --replace, which keeps them beside, renamed
(`….replaced-YYYYmmdd-HHMMSS`). Start the app with ILMA_DB and ILMA_FILES pointing at the result.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lib.store.backup import BackupProblem, restore
from lib.store.db import DatabaseLocked


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib restore", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a backup, or a folder of backups (the newest is restored)")
    parser.add_argument("--db", type=Path, help="the database file to create (a backup of the embedded database)")
    parser.add_argument("--to-database", help="an empty PostgreSQL database to restore into: postgresql://… (a "
                        "backup of the scale-out configuration)")
    parser.add_argument("--files", required=True, help="the file store folder to create, or s3://bucket/prefix")
    parser.add_argument("--replace", action="store_true", help="put existing ones aside instead of refusing")
    args = parser.parse_args(argv)
    if bool(args.db) == bool(args.to_database):
        parser.error("name the database to restore into: --db FILE or --to-database postgresql://…")
    if args.to_database:
        return _to_postgres(args)
    if args.files.startswith("s3://"):
        parser.error("a backup of the embedded database is restored into a folder (--files DIR)")
    try:
        outcome = restore(args.folder, args.db, Path(args.files), replace=args.replace)
    except BackupProblem as problem:
        print(problem, file=sys.stderr)
        return 1
    except DatabaseLocked as locked:
        print(f"{locked.path} is in use by {locked.holder}: a database an app is running on cannot be replaced. "
              "Stop that app, or restore to another path.", file=sys.stderr)
        return 2
    print(json.dumps(outcome))
    return 0


def _to_postgres(args) -> int:
    from lib.config import load_settings
    from lib.errors import Refused
    from lib.store.db import Database
    from lib.store.files import FileStore
    from lib.store.objects import ObjectStore
    from lib.store.pg_backup import restore_postgres

    try:
        store = ObjectStore.connect(args.files, load_settings().s3_endpoint) if args.files.startswith("s3://") \
            else FileStore(Path(args.files))
        target = Database.open_url(args.to_database)
        try:
            outcome = restore_postgres(args.folder, target, store)
        finally:
            target.close()
    except (BackupProblem, Refused) as problem:
        print(problem, file=sys.stderr)
        return 1
    print(json.dumps(outcome))
    return 0
