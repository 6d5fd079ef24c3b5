"""python -m lib init --db PATH --admin USERNAME [--name NAME] --email EMAIL: a real installation's database.

Creates an empty database (no demo data) with the service's qualifications and units and one ILM Assessment
Team account, and prints that account's one-time password once; it must be changed at the first sign-in.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lib.admin.install import initialise
from lib.errors import Refused


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib init", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the new database file")
    parser.add_argument("--admin", required=True, help="the first assessment-team username, e.g. sam.carter")
    parser.add_argument("--name", default="", help="that person's name")
    parser.add_argument("--email", required=True, help="that person's email address")
    args = parser.parse_args(argv)
    try:
        first = initialise(args.db, args.admin, args.name, args.email)
    except (Refused, FileExistsError) as problem:
        print(problem)
        return 2
    print(f"Created {args.db} with no demo data.")
    print(f"Sign in as {first.username} with the one-time password {first.password}")
    print("(shown once: it must be changed at the first sign-in). Start the app with ILMA_DB pointing at the file.")
    return 0
