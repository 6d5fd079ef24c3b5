"""The files of one item, each with a download button, and the evidence as one zip."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from lib.centre.uploads import evidence_zip, file_link, read_file, submission_files
from lib.checks.accept import duration_label
from lib.rules.roles import User
from lib.store.db import Database
from lib.store.files import FileStore
from lib.store.objects import ObjectStore
from lib.ui.stored_download import PAGE_LINK_SECONDS, stored_file_button
from lib.ui.text import escape_markdown

MIME_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".m4a": "audio/mp4", ".mp3": "audio/mpeg"}
LABELS = {"evidence": "Evidence", "result_sheet": "Result sheet", "declaration": "Declaration",
          "marked_result_sheet": "Marked result sheet"}


def _player(db: Database, store: FileStore, user: User, file, key: str) -> None:
    """A recording plays in the page once asked for: its bytes are read only then."""
    # A widget label reads Markdown, so the file's name (shown as text on the line above) stays out of it.
    if not st.toggle("Play the recording", key=f"{key}_play_{file.id}"):
        return
    # From a bucket the browser plays it from a link that expires; from a folder the bytes go through the page.
    data = file_link(db, user, int(file.id), store, PAGE_LINK_SECONDS) if isinstance(store, ObjectStore) \
        else read_file(db, user, int(file.id), store)[1]
    mime = MIME_TYPES.get(Path(file.original_name).suffix.lower(), "video/mp4")
    (st.video if mime.startswith("video") else st.audio)(data, format=mime)


def item_files(db: Database, store: FileStore, user: User, item_id: int, key: str) -> None:
    listing = submission_files(db, user, item_id)
    if listing.empty:
        st.caption("No files.")
        return
    for file in listing.itertuples():
        name_col, download_col = st.columns([5, 1.6], vertical_alignment="center")
        unit = f" ({file.unit_code})" if pd.notna(file.unit_code) else ""
        words = f" · {int(file.word_count):,} words" if pd.notna(file.word_count) else ""
        if pd.notna(file.duration_seconds):
            words = f" · recording, {duration_label(file.duration_seconds)}"
        name_col.markdown(f"{LABELS.get(file.kind, file.kind)}{unit}: {escape_markdown(file.original_name)}{words}")
        stored_file_button(download_col, db, user, int(file.id), file.original_name, store, f"{key}_file_{file.id}")
        if pd.notna(file.duration_seconds):
            _player(db, store, user, file, key)
    if (listing.kind == "evidence").any():
        st.download_button("Download Evidence (zip)", data=lambda: evidence_zip(db, user, item_id, store),
                           file_name=f"Evidence {item_id}.zip", key=f"{key}_zip", icon=":material/folder_zip:",
                           on_click="ignore")
