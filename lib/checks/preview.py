"""Evidence shown in the page: a Word document's sanitised HTML, converted in the limited child."""

from __future__ import annotations

import tempfile
from pathlib import Path

from lib.checks.sandbox import run_word_preview
from lib.checks.word_preview import WordPreview

SHOWN_IN_PAGE = (".pdf", ".docx")


def preview_word(name: str, data: bytes) -> WordPreview:
    """The document as HTML to show, or a WordPreview whose reason says why it cannot be shown."""
    with tempfile.NamedTemporaryFile(suffix=".docx") as handle:
        handle.write(data)
        handle.flush()
        preview = run_word_preview(Path(handle.name))
    if preview.reason:
        return WordPreview(reason=preview.reason.replace("{name}", name))
    return preview
