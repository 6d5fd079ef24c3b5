"""python -m lib archive [--before DATE] [--apply] [--db PATH]: retention (the app also runs it nightly).

Without --apply: what is due (items and files per centre and year), as JSON lines. With --apply: archives it to
Parquet with its files (ILMA_ARCHIVE, default archive/ beside the database), resumable, a no-op when nothing is
due; while the app runs, the app runs it and this waits for the outcome. DATE defaults to the retention setting
(3 years before today).
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path

from lib.admin import retention
from lib.config import load_settings
from lib.ops.job_command import DEFAULT_TIMEOUT_SECONDS, main_for, settings_for
from lib.ops.team_database import CommandRefused, open_as_team


def main(argv: list[str]) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m lib archive", description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=date.fromisoformat, default=None, help="archive items released or "
                        "rejected before this day (YYYY-MM-DD); default: the retention setting")
    parser.add_argument("--apply", action="store_true", help="archive them (default: show what is due)")
    parser.add_argument("--db", type=Path, default=settings.db_path)
    parser.add_argument("--files", type=Path, default=settings.files_dir)
    parser.add_argument("--archive", type=Path, default=settings.archive_dir)
    parser.add_argument("--as", dest="username", default=None, help="the assessment-team account it runs as")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="seconds to wait for the app")
    args = parser.parse_args(argv)
    if args.apply:
        job_args = {"before": args.before.isoformat()} if args.before else {}
        return main_for("archive", job_args, settings_for(args.db, args.files, args.archive), args.username,
                        args.timeout)
    try:
        db, user = open_as_team(args.db, args.username, "the Retention page")
    except CommandRefused as refusal:
        print(refusal)
        return 2
    try:
        before = datetime.combine(args.before, datetime.min.time()) if args.before else retention.cutoff_for(db)
        due = retention.preview(db, user, before)
        print(json.dumps({"before": before.isoformat(), "items": int(due.Items.sum()), "applied": False}))
        for row in due.to_dict("records"):
            print(json.dumps(row, default=str))
        return 0
    finally:
        db.close()
