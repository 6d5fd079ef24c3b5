"""python -m lib import-registrations FILE [--apply] [--db PATH] [--as USERNAME]: a Walled Garden export.

Without --apply: the check only (nothing is written), as one JSON summary line, then one JSON line per refused
row. With --apply: the accepted rows are applied in one transaction (a file already applied changes nothing).
Exits 0 when every row is accepted, 1 when some are refused, 2 when the file cannot be read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lib.admin.registrations import apply_import, check_import, error_rows
from lib.config import load_settings
from lib.errors import NotAllowed, Refused
from lib.ops.team_database import CommandRefused, open_as_team


def main(argv: list[str]) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m lib import-registrations", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, metavar="FILE", help="the CSV or Excel export")
    parser.add_argument("--apply", action="store_true", help="apply the accepted rows (default: check only)")
    parser.add_argument("--db", type=Path, default=settings.db_path, help="the database (default: ILMA_DB)")
    parser.add_argument("--as", dest="username", default=None,
                        help="the assessment-team account the import is recorded against (default: the first one)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"{args.file} is not a file")
    try:
        db, user = open_as_team(args.db, args.username, "the Registration imports page")
    except CommandRefused as refusal:
        print(refusal)
        return 2
    try:
        data = args.file.read_bytes()
        if args.apply:
            outcome, check = apply_import(db, user, args.file.name, data)
        else:
            check = check_import(db, user, args.file.name, data)
            outcome = {**check.summary(), "applied": False}
    except (Refused, NotAllowed) as refusal:
        print(json.dumps({"file": str(args.file), "error": str(refusal)}))
        return 2
    finally:
        db.close()
    print(json.dumps(outcome, default=str))
    for row in error_rows(check).to_dict("records"):
        print(json.dumps({"row": row["Row"], "code": row["Code"], "problem": row["Problem"]}))
    return 1 if outcome.get("errors") else 0
