"""Quality check: submitted items oldest first; open one, see its files, accept it or reject it with a reason."""

import streamlit as st

from lib.rules.text import NOTE_MAX
from lib.service.quality_check import accept, qc_queue, reject, word_excess
from lib.ui.copied_work import copied_work_panel
from lib.ui.item_files import item_files
from lib.ui.page import file_store, page_setup, run_action, show_notice
from lib.ui.tables import work_queue
from lib.ui.text import escape_markdown

db, user = page_setup()
st.title("Quality check")
show_notice("qc_notice")
ticked = work_queue(lambda view: qc_queue(db, user, view), "qc_table", "Nothing is waiting for a quality check.",
                    lambda page: f"Oldest first; {page.tallies['overdue']:,} past the 5-working-day quality check.",
                    ("Submitted", "QC due", "SLA Target"), counted="waiting for a quality check", compact_when_ticked=True)
if not ticked:
    st.caption("Tick an item to open it.")
    st.stop()
item = ticked[0]
item_id = int(item["ID"])
st.subheader(f"Item {item_id}: {escape_markdown(item['Learner'])}, {escape_markdown(item['Unit(s)'])}")
st.caption(f"Centre {escape_markdown(item['Centre'])} {escape_markdown(item['Centre name'])} · ENR "
           f"{escape_markdown(item['ENR'])}")
copied_work_panel(db, file_store(), user, item_id, key="qc_copied", open_case=(
    "Reject and open a malpractice case with this match",
    lambda concern: reject(db, user, item_id, concern, malpractice=True), "qc_notice",
    f"Rejected item {item_id} and opened a malpractice case for quality with the match; the centre reads that it "
    "is under review."))
excess = word_excess(db, user, item_id)
agree_fee = False
if excess is not None:
    st.warning(f"The evidence is {excess.words:,} words against its units' guidance of {excess.guidance:,}. Word "
               "counts are guidance: accept it with the excess fee agreed, or reject it for a concise re-submission "
               "at no cost.", icon=":material/notes:")
    agree_col, concise_col = st.columns([3, 2], vertical_alignment="center")
    agree_fee = agree_col.checkbox(f"Agree the excess fee: {excess.blocks} × 10,000 words, billed with this week's "
                                   "invoices", key=f"qc_agree_fee_{item_id}")
    if concise_col.button("Reject for a concise re-submission", key=f"qc_concise_{item_id}", icon=":material/compress:"):
        run_action(lambda: reject(db, user, item_id, excess.concise_reason()), "qc_notice",
                   f"Rejected item {item_id} for a concise re-submission at no cost; the centre sees why on its "
                   "Tracker.", ticks="qc_table")
accept_col, reason_col, reject_col = st.columns([1.2, 4, 1.2], vertical_alignment="bottom")
reason = reason_col.text_input("Reason for rejection (the centre reads this)", key="qc_reason", max_chars=NOTE_MAX)
suspected = st.checkbox("Suspected plagiarism or malpractice: open a case for quality with what I found (the "
                        "centre reads only that the item is under review and a separate report will follow)",
                        key="qc_malpractice")
if accept_col.button("Accept", key="qc_accept", type="primary", icon=":material/check:",
                     disabled=excess is not None and not agree_fee):
    run_action(lambda: accept(db, user, item_id, agree_excess_fee=agree_fee), "qc_notice",
               f"Accepted item {item_id}: it is ready for allocation"
               + (f"; the excess fee ({excess.blocks} × 10,000 words) is agreed and will be invoiced." if agree_fee
                  else "."), ticks="qc_table")
if reject_col.button("Reject", key="qc_reject", icon=":material/block:"):
    run_action(lambda: reject(db, user, item_id, reason, malpractice=suspected), "qc_notice",
               f"Rejected item {item_id} and opened a malpractice case for quality; the centre reads that it is "
               "under review." if suspected else f"Rejected item {item_id}; the centre sees the reason on its Tracker.",
               ticks="qc_table")
# The decision first, on the first screen with the item ticked; its files (each to open or download) under it.
item_files(db, file_store(), user, item_id, key="qc")
