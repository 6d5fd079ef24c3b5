"""Unit Assessment: pick learners and units, upload their evidence and result sheets, then go to Pending (or,
confirmed, submit them at once and go to the Tracker)."""

import streamlit as st

from lib.centre.first_submissions import ADVICE, ADVISED_FIRST, first_time_units
from lib.centre.methods import agreed_units, terms_from
from lib.centre.uploads import (
    UNIT_ROWS,
    UnitUpload,
    evidence_word_cap,
    previous_status,
    unit_assessment_rows,
    upload_units,
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

BASKET = "unit_upload_rows"
db, user = page_setup()
st.title("Unit Assessment")


def header(row: dict) -> str:
    credits = f"{row['credits']} credit{'s' if row['credits'] != 1 else ''}"
    return (f"Learner Name : {row['Learner']}, Qualification : {row['Qual']} - {row['Qual. Name']}, "
            f"Unit : {row['Unit']} - {row['Unit Name']} ({credits})")


def upload_screen(basket: list[dict]) -> None:
    st.caption("Add the evidence files and the ILM result sheet for each row, then Upload (at most 150 MB a file). "
               "Follow the file naming protocol, for example S.Smith-ABC123(1).")
    first = first_time_units(db, user, [row["Unit"] for row in basket])
    if first:
        st.info(f"Your centre's first submission of unit {', '.join(first)}: {ADVICE}",
                icon=":material/tips_and_updates:")
    rows, misnamed, charged = [], [], []
    agreed = agreed_units(db, user)
    for row in basket:
        key = f"unit_upload_{row['learner_id']}_{row['Unit']}"
        with st.container(border=True):
            title, remove = st.columns([6, 1], vertical_alignment="center")
            title.markdown(f"**{escape_markdown(header(row))}**")
            registration_expired(row)
            if remove.button("Remove", key=f"{key}_remove", icon=":material/close:"):
                basket.remove(row)
                st.rerun()
            left, right = st.columns(2)
            evidence = as_uploads(left.file_uploader("Evidence Files", accept_multiple_files=True,
                                                     key=f"{key}_evidence"), renames_key=f"{key}_renames")
            sheet = as_uploads(right.file_uploader("Result Sheet (Word .docx)", key=f"{key}_sheet"))
            previous = previous_status(db, user, int(row["learner_id"]), [row["Unit"]])
            resubmission = previous is not None
            if previous == REFERRED:
                charged.append(row["Learner"])
            if not evidence_feedback(evidence, row["Learner"], row["ENR"], resubmission, user.centre_number,
                                     (row["Unit"],), row["word_limit"], terms_from(agreed, [row["Unit"]]),
                                     evidence_word_cap(db), f"{key}_renames"):
                misnamed.append(row["Learner"])
            result_sheet_feedback(sheet)
            declaration, declaration_file = declaration_choice(key)
        rows.append(UnitUpload(int(row["learner_id"]), row["Unit"], evidence, sheet[0] if sheet else None,
                               declaration, declaration_file))
    missing_sheets = [row.result_sheet is None for row in rows]
    waits_for_pending = pending_only_reason(basket, first, charged)
    submit_now = submit_at_once_choice("unit_upload_quality", waits_for_pending)
    upload, upload_and_submit, cancel, _ = st.columns([1, 1.7, 1, 3.3])
    if cancel.button("Cancel", key="unit_upload_cancel"):
        st.session_state.pop(BASKET, None)
        forget_widgets("unit_upload_")
        st.rerun()
    rename_first = (f"Rename the evidence of {', '.join(escape_markdown(m) for m in misnamed)} first: use the "
                    "suggested names") if misnamed else None
    uploading = upload.button("Upload", key="unit_upload_submit", icon=":material/upload:",
                              type="secondary" if submit_now else "primary", disabled=bool(misnamed),
                              help=rename_first)
    submitting = upload_and_submit.button(
        "Upload and submit", key="unit_upload_and_submit", icon=":material/send:",
        type="primary" if submit_now else "secondary", disabled=bool(misnamed) or not submit_now or any(missing_sheets),
        help=rename_first or waits_for_pending
        or ("Every row needs its result sheet to be submitted" if any(missing_sheets) else None)
        or (None if submit_now else "Tick the confirmation above first"))
    if not (uploading or submitting):
        return
    try:
        with st.spinner(f"Uploading and checking the files of {len(rows)} assessment(s)…", show_time=True):
            created = upload_units(db, file_store(), user, rows)
    except (Refused, NotFound) as refused:
        st.error(escape_markdown(refused), icon=":material/error:")
        return
    st.session_state.pop(BASKET, None)
    clear_ticks("units_table")
    forget_widgets("unit_upload_")
    if submitting:
        submit_uploaded(db, user, created)
    tick_keys("pending_table", created)  # ticked on Pending, so Submit is the next click
    st.session_state["pending_notice"] = (f"Uploaded {len(created)} assessment(s), ticked below: check them, "
                                          "then Submit or Submit as a Batch.")
    st.switch_page("pages/centre/pending_page.py")


def pending_only_reason(basket: list[dict], first: list[str], charged: list[str]) -> str | None:
    """Why these rows cannot go to ILM straight from this screen (said before the click, not refused after it):
    a Re-assessment (charged: the learners) goes only in a purchase-order batch, and more first submissions of a
    unit than advised are confirmed on Pending."""
    if charged:
        return re_assessment_reason(charged)
    many = [unit for unit in first if sum(row["Unit"] == unit for row in basket) > ADVISED_FIRST]
    if many:
        return (f"This is more than the {ADVISED_FIRST} first submissions of unit {', '.join(many)} that ILM "
                "advises: Pending asks you to confirm sending them all.")
    return None


basket = st.session_state.get(BASKET)
if basket:
    upload_screen(basket)
    st.stop()

st.caption("Learners registered on Walled Garden against ILM Assessment qualifications, one row per unit. "
           "Filter for the unit and learners, tick their rows, then Upload Files.")
query = grid_query("units", UNIT_ROWS)
page = unit_assessment_rows(db, user, query)
if page.total == 0:
    st.info("No registered learners match. Learners appear here once registered on Walled Garden.")
    st.stop()
shown = [c.label for c in UNIT_ROWS.columns if c.shown]
ticked = selectable_table(page.rows, key="units_table", id_column="Row",
                          shown=blank_missing(page.rows[shown], ("Registration Expiry",)),
                          on_heading=sort_by_heading("units"),
                          # Narrow names, so the unit's status and last mark fit at 1280 px without scrolling.
                          column_config={"Qual. Name": st.column_config.TextColumn(width="small"),
                                         "Unit Name": st.column_config.TextColumn(width="small")})
pager("units", page.total)
if st.button("Upload Files", key="units_upload", type="primary", disabled=not ticked, icon=":material/upload_file:",
             ):
    st.session_state[BASKET] = ticked
    st.rerun()
