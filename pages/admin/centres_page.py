"""Centres: approve a centre and its qualifications, record its UKPRN, block it with a reason and unblock it; its history."""

import pandas as pd
import streamlit as st

from lib.admin.audit import history
from lib.admin.centres import block_centre, centres, create_centre, set_approval, set_ukprn, unblock_centre
from lib.rules.reference_data import QUALIFICATIONS
from lib.rules.text import NOTE_MAX
from lib.ui.frame_grid import frame_grid
from lib.ui.grid import sort_by_heading
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.pager import pager
from lib.ui.tables import blank_missing, selectable_table
from lib.ui.text import escape_markdown

NOTICE = "centres_notice"
db, user = page_setup()
st.title("Centres")
show_notice(NOTICE)

with st.expander("Approve a new centre", icon=":material/add_business:"), st.form("centre_new", clear_on_submit=False):
    number_col, name_col = st.columns([1, 3])
    number = number_col.text_input("Centre number (6 digits)", key="centre_new_number", max_chars=6)
    name = name_col.text_input("Centre name", key="centre_new_name", max_chars=120)
    contact_col, email_col = st.columns(2)
    contact = contact_col.text_input("Quality contact (approves the centre's portal accounts)",
                                     key="centre_new_contact", max_chars=100)
    email = email_col.text_input("Quality contact's email", key="centre_new_email", max_chars=200)
    hei = st.checkbox("A university (HEI) with mapped programmes", key="centre_new_hei")
    if st.form_submit_button("Approve centre", type="primary", key="centre_new_submit"):
        run_action(lambda: create_centre(db, user, number, name, contact, email, hei), NOTICE,
                   f"Centre {number} {name} is approved: add its qualifications below, then its accounts.")

listing = centres(db, user)
st.caption("Tick a centre to change its qualifications or UKPRN, block or unblock it, and see its history. Click a "
           "column heading to sort the whole list by it.")
found = frame_grid(listing, "centres", choices={"Status": ("active", "blocked")})
ticked = selectable_table(found.rows, key="centres_table", id_column="Centre", single=True,
                          every_key=found.every_key, on_heading=sort_by_heading("centres"),
                          shown=blank_missing(found.shown))
pager("centres", found.total)
if not ticked:
    st.stop()
centre = ticked[0]
number = centre["Centre"]
st.subheader(f"{number} {escape_markdown(centre['Name'])}")
if centre["Status"] == "blocked":
    st.error(f"Blocked: {escape_markdown(centre['Blocked because'])}", icon=":material/block:")

approvals_tab, funding_tab, status_tab, history_tab = st.tabs(["Qualifications", "UKPRN", "Block or unblock",
                                                                "History"])
with approvals_tab:
    listed = centre["Approved for"] if isinstance(centre["Approved for"], str) else ""
    approved = {part.split(" ")[0]: "(integrated)" in part for part in listed.split(", ") if part}
    for code, title, level, _ in QUALIFICATIONS:
        label_col, approve_col, integrated_col, save_col = st.columns([4, 1.3, 1.8, 1], vertical_alignment="center")
        label_col.markdown(f"**{code}** {escape_markdown(title)} (level {level})")
        is_approved = approve_col.checkbox("Approved", value=code in approved, key=f"approval_{number}_{code}")
        is_integrated = integrated_col.checkbox("Integrated Assessment", value=approved.get(code, False),
                                                key=f"integrated_{number}_{code}", disabled=not is_approved)
        if (is_approved, is_integrated and is_approved) != (code in approved, approved.get(code, False)) and \
                save_col.button("Save", key=f"approval_save_{number}_{code}", type="primary"):
            run_action(lambda c=code, a=is_approved, i=is_integrated: set_approval(db, user, number, c, a, i), NOTICE,
                       f"Centre {number}: {code} {'approved' if is_approved else 'no longer approved'}"
                       + (" with Integrated Assessment." if is_approved and is_integrated else "."))
with funding_tab, st.form(f"centre_ukprn_{number}"):
    ukprn = st.text_input("UKPRN (8 digits; the centre's funding return is filed under it)",
                          value=centre["UKPRN"] if isinstance(centre["UKPRN"], str) else "", max_chars=8,
                          key=f"centre_ukprn_value_{number}")
    if st.form_submit_button("Save UKPRN", type="primary", key=f"centre_ukprn_save_{number}"):
        run_action(lambda: set_ukprn(db, user, number, ukprn), NOTICE,
                   f"Centre {number}: UKPRN {ukprn.strip()} recorded." if ukprn.strip() else
                   f"Centre {number}: UKPRN cleared.")
with status_tab, st.form(f"centre_status_{number}", clear_on_submit=True):
    if centre["Status"] == "blocked":
        note = st.text_input("Why it is unblocked (for the history)", key=f"centre_unblock_note_{number}",
                             max_chars=NOTE_MAX)
        if st.form_submit_button("Unblock", type="primary", key=f"centre_unblock_{number}"):
            run_action(lambda: unblock_centre(db, user, number, note), NOTICE, f"Centre {number} is unblocked.")
    else:
        reason = st.text_input("Reason (its users are told this when they are refused)",
                               key=f"centre_block_reason_{number}", placeholder="e.g. invoice 1234 unpaid",
                               max_chars=300)
        if st.form_submit_button("Block", key=f"centre_block_{number}"):
            run_action(lambda: block_centre(db, user, number, reason), NOTICE,
                       f"Centre {number} is blocked; its users' sessions have ended.")
with history_tab:
    changes = history(db, user, "centre", number)
    if changes.empty:
        st.caption("No changes recorded for this centre yet.")
    else:
        changes["When"] = pd.to_datetime(changes["When"]).dt.strftime("%d/%m/%Y %H:%M")
        st.dataframe(blank_missing(changes), hide_index=True, key=f"centre_history_{number}", width="stretch")
