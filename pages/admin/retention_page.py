"""Retention: items released or rejected more than 3 years ago (a setting) go to the archive; search it and
restore an item."""

from datetime import datetime

import streamlit as st

from lib.admin.retention import archive, cutoff_for, preview, restore, search_archive
from lib.config import load_settings
from lib.ui.confirm import ask_first
from lib.ui.page import file_store, page_setup, run_action, show_notice
from lib.ui.tables import blank_missing, selectable_table

NOTICE = "retention_notice"
db, user = page_setup()
store = file_store()
root = load_settings().archive_dir
st.title("Retention")
show_notice(NOTICE)
cutoff = cutoff_for(db)
st.caption(f"Items released or rejected before {cutoff:%d/%m/%Y} are due: their rows go to Parquet files with a "
           "manifest of row counts and SHA-256 sums, and their files move to the archive folder. Invoices stay for "
           "their own period. The same runs nightly with `python -m lib archive --apply`.")
due = preview(db, user, cutoff)
if due.empty:
    st.info("Nothing is due for the archive.", icon=":material/inventory_2:")
else:
    st.dataframe(blank_missing(due), hide_index=True, key="retention_due", width="stretch")
    total = int(due.Items.sum())
    confirmed = ask_first(f"Archive {total:,} item(s)", "retention_run",
                          f"Archive {total:,} item(s) released or rejected before {cutoff:%d/%m/%Y}? Their rows and "
                          "files leave the live service for the archive; an item can be restored one at a time "
                          "from the search below.", f"Yes, archive {total:,}", [total], primary=True,
                          icon=":material/archive:")
    if confirmed:
        run_action(lambda: archive(db, user, store, root, before=cutoff), NOTICE,
                   f"Archived {total:,} item(s) released or rejected before {cutoff:%d/%m/%Y}.")

st.subheader("Search the archive")
centre_col, learner_col, enr_col, id_col = st.columns(4)
centre = centre_col.text_input("Centre number", key="archive_centre", max_chars=6)
learner = learner_col.text_input("Learner name contains", key="archive_learner", max_chars=100)
enr = enr_col.text_input("ENR", key="archive_enr", max_chars=12)
item_text = id_col.text_input("Item ID", key="archive_item", max_chars=12)
item_id = int(item_text) if item_text.strip().isdigit() else None
if item_text.strip() and item_id is None:
    st.error("An item ID is a whole number, as on the Tracker (for example 6004).", icon=":material/error:")
    st.stop()
if not any((centre.strip(), learner.strip(), enr.strip(), item_id)):
    st.caption("Search by centre, learner, ENR or item ID.")
    st.stop()
found = search_archive(db, user, root, centre.strip(), learner.strip(), enr.strip(), item_id)
if found.empty:
    st.info("No archived item matches.", icon=":material/search_off:")
    st.stop()
ticked = selectable_table(found, key="archive_table", single=True, complete=True,
                          shown=blank_missing(found.drop(columns=["Folder"]), ("Released", "Rejected")))
if ticked and st.button(f"Restore item {int(ticked[0]['ID'])}", key="archive_restore", icon=":material/unarchive:"):
    run_action(lambda: restore(db, user, store, root, int(ticked[0]["ID"])), NOTICE,
               f"Item {int(ticked[0]['ID'])} is restored with its files, as it was {datetime.now():%d/%m/%Y}.",
               ticks="archive_table")
