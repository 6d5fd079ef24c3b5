"""Pieces of the upload screens: files as lib wants them, checks shown before upload, the declaration."""

from __future__ import annotations

import streamlit as st

from lib.centre.uploads import DEFAULT_WORD_CAP, EMBEDDED, SEPARATE_FILE, Upload, word_cap_problem
from lib.checks import accept
from lib.errors import Refused
from lib.rules.naming import check_file_name
from lib.ui.text import escape_markdown

DECLARATION_CHOICES = {
    EMBEDDED: "The learner's signed declaration is embedded in the evidence",
    SEPARATE_FILE: "I will attach the signed declaration as a separate file",
}


def as_uploads(uploaded) -> tuple[Upload, ...]:
    """Streamlit's UploadedFile objects (one, several or none) as lib Uploads."""
    if uploaded is None:
        return ()
    items = uploaded if isinstance(uploaded, list) else [uploaded]
    return tuple(Upload(item.name, item.getvalue()) for item in items)


def evidence_feedback(uploaded: tuple[Upload, ...], enr: str, resubmission: bool, centre_number: str | None,
                      unit_codes: tuple[str, ...], word_limit: int | None,
                      recordings: accept.RecordingTerms | None = None, word_cap: int = DEFAULT_WORD_CAP) -> None:
    """Naming protocol and word count (or a recording's length) of each evidence file, shown as soon as it is
    chosen; recordings: what an agreed change of assessment method allows for these units."""
    if recordings is not None:
        st.caption(f"Recordings are agreed for {'this unit' if len(unit_codes) == 1 else 'these units'}: "
                   f"{recordings.describe()}. The word-count guidance does not apply to them.")
    for upload in uploaded:
        try:
            with st.spinner(f"Checking {escape_markdown(upload.name)}…", show_time=True):
                checked = accept.check_evidence(upload.name, upload.data, recordings)
        except Refused as refused:
            st.error(escape_markdown(refused), icon=":material/block:")
            continue
        name = check_file_name(checked.original_name, enr, resubmission, centre_number, unit_codes)
        if not name.ok:
            st.warning(escape_markdown(name.message), icon=":material/badge:")
        if checked.seconds is not None:
            st.caption(f"{escape_markdown(checked.original_name)}: {checked.media_format} recording, "
                       f"{checked.length_label()}")
        too_long = word_cap_problem(checked, word_cap, word_limit)
        if too_long:
            st.error(escape_markdown(too_long), icon=":material/block:")
        elif checked.word_count is not None:
            words = f"{escape_markdown(checked.original_name)}: {checked.words_label()}"
            if word_limit and checked.word_count > word_limit:
                st.warning(f"{words}, over the guidance of {word_limit:,} for this unit. ILM may reject it or "
                           "charge a further re-submission fee for each extra 10,000 words.", icon=":material/warning:")
            else:
                st.caption(words + (f" (guidance: at most {word_limit:,})" if word_limit else " (no word-count guidance)"))


def result_sheet_feedback(uploaded: tuple[Upload, ...]) -> None:
    for upload in uploaded:
        try:
            with st.spinner(f"Checking {escape_markdown(upload.name)}…", show_time=True):
                accept.check_result_sheet(upload.name, upload.data)
        except Refused as refused:
            st.error(escape_markdown(refused), icon=":material/block:")


def declaration_choice(key: str) -> tuple[str | None, Upload | None]:
    """How the learner's authenticity declaration comes with a first submission."""
    choice = st.radio(
        "Authenticity declaration (first submissions only; not needed for a re-submission)",
        list(DECLARATION_CHOICES), format_func=DECLARATION_CHOICES.get, index=None, key=f"{key}_declaration",
    )
    attached = None
    if choice == SEPARATE_FILE:
        chosen = st.file_uploader("Signed declaration (Word or PDF)", key=f"{key}_declaration_file")
        uploads = as_uploads(chosen)
        attached = uploads[0] if uploads else None
    return choice, attached


def forget_widgets(prefix: str) -> None:
    """Drop the state of an upload screen's widgets so the next screen starts empty."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]
