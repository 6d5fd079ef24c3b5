"""The text of a Word document or PDF as paragraphs, for comparing evidence; runs inside the limited child
process, reading the same capped streams as the upload check."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from lib.checks import limits
from lib.checks.docx_check import WORD_NS, document_parser, read_capped
from lib.checks.word_count import TOKEN

MAX_COMPARED_WORDS = 100_000  # the evidence word cap: beyond it a file is not compared


@dataclass(frozen=True)
class ExtractedText:
    paragraphs: list[str] = field(default_factory=list)
    reason: str | None = None  # why there is no text to compare, with {name} where the file's name goes
    peak_rss_bytes: int = 0
    start_rss_bytes: int = 0


class _Enough(Exception):
    pass


def _docx_paragraphs(path: Path, max_words: int) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    words = 0
    in_text = False

    def start(name, _attributes):
        nonlocal in_text
        if name == f"{WORD_NS} t":
            in_text = True
        elif name in (f"{WORD_NS} tab", f"{WORD_NS} br", f"{WORD_NS} cr"):
            current.append(" ")

    def end(name):
        nonlocal in_text, words
        if name == f"{WORD_NS} t":
            in_text = False
        elif name == f"{WORD_NS} p":
            paragraph = "".join(current).strip()
            current.clear()
            if paragraph:
                paragraphs.append(paragraph)
                words += len(TOKEN.findall(paragraph))
                if words > max_words:
                    raise _Enough

    def text(data):
        if in_text:
            current.append(data)

    parser = document_parser(start, end, text)
    with zipfile.ZipFile(path) as archive:
        for chunk in read_capped(archive, "word/document.xml", limits.MAX_DOCUMENT_XML_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return paragraphs


def _pdf_paragraphs(path: Path, max_words: int) -> list[str]:
    paragraphs: list[str] = []
    words = 0
    for page in PdfReader(path).pages:
        for block in (page.extract_text() or "").split("\n"):
            if block.strip():
                paragraphs.append(block.strip())
                words += len(TOKEN.findall(block))
                if words > max_words:
                    raise _Enough
    return paragraphs


def extract_text(path: Path, extension: str, max_words: int = MAX_COMPARED_WORDS) -> ExtractedText:
    reader = {".docx": _docx_paragraphs, ".pdf": _pdf_paragraphs}.get(extension)
    if reader is None:
        return ExtractedText(reason="{name} is not Word (.docx) or PDF: it is not compared.")
    try:
        paragraphs = reader(path, max_words)
    except _Enough:
        return ExtractedText(reason=f"{{name}} has more than {max_words:,} words: it is not compared.")
    if not paragraphs:
        return ExtractedText(reason="{name} has no text to compare (a scan, or images only).")
    return ExtractedText(paragraphs)
