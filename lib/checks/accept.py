"""What a centre or an assessor may upload: evidence (Word or PDF), result sheets (Word .docx only) and signed
declarations, checked by content within a budget, each file once (verdicts are kept by SHA-256)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from lib.checks import limits
from lib.checks.sandbox import TOO_LONG, run_inspection
from lib.checks.verdict import Verdict
from lib.errors import Refused

EVIDENCE_TYPES = (".docx", ".doc", ".pdf")
RECORDING_FORMATS = {".mp4": "MP4", ".m4a": "M4A", ".mp3": "MP3", ".webm": "WebM"}
NO_AGREEMENT = ("{name} is a recording. Recordings are accepted only for units with an agreed change of assessment "
                "method: request one on the Assessment methods page.")
MACRO_TYPES = (".docm", ".dotm", ".xlsm", ".pptm")
OTHER_FORMATS = ("Recordings (video, audio) need an agreed change of assessment method for the unit: request one on "
                 "the Assessment methods page. Other formats (images, spreadsheets) are not accepted.")
REMEMBERED_VERDICTS = 512


class FileRejected(Refused):
    """The upload is refused; the message tells the centre why and what to send instead."""


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    data: bytes
    extension: str
    word_count: int | None
    # The file has at least word_count words: counting stopped at its cap or its time.
    words_capped: bool = False
    # A recording's length (seconds) and format, measured from its content.
    seconds: float | None = None
    media_format: str | None = None
    # Evidence text's fingerprint for finding copied work, or why it has none (a sentence naming the file).
    samples: tuple[int, ...] | None = None
    not_compared: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def length_label(self) -> str | None:
        """'4 min 12 s' for a recording."""
        return None if self.seconds is None else duration_label(self.seconds)

    def words_label(self) -> str | None:
        if self.word_count is None:
            return None
        return f"over {self.word_count:,} words" if self.words_capped else f"{self.word_count:,} words"


def duration_label(seconds: float) -> str:
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


@dataclass(frozen=True)
class RecordingTerms:
    """What an agreed change of assessment method allows: the formats, the largest file and the longest
    recording."""

    formats: tuple[str, ...]
    max_bytes: int
    max_seconds: int

    def describe(self) -> str:
        return (f"{', '.join(self.formats)}; at most {self.max_bytes // (1024 * 1024):,} MB and "
                f"{duration_label(self.max_seconds)} a recording")


class _Verdicts:
    """The verdicts of files already checked, by (SHA-256, extension, whether words were counted)."""

    def __init__(self, size: int):
        self._size = size
        self._kept: OrderedDict[tuple, Verdict] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Verdict | None:
        with self._lock:
            verdict = self._kept.get(key)
            if verdict is not None:
                self._kept.move_to_end(key)
            return verdict

    def put(self, key: tuple, verdict: Verdict) -> None:
        with self._lock:
            self._kept[key] = verdict
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


VERDICTS = _Verdicts(REMEMBERED_VERDICTS)


def clean_name(name: str) -> str:
    """The file's own name, without any folder a browser or a crafted request put in front of it."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip()
    base = re.sub(r"[\x00-\x1f\x7f]", "", base)
    if not base or base in (".", ".."):
        raise FileRejected("The file has no name.")
    if len(base) > limits.MAX_NAME_LENGTH:
        raise FileRejected(f"The file name is longer than {limits.MAX_NAME_LENGTH} characters: please shorten it.")
    return base


def _check_size(name: str, size: int) -> None:
    if not size:
        raise FileRejected(f"{name} is empty (0 bytes): choose the file again.")
    if size > limits.MAX_UPLOAD_BYTES:
        raise FileRejected(f"{name} is {size / 1024 / 1024:.0f} MB; the limit per upload is 150 MB.")


def content_verdict(data: bytes, extension: str, count_words: bool) -> Verdict:
    """The verdict on data's content, from the limited child, or remembered from the same bytes before."""
    key = (hashlib.sha256(data).hexdigest(), extension, count_words)
    verdict = VERDICTS.get(key)
    if verdict is None:
        handle, temporary = tempfile.mkstemp(prefix="ilma-check-", suffix=extension)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            verdict = run_inspection(Path(temporary), extension, count_words)
        finally:
            os.unlink(temporary)
        if verdict.reason != TOO_LONG:  # wall-clock time depends on the machine's load: check again next time
            VERDICTS.put(key, verdict)
    return verdict


