"""python -m lib backup [--to DIR] [--db PATH] [--files DIR]: a consistent backup of the database and its files.

Works while the app runs (the app takes it and this waits for the outcome) and while it is stopped. Without --to,
the backup goes to the backups folder (ILMA_BACKUPS, default backups/ beside the database) and only the newest
backups (the setting backup_keep) are kept; with --to, nothing is removed there. Prints one JSON line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lib.ops.job_command import DEFAULT_TIMEOUT_SECONDS, main_for, settings_for


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib backup", description=__doc__.splitlines()[0])
    parser.add_argument("--to", type=Path, default=None, help="folder to put the backup in (a new folder inside it)")
    parser.add_argument("--db", type=Path, default=None, help="the database (default: ILMA_DB)")
    parser.add_argument("--files", type=Path, default=None, help="the file store (default: ILMA_FILES)")
    parser.add_argument("--as", dest="username", default=None, help="the assessment-team account it runs as")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="seconds to wait for the app")
    args = parser.parse_args(argv)
    settings = settings_for(args.db, args.files)
    job_args = {"to": str(args.to.resolve())} if args.to else {}
    return main_for("backup", job_args, settings, args.username, args.timeout)
