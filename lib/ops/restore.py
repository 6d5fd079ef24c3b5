"""python -m lib restore DIR --db PATH --files DIR [--replace]: a new database and file store from a backup.

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
    parser.add_argument("--db", type=Path, required=True, help="the database file to create")
    parser.add_argument("--files", type=Path, required=True, help="the file store folder to create")
    parser.add_argument("--replace", action="store_true", help="put existing ones aside instead of refusing")
    args = parser.parse_args(argv)
    try:
        outcome = restore(args.folder, args.db, args.files, replace=args.replace)
    except BackupProblem as problem:
        print(problem, file=sys.stderr)
        return 1
    except DatabaseLocked as locked:
        print(f"{locked.path} is in use by {locked.holder}: a database an app is running on cannot be replaced. "
              "Stop that app, or restore to another path.", file=sys.stderr)
        return 2
    print(json.dumps(outcome))
    return 0
