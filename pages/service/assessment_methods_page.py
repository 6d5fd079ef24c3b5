"""Assessment methods: a centre requests a change of assessment method (recorded evidence) and downloads the
confirmation once approved; quality or the team approves it with conditions, or declines it with a reason."""

import streamlit as st

from lib.centre.method_confirmation import confirmation_docx
from lib.centre.methods import (
    FORMATS,
    LARGEST_MB,
    LONGEST_MINUTES,
    METHODS,
    STATUS_LABELS,
    decide_change,
    request_change,
    request_detail,
)
from lib.centre.methods import requests as method_requests
from lib.centre.uploads import integrated_approvals, qualification_units
from lib.rules.text import NOTE_MAX
from lib.ui.analytics_table import analytics_table
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.text import escape_markdown

NOTICE = "methods_notice"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

db, user = page_setup()
st.title("Assessment methods")
show_notice(NOTICE)
st.caption("The service can mark pre-recorded presentations, professional discussions and recorded questions and "
           "answers, for one or more units, once ILM's quality team has agreed them. An approval states the formats, "
           "the largest file and the longest recording; only then do the upload screens take recordings for those "
           "units. There is no additional fee: the usual registration and re-assessment fees apply.")


def request_form() -> None:
    qualifications = integrated_approvals(db, user)
    if qualifications.empty:
        st.info("Your centre has no approved qualifications to request a change for.", icon=":material/inbox:")
        return
    codes = qualifications.iloc[:, 0].tolist()
    names = dict(zip(codes, qualifications.iloc[:, 1]))
    code = st.selectbox("Qualification", codes, format_func=lambda c: f"{c} {names.get(c, '')}",
                        key="methods_qualification")
    units = qualification_units(db, user, code)
    with st.form(f"methods_request_{code}"):
        chosen_units = st.multiselect("Units the recordings will cover", units.code.tolist(),
                                      format_func=lambda u: f"{u} {units.set_index('code').name.get(u, '')}",
                                      key=f"methods_units_{code}")
        chosen_methods = st.multiselect("Assessment methods", list(METHODS), format_func=METHODS.get,
                                        key=f"methods_methods_{code}")
        formats = st.multiselect("Formats you expect to send", FORMATS, key=f"methods_formats_{code}")
        size_col, length_col = st.columns(2)
        expected_mb = size_col.number_input(f"Largest file you expect (MB, at most {LARGEST_MB})", min_value=1,
                                            max_value=LARGEST_MB, value=100, step=10, key=f"methods_mb_{code}")
        expected_minutes = length_col.number_input(f"Longest recording you expect (minutes, at most {LONGEST_MINUTES})",
                                                   min_value=1, max_value=LONGEST_MINUTES, value=20, step=5,
                                                   key=f"methods_minutes_{code}")
        reason = st.text_area("Why (the learners, and how the recordings will show the assessment criteria)",
                              max_chars=NOTE_MAX, key=f"methods_reason_{code}")
        if st.form_submit_button("Send the request", type="primary", icon=":material/send:"):
            run_action(lambda: request_change(db, user, code, chosen_units, chosen_methods, formats, expected_mb,
                                              expected_minutes, reason), NOTICE,
                       lambda request_id: f"Request {request_id} is with ILM's quality team, who will contact you "
                                          "to discuss it.")


def decision_form(detail: dict) -> None:
    request_id = detail["request_id"]
    with st.form(f"methods_decide_{request_id}"):
        decision = st.radio("Decision", ["Approve with conditions", "Decline"], horizontal=True,
                            key=f"methods_decision_{request_id}")
        formats = st.multiselect("Formats allowed (when approving)", FORMATS, default=list(detail["formats"]),
                                 key=f"methods_allowed_{request_id}")
        size_col, length_col = st.columns(2)
        max_mb = size_col.number_input("Largest file (MB)", min_value=1, max_value=LARGEST_MB,
                                       value=min(int(detail["expected_mb"]), LARGEST_MB), key=f"methods_max_mb_{request_id}")
        max_minutes = length_col.number_input("Longest recording (minutes)", min_value=1, max_value=LONGEST_MINUTES,
                                              value=int(detail["expected_minutes"]),
                                              key=f"methods_max_minutes_{request_id}")
        note = st.text_area("Conditions (when approving) or the reason (when declining); the centre reads it",
                            max_chars=NOTE_MAX, key=f"methods_note_{request_id}")
        if st.form_submit_button("Record the decision", type="primary", icon=":material/gavel:"):
            approve = decision.startswith("Approve")
            run_action(lambda: decide_change(db, user, request_id, approve, note, formats, max_mb, max_minutes),
                       NOTICE, f"Request {request_id} is {'approved' if approve else 'declined'}.",
                       ticks="methods_table")


def detail_section(request_id: int) -> None:
    detail = request_detail(db, user, request_id)
    st.subheader(f"Request {request_id}: {detail['qualification']} · {STATUS_LABELS[detail['status']]}")
    if not user.is_centre:
        st.caption(f"Centre {escape_markdown(detail['centre'])} {escape_markdown(detail['centre_name'])} · "
                   f"requested {detail['requested']:%d/%m/%Y}")
    st.markdown(f"**Units:** {escape_markdown(', '.join(detail['units']))} · **Methods:** "
                f"{escape_markdown('; '.join(METHODS[m] for m in detail['methods']))}")
    st.markdown(f"**Asked for:** {escape_markdown(', '.join(detail['formats']))}, files up to "
                f"{detail['expected_mb']:,} MB, recordings up to {detail['expected_minutes']:,} minutes")
    st.markdown("**Why**")
    st.text(detail["reason"])
    if detail["status"] != "requested":
        st.markdown(f"**{'Conditions' if detail['status'] == 'approved' else 'Reason for declining'}** "
                    f"({escape_markdown(detail['decided_by'] or '')}, {detail['decided']:%d/%m/%Y})")
        st.text(detail["decision_note"])
    if detail["status"] == "approved":
        st.download_button("Download the confirmation (Word)", data=lambda: confirmation_docx(db, user, request_id),
                           file_name=f"Change of assessment method {request_id}.docx", mime=DOCX,
                           key=f"methods_confirmation_{request_id}", icon=":material/description:", on_click="ignore")
    elif detail["status"] == "requested" and not user.is_centre:
        decision_form(detail)


if user.is_centre:
    with st.expander("Request a change of assessment method", icon=":material/add:"):
        request_form()
listing = method_requests(db, user)
if listing.empty:
    st.info("No requests yet." if user.is_centre else "No centre has asked for a change of assessment method.",
            icon=":material/inbox:")
    st.stop()
st.caption("Requests waiting for a decision first. Tick one to read it"
           + (", download its confirmation once approved." if user.is_centre else " and decide it."))
ticked = analytics_table(listing, "methods", "Assessment method requests", drill=True,
                         date_columns=("Requested", "Decided"), presets={"status": "Status"})
if ticked is not None:
    detail_section(int(ticked["Request"]))
