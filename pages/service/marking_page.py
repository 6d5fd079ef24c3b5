"""My marking queue: items allocated to me; for each unit a result, a mark, feedback and the marked result sheet."""

import pandas as pd
import streamlit as st

from lib.errors import Refused
from lib.rules.text import NOTE_MAX
from lib.service.malpractice import flag_while_marking
from lib.service.marking import RESULTS, mark_unit, my_queue
from lib.store.scope import NotFound
from lib.ui.item_files import item_files
from lib.ui.page import file_store, page_setup, run_action, show_notice
from lib.ui.tables import clear_ticks, work_queue
from lib.ui.text import escape_markdown
from lib.ui.upload_form import as_uploads, forget_widgets

db, user = page_setup()
store = file_store()
st.title("My marking queue")
show_notice("marking_notice")
queue = my_queue(db, user)
ticked = work_queue(queue, "marking_table", "Nothing is allocated to you for marking.",
                    "Items allocated to you, the nearest SLA target first; SLA flags the breached and at-risk ones. "
                    "Tick one to mark it.", counted="allocated to you")
if not ticked:
    st.stop()
item = ticked[0]
NOTE_COLUMN = "Lead assessor's note"
item_id = int(item["ID"])
st.subheader(f"Item {item_id}: {escape_markdown(item['Learner'])}, {escape_markdown(item['Unit(s)'])}")
st.caption(f"Centre {escape_markdown(item['Centre'])} {escape_markdown(item['Centre name'])} · {item['Category']}")
if pd.notna(item["Lead assessor's note"]) and item["Lead assessor's note"]:
    st.warning(f"Sent back by the lead assessor: {escape_markdown(item[NOTE_COLUMN])}",
               icon=":material/undo:")
item_files(db, store, user, item_id, key="marking")
with st.expander("Suspected plagiarism or malpractice?", icon=":material/report:"):
    st.caption("Flagging opens a case for the quality team with your concern and the evidence. The item is held: "
               "it is not released until quality closes the case. The centre reads only that it is under review.")
    concern = st.text_area("What you found (sources matched, passages, why)", key=f"marking_concern_{item_id}",
                           max_chars=NOTE_MAX)
    if st.button("Flag for quality", key="marking_flag", icon=":material/flag:"):
        run_action(lambda: flag_while_marking(db, user, item_id, concern), "marking_notice",
                   f"Item {item_id} is flagged: quality has a case on it, and it is held until the case closes.")
for unit in item["Unit(s)"].split(", "):
    with st.form(f"marking_form_{item_id}_{unit}", clear_on_submit=False, border=True):
        st.markdown(f"**Unit {unit}**")
        result_col, mark_col = st.columns(2)
        result = result_col.radio("Result", RESULTS, horizontal=True, index=None, key=f"marking_result_{unit}")
        mark = mark_col.number_input("Mark (0-100)", min_value=0, max_value=100, value=None, step=1,
                                     key=f"marking_mark_{unit}")
        feedback = st.text_area("Feedback", key=f"marking_feedback_{unit}", max_chars=NOTE_MAX)
        sheet = st.file_uploader("Marked result sheet (Word .docx)", key=f"marking_sheet_{unit}")
        if st.form_submit_button("Save unit", type="primary", key=f"marking_save_{unit}"):
            uploads = as_uploads(sheet)
            try:
                stage = mark_unit(db, store, user, item_id, unit, result, mark, feedback,
                                  uploads[0] if uploads else None)
            except (Refused, NotFound) as refused:
                st.error(escape_markdown(refused), icon=":material/error:")
            else:
                forget_widgets(f"marking_result_{unit}")
                done = {"allocated": f"Unit {unit} saved; mark the other units to finish the item.",
                        "sampling": f"Item {item_id} is marked and goes to the lead assessor for sampling.",
                        "ready": f"Item {item_id} is marked and ready for release."}[stage]
                if stage != "allocated":
                    clear_ticks("marking_table")
                st.session_state["marking_notice"] = done
                st.rerun()
