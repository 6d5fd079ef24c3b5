"""Inspecting one file on disk by its real content; runs inside the limited child process."""

from __future__ import annotations

import resource
from pathlib import Path

import filetype

from lib.checks import limits
from lib.checks.docx_check import inspect_docx
from lib.checks.media_check import RECORDING_EXTENSIONS, inspect_recording
from lib.checks.pdf_check import inspect_pdf
from lib.checks.verdict import Verdict, refused

WORD_EXTENSIONS = (".docx", ".pdf")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def inspect(path: Path, extension: str, count_words: bool) -> Verdict:
    """The verdict on a file named with extension (.docx, .doc, .pdf, or a recording's), from what its bytes
    are."""
    started = _cpu_seconds()

    def out_of_time() -> bool:
        return _cpu_seconds() - started > limits.WORD_COUNT_CPU_SECONDS

    if extension in RECORDING_EXTENSIONS:
        return inspect_recording(path, extension)
    with open(path, "rb") as handle:
        head = handle.read(8192)
    kind = filetype.guess(head)
    detected = kind.extension if kind else None
    if extension == ".docx":
        if detected not in ("docx", "zip"):
            return refused(f"{{name}} is named .docx but is not a Word document ({detected or 'unknown'} content).")
        return inspect_docx(path, count_words, out_of_time)
    if extension == ".pdf":
        if detected != "pdf":
            return refused("{name} is named .pdf but is not a PDF.")
        return inspect_pdf(path, count_words, out_of_time)
    if extension == ".doc":
        if detected != "doc":
            return refused("{name} is named .doc but is not a Word 97-2003 document.")
        return Verdict(True)
    return refused("{name}: this kind of file is not accepted.")