def _checked(name: str, data: bytes, extension: str, count_words: bool) -> CheckedFile:
    _check_size(name, len(data))
    verdict = content_verdict(data, extension, count_words)
    if not verdict.accepted:
        raise FileRejected((verdict.reason or "{name} is refused.").replace("{name}", name))
    not_compared = verdict.not_compared or (
        "{name} is Word 97-2003 (.doc): it is not compared for copying." if extension == ".doc" else None)
    return CheckedFile(name, data, extension, verdict.words if count_words else None, verdict.words_capped,
                       samples=verdict.samples if count_words else None,
                       not_compared=not_compared.replace("{name}", name) if not_compared else None)


def check_recording(name: str, data: bytes, terms: RecordingTerms) -> CheckedFile:
    """Accept a recording within the agreed terms: its format, size and length as its content says."""
    name = clean_name(name)
    extension = Path(name).suffix.lower()
    _check_size(name, len(data))
    if RECORDING_FORMATS.get(extension) not in terms.formats and not (
            extension in (".mp4", ".m4a") and {"MP4", "M4A"} & set(terms.formats)):
        raise FileRejected(f"{name}: {RECORDING_FORMATS.get(extension, extension)} is not an agreed format for "
                           f"this unit (agreed: {', '.join(terms.formats)}).")
    if len(data) > terms.max_bytes:
        raise FileRejected(f"{name} is {len(data) / 1024 / 1024:,.0f} MB: the agreed largest recording is "
                           f"{terms.max_bytes // (1024 * 1024):,} MB.")
    verdict = content_verdict(data, extension, count_words=False)
    if not verdict.accepted:
        raise FileRejected((verdict.reason or "{name} is refused.").replace("{name}", name))
    if verdict.media_format not in terms.formats:
        raise FileRejected(f"{name} is {verdict.media_format} by its content, which is not an agreed format for "
                           f"this unit (agreed: {', '.join(terms.formats)}).")
    if verdict.seconds > terms.max_seconds:
        raise FileRejected(f"{name} lasts {duration_label(verdict.seconds)}: the agreed longest recording is "
                           f"{duration_label(terms.max_seconds)}.")
    return CheckedFile(name, data, extension, None, seconds=verdict.seconds, media_format=verdict.media_format,
                       not_compared=f"{name} is a recording: it is not compared for copying.")


def check_evidence(name: str, data: bytes, recordings: RecordingTerms | None = None) -> CheckedFile:
    """Accept a learner's evidence: Word or PDF, checked by content; a recording, only within the terms of an
    agreed change of assessment method (recordings None: there is none)."""
    name = clean_name(name)
    extension = Path(name).suffix.lower()
    if extension in RECORDING_FORMATS:
        if recordings is None:
            raise FileRejected(NO_AGREEMENT.replace("{name}", name))
        return check_recording(name, data, recordings)
    if extension in MACRO_TYPES:
        raise FileRejected(f"{name} is a macro-enabled document. Save it as .docx or PDF and upload that.")
    if extension not in EVIDENCE_TYPES:
        raise FileRejected(f"{name}: evidence must be Word (.docx, .doc) or PDF"
                           + (f", or a recording as agreed ({recordings.describe()})." if recordings else
                              f". {OTHER_FORMATS}"))
    return _checked(name, data, extension, count_words=extension != ".doc")


def check_result_sheet(name: str, data: bytes) -> CheckedFile:
    """Accept a result sheet: a real Word .docx only, so that assessors can type into it."""
    name = clean_name(name)
    if Path(name).suffix.lower() != ".docx":
        raise FileRejected(f"{name}: a result sheet must be a Word document (.docx) so that the assessor can type "
                           "their feedback into it. PDFs, images and older .doc files are not accepted.")
    return _checked(name, data, ".docx", count_words=False)


def check_declaration(name: str, data: bytes) -> CheckedFile:
    """A signed authenticity declaration: the same formats as evidence."""
    return check_evidence(name, data)
