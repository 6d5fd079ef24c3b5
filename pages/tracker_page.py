"""Tracker: every submitted assessment the signed-in user may see, newest first."""

import streamlit as st

from lib.navigation import title_for
from lib.tracker import tracker_page
from lib.ui.page import page_setup
from lib.ui.pager import page_window, pager
from lib.ui.tracker_table import tracker_table

db, user = page_setup()
st.title(title_for(user.role, "pages/tracker_page.py"))

offset, limit = page_window("tracker")
page = tracker_page(db, user, offset=offset, limit=limit)
if page.total == 0:
    st.info("There are no submissions to show yet. Assessments appear here once they are submitted.",
            icon=":material/inbox:")
else:
    st.caption("Submitted rows are blue and Rejected rows red. The SLA Target is 25 working days after "
               "submission, and shows the release date once results are issued.")
    tracker_table(page.rows, show_centre=not user.is_centre, key="tracker_table")
    pager("tracker", page.total)
