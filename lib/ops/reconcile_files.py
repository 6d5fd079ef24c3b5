"""python -m lib reconcile-files [--db PATH] [--files DIR]: the file store and the database in step.

Removes unfinished .part files, moves stored files that no row points to into the store's .quarantine folder,
and lists rows whose file is missing. Prints one JSON summary; exits 1 when files are missing. With the app
stopped it runs here on files of any age; while the app runs, the app runs it (leaving files younger than an
hour alone: they may be uploads in flight) and this waits for the outcome.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lib.ops.job_command import DEFAULT_TIMEOUT_SECONDS, main_for, settings_for


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib reconcile-files", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="the database (default: ILMA_DB)")
    parser.add_argument("--files", type=Path, default=None, help="the file store (default: ILMA_FILES)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="seconds to wait for the app")
    args = parser.parse_args(argv)
    return main_for("reconcile-files", {}, settings_for(args.db, args.files), None, args.timeout,
                    failed_when=lambda figures: figures.get("missing", 0) > 0,
                    alone_args={"older_than_seconds": "0"})
