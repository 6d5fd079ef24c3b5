"""My marking queue: items allocated to me; for each unit a result, a mark, feedback and the marked result sheet,
with the evidence in the page and the unit's criteria and guidance beside the form."""

import pandas as pd
import streamlit as st

from lib.demo.files import marked_sheet
from lib.errors import Refused
from lib.rules.text import NOTE_MAX
from lib.service.malpractice import flag_while_marking
from lib.service.marking import RESULTS, mark_unit, marking_guide, my_queue
from lib.service.queues import QueueView
from lib.store.scope import NotFound
from lib.ui.context import app_context
from lib.ui.copied_work import copied_work_panel
from lib.ui.evidence_viewer import evidence_viewer
from lib.ui.item_files import item_files
from lib.ui.page import file_store, page_setup, run_action, show_notice
from lib.ui.tables import clear_ticks, tick_only, work_queue
from lib.ui.text import escape_markdown
from lib.ui.upload_form import as_uploads, forget_widgets

db, user = page_setup()
store = file_store()
st.title("My marking queue")
show_notice("marking_notice")
ticked = work_queue(lambda view: my_queue(db, user, view), "marking_table", "Nothing is allocated to you for marking.",
                    "Items allocated to you, the nearest SLA target first; SLA flags the breached and at-risk ones. "
                    "Tick one to mark it.", counted="allocated to you", compact_when_ticked=True)
if not ticked:
    st.stop()
item = ticked[0]
NOTE_COLUMN = "Lead assessor's note"
item_id = int(item["ID"])


def open_next() -> str:
    """Tick the queue's next item (the nearest SLA target) for Save and next; what the notice says of it."""
    rest = my_queue(db, user, QueueView(limit=2)).rows
    rest = rest[rest["ID"] != item_id]
    if rest.empty:
        clear_ticks("marking_table")
        return " Your queue is empty."
    following = rest.iloc[0].to_dict()
    tick_only("marking_table", following)
    return f" Item {int(following['ID'])} is open."


st.subheader(f"Item {item_id}: {escape_markdown(item['Learner'])}, {escape_markdown(item['Unit(s)'])}")
if pd.notna(item[NOTE_COLUMN]) and item[NOTE_COLUMN]:
    st.warning(f"Sent back by the lead assessor: {escape_markdown(item[NOTE_COLUMN])}", icon=":material/undo:")
matches_slot = st.container()
evidence_col, form_col = st.columns([3, 2], gap="medium")
# The item's details head the evidence column: the form beside it starts right under the title, on the first
# screen at 1280x720.
evidence_col.caption(f"Centre {escape_markdown(item['Centre'])} {escape_markdown(item['Centre name'])} · "
                     f"{item['Category']} · SLA target {pd.Timestamp(item['SLA Target']):%d/%m/%Y}")
with matches_slot:
    copied_work_panel(db, store, user, item_id, key="marking_copied", open_case=(
        "Flag for malpractice with this match", lambda concern: flag_while_marking(db, user, item_id, concern),
        "marking_notice", f"Item {item_id} is flagged with the match: quality has a case on it, and it is held until "
        "the case closes."), quiet_in=evidence_col)
with evidence_col:
    evidence_viewer(db, store, user, item_id, key="marking")
    with st.expander("The item's files (downloads)", icon=":material/attach_file:"):
        item_files(db, store, user, item_id, key="marking")
guides = marking_guide(db, user, item_id)
unsaved = [guide.code for guide in guides if guide.result is None]
with form_col:
    for guide in guides:
        with st.container(border=True, key=f"marking_unit_{guide.code}"):
            saved = f" · saved: {guide.result}, mark {guide.mark}" if guide.result else ""
            st.markdown(f"**{escape_markdown(guide.code)} {escape_markdown(guide.name)}** "
                        f"({guide.credits} credits){saved}")
            last_to_save = unsaved in ([guide.code], [])
            with st.form(f"marking_form_{item_id}_{guide.code}", clear_on_submit=False, border=False):
                unit = guide.code
                result_col, mark_col = st.columns(2)
                result = result_col.radio("Result", RESULTS, horizontal=True, key=f"marking_result_{item_id}_{unit}",
                                          index=RESULTS.index(guide.result) if guide.result in RESULTS else None)
                mark = mark_col.number_input("Mark (0-100)", min_value=0, max_value=100, step=1,
                                             value=guide.mark, key=f"marking_mark_{item_id}_{unit}")
                feedback = st.text_area("Feedback against each criterion", key=f"marking_feedback_{item_id}_{unit}",
                                        max_chars=NOTE_MAX, value=guide.feedback or "", height=140)
                sheet = st.file_uploader("Marked result sheet (Word .docx)", key=f"marking_sheet_{item_id}_{unit}")
                label = "Save and next" if last_to_save else "Save unit"
                if st.form_submit_button(label, type="primary", key=f"marking_save_{unit}",
                                         icon=":material/skip_next:" if last_to_save else ":material/save:"):
                    uploads = as_uploads(sheet)
                    try:
                        stage = mark_unit(db, store, user, item_id, unit, result, mark, feedback,
                                          uploads[0] if uploads else None)
                    except (Refused, NotFound) as refused:
                        st.error(escape_markdown(refused), icon=":material/error:")
                    else:
                        forget_widgets(f"marking_result_{item_id}_{unit}")
                        done = {"allocated": f"Unit {unit} saved; mark the other units to finish the item.",
                                "sampling": f"Item {item_id} is marked and goes to the lead assessor for sampling.",
                                "ready": f"Item {item_id} is marked and ready for release."}[stage]
                        if stage != "allocated":
                            done += open_next()
                        st.session_state["marking_notice"] = done
                        st.rerun()
            if app_context().is_demo:
                # A demo walk-through has no marked sheet at hand: one filled in for this learner and unit.
                st.download_button(
                    "Demo: a marked result sheet to upload", key=f"marking_demo_sheet_{unit}", on_click="ignore",
                    data=lambda unit=unit: marked_sheet(item["Learner"], "", unit, "Pass", 60,
                                                        "Demo feedback: every criterion met.", user.name),
                    file_name=f"Marked result sheet {item_id} {unit}.docx", icon=":material/download:",
                    type="tertiary")
            with st.expander("Criteria and guidance", expanded=len(guides) == 1, icon=":material/checklist:"):
                if guide.criteria:
                    st.markdown("\n".join(f"- **{ref}** {escape_markdown(text)}" for ref, text in guide.criteria))
                else:
                    st.caption("No criteria are recorded for this unit: mark it against its specification.")
                for point in guide.guidance:
                    st.caption(escape_markdown(point))
                if guide.last_time:
                    st.caption(f"Last time: {escape_markdown(guide.last_time)}")
    with st.expander("Suspected plagiarism or malpractice?", icon=":material/report:"):
        st.caption("Flagging opens a case for the quality team with your concern and the evidence. The item is "
                   "held: it is not released until quality closes the case. The centre reads only that it is "
                   "under review.")
        concern = st.text_area("What you found (sources matched, passages, why)", key=f"marking_concern_{item_id}",
                               max_chars=NOTE_MAX)
        if st.button("Flag for quality", key="marking_flag", icon=":material/flag:"):
            run_action(lambda: flag_while_marking(db, user, item_id, concern), "marking_notice",
                       f"Item {item_id} is flagged: quality has a case on it, and it is held until the case closes.")
