"""Enquiries about results and appeals: a centre raises and appeals them; the team gives each to a reviewer; the
reviewer confirms or changes each unit's result; quality decides appeals."""

import pandas as pd
import streamlit as st

from lib.errors import Refused
from lib.rules.roles import ASSESSMENT_TEAM, CENTRE, QUALITY
from lib.rules.text import NOTE_MAX
from lib.service.enquiries import (
    REVIEWER_ROLES,
    STATUS_LABELS,
    UnitDecision,
    appeal,
    assign_reviewer,
    decide_appeal,
    decide_enquiry,
    enquirable_items,
    enquiries,
    enquiry_detail,
    possible_reviewers,
    raise_enquiry,
    results_history,
)
from lib.service.marking import RESULTS
from lib.service.settings import fee_amounts, setting
from lib.store.scope import NotFound
from lib.ui.analytics_table import analytics_table
from lib.ui.item_files import item_files
from lib.ui.page import file_store, page_setup, run_action, show_notice
from lib.ui.tables import selectable_table, tick_only
from lib.ui.text import escape_markdown
from lib.ui.upload_form import as_uploads

NOTICE = "enquiries_notice"
PRESELECTED = "enquiry_item"  # an item the Tracker sent here to enquire about
TABLE = "enquiries"

db, user = page_setup()
store = file_store()
st.title("Enquiries and appeals")
show_notice(NOTICE)


def raise_section() -> None:
    window = int(setting(db, "enquiry_window_working_days"))
    fee = fee_amounts(db)["enquiry"]
    refund = bool(setting(db, "enquiry_refund_when_changed"))
    st.caption(f"You can enquire about a released result up to {window} working days after its release, once per "
               f"item. The fee is £{fee:,.2f} a unit, invoiced with the weekly run"
               + ("; it is refunded for each unit whose result changes." if refund else ".")
               + " A reviewer who did not mark the item looks at it again.")
    items = enquirable_items(db, user)
    if items.empty:
        st.info("No released result is inside the enquiry window.", icon=":material/inbox:")
        return
    wanted = st.session_state.pop(PRESELECTED, None)
    if wanted is not None and wanted in set(items.ID):
        items = pd.concat([items[items.ID == wanted], items[items.ID != wanted]])  # the Tracker's item on top
        tick_only(f"{TABLE}_raise_table", items.iloc[0].to_dict())
    elif wanted is not None:
        st.warning(f"Item {wanted} cannot be enquired about: it is outside the enquiry window, already enquired "
                   "about, re-submitted or under review.", icon=":material/info:")
    ticked = selectable_table(items, f"{TABLE}_raise_table", single=True, complete=True,
                              column_config={"Released": st.column_config.DateColumn(format="DD/MM/YYYY"),
                                             "Enquire by": st.column_config.DateColumn(format="DD/MM/YYYY")})
    if not ticked:
        st.caption("Tick the item to enquire about.")
        return
    item_id, units = int(ticked[0]["ID"]), ticked[0]["Unit(s)"].split(", ")
    with st.form(f"enquiry_raise_{item_id}"):
        st.markdown(f"**Item {item_id}: {escape_markdown(ticked[0]['Learner'])}**")
        chosen = st.multiselect("Units to look at again", units, default=units, key=f"enquiry_units_{item_id}")
        reason = st.text_area("Why (which criteria, where the evidence meets them)", max_chars=NOTE_MAX,
                              key=f"enquiry_reason_{item_id}")
        if st.form_submit_button("Raise the enquiry", type="primary", icon=":material/contact_support:"):
            run_action(lambda: raise_enquiry(db, user, item_id, chosen, reason), NOTICE,
                       lambda enquiry_id: f"Enquiry {enquiry_id} about item {item_id} is raised: £{fee * len(chosen):,.2f} "
                                          "will be invoiced with the weekly run.", ticks=f"{TABLE}_raise_table")


def decision_form(detail: dict, units: pd.DataFrame, stage: str) -> None:
    """One outcome per enquired unit: confirm it, or change it with a result, mark, feedback and re-issued sheet."""
    enquiry_id = detail["enquiry_id"]
    prefix = f"{stage}_{enquiry_id}"
    with st.form(f"enquiry_decide_{prefix}"):
        st.markdown("**Outcome for each unit**" if stage == "enquiry" else "**Final decision for each unit**")
        answers = []
        for unit in units.itertuples():
            st.markdown(f"Unit {unit.Unit}: now **{unit.Result}** ({unit.Mark})")
            change = st.radio("Outcome", ["Confirm", "Change"], horizontal=True, key=f"{prefix}_{unit.Unit}_outcome",
                              label_visibility="collapsed")
            note = st.text_area("Why it stands or changes (the centre reads this)", max_chars=NOTE_MAX,
                                key=f"{prefix}_{unit.Unit}_note")
            result_col, mark_col = st.columns(2)
            result = result_col.radio("New result (if changed)", RESULTS, horizontal=True, index=None,
                                      key=f"{prefix}_{unit.Unit}_result")
            mark = mark_col.number_input("New mark (if changed)", min_value=0, max_value=100, value=None, step=1,
                                         key=f"{prefix}_{unit.Unit}_mark")
            feedback = st.text_area("New feedback (if changed)", max_chars=NOTE_MAX, key=f"{prefix}_{unit.Unit}_feedback")
            sheet = st.file_uploader("Re-issued marked result sheet (Word .docx, if changed)",
                                     key=f"{prefix}_{unit.Unit}_sheet")
            answers.append((unit.Unit, change, note, result, mark, feedback, sheet))
            st.divider()
        if st.form_submit_button("Record the outcome" if stage == "enquiry" else "Record the final decision",
                                 type="primary", icon=":material/gavel:"):
            decisions = []
            for unit, change, note, result, mark, feedback, sheet in answers:
                uploads = as_uploads(sheet)
                decisions.append(UnitDecision(unit, change == "Change", note, result, mark, feedback,
                                              uploads[0] if uploads else None))
            decide = decide_enquiry if stage == "enquiry" else decide_appeal
            run_action(lambda: decide(db, store, user, enquiry_id, decisions), NOTICE,
                       lambda changed: f"Enquiry {enquiry_id}: {changed} unit(s) changed, "
                                       f"{len(decisions) - changed} confirmed. The centre's Tracker shows it.",
                       ticks=f"{TABLE}_table")


