"""python -m lib similar-files FILE... [--threshold T]: shared text between files on disk, no database.

Prints one JSON line per pair at or above the threshold: {"a", "b", "share", "passages"}, where share is the
fraction of the shorter file's words in passages both have. A file that cannot be compared (not Word or PDF,
over the word cap, no text) is named on standard error. Exits 0 (2 on a usage error).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

from lib.checks.compare import comparable_words
from lib.errors import Refused
from lib.rules.similarity import DEFAULT_THRESHOLD, shared_text


def share_fraction(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError("the threshold is a fraction above 0 and at most 1, e.g. 0.25")
    return value


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib similar-files", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--threshold", type=share_fraction, default=DEFAULT_THRESHOLD,
                        help=f"the least share reported (default {DEFAULT_THRESHOLD})")
    args = parser.parse_args(argv)
    readable = {}
    for path in args.paths:
        try:
            readable[path] = comparable_words(path)
        except Refused as refusal:
            print(json.dumps({"file": str(path), "compared": False, "reason": str(refusal)}), file=sys.stderr)
        except OSError as error:
            print(json.dumps({"file": str(path), "compared": False, "reason": f"cannot be read: {error.strerror}"}),
                  file=sys.stderr)
    for (a, a_words), (b, b_words) in itertools.combinations(readable.items(), 2):
        shared = shared_text(a_words, b_words)
        if shared.share >= args.threshold:
            print(json.dumps({"a": str(a), "b": str(b), "share": shared.share, "passages": list(shared.passages)}),
                  flush=True)
    return 0
