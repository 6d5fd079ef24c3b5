"""python -m lib COMMAND: the operations of the service from the command line.

Each command lives in its area; this module only dispatches, so `python -m lib --help` lists them all.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module

# command -> (module with a main(argv) -> int, one line of help)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("lib.ops.init", "create a real installation's empty database with its first team account"),
    "demo": ("lib.demo", "build a demo database (python -m lib demo --db PATH --submissions N)"),
    "check-file": ("lib.ops.check_file", "run the upload checks on files on disk, one JSON line per file"),
    "import-registrations": ("lib.ops.import_registrations", "check (or --apply) a Walled Garden registrations export"),
    "archive": ("lib.ops.archive", "archive items past the retention period (--apply), or show what is due"),
    "reconcile-files": ("lib.ops.reconcile_files", "remove unfinished files, quarantine unreferenced ones, list missing"),
    "backup": ("lib.ops.backup", "a consistent backup of the database and its files (while the app runs, too)"),
    "verify-backup": ("lib.ops.verify_backup", "re-read a backup against its manifest; exit 1 with what is wrong"),
    "restore": ("lib.ops.restore", "a new database and file store from a backup (python -m lib restore DIR --db --files)"),
    "export-ilr": ("lib.ops.export_ilr", "a centre's ILR funding return file (--centre NUMBER --out FILE [--db PATH])"),
    "migrate-to-postgres": ("lib.ops.migrate_to_postgres",
                            "move an embedded installation to PostgreSQL and a bucket (--to URL --files s3://…)"),
    "similar-files": ("lib.ops.similar_files", "shared text between evidence files on disk, one JSON line per pair"),
    "run-job": ("lib.ops.run_job", "run a scheduled job now: backup, archive, reconcile-files, eqa-alerts, invoicing"),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: python -m lib COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {help_text}" for name, (_, help_text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0 if argv else 2
    command, *rest = argv
    if command not in COMMANDS:
        print(f"unknown command: {command}\n\n{usage()}", file=sys.stderr)
        return 2
    module_name, _ = COMMANDS[command]
    run: Callable[[list[str]], int] = import_module(module_name).main
    return run(rest)


if __name__ == "__main__":
    sys.exit(main())
