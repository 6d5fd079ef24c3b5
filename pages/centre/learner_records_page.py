"""Learner records: search and list them, export the funding return, and open one to edit it (checked as it is
typed), move it through its statuses, and read and compare its versions. The assessment team reads them."""

from datetime import date

import pandas as pd
import streamlit as st

from lib.admin.centres import centres
from lib.errors import Refused
from lib.records.fields import ADMIN, FIELDS, USER, problems, return_problems
from lib.records.listing import (
    RECORD_COLUMNS,
    funding_return_xlsx,
    records_export,
    records_page,
)
from lib.records.records import (
    MOVES,
    SIGNED_HOW,
    STATUSES,
    compare_versions,
    edit_record,
    move_record,
    record,
    versions,
)
from lib.rules import ilr
from lib.rules.text import NOTE_MAX
from lib.store.scope import NotFound
from lib.ui.editor_rows import editor_rows
from lib.ui.grid import grid_pager, grid_query, sort_by_heading
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.return_cache import current_return
from lib.ui.tables import blank_missing, selectable_table
from lib.ui.text import escape_markdown

NOTICE = "records_notice"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEXT_STEPS = {"newly_submitted": ("verify", "request_signature"), "signature_required": ("sign",),
              "signed": ("qa_verify",), "qa_verified": ("complete",), "completed": ()}
STEP_LABELS = {"verify": "Verify", "request_signature": "Send for signature", "sign": "Record the signature",
               "qa_verify": "QA verify", "complete": "Complete"}

db, user = page_setup()
st.title("Learner records")
show_notice(NOTICE)
st.caption("Each learner's Individual Learner Record, prefilled from their programme's ILR template. Search by "
           "name, ULN, learner reference or status; tick a record to open it.")

query = grid_query("records", RECORD_COLUMNS, presets={"status": "Status", "programme": "Programme"})
page = records_page(db, user, query)
if page.total == 0:
    st.info("No learner records match these filters." if query.filters else
            "No learner records yet: create a programme on Programmes and enrol learners on it.",
            icon=":material/inbox:")
else:
    ticked = selectable_table(page.rows, "records_table", id_column="Record", single=True,
                              shown=blank_missing(page.rows, ("Start", "Planned end", "Updated")),
                              on_heading=sort_by_heading("records"))
    grid_pager("records", page)
export_col, return_col, switch_col = st.columns([1.4, 3, 2.4], vertical_alignment="center")
export_col.download_button("Export to Excel", data=lambda: records_export(db, user, query), on_click="ignore",
                           file_name=f"Learner records {date.today().isoformat()}.xlsx", mime=XLSX,
                           key="records_export", icon=":material/table_view:")
include_all = switch_col.toggle("Include records not yet QA verified", key="records_return_all")
with return_col.popover("Funding return", icon=":material/account_balance:"):
    st.caption("The records QA verified or completed" + (", and the others" if include_all else "")
               + ": Excel with the ILR's fields, and the ILR 2025-26 file the ESFA takes.")
    st.download_button("Excel", data=lambda: funding_return_xlsx(db, user, include_all), mime=XLSX,
                       file_name=f"Funding return {date.today().isoformat()}.xlsx", key="records_return_xlsx",
                       on_click="ignore", icon=":material/table_view:")
    centre_number = None
    if not user.is_centre:
        providers = centres(db, user)
        centre_number = st.selectbox("Centre (a return is one provider's)", providers.Centre.tolist(), index=None,
                                     key="records_return_centre", placeholder="Choose a centre",
                                     format_func=dict(zip(providers.Centre, providers.Centre + " " + providers.Name)).get)
    if user.is_centre or centre_number:
        ilr_file = current_return(db, user, include_all, centre_number)
        if isinstance(ilr_file, str):
            st.warning(escape_markdown(ilr_file), icon=":material/rule:")
        else:
            st.download_button(f"ILR file ({ilr_file.learners} learners)", data=ilr_file.xml, mime="application/xml",
                               file_name=f"ILR {ilr.COLLECTION_YEAR} {date.today().isoformat()}.xml",
                               key="records_return_xml", on_click="ignore", icon=":material/code:")
            if ilr_file.left_out:
                st.warning(f"{len(ilr_file.left_out)} records are left out until they have what the ILR requires:",
                           icon=":material/rule:")
                st.dataframe(pd.DataFrame(ilr_file.left_out, columns=["Record", "What it needs"]), hide_index=True,
                             key="records_return_left_out", width="stretch")
