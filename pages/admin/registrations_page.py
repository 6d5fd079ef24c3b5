"""Registration imports: a Walled Garden export checked row by row, then its accepted rows applied."""

import hashlib
from datetime import date

import streamlit as st

from lib.admin.registrations import apply_import, check_import, error_rows, recent_imports
from lib.errors import NotAllowed, Refused
from lib.store.export import frame_xlsx
from lib.ui.page import page_setup, show_notice
from lib.ui.text import escape_markdown

NOTICE = "registrations_notice"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
db, user = page_setup()
st.title("Registration imports")
show_notice(NOTICE)
st.caption("Upload the registrations export from Walled Garden (CSV or Excel): centre number, ENR, first and last "
           "name, qualification code, registration date, expiry date, and the ULN and date of birth when present. "
           "The check writes nothing; Apply adds and updates the accepted rows together. Nothing is ever deleted.")
uploaded = st.file_uploader("Walled Garden export", type=["csv", "xlsx"], key="registrations_file")
if uploaded is not None:
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    # The check runs once per file, not on every rerun of the page.
    if st.session_state.get("registrations_checked_sha") != digest:
        try:
            st.session_state["registrations_check"] = check_import(db, user, uploaded.name, data)
        except (Refused, NotAllowed) as refused:
            st.error(escape_markdown(refused), icon=":material/error:")
            st.stop()
        st.session_state["registrations_checked_sha"] = digest
    check = st.session_state["registrations_check"]
    counts = check.counts()
    figures = st.columns(4)
    figures[0].metric("Rows", f"{counts['rows']:,}", border=True)
    figures[1].metric("Accepted", f"{counts['accepted']:,}", border=True)
    figures[2].metric("Refused", f"{counts['errors']:,}", border=True)
    figures[3].metric("Registered, not in this file", f"{check.for_review_total:,}", border=True,
                      help="Live registrations at this file's centres that the file does not mention. They are kept; "
                           "the list is there to review, for example when a centre says a learner has withdrawn.")
    st.caption(f"New learners {counts['new learner']:,} · new registrations {counts['new registration']:,} · "
               f"changed names {counts['changed name']:,} · changed expiries {counts['changed expiry']:,} · "
               f"unchanged {counts['unchanged']:,}")
    if check.already_applied:
        st.info(f"This file was applied on {check.already_applied:%d/%m/%Y at %H:%M}: applying it again changes "
                "nothing.", icon=":material/history:")
    every_tab, errors_tab, review_tab = st.tabs(["Every row", f"Refused rows ({counts['errors']:,})",
                                                 f"Registered, not in this file ({check.for_review_total:,})"])
    with every_tab:
        st.dataframe(check.rows, hide_index=True, key="registrations_rows", width="stretch")
    with errors_tab:
        refused_rows = error_rows(check)
        st.dataframe(refused_rows, hide_index=True, key="registrations_errors", width="stretch")
        st.download_button("Download refused rows (Excel)", data=lambda: frame_xlsx(refused_rows, "Refused rows"),
                           file_name=f"Refused registrations {date.today().isoformat()}.xlsx", mime=XLSX,
                           key="registrations_errors_download", disabled=refused_rows.empty, on_click="ignore",
                           icon=":material/download:")
    with review_tab:
        if check.for_review_total > len(check.for_review):
            st.caption(f"The first {len(check.for_review):,} of {check.for_review_total:,}, by centre and ENR.")
        st.dataframe(check.for_review, hide_index=True, key="registrations_review", width="stretch")
    label = f"Apply {counts['accepted']:,} accepted row(s)"
    if st.button(label, key="registrations_apply", type="primary", icon=":material/playlist_add_check:",
                 disabled=not counts["accepted"] or check.already_applied is not None):
        try:
            done, _ = apply_import(db, user, uploaded.name, data)
        except (Refused, NotAllowed) as refused:
            st.error(escape_markdown(refused), icon=":material/error:")
        else:
            st.session_state.pop("registrations_checked_sha", None)
            st.session_state[NOTICE] = (
                f"Applied {uploaded.name}: {done.get('new_learners', 0):,} new learner(s), "
                f"{done.get('new_registrations', 0):,} new registration(s), {done.get('changed_learners', 0):,} "
                f"learner(s) changed, {done.get('changed_expiries', 0):,} expiry date(s) changed."
                if done["applied"] else f"Nothing applied: {done['reason']}.")
            st.rerun()

st.subheader("Files applied")
applied = recent_imports(db, user)
if applied.empty:
    st.caption("No registrations file has been applied yet.")
else:
    st.dataframe(applied, hide_index=True, key="registrations_applied", width="stretch")
