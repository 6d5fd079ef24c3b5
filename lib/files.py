"""Uploaded files: what is accepted (by content, not only by name), word counts, and the file store.

Evidence: Word (.docx, .doc) or PDF. Result sheets: .docx only, because assessors type their
feedback into them. filetype recognises the real format from the bytes; a .docx is opened as a
zip and checked for macros, zip bombs and unsafe paths; a PDF must parse with pypdf.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

import filetype

from lib.errors import Refused

MAX_UPLOAD_BYTES = 150 * 1024 * 1024
MAX_DOCX_ENTRIES = 2_000
MAX_DOCX_EXPANDED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_NAME_LENGTH = 180

EVIDENCE, RESULT_SHEET, MARKED_RESULT_SHEET, DECLARATION = "evidence", "result_sheet", "marked_result_sheet", "declaration"
EVIDENCE_TYPES = (".docx", ".doc", ".pdf")
MACRO_TYPES = (".docm", ".dotm", ".xlsm", ".pptm")
OTHER_FORMATS = ("Other formats (video, audio, images, spreadsheets) need the ILM Assessment Service's "
                 "agreement before they are sent: contact the team first.")


class FileRejected(Refused):
    """The upload is refused; the message tells the centre why and what to send instead."""


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    data: bytes
    extension: str
    word_count: int | None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def clean_name(name: str) -> str:
    """The file's own name, without any folder a browser or a crafted request put in front of it."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip()
    base = re.sub(r"[\x00-\x1f\x7f]", "", base)
    if not base or base in (".", ".."):
        raise FileRejected("The file has no name.")
    if len(base) > MAX_NAME_LENGTH:
        raise FileRejected(f"The file name is longer than {MAX_NAME_LENGTH} characters: please shorten it.")
    return base


def _extension(name: str) -> str:
    return Path(name).suffix.lower()


def _check_size(name: str, data: bytes) -> None:
    if not data:
        raise FileRejected(f"{name} is empty (0 bytes): choose the file again.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRejected(f"{name} is {len(data) / 1024 / 1024:.0f} MB; the limit per upload is 150 MB.")


def _check_docx(name: str, data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected(f"{name} is not a Word document that can be opened.") from None
    if len(entries) > MAX_DOCX_ENTRIES:
        raise FileRejected(f"{name} holds {len(entries):,} parts, more than a Word document should.")
    expanded = 0
    for entry in entries:
        entry_path = entry.filename.replace("\\", "/")
        if entry_path.startswith("/") or ".." in entry_path.split("/") or re.match(r"^[A-Za-z]:", entry_path):
            raise FileRejected(f"{name} contains a part with an unsafe path ({entry.filename}).")
        expanded += entry.file_size
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_COMPRESSION_RATIO \
                and entry.file_size > 1024 * 1024:
            raise FileRejected(f"{name} expands far beyond its size (a compressed 'zip bomb'): it is refused.")
    if expanded > MAX_DOCX_EXPANDED_BYTES:
        raise FileRejected(f"{name} would expand to {expanded / 1024 / 1024:.0f} MB: it is refused.")
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise FileRejected(f"{name} is not a Word document (it is a zip of something else).")
    content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    if any(part.lower().endswith("vbaproject.bin") for part in names) or "macroEnabled" in content_types:
        raise FileRejected(f"{name} contains macros. Save it as a plain Word document (.docx) and upload that.")


def _check_pdf(name: str, data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pages = len(PdfReader(io.BytesIO(data), strict=False).pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise FileRejected(f"{name} is damaged or not really a PDF: it cannot be opened.") from None
    if pages == 0:
        raise FileRejected(f"{name} has no pages.")


def _detected(data: bytes) -> str | None:
    kind = filetype.guess(data)
    return kind.extension if kind else None


def _check_content(name: str, data: bytes, extension: str) -> None:
    detected = _detected(data)
    if extension == ".docx":
        if detected not in ("docx", "zip"):
            raise FileRejected(f"{name} is named .docx but is not a Word document ({detected or 'unknown'} content).")
        _check_docx(name, data)
    elif extension == ".pdf":
        if detected != "pdf":
            raise FileRejected(f"{name} is named .pdf but is not a PDF.")
        _check_pdf(name, data)
    elif extension == ".doc" and detected != "doc":
        raise FileRejected(f"{name} is named .doc but is not a Word 97-2003 document.")


def check_evidence(name: str, data: bytes) -> CheckedFile:
    """Accept a learner's evidence: Word or PDF, checked by content."""
    name = clean_name(name)
    extension = _extension(name)
    if extension in MACRO_TYPES:
        raise FileRejected(f"{name} is a macro-enabled document. Save it as .docx or PDF and upload that.")
    if extension not in EVIDENCE_TYPES:
        raise FileRejected(f"{name}: evidence must be Word (.docx, .doc) or PDF. {OTHER_FORMATS}")
    _check_size(name, data)
    _check_content(name, data, extension)
    return CheckedFile(name, data, extension, word_count(extension, data))


def check_result_sheet(name: str, data: bytes) -> CheckedFile:
    """Accept a result sheet: a real Word .docx only, so that assessors can type into it."""
    name = clean_name(name)
    extension = _extension(name)
    if extension != ".docx":
        raise FileRejected(f"{name}: a result sheet must be a Word document (.docx) so that the assessor can type "
                           "their feedback into it. PDFs, images and older .doc files are not accepted.")
    _check_size(name, data)
    _check_content(name, data, extension)
    return CheckedFile(name, data, extension, None)


def check_declaration(name: str, data: bytes) -> CheckedFile:
    """A signed authenticity declaration: the same formats as evidence."""
    return check_evidence(name, data)


def word_count(extension: str, data: bytes) -> int | None:
    """Words in a Word or PDF file's text; None where the text cannot be read (.doc)."""
    text = None
    if extension == ".docx":
        import docx

        document = docx.Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        text = "\n".join(parts)
    elif extension == ".pdf":
        from pypdf import PdfReader

        try:
            text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
        except Exception:  # noqa: BLE001 - a PDF that opens but whose text cannot be read has no count
            return None
    return None if text is None else len(re.findall(r"\b[\w'’-]+\b", text))


class FileStore:
    """Files under generated names in a folder outside anything the web server serves."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, stored_name: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{40}", stored_name):
            raise ValueError(f"not a stored file name: {stored_name!r}")
        return self.root / stored_name

    def put(self, data: bytes) -> str:
        """Write to a temporary name, flush to disk, then rename into place; return the stored name."""
        token = secrets.token_hex(20)
        stored_name = f"{token[:2]}/{token}"
        final = self.path(stored_name)
        final.parent.mkdir(parents=True, exist_ok=True)
        temporary = final.with_name(f".{token}.part")
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
        return stored_name

    def read(self, stored_name: str) -> bytes:
        return self.path(stored_name).read_bytes()

    def discard(self, stored_names: list[str]) -> None:
        """Remove files whose rows never committed, so a failed upload leaves nothing behind."""
        for stored_name in stored_names:
            self.path(stored_name).unlink(missing_ok=True)