if page.total == 0 or not ticked:
    st.stop()

record_id = int(ticked[0]["Record"])
try:
    view = record(db, user, record_id)
except NotFound as missing:
    st.error(escape_markdown(missing), icon=":material/error:")
    st.stop()
values = view.values
st.subheader(f"Record {record_id}: {escape_markdown(values['first_name'])} {escape_markdown(values['last_name'])} · "
             f"{STATUSES[view.status]}")
st.caption(f"{escape_markdown(view.programme)} · version {view.version}"
           + (" · verified" if view.verified else ""))
if view.status_reason:
    st.warning(escape_markdown(view.status_reason), icon=":material/undo:")
read_only = not user.is_centre
key = f"record_{record_id}_{view.version}"


def field_input(name: str):
    """The widget for one field, its source beneath; returns what it holds now."""
    field = next(f for f in FIELDS if f.name == name)
    widget_key = f"{key}_{name}"
    current = values[name]
    if field.kind == "date":
        typed = st.date_input(field.label, value=current, key=widget_key, format="DD/MM/YYYY", disabled=read_only,
                              min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
    elif field.codes:
        options = list(field.codes)
        typed = st.selectbox(field.label, options, index=options.index(current) if current in options else None,
                             key=widget_key, format_func=lambda code: f"{code} {field.codes[code]}",
                             disabled=read_only, placeholder="Not set")
    elif name == "std_code":
        typed = st.number_input(field.label, min_value=1, max_value=99_999, value=current, step=1, key=widget_key,
                                disabled=read_only)
    elif name == "aims":
        frame = st.data_editor(pd.DataFrame(current or [], columns=["ref", "type", "seq"]), key=widget_key,
                               num_rows="dynamic", hide_index=True, disabled=read_only, column_config={
                                   "ref": st.column_config.TextColumn("Aim reference", max_chars=8),
                                   "type": st.column_config.NumberColumn("Aim type", min_value=0, max_value=9, step=1),
                                   "seq": st.column_config.NumberColumn("Sequence", min_value=1, max_value=98,
                                                                        step=1)})
        typed = editor_rows(frame, ("ref", "type", "seq"))
    elif name == "fin_records":
        frame = st.data_editor(pd.DataFrame(current or [], columns=["type", "code", "date", "amount"]),
                               key=widget_key, num_rows="dynamic", hide_index=True, disabled=read_only,
                               column_config={
                                   "type": st.column_config.SelectboxColumn("Type", options=list(ilr.FIN_TYPES)),
                                   "code": st.column_config.NumberColumn("Code", min_value=1, max_value=99, step=1),
                                   "date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
                                   "amount": st.column_config.NumberColumn("Amount £", min_value=0,
                                                                           max_value=ilr.MAX_FIN_AMOUNT, step=1)})
        typed = editor_rows(frame, ("type", "code", "date", "amount"))
    else:
        typed = st.text_input(field.label, value=current or "", key=widget_key, disabled=read_only)
    if view.sources[name]:
        st.caption(view.sources[name])
    if name == "uln":
        problem = ilr.uln_problem(typed)
        if problem:
            st.error(escape_markdown(problem), icon=":material/error:")
    if name == "learn_ref":
        problem = ilr.learn_ref_problem(typed)
        if problem:
            st.error(escape_markdown(problem), icon=":material/error:")
    return typed


# Both parts on one page (not tabs), so that what is typed in one stays while the other is being typed.
typed = {}
with st.container(border=True):
    st.markdown("**User: the learner's details**")
    left, right = st.columns(2)
    for index, field in enumerate(f for f in FIELDS if f.part == USER):
        with (left if index % 2 == 0 else right):
            typed[field.name] = field_input(field.name)
with st.container(border=True):
    st.markdown("**Admin: what the centre records**")
    left, right = st.columns(2)
    for index, field in enumerate(f for f in FIELDS if f.part == ADMIN and f.kind not in ("aims", "finance")):
        with (left if index % 2 == 0 else right):
            typed[field.name] = field_input(field.name)
    for name in ("aims", "fin_records"):
        st.markdown(f"**{next(f.label for f in FIELDS if f.name == name)}**")
        typed[name] = field_input(name)
with st.expander(f"History ({view.version} versions)", icon=":material/history:"):
    history = versions(db, user, record_id)
    st.dataframe(history, hide_index=True, key=f"{key}_versions", width="stretch",
                 column_config={"When": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
                                "What changed": st.column_config.TextColumn(width="large")})
    numbers = history.Version.tolist()
    if len(numbers) > 1:
        first_col, second_col = st.columns(2)
        first = first_col.selectbox("Compare version", numbers, index=len(numbers) - 1, key=f"{key}_compare_a")
        second = second_col.selectbox("with version", numbers, index=0, key=f"{key}_compare_b")
        st.dataframe(compare_versions(db, user, record_id, int(first), int(second)), hide_index=True,
                     key=f"{key}_comparison", width="stretch")

if read_only:
    st.stop()
changes = {name: value for name, value in typed.items() if value != values[name]
           and not (value in ("", None, []) and values[name] in ("", None, []))}
typed_problems = problems(values | typed, date.today())
for problem in typed_problems:
    st.error(escape_markdown(problem), icon=":material/rule:")
still_needed = [problem for problem in return_problems(values | typed, date.today()) if problem not in typed_problems]
if still_needed and view.status not in ("qa_verified", "completed"):
    st.info("Before QA verification, the funding return needs: " + " ".join(escape_markdown(p) for p in still_needed),
            icon=":material/checklist:")
if changes:
    st.caption("Changed: " + ", ".join(next(f.label for f in FIELDS if f.name == n) for n in changes)
               + (". The record has been signed: saving sends it back for the learner's signature."
                  if view.status in ("signed", "qa_verified", "completed") else ""))
    reason = st.text_input("Why (kept with the version)", max_chars=NOTE_MAX, key=f"{key}_reason")
    if st.button("Save changes", type="primary", key=f"{key}_save", icon=":material/save:"):
        run_action(lambda: edit_record(db, user, record_id, changes, reason, view.version), NOTICE,
                   lambda version: f"Record {record_id} saved as version {version}.")
    st.stop()

steps = [step for step in NEXT_STEPS[view.status]
         if not (step == "verify" and (view.verified or view.allow_sign_without_verification))]
if steps:
    signed_on, signed_how = None, None
    if "sign" in steps:
        date_col, how_col = st.columns(2)
        signed_on = date_col.date_input("Signed on", value=date.today(), max_value=date.today(), key=f"{key}_signed_on",
                                        format="DD/MM/YYYY")
        signed_how = how_col.selectbox("How", SIGNED_HOW, index=None, key=f"{key}_signed_how",
                                       placeholder="How the learner signed")
    for column, step in zip(st.columns(len(steps) + 2), steps):
        if column.button(STEP_LABELS[step], key=f"{key}_{step}", type="primary" if step != "verify" else "secondary"):
            try:
                status = move_record(db, user, record_id, step, view.version, signed_on=signed_on,
                                     signed_how=signed_how)
            except (Refused, NotFound) as refused:
                st.error(escape_markdown(refused), icon=":material/error:")
            else:
                st.session_state[NOTICE] = f"Record {record_id}: {MOVES[step][2].lower()}; now {STATUSES[status]}."
                st.rerun()
