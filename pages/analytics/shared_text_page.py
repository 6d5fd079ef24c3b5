"""Shared text: clusters of learners whose evidence shares passages, by centre and month, with the share and the
longest passage, exportable; nothing is decided here (a case is opened from quality check or marking)."""

from datetime import date, timedelta

import streamlit as st

from lib.service.copied_work import threshold
from lib.ui.analytics_table import analytics_table
from lib.ui.copied_work import shared_text_clusters_counted
from lib.ui.page import file_store, page_setup
from lib.ui.text import escape_markdown

db, user = page_setup()
st.title("Shared text")
st.caption(f"Evidence submitted in the period, compared with every other item's evidence still kept: learners whose "
           f"evidence shares {threshold(db):.0%} or more of its text (of the shorter text) are in one cluster. A "
           "learner's own submissions are left out: a re-submission is expected to share its earlier text.")
start_col, end_col = st.columns([1, 1])
start = start_col.date_input("Submitted from", date.today() - timedelta(days=90), key="shared_text_from",
                             format="DD/MM/YYYY")
end = end_col.date_input("To", date.today(), key="shared_text_to", format="DD/MM/YYYY")
if start > end:
    st.error("'Submitted from' must be on or before 'To'.")
    st.stop()
clusters = shared_text_clusters_counted(db, file_store(), user, user.role, start, end)
if clusters.empty:
    st.info("No evidence submitted in this period shares text with another learner's at or above the threshold.",
            icon=":material/check_circle:")
    st.stop()
first, second, third = st.columns(3)
first.metric("Clusters", f"{clusters.Cluster.nunique():,}", border=True)
second.metric("Learners", f"{clusters.Learner.nunique():,}", border=True)
third.metric("Centres", f"{clusters.Centre.nunique():,}", border=True)
ticked = analytics_table(clusters, "shared_text", "Shared text", drill=True, date_columns=("Submitted",),
                         drill_key="Item")
if ticked is not None:
    st.subheader(f"Item {int(ticked['Item'])} and item {int(ticked['Shares with item'])}: "
                 f"{ticked['Share %']}% shared")
    st.caption("The longest passage they share (open either item in Quality check or marking to see every "
               "passage side by side):")
    st.text(ticked["Longest shared passage"])
    st.caption(escape_markdown(f"{ticked['Learner']} ({ticked['Centre']} {ticked['Centre name']}) and "
                               f"{ticked['Its learner']} ({ticked['Its centre']})"))
