"""Malpractice cases: raised in quality check or marking, followed up by quality from open to investigating to
closed with an outcome; the item is held while its case is open."""

import streamlit as st

from lib.rules.roles import QUALITY
from lib.rules.text import NOTE_MAX
from lib.service.malpractice import OUTCOMES, STATUS_LABELS, case_detail, cases, follow_up_case
from lib.ui.analytics_table import analytics_table
from lib.ui.item_files import item_files
from lib.ui.page import file_store, page_setup, run_action, show_notice
from lib.ui.text import escape_markdown

NOTICE = "malpractice_notice"

db, user = page_setup()
st.title("Malpractice cases")
st.caption("Opened when a quality check rejects for suspected plagiarism or malpractice, or an assessor flags it "
           "while marking. While a case is open its item is held: not released, not claimed. The centre reads only "
           "that the item is under review and that a separate report will follow.")
show_notice(NOTICE)
show_closed = st.toggle("Show closed cases", value=False, key="malpractice_show_closed")
table = cases(db, user, include_closed=show_closed)
if table.empty:
    st.info("No open malpractice cases." if not show_closed else "No malpractice cases.", icon=":material/check:")
    st.stop()
st.caption("Tick a case to read it, see the item's evidence and follow it up.")
ticked = analytics_table(table, "malpractice_cases", "Malpractice cases", drill=True, date_columns=("Opened", "Updated"))
if ticked is None:
    st.stop()

case, notes = case_detail(db, user, int(ticked["Case"]))
st.subheader(f"Case {case['case_id']}: item {case['item_id']} · {STATUS_LABELS[case['status']]}"
             + (f" · {OUTCOMES[case['outcome']]}" if case["outcome"] else ""))
st.markdown(f"**Concern** (raised by {escape_markdown(case['opened_by'] or '?')}):")
st.text(case["concern"])
item_files(db, file_store(), user, case["item_id"], key="malpractice")
st.markdown("**History**")
st.dataframe(notes, hide_index=True, key="malpractice_notes",
             column_config={"When": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
                            "Note": st.column_config.TextColumn(width="large")})
if user.role == QUALITY and case["status"] != "closed":
    moves = ["investigating", "closed"]  # from investigating, "investigating" adds a note only
    with st.form(f"malpractice_follow_up_{case['case_id']}"):
        to_status = st.radio("Move to", moves, horizontal=True, key=f"malpractice_to_{case['case_id']}",
                             format_func=lambda s: STATUS_LABELS[s] + (" (note only)" if s == case["status"] else ""))
        outcome = st.selectbox("Outcome (to close the case)", list(OUTCOMES), format_func=OUTCOMES.get, index=None,
                               key=f"malpractice_outcome_{case['case_id']}", placeholder="Choose when closing")
        note = st.text_area("Note", key=f"malpractice_note_{case['case_id']}", max_chars=NOTE_MAX,
                            placeholder="What was checked, who was contacted, what was decided…")
        if st.form_submit_button("Save", type="primary", icon=":material/save:"):
            run_action(lambda: follow_up_case(db, user, case["case_id"], to_status, note, outcome),
                       NOTICE, f"Case {case['case_id']} is now {STATUS_LABELS[to_status]}.", ticks="malpractice_cases_table")
