"""Integrated Assessment: one set of evidence assessed against two or more units of a qualification."""

import streamlit as st

from lib.centre.first_submissions import ADVICE, first_time_units
from lib.centre.methods import agreed_units, terms_from
from lib.centre.uploads import (
    INTEGRATED_ROWS,
    IntegratedUpload,
    evidence_word_cap,
    integrated_approvals,
    integrated_rows,
    previous_status,
    qualification_units,
    upload_integrated,
)
from lib.errors import Refused
from lib.rules.status import REFERRED
from lib.store.scope import NotFound
from lib.ui.grid import grid_query, sort_by_heading
from lib.ui.page import file_store, page_setup
from lib.ui.pager import pager
from lib.ui.submitted import re_assessment_reason, submit_at_once_choice, submit_uploaded
from lib.ui.tables import blank_missing, clear_ticks, selectable_table, tick_keys
from lib.ui.text import escape_markdown
from lib.ui.upload_form import (
    as_uploads,
    declaration_choice,
    evidence_feedback,
    forget_widgets,
    registration_expired,
    result_sheet_feedback,
)

CHOSEN = "integrated_learner"
SLOTS = "integrated_unit_slots"
RENAMES = "integrated_evidence_renames"
db, user = page_setup()
st.title("Integrated Assessment")


def upload_screen(row: dict) -> None:
    units = qualification_units(db, user, row["Qual"])
    labels = {r.code: f"{r.code} {r.name} ({r.credits} credit{'s' if r.credits != 1 else ''})"
              for r in units.itertuples()}
    title, remove = st.columns([6, 1], vertical_alignment="center")
    title.markdown(f"**Learner Name : {escape_markdown(row['Learner'])}, Qualification : {escape_markdown(row['Qual'])} - "
                   f"{escape_markdown(row['Qual. Name'])}**")
    if remove.button("Remove", key="integrated_remove", icon=":material/close:"):
        cancel()
    expired = registration_expired(row, "the learner")
    evidence = as_uploads(st.file_uploader("Evidence Files", accept_multiple_files=True, key="integrated_evidence"),
                          renames_key=RENAMES)
    single = st.toggle("Upload Single Result Sheet (one sheet for all the units)", key="integrated_single")
    # Both kinds of sheet stay on screen (the unused one disabled), so switching the toggle never drops a file
    # already chosen: a widget not drawn loses its files.
    single_sheet = as_uploads(st.file_uploader("Single Result Sheet (Word .docx)", key="integrated_single_sheet",
                                               disabled=not single,
                                               help=None if single else "Switch on Upload Single Result Sheet to use it"))
    unit_sheets_chosen = 0
    slots = st.session_state.setdefault(SLOTS, [0, 1])
    chosen_units: dict[str, object] = {}
    for slot in list(slots):
        unit_col, sheet_col, remove_col = st.columns([4, 4, 1], vertical_alignment="bottom")
        unit = unit_col.selectbox("Unit", list(labels), format_func=labels.get, index=None,
                                  placeholder="Select a Unit", key=f"integrated_unit_{slot}")
        sheet = as_uploads(sheet_col.file_uploader("Result Sheet", key=f"integrated_sheet_{slot}", disabled=single))
        unit_sheets_chosen += len(sheet)
        sheet = () if single else sheet
        if remove_col.button("Remove", key=f"integrated_remove_unit_{slot}", disabled=len(slots) <= 2):
            slots.remove(slot)
            st.rerun()
        if unit:
            if unit in chosen_units:
                st.error(f"{unit} is chosen twice: pick a different unit.")
            chosen_units[unit] = sheet[0] if sheet else None
            result_sheet_feedback(sheet)
    if st.button("Add Unit", key="integrated_add_unit", icon=":material/add:", disabled=len(slots) >= len(labels)):
        slots.append(max(slots) + 1)
        st.rerun()
    first = first_time_units(db, user, list(chosen_units))
    if first:
        st.info(f"Your centre's first submission of unit {', '.join(first)}: {ADVICE}",
                icon=":material/tips_and_updates:")
    limits = [limit for code, limit in zip(units.code, units.word_limit) if code in chosen_units and limit == limit]
    previous = previous_status(db, user, int(row["learner_id"]), list(chosen_units)) if len(chosen_units) > 1 \
        else None
    resubmission = previous is not None
    named = evidence_feedback(evidence, row["Learner"], row["ENR"], resubmission, user.centre_number,
                              tuple(chosen_units), int(min(limits)) if limits else None,
                              terms_from(agreed_units(db, user), list(chosen_units)), evidence_word_cap(db), RENAMES)
    if single and unit_sheets_chosen:
        st.warning(f"The single result sheet is used: the {unit_sheets_chosen} unit result sheet(s) chosen will not be "
                   "uploaded. Switch Upload Single Result Sheet off to upload them instead.", icon=":material/warning:")
    if single_sheet and not single:
        st.warning("The single result sheet chosen will not be uploaded while Upload Single Result Sheet is off.",
                   icon=":material/warning:")
    single_sheet = single_sheet if single else ()
    result_sheet_feedback(single_sheet)
    missing = [unit for unit, sheet in chosen_units.items() if sheet is None] if not single_sheet else []
    if chosen_units and missing:
        st.info(f"No result sheet yet for {', '.join(missing)}: the item waits in Pending Submission until "
                f"{'it is' if len(missing) == 1 else 'they are'} added.", icon=":material/description:")
    declaration, declaration_file = declaration_choice("integrated")
    submit_now = submit_at_once_choice("integrated_quality",
                                       re_assessment_reason([row["Learner"]]) if previous == REFERRED else None)
    upload, upload_and_submit, cancel_col, _ = st.columns([1, 1.7, 1, 3.3])
    if cancel_col.button("Cancel", key="integrated_cancel"):
        cancel()
    blocked = ("Renew the registration on Walled Garden first" if expired else None) or \
        (None if named else "Rename the evidence first: use the suggested names")
    uploading = upload.button("Upload", key="integrated_upload", type="secondary" if submit_now else "primary",
                              icon=":material/upload:", disabled=not named or expired, help=blocked)
    submitting = upload_and_submit.button(
        "Upload and submit", key="integrated_upload_and_submit", icon=":material/send:",
        type="primary" if submit_now else "secondary", disabled=not named or expired or not submit_now or bool(missing),
        help=blocked or ("Every unit needs its result sheet, or one sheet for all, to be submitted"
                              if missing else None) or (None if submit_now else "Tick the confirmation above first"))
    if uploading or submitting:
        request = IntegratedUpload(int(row["learner_id"]), row["Qual"], evidence, chosen_units,
                                   single_sheet[0] if single_sheet else None, declaration, declaration_file)
        try:
            with st.spinner("Uploading and checking the files…", show_time=True):
                created = upload_integrated(db, file_store(), user, request)
        except (Refused, NotFound) as refused:
            st.error(escape_markdown(refused), icon=":material/error:")
            return
        forget_widgets("integrated_")
        clear_ticks("integrated_table")
        if submitting:
            submit_uploaded(db, user, [created])
        tick_keys("pending_table", [created])  # ticked on Pending, so Submit is the next click
        st.session_state["pending_notice"] = "Uploaded the integrated assessment, ticked below: check it, then submit it."
        st.switch_page("pages/centre/pending_page.py")