def detail_section(enquiry_id: int) -> None:
    try:
        detail, units = enquiry_detail(db, user, enquiry_id)
    except NotFound as missing:
        st.error(escape_markdown(missing), icon=":material/error:")
        return
    item_id = int(detail["item_id"])
    st.subheader(f"Enquiry {enquiry_id}: item {item_id} · {STATUS_LABELS[detail['status']]}")
    if not user.is_centre:
        st.caption(f"Centre {escape_markdown(detail['centre'])} {escape_markdown(detail['centre_name'])} · "
                   f"{escape_markdown(detail['learner'])} · raised {detail['raised']:%d/%m/%Y}")
    st.markdown("**The centre's reason**")
    st.text(detail["reason"])
    if detail["appeal_reason"]:
        st.markdown("**The appeal**")
        st.text(detail["appeal_reason"])
    st.markdown("**Units enquired about, as they stand**")
    st.dataframe(units, hide_index=True, key=f"enquiry_units_now_{enquiry_id}",
                 column_config={"Feedback": st.column_config.TextColumn(width="large")})
    history = results_history(db, user, item_id)
    if not history.empty:
        st.markdown("**Results history**")
        st.dataframe(history, hide_index=True, key=f"enquiry_history_{enquiry_id}",
                     column_config={"When": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
                                    "Why": st.column_config.TextColumn(width="large")})
    status = detail["status"]
    if user.role == ASSESSMENT_TEAM and status in ("awaiting_reviewer", "in_review"):
        reviewers = possible_reviewers(db, user, enquiry_id)
        st.caption("Reviewers exclude whoever marked or sampled the item and anyone with a conflict of interest "
                   "with the centre.")
        chosen = st.selectbox("Reviewer", reviewers.id.tolist(), index=None, key=f"enquiry_reviewer_{enquiry_id}",
                              format_func=lambda i: " · ".join(reviewers.set_index("id").loc[i, ["Name", "Role"]]),
                              placeholder="Choose a reviewer")
        if st.button("Give to reviewer" if status == "awaiting_reviewer" else "Give to another reviewer",
                     key=f"enquiry_assign_{enquiry_id}", type="primary", disabled=chosen is None):
            run_action(lambda: assign_reviewer(db, user, enquiry_id, int(chosen)), NOTICE,
                       f"Enquiry {enquiry_id} is with its reviewer.", ticks=f"{TABLE}_table")
    if user.role in REVIEWER_ROLES or user.role == QUALITY:
        item_files(db, store, user, item_id, key=f"enquiry_{enquiry_id}")
    if user.role in REVIEWER_ROLES and status == "in_review":
        decision_form(detail, units, "enquiry")
    if user.role == QUALITY and status == "appealed":
        decision_form(detail, units, "appeal")
    if user.role == CENTRE and status == "decided":
        window = int(setting(db, "appeal_window_working_days"))
        with st.form(f"enquiry_appeal_{enquiry_id}"):
            st.caption(f"If you disagree with the outcome, you can appeal once, within {window} working days of it. "
                       "The quality team decides, and its decision is final.")
            reason = st.text_area("Why you disagree with the outcome", max_chars=NOTE_MAX,
                                  key=f"enquiry_appeal_reason_{enquiry_id}")
            if st.form_submit_button("Appeal", icon=":material/balance:"):
                run_action(lambda: appeal(db, user, enquiry_id, reason), NOTICE,
                           f"Enquiry {enquiry_id} is appealed: the quality team will decide.", ticks=f"{TABLE}_table")


if user.is_centre:
    with st.expander("Raise an enquiry about a result", icon=":material/contact_support:",
                     expanded=PRESELECTED in st.session_state):
        raise_section()
open_only = st.toggle("Waiting ones only", value=not user.is_centre, key="enquiries_open_only")
try:
    listing = enquiries(db, user, open_only=open_only)
except Refused as refused:
    st.error(escape_markdown(refused), icon=":material/error:")
    st.stop()
if listing.empty:
    st.info("No enquiries are waiting." if open_only else "No enquiries yet.", icon=":material/inbox:")
    st.stop()
st.caption({
    CENTRE: "Your enquiries, the waiting ones first. Tick one to see its outcome, the results history, or to appeal.",
    ASSESSMENT_TEAM: "Every enquiry and appeal, the waiting ones first, with the working days left on its stage. "
                     "Tick one to give it to a reviewer.",
    QUALITY: "Every enquiry and appeal; appeals wait for your final decision. Tick one to read it or decide it.",
}.get(user.role, "The enquiries given to you to review. Tick one to read the work and record the outcome."))
ticked = analytics_table(listing, TABLE, "Enquiries", drill=True, date_columns=("Raised", "Stage due"),
                         presets={"status": "Status"})
if ticked is not None:
    detail_section(int(ticked["Enquiry"]))
