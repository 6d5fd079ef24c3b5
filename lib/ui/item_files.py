"""The files of one item, each with a download button, and the evidence as one zip."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.centre.uploads import evidence_zip, read_file, submission_files
from lib.rules.roles import User
from lib.store.db import Database
from lib.store.files import FileStore
from lib.ui.text import escape_markdown

LABELS = {"evidence": "Evidence", "result_sheet": "Result sheet", "declaration": "Declaration",
          "marked_result_sheet": "Marked result sheet"}


def item_files(db: Database, store: FileStore, user: User, item_id: int, key: str) -> None:
    listing = submission_files(db, user, item_id)
    if listing.empty:
        st.caption("No files.")
        return
    for file in listing.itertuples():
        name_col, download_col = st.columns([5, 1.6], vertical_alignment="center")
        unit = f" ({file.unit_code})" if pd.notna(file.unit_code) else ""
        words = f" · {int(file.word_count):,} words" if pd.notna(file.word_count) else ""
        name_col.markdown(f"{LABELS.get(file.kind, file.kind)}{unit}: {escape_markdown(file.original_name)}{words}")
        download_col.download_button("Download", data=lambda fid=int(file.id): read_file(db, user, fid, store)[1],
                                     file_name=file.original_name, key=f"{key}_file_{file.id}",
                                     icon=":material/download:", on_click="ignore", width="stretch")
    if (listing.kind == "evidence").any():
        st.download_button("Download Evidence (zip)", data=lambda: evidence_zip(db, user, item_id, store),
                           file_name=f"Evidence {item_id}.zip", key=f"{key}_zip", icon=":material/folder_zip:",
                           on_click="ignore")
