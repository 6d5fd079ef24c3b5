"""python -m lib run-job NAME [--db PATH]: run one of the service's jobs now (backup, archive, reconcile-files,
eqa-alerts, invoicing), here when the app is stopped, or in the running app, waiting for its outcome."""

from __future__ import annotations

import argparse
from pathlib import Path

from lib.ops.job_command import DEFAULT_TIMEOUT_SECONDS, main_for, settings_for
from lib.ops.jobs import JOBS


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib run-job", description=__doc__.splitlines()[0])
    parser.add_argument("job", choices=list(JOBS))
    parser.add_argument("--db", type=Path, default=None, help="the database (default: ILMA_DB)")
    parser.add_argument("--files", type=Path, default=None, help="the file store (default: ILMA_FILES)")
    parser.add_argument("--as", dest="username", default=None, help="the assessment-team account it runs as")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="seconds to wait for the app")
    args = parser.parse_args(argv)
    return main_for(args.job, {}, settings_for(args.db, args.files), args.username, args.timeout)