def cancel() -> None:
    forget_widgets("integrated_")
    st.rerun()


chosen = st.session_state.get(CHOSEN)
if chosen:
    upload_screen(chosen)
    st.stop()

approvals = integrated_approvals(db, user)
refused = approvals[~approvals["Integrated approved"]]
if not refused.empty:
    st.info("Your centre is not approved for Integrated Assessment on "
            + ", ".join(f"{r.Qual} ({r._2})" for r in refused.itertuples())
            + ". Those learners are not listed: upload their units from Unit Assessment, or ask the ILM Assessment "
              "Team for approval.", icon=":material/info:")
st.caption("Learners registered on qualifications your centre may assess as Integrated. Tick one learner, then "
           "Upload Files.")
query = grid_query("integrated", INTEGRATED_ROWS)
page = integrated_rows(db, user, query)
if page.total == 0:
    st.info("No learners to show: your centre has no approval for Integrated Assessment, or no learner matches.")
    st.stop()
shown = [c.label for c in INTEGRATED_ROWS.columns if c.shown]
ticked = selectable_table(page.rows, key="integrated_table", id_column="Row",
                          shown=blank_missing(page.rows[shown], ("Registration Expiry",)), single=True,
                          on_heading=sort_by_heading("integrated"))
pager("integrated", page.total)
if st.button("Upload Files", key="integrated_choose", type="primary", disabled=not ticked,
             icon=":material/upload_file:"):
    st.session_state[CHOSEN] = ticked[0]
    st.rerun()
