"""python -m lib verify-backup DIR: re-read a backup (or the newest in a folder of backups) against its manifest.

Every table's row count, every file's size and SHA-256, and every row's file present. Exit 0 when it verifies,
1 with each problem on its own line when it does not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lib.store.backup import BackupProblem, verify


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib verify-backup", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a backup, or a folder of backups (the newest is verified)")
    args = parser.parse_args(argv)
    try:
        checked = verify(args.folder)
    except BackupProblem as problem:
        print(problem, file=sys.stderr)
        return 1
    print(json.dumps({"backup": str(checked.folder), "ok": checked.ok, "files_checked": checked.files_checked,
                      "problems": len(checked.problems)}))
    for problem in checked.problems:
        print(problem, file=sys.stderr)
    return 0 if checked.ok else 1
