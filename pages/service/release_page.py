"""Release: send the results of ready items to their centres, one by one or together."""

import streamlit as st

from lib.service.release import release, release_queue
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.tables import work_queue

db, user = page_setup()
st.title("Release")
show_notice("release_notice")
queue = release_queue(db, user)
ticked = work_queue(queue, "release_table", "No results are ready to release.",
                    "Marked (and, where sampled, agreed) items. Released results appear on the centre's Tracker as "
                    "Completed or Referred, with the marked result sheets, and the SLA Target shows the release date.",
                    single=False)
chosen = [int(record["ID"]) for record in ticked]
selected_col, all_col, _ = st.columns([1.5, 1.5, 4])
for label, ids, key in (("Release selected", chosen, "release_selected"),
                        (f"Release all {len(queue):,}", [int(i) for i in queue.ID], "release_all")):
    column = selected_col if key == "release_selected" else all_col
    if column.button(label, key=key, disabled=not ids, type="primary" if key == "release_selected" else "secondary"):
        run_action(lambda chosen_ids=ids: release(db, user, chosen_ids), "release_notice",
                   f"Released {len(set(ids)):,} result(s) to their centres.", ticks="release_table")
