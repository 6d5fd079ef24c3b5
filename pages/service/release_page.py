"""Release: send the results of ready items to their centres, one by one or together."""

from dataclasses import replace

import streamlit as st

from lib.service.queues import QueuePage
from lib.service.release import releasable, release, release_queue
from lib.ui.confirm import ask_first
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.tables import work_queue

db, user = page_setup()
st.title("Release")
show_notice("release_notice")
every_id = releasable(db, user)  # held items wait for their malpractice case or re-mapping


def with_hold_beside_the_id(page: QueuePage) -> QueuePage:
    """The Hold column only when an item of the queue is held, and then where it is seen: beside the ID."""
    rows = page.rows
    rows = rows[["ID", "Hold", *rows.columns.drop(["ID", "Hold"])]] if page.tallies["held"] else rows.drop(
        columns=["Hold"])
    return replace(page, rows=rows)


# The release buttons head the page (drawn into their slot once the ticks are known): on the first screen
# however long the queue.
actions_slot = st.container()
ticked = work_queue(lambda view: with_hold_beside_the_id(release_queue(db, user, view)), "release_table",
                    "No results are ready to release.",
                    "Marked (and, where sampled, agreed) items, the nearest SLA target first; SLA flags the breached "
                    "and at-risk ones. Released results appear on the centre's Tracker as Completed or Referred, with "
                    "the marked result sheets, and the SLA Target shows the release date. An item held for a "
                    "malpractice case, or for the re-mapping of an HEI programme, waits until quality ends the hold.",
                    single=False, counted="ready to release")
chosen = [int(record["ID"]) for record in ticked]


def released_notice(ids: list[int]) -> str:
    """What was released, by item: the IDs (the first twenty, then how many more)."""
    named = ", ".join(str(i) for i in sorted(ids)[:20]) + (f" and {len(ids) - 20:,} more" if len(ids) > 20 else "")
    return f"Released {len(ids):,} result(s) to their centres: item(s) {named}."


selected_col, all_col, _ = actions_slot.columns([1.5, 1.5, 4])
if selected_col.button(f"Release {len(chosen):,} selected", key="release_selected", disabled=not chosen,
                       type="primary"):
    run_action(lambda: release(db, user, chosen), "release_notice", released_notice(chosen), ticks="release_table")
confirmed = None
if every_id:
    confirmed = ask_first(f"Release all {len(every_id):,}", "release_all",
                          f"Release all {len(every_id):,} results ready now to their centres? Centres see them at "
                          "once, and a release cannot be undone.", f"Yes, release {len(every_id):,}", every_id,
                          where=all_col)
else:
    all_col.caption("Every ready item is held: none can be released yet.")
if confirmed:
    run_action(lambda: release(db, user, confirmed), "release_notice", released_notice(confirmed),
               ticks="release_table")
