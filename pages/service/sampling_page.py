"""Sampling: marked items the rules picked for quality assurance; the evidence in the page beside each unit's
result, mark and feedback in full, why it was sampled, any copied work found, and Agree and Send back."""

import pandas as pd
import streamlit as st

from lib.rules.text import NOTE_MAX
from lib.service.sampling import agree, sampling_queue, send_back, unit_results
from lib.ui.copied_work import copied_work_panel
from lib.ui.evidence_viewer import evidence_viewer
from lib.ui.item_files import item_files
from lib.ui.page import file_store, page_setup, run_action, show_notice
from lib.ui.tables import work_queue
from lib.ui.text import escape_markdown

db, user = page_setup()
store = file_store()
st.title("Sampling")
show_notice("sampling_notice")
ticked = work_queue(lambda view: sampling_queue(db, user, view), "sampling_table", "No marked work is waiting for sampling.",
                    "Marked items picked by the sampling rules, with why; SLA flags the breached and at-risk ones. "
                    "Agree to make an item ready for release, or send it back to its assessor with a note.",
                    counted="to sample", compact_when_ticked=True)
if not ticked:
    st.stop()
item = ticked[0]
item_id = int(item["ID"])
st.subheader(f"Item {item_id}: {escape_markdown(item['Learner'])}, centre {escape_markdown(item['Centre'])} "
             f"{escape_markdown(item['Centre name'])}")
matches_slot = st.container()
evidence_col, decision_col = st.columns([3, 2], gap="medium")
with matches_slot:  # the lead reads what the assessor was shown: a match is acted on there or sent back
    copied_work_panel(db, store, user, item_id, key="sampling_copied", quiet_in=evidence_col)
with decision_col:
    # The decision first, on the first screen beside the evidence; what it rests on (why sampled, each unit's
    # result and feedback in full) right beneath it.
    with st.container(border=True, key="sampling_decision"):
        note = st.text_area("Note for the assessor (to send it back)", key="sampling_note", max_chars=NOTE_MAX,
                            height=68, label_visibility="collapsed",
                            placeholder="Note for the assessor, to send it back: what to look at again, and why")
        agree_col, back_col = st.columns(2)
        if agree_col.button("Agree", key="sampling_agree", type="primary", icon=":material/check:", width="stretch"):
            run_action(lambda: agree(db, user, item_id), "sampling_notice",
                       f"Agreed: item {item_id} is ready for release.", ticks="sampling_table")
        if back_col.button("Send back", key="sampling_send_back", icon=":material/undo:", width="stretch"):
            run_action(lambda: send_back(db, user, item_id, note), "sampling_notice",
                       f"Item {item_id} went back to its assessor with your note.", ticks="sampling_table")
    st.info(f"Marked by {escape_markdown(item['Assessor'])}. Why sampled: {escape_markdown(item['Why sampled'])}.",
            icon=":material/fact_check:")
    for unit in unit_results(db, user, item_id).itertuples():
        with st.container(border=True, key=f"sampling_unit_{unit.Unit}"):
            mark = f", mark {int(unit.Mark)}" if pd.notna(unit.Mark) else ""
            st.markdown(f"**{escape_markdown(unit.Unit)} {escape_markdown(unit.Title or '')}**  \n"
                        f"{escape_markdown(unit.Result or 'No result')}{mark}")
            st.markdown(escape_markdown(unit.Feedback or "No feedback written."))  # in full, as text
with evidence_col:
    evidence_viewer(db, store, user, item_id, key="sampling", height=560)
    with st.expander("The item's files (downloads)", icon=":material/attach_file:"):
        item_files(db, store, user, item_id, key="sampling")
