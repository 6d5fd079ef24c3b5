"""python -m lib migrate-to-postgres --to URL --files s3://bucket/prefix [--db PATH] [--from-files DIR]: moves an
embedded installation (its DuckDB file and its files folder) to the scale-out configuration.

The app must be stopped (the file is opened for writing, and migrated first if an older app wrote it). The
database is copied in one transaction into an empty PostgreSQL database (refused if it holds an installation);
every file is copied under its stored name and read back; rows are counted on both sides. Prints one JSON line with
the counts; exit 0 when everything matches, 1 with what did not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import psycopg

from lib.config import load_settings
from lib.errors import Refused
from lib.store.db import Database, DatabaseLocked
from lib.store.files import FileStore
from lib.store.migrate import migrate
from lib.store.objects import ObjectStore
from lib.store.transfer import TransferReport, copy_database, copy_files, count_rows, stored_names


def main(argv: list[str]) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m lib migrate-to-postgres", description=__doc__.splitlines()[0])
    parser.add_argument("--to", required=True, help="the PostgreSQL database: postgresql://user:password@host/db")
    parser.add_argument("--files", required=True, help="the bucket for the files: s3://bucket/prefix (with "
                        "ILMA_S3_ENDPOINT and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY set)")
    parser.add_argument("--db", type=Path, default=settings.db_path, help="the embedded database (default ILMA_DB)")
    parser.add_argument("--from-files", type=Path, default=settings.files_dir,
                        help="the embedded files folder (default ILMA_FILES, or files/ beside the database)")
    args = parser.parse_args(argv)
    if not args.files.startswith("s3://"):
        print("--files names a bucket: s3://bucket/prefix", file=sys.stderr)
        return 2
    if not args.db.exists():
        print(f"There is no database at {args.db}.", file=sys.stderr)
        return 2
    progress = lambda line: print(line, file=sys.stderr)  # noqa: E731 - one line
    try:
        source = Database.open(args.db)
    except DatabaseLocked as locked:
        print(f"{locked.path} is in use by {locked.holder}: stop the app before moving its installation.",
              file=sys.stderr)
        return 2
    try:
        migrate(source._connection)
        target_store = ObjectStore.connect(args.files, settings.s3_endpoint)
        target_store.check()
        target = Database.open_url(args.to)
        try:
            rows = copy_database(source, target, progress)
            report = TransferReport(rows=rows)
            copy_files(stored_names(source), FileStore(args.from_files), target_store, report, progress)
            counted = count_rows(target)
            report.problems += [f"{table}: {rows[table]:,} rows copied, {counted.get(table, 0):,} in the target"
                                for table in rows if counted.get(table) != rows[table]]
        finally:
            target.close()
    except Refused as refused:
        print(str(refused), file=sys.stderr)
        return 1
    except psycopg.OperationalError as error:
        print(f"The PostgreSQL database cannot be reached: {str(error).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    finally:
        source.close()
    print(json.dumps({"tables": len(report.rows), "rows": sum(report.rows.values()), "files": report.files,
                      "file_bytes": report.file_bytes, "problems": report.problems}))
    return 0 if report.ok else 1
