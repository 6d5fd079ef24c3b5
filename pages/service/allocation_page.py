"""Allocation: accepted items to assessors, by hand or automatically, and the conflict-of-interest register."""

import streamlit as st

from lib.errors import Refused
from lib.rules.text import NOTE_MAX
from lib.service.allocation import (
    allocate,
    allocation_queue,
    assessor_workload,
    auto_allocate,
    awaiting_allocation,
    centre_choices,
    conflicted_work,
    conflicts,
    reallocate_conflicted,
    record_conflict,
)
from lib.store.scope import NotFound
from lib.ui.confirm import ask_first
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.tables import blank_missing, work_queue
from lib.ui.text import escape_markdown

db, user = page_setup()
st.title("Allocation")
show_notice("allocation_notice")

workload = assessor_workload(db, user)
names = dict(zip(workload.id, workload.Assessor))
if "item" in st.query_params:  # a link from the SLA dashboard may name an item already with an assessor
    st.session_state["allocation_reallocate"] = True
reallocating = st.toggle("Show items already with an assessor, to reallocate them", key="allocation_reallocate")
awaiting = awaiting_allocation(db, user)
left, right = st.columns([3, 1], vertical_alignment="bottom")
left.caption("Automatic allocation takes the nearest SLA target first and gives each item to the assessor with the "
             "least open work who has no conflict with its centre.")
confirmed = ask_first("Allocate automatically", "allocation_auto",
                      f"Allocate all {len(awaiting):,} items awaiting allocation to assessors automatically?",
                      f"Yes, allocate {len(awaiting):,}", awaiting, disabled=not awaiting, primary=True,
                      icon=":material/auto_mode:", where=right)
if confirmed:
    run_action(lambda: auto_allocate(db, user, item_ids=confirmed), "allocation_notice",
               lambda chosen: f"Allocated {len(chosen):,} item(s) automatically.", ticks="allocation_table")

conflicted = conflicted_work(db, user)
if conflicted:
    flag_col, move_col = st.columns([3, 1], vertical_alignment="center")
    flag_col.warning(f"{len(conflicted):,} open item(s) are with an assessor who has a conflict of interest with their "
                     f"centre: {', '.join(map(str, conflicted[:20]))}{'…' if len(conflicted) > 20 else ''}. Show "
                     "the items already with an assessor to see them flagged.", icon=":material/warning:")
    if move_col.button("Reallocate them", key="allocation_conflicted", type="primary", icon=":material/swap_horiz:"):
        run_action(lambda: reallocate_conflicted(db, user), "allocation_notice",
                   lambda moved: f"Reallocated {len(moved):,} item(s) away from a conflict of interest: "
                                 + ", ".join(f"{item} to {names.get(a, a)}" for item, a in moved.items()) + ".",
                   ticks="allocation_table")

# A ticked item's assessor is chosen above the queue (drawn there once the tick is known), on the first screen.
manual_slot = st.container()
ticked = work_queue(lambda view: allocation_queue(db, user, reallocating, view), "allocation_table",
                    "Nothing is waiting for allocation.",
                    "The nearest SLA target first. Tick an item to choose its assessor.",
                    counted="awaiting allocation or with an assessor" if reallocating else "awaiting allocation",
                    stop=False)
if ticked:
    item_id = int(ticked[0]["ID"])
    pick, go = manual_slot.columns([3, 1], vertical_alignment="bottom")
    assessor = pick.selectbox(f"Assessor for item {item_id}", list(names), key="allocation_assessor",
                              format_func=lambda a: f"{names[a]} ({int(workload.set_index('id').loc[a, 'Open items'])} open)")
    if go.button("Reallocate" if ticked[0]["Stage"] != "Awaiting allocation" else "Allocate", key="allocation_manual"):
        run_action(lambda: allocate(db, user, item_id, assessor), "allocation_notice",
                   f"Item {item_id} allocated to {names[assessor]}.", ticks="allocation_table")

st.subheader("Assessors' open work")
st.dataframe(workload.drop(columns=["id"]), hide_index=True, key="allocation_workload")

st.subheader("Conflict-of-interest register")
register = conflicts(db, user)
if register.empty:
    st.caption("No conflicts of interest recorded.")
else:
    st.dataframe(blank_missing(register.drop(columns=["assessor_id", "centre_id"]), ("Recorded",)), hide_index=True,
                 key="allocation_conflicts")
centres = centre_choices(db, user)
with st.form("allocation_conflict_form", clear_on_submit=True):
    st.markdown("**Record a conflict of interest**")
    who_col, where_col = st.columns(2)
    who = who_col.selectbox("Assessor", list(names), format_func=names.get, key="allocation_conflict_assessor")
    where = where_col.selectbox("Centre", list(centres.id), key="allocation_conflict_centre",
                                format_func=dict(zip(centres.id, centres.number + " " + centres.name)).get)
    reason = st.text_input("Reason", key="allocation_conflict_reason", max_chars=NOTE_MAX)
    if st.form_submit_button("Record", key="allocation_conflict_record"):
        try:
            touched = record_conflict(db, user, who, where, reason)
        except (Refused, NotFound) as refused:
            st.error(escape_markdown(refused))
        else:
            st.session_state["allocation_notice"] = "Conflict of interest recorded." + (
                f" {len(touched):,} of the centre's open items are with {names[who]}: reallocate them above."
                if touched else "")
            st.rerun()
