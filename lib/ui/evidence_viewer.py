"""An item's evidence read in the page beside the marking form: a PDF in the browser's PDF viewer (pdf.js), a
Word document as sanitised HTML; any other file is offered as a download with the item's files. With files in a
bucket, the PDF viewer reads the file from a link that expires, signed after the permission check, so the bytes go
from the bucket to the browser rather than through this process's /media."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from lib.centre.uploads import file_link, read_file, submission_files
from lib.checks.preview import SHOWN_IN_PAGE, preview_word
from lib.checks.word_preview import WordPreview
from lib.rules.roles import User
from lib.store.db import Database
from lib.store.files import FileStore
from lib.store.objects import ObjectStore
from lib.ui.text import escape_markdown

EVIDENCE_STYLE = ("<style>.ilma-evidence h1 {font-size: 1.5rem} .ilma-evidence h2 {font-size: 1.3rem} "
                  ".ilma-evidence h3, .ilma-evidence h4 {font-size: 1.1rem} .ilma-evidence img {max-width: 100%}"
                  ".ilma-evidence table {border-collapse: collapse} .ilma-evidence td, .ilma-evidence th "
                  "{border: 1px solid #ccc; padding: 0.25rem 0.5rem}</style>")


@st.cache_data(max_entries=16, show_spinner="Opening the document…")
def _word_preview(file_id: int, sha256: str, _read) -> WordPreview:
    """Keyed by the file and its content's hash (both from the user's scoped listing of the item's files), so a
    rerun of the page neither reads the document again nor hashes its bytes; _read gives (name, bytes) on a miss."""
    name, data = _read()
    return preview_word(name, data)


# pdf.js reads the whole document soon after opening it; a link outlives a long marking session's reruns so
# that the viewer is not given a new address (and reloads the document) while someone reads it.
PDF_LINK_SECONDS = 3600
PDF_LINK_KEPT_SECONDS = 2700


def _pdf_link(db: Database, store: ObjectStore, user: User, file_id: int) -> str:
    """The file's link for this session: signed again only once it is near its end. It is handed out only for a
    file in the user's scoped listing of the item, drawn again on every run."""
    kept = st.session_state.setdefault("evidence_pdf_links", {})
    link, signed_at = kept.get((user.id, file_id), (None, 0.0))
    if link is None or time.monotonic() - signed_at > PDF_LINK_KEPT_SECONDS:
        link, signed_at = file_link(db, user, file_id, store, PDF_LINK_SECONDS), time.monotonic()
        kept[(user.id, file_id)] = (link, signed_at)
    return link


def _show(db: Database, store: FileStore, user: User, file, key: str, height: int) -> None:
    if Path(file.original_name).suffix.lower() == ".pdf":
        document = (_pdf_link(db, store, user, int(file.id)) if isinstance(store, ObjectStore)
                    else read_file(db, user, int(file.id), store)[1])
        st.pdf(document, height=height, key=f"{key}_pdf_{file.id}", alt=f"Evidence: {file.original_name}")
        return
    preview = _word_preview(int(file.id), file.sha256, lambda: read_file(db, user, int(file.id), store))
    if preview.reason:
        st.info(escape_markdown(preview.reason), icon=":material/visibility_off:")
        return
    notes = []
    if preview.cut:
        notes.append("This is the start of a long document: download it to read the rest.")
    if preview.pictures_left_out:
        notes.append(f"{preview.pictures_left_out} picture(s) are not shown here: download the file to see them.")
    for note in notes:
        st.caption(note)
    with st.container(height=height, border=True, key=f"{key}_word_{file.id}"):
        # The document's own headings, at the size of a page's sub-headings rather than its title.
        st.html(EVIDENCE_STYLE + f'<div class="ilma-evidence">{preview.html}</div>')


def evidence_viewer(db: Database, store: FileStore, user: User, item_id: int, key: str, height: int = 620) -> None:
    listing = submission_files(db, user, item_id)
    evidence = [file for file in listing.itertuples() if file.kind == "evidence"]
    shown = [file for file in evidence if Path(file.original_name).suffix.lower() in SHOWN_IN_PAGE]
    if not shown:
        st.info("This evidence cannot be shown in the page (" + (", ".join(escape_markdown(f.original_name)
                for f in evidence) or "no evidence file") + "): download it from the item's files.",
                icon=":material/visibility_off:")
        return
    labels = [f"{file.unit_code + ': ' if isinstance(file.unit_code, str) else ''}{file.original_name}"
              for file in shown]
    if len(shown) == 1:
        st.caption(f"Evidence: {escape_markdown(labels[0])}")
        _show(db, store, user, shown[0], key, height)
        return
    # Tab labels read Markdown: the names go through escape_markdown like any text from a centre.
    for tab, file in zip(st.tabs([escape_markdown(label) for label in labels]), shown, strict=True):
        with tab:
            _show(db, store, user, file, key, height)
