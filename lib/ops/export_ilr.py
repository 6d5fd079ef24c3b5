"""python -m lib export-ilr --centre NUMBER --out FILE [--db PATH]: a centre's ILR funding return (ILR 2025-26), the
file Learner records downloads, written whole to FILE (a temporary name renamed into place).

Prints one JSON line: the file, how many learners it carries and the records left out with why. Exit 0 when written,
1 when refused (no UKPRN on the centre, no record ready), 2 when it could not run. While the app runs, the app
writes it and this waits.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lib.ops.job_command import DEFAULT_TIMEOUT_SECONDS, main_for, settings_for


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib export-ilr", description=__doc__.splitlines()[0])
    parser.add_argument("--centre", required=True, help="the centre's 6-digit number")
    parser.add_argument("--out", type=Path, required=True, help="the file to write (replaced whole if it exists)")
    parser.add_argument("--include-all", action="store_true",
                        help="also the records not yet QA verified that the ILR can carry")
    parser.add_argument("--db", type=Path, default=None, help="the database (default: ILMA_DB)")
    parser.add_argument("--as", dest="username", default=None, help="the assessment-team account it runs as")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="seconds to wait for the app")
    args = parser.parse_args(argv)
    job_args = {"centre": args.centre, "out": str(args.out.resolve()),
                "include_all": "yes" if args.include_all else "no"}
    return main_for("export-ilr", job_args, settings_for(args.db), args.username, args.timeout)
