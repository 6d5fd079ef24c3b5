"""Pieces of the upload screens: files as lib wants them, checks shown before upload, the declaration."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib.centre.uploads import EMBEDDED, SEPARATE_FILE, Upload, word_cap_problem
from lib.checks import accept
from lib.errors import Refused
from lib.rules.naming import check_file_name, suggested_names
from lib.ui.text import escape_markdown

DECLARATION_CHOICES = {
    EMBEDDED: "The learner's signed declaration is embedded in the evidence",
    SEPARATE_FILE: "I will attach the signed declaration as a separate file",
}


def registration_expired(row: dict, what: str = "the row") -> bool:
    """Says so on the upload screen before anything is chosen, when the learner's registration has expired."""
    expiry = pd.Timestamp(row["Registration Expiry"]).date()
    if expiry >= date.today():
        return False
    st.error(f"This registration expired on {expiry:%d/%m/%Y}: renew it on Walled Garden, or remove {what}, before "
             "uploading.", icon=":material/event_busy:")
    return True


def _renamed(name: str, renames: dict[str, str]) -> str:
    for _ in range(len(renames)):  # a renamed file may have been renamed again
        if name not in renames:
            break
        name = renames[name]
    return name


def as_uploads(uploaded, renames_key: str | None = None) -> tuple[Upload, ...]:
    """Streamlit's UploadedFile objects (one, several or none) as lib Uploads, under the names the user took
    instead (kept in session state under renames_key)."""
    if uploaded is None:
        return ()
    items = uploaded if isinstance(uploaded, list) else [uploaded]
    return renamed_uploads(tuple(Upload(item.name, item.getvalue()) for item in items), renames_key)


def renamed_uploads(uploads: tuple[Upload, ...], renames_key: str | None) -> tuple[Upload, ...]:
    """The uploads under the names the user took instead (kept in session state under renames_key)."""
    renames = st.session_state.get(renames_key, {}) if renames_key else {}
    return tuple(Upload(_renamed(upload.name, renames), upload.data) for upload in uploads)


def rename_button(renames: dict[str, str], renames_key: str, label: str | None = None) -> bool:
    """One click to take the suggested names (kept under renames_key for as_uploads); True when clicked."""
    if not renames:
        return False
    label = label or (f"Rename to {next(iter(renames.values()))}" if len(renames) == 1
                      else f"Rename the {len(renames)} files to the suggested names")
    if st.button(label, key=f"{renames_key}_apply", icon=":material/drive_file_rename_outline:", type="primary"):
        st.session_state[renames_key] = {**st.session_state.get(renames_key, {}), **renames}
        return True
    return False


def protocol_names(uploaded: tuple[Upload, ...], learner_name: str, enr: str, resubmission: bool,
                   centre_number: str | None, unit_codes: tuple[str, ...], renames_key: str) -> bool:
    """Each evidence name against the naming protocol, refused with the name suggested and a button that applies
    it; True when every name follows the protocol (the upload waits until they do)."""
    names = [upload.name for upload in uploaded]
    suggestions = suggested_names(names, learner_name, enr, resubmission, centre_number, unit_codes)
    for name, suggestion in suggestions.items():
        problem = check_file_name(name, enr, resubmission, centre_number, unit_codes).message
        st.error(f"{escape_markdown(problem)} Suggested name: {escape_markdown(suggestion)}", icon=":material/badge:")
    for upload in uploaded:
        originals = [original for original, now in st.session_state.get(renames_key, {}).items() if now == upload.name]
        if originals:
            st.caption(f"{escape_markdown(originals[0])} is uploaded as {escape_markdown(upload.name)}.")
    if rename_button(suggestions, renames_key):
        st.rerun()
    return not suggestions


def evidence_feedback(uploaded: tuple[Upload, ...], learner_name: str, enr: str, resubmission: bool,
                      centre_number: str | None, unit_codes: tuple[str, ...], word_limit: int | None,
                      recordings: accept.RecordingTerms | None, word_cap: int, renames_key: str) -> bool:
    """Naming protocol and word count (or a recording's length) of each evidence file, shown as soon as it is
    chosen; recordings: what an agreed change of assessment method allows for these units. True when every name
    follows the protocol."""
    if recordings is not None:
        st.caption(f"Recordings are agreed for {'this unit' if len(unit_codes) == 1 else 'these units'}: "
                   f"{recordings.describe()}. The word-count guidance does not apply to them.")
    named = protocol_names(uploaded, learner_name, enr, resubmission, centre_number, unit_codes, renames_key)
    for upload in uploaded:
        try:
            with st.spinner(f"Checking {escape_markdown(upload.name)}…", show_time=True):
                checked = accept.check_evidence(upload.name, upload.data, recordings)
        except Refused as refused:
            st.error(escape_markdown(refused), icon=":material/block:")
            continue
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
    return named


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
