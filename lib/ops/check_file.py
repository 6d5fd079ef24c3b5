"""python -m lib check-file --as evidence|result-sheet FILE...: the upload checks on files on disk.

Prints one JSON line per file: {"file": ..., "accepted": true|false, "reason": ..., "words": ...}.
Exits 0 when every file is accepted, 1 when any is refused, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lib.checks import accept, limits
from lib.errors import Refused

CHECKS = {"evidence": accept.check_evidence, "result-sheet": accept.check_result_sheet}


def check_one(path: Path, kind: str) -> dict:
    """The verdict on one file, as the upload screen would give it."""
    try:
        size = path.stat().st_size
        if size > limits.MAX_UPLOAD_BYTES:
            raise accept.FileRejected(f"{path.name} is {size / 1024 / 1024:.0f} MB; the limit per upload is 150 MB.")
        checked = CHECKS[kind](path.name, path.read_bytes())
    except Refused as refusal:
        return {"file": str(path), "accepted": False, "reason": str(refusal), "words": None}
    except OSError as error:
        return {"file": str(path), "accepted": False, "reason": f"cannot be read: {error.strerror}", "words": None}
    return {"file": str(path), "accepted": True, "reason": None, "words": checked.word_count}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib check-file", description=__doc__.splitlines()[0])
    parser.add_argument("--as", dest="kind", choices=sorted(CHECKS), required=True, help="what the files are")
    parser.add_argument("paths", nargs="+", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    verdicts = [check_one(path, args.kind) for path in args.paths]
    for verdict in verdicts:
        print(json.dumps(verdict), flush=True)
    return 0 if all(verdict["accepted"] for verdict in verdicts) else 1
