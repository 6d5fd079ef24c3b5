"""Quality check: submitted items oldest first; open one, see its files, accept it or reject it with a reason."""

import streamlit as st

from lib.rules.text import NOTE_MAX
from lib.service.quality_check import accept, qc_queue, reject
from lib.ui.item_files import item_files
from lib.ui.page import file_store, page_setup, run_action, show_notice
from lib.ui.tables import work_queue
from lib.ui.text import escape_markdown

db, user = page_setup()
st.title("Quality check")
show_notice("qc_notice")
queue = qc_queue(db, user)
ticked = work_queue(queue.assign(Overdue=queue.Overdue.map({True: "Overdue", False: ""})), "qc_table",
                    "Nothing is waiting for a quality check.",
                    f"Oldest first; {int(queue.Overdue.sum()) if len(queue) else 0:,} past the 5-working-day quality "
                    "check.", ("Submitted", "QC due", "SLA Target"), counted="waiting for a quality check")
if not ticked:
    st.caption("Tick an item to open it.")
    st.stop()
item = ticked[0]
item_id = int(item["ID"])
st.subheader(f"Item {item_id}: {escape_markdown(item['Learner'])}, {escape_markdown(item['Unit(s)'])}")
st.caption(f"Centre {escape_markdown(item['Centre'])} {escape_markdown(item['Centre name'])} · ENR "
           f"{escape_markdown(item['ENR'])}")
item_files(db, file_store(), user, item_id, key="qc")
accept_col, reason_col, reject_col = st.columns([1.2, 4, 1.2], vertical_alignment="bottom")
reason = reason_col.text_input("Reason for rejection (the centre reads this)", key="qc_reason", max_chars=NOTE_MAX)
suspected = st.checkbox("Suspected plagiarism or malpractice: open a case for quality with what I found (the "
                        "centre reads only that the item is under review and a separate report will follow)",
                        key="qc_malpractice")
if accept_col.button("Accept", key="qc_accept", type="primary", icon=":material/check:"):
    run_action(lambda: accept(db, user, item_id), "qc_notice", f"Accepted item {item_id}: it is ready for allocation.",
               ticks="qc_table")
if reject_col.button("Reject", key="qc_reject", icon=":material/block:"):
    run_action(lambda: reject(db, user, item_id, reason, malpractice=suspected), "qc_notice",
               f"Rejected item {item_id} and opened a malpractice case for quality; the centre reads that it is "
               "under review." if suspected else f"Rejected item {item_id}; the centre sees the reason on its Tracker.",
               ticks="qc_table")
