"""Release: send the results of ready items to their centres, one by one or together."""

import streamlit as st

from lib.errors import Refused
from lib.release import release, release_queue
from lib.scope import NotFound
from lib.ui.page import page_setup, show_notice
from lib.ui.tables import blank_missing, selectable_table

db, user = page_setup()
st.title("Release")
show_notice("release_notice")
queue = release_queue(db, user)
if queue.empty:
    st.info("No results are ready to release.", icon=":material/inbox:")
    st.stop()
st.caption("Marked (and, where sampled, agreed) items. Released results appear on the centre's Tracker as Completed or "
           "Referred, with the marked result sheets, and the SLA Target shows the release date.")
ticked = selectable_table(blank_missing(queue.drop(columns=["centre_id"]), ("SLA Target",)), key="release_table")
chosen = [int(queue.ID.iloc[i]) for i in ticked]
selected_col, all_col, _ = st.columns([1.5, 1.5, 4])
for label, ids, key in (("Release selected", chosen, "release_selected"),
                        (f"Release all {len(queue):,}", [int(i) for i in queue.ID], "release_all")):
    column = selected_col if key == "release_selected" else all_col
    if column.button(label, key=key, disabled=not ids, type="primary" if key == "release_selected" else "secondary"):
        try:
            released = release(db, user, ids)
        except (Refused, NotFound) as refused:
            st.error(str(refused))
        else:
            st.session_state["release_notice"] = f"Released {released:,} result(s) to their centres."
            st.rerun()
