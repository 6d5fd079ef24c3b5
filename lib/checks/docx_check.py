"""A Word .docx: a zip of XML parts, checked part by part on what is really inflated.

The central directory is read (names and counts only); the two parts the check needs, [Content_Types].xml
and word/document.xml, are inflated as streams and stop at a cap on the bytes they really produce, so a part
that declares a small size and inflates to gigabytes costs at most the cap. A part whose real content differs
from its declared size fails its CRC and is refused.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from xml.parsers import expat

from lib.checks import limits
from lib.checks.evidence_text import KeptText
from lib.checks.verdict import Verdict, refused
from lib.checks.word_count import WordCounter

WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CHUNK = 1024 * 1024


class _TooLarge(Exception):
    pass


def _unsafe(path: str) -> bool:
    path = path.replace("\\", "/")
    return path.startswith("/") or ".." in path.split("/") or re.match(r"^[A-Za-z]:", path) is not None


def read_capped(archive: zipfile.ZipFile, name: str, cap: int):
    """Yield the part's inflated bytes in chunks, stopping with _TooLarge past cap bytes really read, or when
    what it really inflates to is out of all proportion to its compressed size."""
    total = 0
    info = archive.getinfo(name)
    with archive.open(info) as part:
        while chunk := part.read(CHUNK):
            total += len(chunk)
            if total > cap or (total > 1024 * 1024 and total > limits.MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
                raise _TooLarge
            yield chunk


def _inflate_every_part(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """Inflate every part once, as a stream, within the budget for the whole file; CRCs are checked on the way."""
    left = limits.MAX_DOCX_EXPANDED_BYTES
    for entry in entries:
        if entry.is_dir():
            continue
        for chunk in read_capped(archive, entry.filename, left):
            left -= len(chunk)


def _no_doctype(*_):
    raise ValueError("a DOCTYPE in a Word part")


def document_parser(start, end, text):
    """An expat parser of a Word part with these handlers; a DOCTYPE or an entity declaration stops it."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _no_doctype
    return parser


def _document_words(archive: zipfile.ZipFile, deadline, kept: KeptText) -> tuple[int, bool]:
    """Words in the document's text (w:t), paragraph, tab and break boundaries kept; (count, capped). The text
    goes to kept as well."""
    counter = WordCounter(limits.WORD_CAP)
    in_text = False
    out_of_time = False

    def start(name, _attributes):
        nonlocal in_text
        if name == f"{WORD_NS} t":
            in_text = True
        elif name in (f"{WORD_NS} tab", f"{WORD_NS} br", f"{WORD_NS} cr"):
            counter.gap()
            kept.feed(" ")

    def end(name):
        nonlocal in_text
        if name == f"{WORD_NS} t":
            in_text = False
        elif name == f"{WORD_NS} p":
            counter.gap()
            kept.gap()

    def text(data):
        if in_text:
            counter.feed(data)
            kept.feed(data)

    parser = document_parser(start, end, text)
    for chunk in read_capped(archive, "word/document.xml", limits.MAX_DOCUMENT_XML_BYTES):
        parser.Parse(chunk, False)
        if counter.capped:
            break
        if deadline():
            out_of_time = True
            break
    else:
        parser.Parse(b"", True)
    return counter.words, counter.capped or out_of_time


def inspect_docx(path: Path, count_words: bool, deadline) -> Verdict:
    try:
        archive = zipfile.ZipFile(path)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return refused("{name} is not a Word document that can be opened.")
    with archive:
        if len(entries) > limits.MAX_DOCX_ENTRIES:
            return refused(f"{{name}} holds {len(entries):,} parts, more than a Word document should.")
        for entry in entries:
            if _unsafe(entry.filename):
                return refused("{name} contains a part with an unsafe path (" + entry.filename + ").")
            if entry.flag_bits & 0x1:
                return refused("{name} is encrypted: save it without a password and upload that.")
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            return refused("{name} is not a Word document (it is a zip of something else).")
        try:
            content_types = b"".join(read_capped(archive, "[Content_Types].xml", limits.MAX_CONTENT_TYPES_BYTES))
            if any(part.lower().endswith("vbaproject.bin") for part in names) or b"macroEnabled" in content_types:
                return refused("{name} contains macros. Save it as a plain Word document (.docx) and upload that.")
            _inflate_every_part(archive, entries)
            if not count_words:
                return Verdict(True)
            kept = KeptText()
            words, capped = _document_words(archive, deadline, kept)
        except _TooLarge:
            return refused("{name} expands far beyond its size (a compressed 'zip bomb'): it is refused.")
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
            return refused("{name} is damaged (a part does not match what the file says of it): save it again in "
                           "Word and upload that.")
        except (expat.ExpatError, ValueError):
            return refused("{name} is damaged (its text cannot be read): save it again in Word and upload that.")
    samples, not_compared = kept.fingerprint(words, capped)
    return Verdict(True, words=words, words_capped=capped, samples=samples, not_compared=not_compared)
