"""Pending Submission: check, edit and remove uploads, then submit them alone or as a named batch."""

import pandas as pd
import streamlit as st

from lib.centre.first_submissions import ADVICE, ADVISED_FIRST, many_first
from lib.centre.methods import agreed_units, terms_from
from lib.centre.submitting import submit
from lib.centre.uploads import (
    add_files,
    evidence_word_cap,
    evidence_zip,
    pending_items,
    qualification_units,
    remove_file,
    remove_pending,
    submission_files,
)
from lib.checks.accept import duration_label
from lib.errors import Refused
from lib.rules.naming import check_file_name
from lib.rules.text import batch_name_problem
from lib.store.scope import NotFound
from lib.ui.confirm import ask_first
from lib.ui.frame_grid import frame_grid
from lib.ui.grid import sort_by_heading
from lib.ui.page import file_store, page_setup, show_notice
from lib.ui.pager import pager
from lib.ui.stored_download import stored_file_button
from lib.ui.submitted import QUALITY_DECLARATION, open_tracker_on
from lib.ui.tables import blank_missing, clear_ticks, selectable_table
from lib.ui.text import escape_markdown
from lib.ui.upload_form import as_uploads, evidence_feedback, forget_widgets, renamed_uploads, result_sheet_feedback

PENDING_COLUMNS = ["ID", "ENR", "Learner", "Qual", "Qual. Name", "Registration Expiry", "Unit(s)", "Type", "Result Sheet",
                   "Submission"]
db, user = page_setup()
store = file_store()
st.title("Pending Submission")
show_notice("pending_notice")
show_notice("pending_warning", warning=True)

items = pending_items(db, user)
if items.empty:
    st.info("Nothing is waiting to be submitted. Upload assessments from Unit Assessment or Integrated Assessment.",
            icon=":material/inbox:")
    st.stop()

items["Result Sheet"] = ["No Result Sheet" if missing else "Uploaded" for missing in items.missing_sheets]
items["Submission"] = ["Re-submission" if pd.notna(r) else "First" for r in items.resubmits_id]
st.caption("Tick the items to submit or remove. Items marked No Result Sheet cannot be submitted until one is "
           "added: tick one item and use View / Edit. Click a column heading to sort the whole list by it.")
listing = frame_grid(items, "pending", labels=PENDING_COLUMNS,
                     choices={"Result Sheet": ("Uploaded", "No Result Sheet"), "Submission": ("First", "Re-submission"),
                              "Type": ("Unit", "Integrated")})
if listing.total == 0:
    st.info("No pending item matches these filters. Use Clear Filter to see them all.", icon=":material/search_off:")
actions_slot = st.container()
ticked = selectable_table(listing.rows, key="pending_table", every_key=listing.every_key,
                          shown=blank_missing(listing.shown[PENDING_COLUMNS], ("Registration Expiry",)),
                          on_heading=sort_by_heading("pending"),
                          column_config={"ID": st.column_config.NumberColumn(format="%d", width="small"),
                                         # Narrow: the result sheet and submission columns fit at 1280 px.
                                         "Qual. Name": st.column_config.TextColumn(width="small"),
                                         "Registration Expiry": st.column_config.TextColumn("Expiry", width="small"),
                                         "Type": st.column_config.TextColumn(width="small")})
pager("pending", listing.total)
selected_ids = [int(record["ID"]) for record in ticked]


CONFIRMING = "pending_confirming"
HELD_FILES = "pending_held_files"
RENAMES = "pending_held_renames"


def stop_confirming() -> None:
    st.session_state.pop(CONFIRMING, None)


@st.dialog("Confirm the quality of the submission", on_dismiss=stop_confirming)
def confirm(ids: list[int], batch_name: str | None) -> None:
    st.write(f"You are sending {len(ids)} assessment(s) to ILM"
             + (f" as batch **{escape_markdown(batch_name)}**." if batch_name else "."))
    confirmed = st.checkbox(QUALITY_DECLARATION, key="pending_quality_confirmed")
    many = many_first(db, user, ids)
    if many:
        units = ", ".join(f"{n} items of unit {unit}" for unit, n in many.items())
        st.warning(f"First submission of a unit: you are sending {units}. {ADVICE}", icon=":material/tips_and_updates:")
    many_confirmed = not many or st.checkbox(
        f"I want to send all of them now, more than the {ADVISED_FIRST} advised", key="pending_many_first")
    if st.button("OK", key="pending_confirm_ok", type="primary", disabled=not (confirmed and many_confirmed)):
        try:
            with st.spinner(f"Submitting {len(ids)} assessment(s)…", show_time=True):
                submitted = submit(db, user, ids, batch_name=batch_name, quality_confirmed=confirmed,
                                   many_first_confirmed=bool(many) and many_confirmed)
        except (Refused, NotFound) as refused:
            st.error(escape_markdown(refused), icon=":material/error:")
            return
        stop_confirming()
        clear_ticks("pending_table")
        open_tracker_on(submitted, batch_name)


