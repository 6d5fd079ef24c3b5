"""The text of evidence files, read within the upload checks' budget, ready to compare."""

from __future__ import annotations

from pathlib import Path

from lib.checks.sandbox import run_text_extract
from lib.errors import Refused
from lib.rules.similarity import Words, words_of


def comparable_words(path: Path) -> Words:
    """The file's words; Refused, saying why, for a file that is not Word or PDF text, too long, or unreadable."""
    found = run_text_extract(path, path.suffix.lower())
    if found.reason:
        raise Refused(found.reason.replace("{name}", path.name))
    return words_of(found.paragraphs)
