"""Sampling: marked items the rules picked for quality assurance; each unit's result, mark and feedback beside
Agree and Send back."""

import streamlit as st

from lib.rules.text import NOTE_MAX
from lib.service.sampling import agree, sampling_queue, send_back, unit_results
from lib.ui.item_files import item_files
from lib.ui.page import file_store, page_setup, run_action, show_notice
from lib.ui.tables import blank_missing, work_queue
from lib.ui.text import escape_markdown

db, user = page_setup()
st.title("Sampling")
show_notice("sampling_notice")
queue = sampling_queue(db, user)
ticked = work_queue(queue, "sampling_table", "No marked work is waiting for sampling.",
                    "Marked items picked by the sampling rules, with why; SLA flags the breached and at-risk ones. "
                    "Agree to make an item ready for release, or send it back to its assessor with a note.",
                    counted="to sample")
if not ticked:
    st.stop()
item = ticked[0]
item_id = int(item["ID"])
st.subheader(f"Item {item_id}: {escape_markdown(item['Learner'])}, centre {escape_markdown(item['Centre'])} "
             f"{escape_markdown(item['Centre name'])}")
st.caption(f"Marked by {escape_markdown(item['Assessor'])}. Why sampled: {escape_markdown(item['Why sampled'])}.")
st.dataframe(blank_missing(unit_results(db, user, item_id)), hide_index=True, key="sampling_units",
             column_config={"Feedback": st.column_config.TextColumn(width="large")})
item_files(db, file_store(), user, item_id, key="sampling")
agree_col, note_col, back_col = st.columns([1.2, 4, 1.4], vertical_alignment="bottom")
note = note_col.text_input("Note for the assessor", key="sampling_note", max_chars=NOTE_MAX)
if agree_col.button("Agree", key="sampling_agree", type="primary", icon=":material/check:"):
    run_action(lambda: agree(db, user, item_id), "sampling_notice", f"Agreed: item {item_id} is ready for release.",
               ticks="sampling_table")
if back_col.button("Send back", key="sampling_send_back", icon=":material/undo:"):
    run_action(lambda: send_back(db, user, item_id, note), "sampling_notice",
               f"Item {item_id} went back to its assessor with your note.", ticks="sampling_table")
