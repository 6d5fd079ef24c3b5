"""Limits on text people type: lengths of free text, and batch names of printable characters only."""

from __future__ import annotations

import re
import unicodedata

from lib.errors import Refused

NOTE_MAX = 2_000  # reasons, notes, feedback
REPORT_MAX = 20_000  # a Feedback Summary Report's text
BATCH_MIN, BATCH_MAX = 3, 20
# What XML 1.0 cannot hold (every control character but tab, line feed and carriage return; U+FFFE, U+FFFF; lone
# surrogates): text the portal may send out as XML (the ILR funding return) never contains them.
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_unsafe_problem(text: str, what: str) -> str | None:
    """Why the text cannot be kept (a character XML cannot hold), or None."""
    found = XML_UNSAFE.search(text or "")
    if found is None:
        return None
    return (f"The {what} contains a character that cannot be kept (U+{ord(found.group()):04X}, an invisible control "
            "character such as a vertical tab, form feed or escape, or a non-character): type it again.")


def _invisible(character: str) -> bool:
    # Cc: control (NUL, newline, tab); Cf: format (zero-width, right-to-left override); Zl, Zp: line breaks;
    # Co, Cn, Cs: private, unassigned and surrogate code points. Plain spaces are allowed.
    return unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs") or \
        (unicodedata.category(character) == "Zs" and character != " ")


def batch_name_problem(name: str | None) -> str | None:
    """Why a batch name is refused, or None when it is fine."""
    name = (name or "").strip()
    if any(_invisible(character) for character in name):
        return ("A batch name may hold only letters, digits, punctuation and plain spaces: this one has an invisible "
                "or control character (for example a line break or a text-direction mark). Type it again.")
    if not BATCH_MIN <= len(name) <= BATCH_MAX:
        return f"A batch name needs {BATCH_MIN} to {BATCH_MAX} characters; this one has {len(name)}."
    return None


def check_batch_name(name: str | None) -> str:
    """A batch name of 3 to 20 printable characters, trimmed."""
    problem = batch_name_problem(name)
    if problem:
        raise Refused(problem)
    return (name or "").strip()


def check_text(text: str | None, what: str, limit: int = NOTE_MAX, required: bool = False) -> str:
    """Free text within its length limit (trimmed); NUL characters are refused, line breaks kept."""
    text = (text or "").strip()
    if required and not text:
        raise Refused(f"Write the {what} first.")
    if len(text) > limit:
        raise Refused(f"The {what} has {len(text):,} characters; the limit is {limit:,}. Shorten it.")
    if "\x00" in text:
        raise Refused(f"The {what} contains a NUL character: type it again.")
    problem = xml_unsafe_problem(text, what)
    if problem:
        raise Refused(problem)
    return text