# The actions sit above the list (drawn into their slot once the ticks are known), on the first screen.
with actions_slot:
    submit_col, batch_col, batch_name_col, remove_col = st.columns([1.1, 1.5, 2.2, 1.8], vertical_alignment="bottom")
    if submit_col.button("Submit", key="pending_submit", type="primary", disabled=not selected_ids):
        st.session_state[CONFIRMING] = (selected_ids, None)
    batch_name = batch_name_col.text_input("Batch name (3 to 20 characters)", key="pending_batch_name",
                                           placeholder="e.g. PO 2345678", max_chars=40)
    if batch_col.button("Submit as a Batch", key="pending_submit_batch", disabled=not selected_ids):
        problem = batch_name_problem(batch_name)
        if problem:
            batch_name_col.error(problem)
        else:
            st.session_state[CONFIRMING] = (selected_ids, batch_name.strip())
    if CONFIRMING in st.session_state:
        confirm(*st.session_state[CONFIRMING])
    to_remove = ask_first("Remove from Pending", "pending_remove",
                          f"Remove {len(selected_ids):,} item(s) from Pending, with their uploaded files? They are not "
                          "submitted, and you would need to upload them again.",
                          f"Yes, remove {len(selected_ids):,}", selected_ids, disabled=not selected_ids,
                          icon=":material/delete:", where=remove_col)
    if to_remove:
        try:
            with st.spinner(f"Removing {len(to_remove)} item(s)…"):
                removed = remove_pending(db, store, user, to_remove)
        except (Refused, NotFound) as refused:
            st.error(escape_markdown(refused))
        else:
            clear_ticks("pending_table")
            st.session_state["pending_notice"] = f"Removed {removed} item(s) from Pending."
            st.rerun()

if len(selected_ids) != 1:
    st.caption("Tick exactly one item to view its files or edit it.")
    st.stop()

item_id = selected_ids[0]
item = items[items.ID == item_id].iloc[0]
st.subheader(f"View / Edit item {item_id}")
st.markdown(f"Learner Name : **{escape_markdown(item.Learner)}**, Qualification : {escape_markdown(item.Qual)} - "
            f"{escape_markdown(item['Qual. Name'])}, Unit(s) : {escape_markdown(item['Unit(s)'])}")
listing = submission_files(db, user, item_id)
labels = {"evidence": "Evidence", "result_sheet": "Result Sheet", "declaration": "Declaration"}
units = item["Unit(s)"].split(", ")
limits = qualification_units(db, user, item.Qual).set_index("code").word_limit.reindex(units).dropna()
word_limit = int(limits.min()) if len(limits) else None
resubmission = pd.notna(item.resubmits_id)
for file in listing.itertuples():
    name_col, words_col, download_col, remove_col = st.columns([5, 1.4, 1.6, 1.4], vertical_alignment="center")
    unit = f" ({file.unit_code})" if pd.notna(file.unit_code) else ""
    name_col.markdown(f"{labels.get(file.kind, file.kind)}{unit}: {escape_markdown(file.original_name)}")
    words_col.caption(f"{int(file.word_count):,} words" if pd.notna(file.word_count)
                      else duration_label(file.duration_seconds) if pd.notna(file.duration_seconds)
                      else f"{file.size_bytes / 1024:,.0f} KB")
    if file.kind == "evidence":
        naming = check_file_name(file.original_name, item.ENR, resubmission, user.centre_number, tuple(units))
        if not naming.ok:
            name_col.warning(escape_markdown(naming.message), icon=":material/badge:")
        if word_limit and pd.notna(file.word_count) and file.word_count > word_limit:
            name_col.warning(f"Over the word-count guidance of {word_limit:,} for this unit.", icon=":material/warning:")
    stored_file_button(download_col, db, user, int(file.id), file.original_name, store, f"pending_download_{file.id}")
    if remove_col.button("Remove", key=f"pending_remove_file_{file.id}", icon=":material/close:", width="stretch"):
        try:
            remove_file(db, user, int(file.id))
        except (Refused, NotFound) as refused:
            st.error(escape_markdown(refused))
        else:
            st.rerun()
if (listing.kind == "evidence").any():
    st.download_button("Download Evidence (zip)", data=lambda: evidence_zip(db, user, item_id, store),
                       file_name=f"Evidence {item_id}.zip", key="pending_evidence_zip", icon=":material/folder_zip:",
                       on_click="ignore")
if item.missing_sheets:
    st.warning("No Result Sheet: add one below before submitting.", icon=":material/description:")

with st.form("pending_add_files", clear_on_submit=True):
    st.markdown("**Add files**")
    new_evidence = st.file_uploader("Evidence Files", accept_multiple_files=True, key="pending_new_evidence")
    sheet_unit = units[0] if len(units) == 1 else st.selectbox(
        "Result sheet for", [*units, "All units (single result sheet)"], key="pending_sheet_unit")
    new_sheet = st.file_uploader("Result Sheet (Word .docx)", key="pending_new_sheet")
    added = st.form_submit_button("Upload", type="primary")
if added:
    sheet = as_uploads(new_sheet)
    st.session_state[HELD_FILES] = (item_id, as_uploads(new_evidence), sheet,
                                    None if sheet_unit.startswith("All units") else sheet_unit)
held = st.session_state.get(HELD_FILES)
if held and held[0] == item_id:
    # The files chosen stay here (the form has cleared) until they are added, so that renaming them to the
    # protocol's names is one click, not a second upload.
    _, held_evidence, sheet, unit_key = held
    evidence = renamed_uploads(held_evidence, RENAMES)
    named = evidence_feedback(evidence, item.Learner, item.ENR, resubmission, user.centre_number, tuple(units),
                              word_limit, terms_from(agreed_units(db, user), units), evidence_word_cap(db), RENAMES)
    result_sheet_feedback(sheet)
    if not named:
        if st.button("Choose other files", key="pending_drop_held", icon=":material/close:"):
            forget_widgets("pending_held_")
            st.rerun()
        st.stop()
    forget_widgets("pending_held_")
    try:
        add_files(db, store, user, item_id, evidence, {unit_key: sheet[0]} if sheet else None)
    except (Refused, NotFound) as refused:
        st.error(escape_markdown(refused), icon=":material/error:")
    else:
        forget_widgets("pending_new_")
        st.session_state["pending_notice"] = f"Added the files to item {item_id}."
        st.rerun()
