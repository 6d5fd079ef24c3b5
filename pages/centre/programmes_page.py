"""Programmes: a centre's programmes with their ILR template; create, clone, fill the template and enrol learners.
The assessment team reads them."""

from datetime import date

import pandas as pd
import streamlit as st

from lib.accounts.navigation import LEARNER_RECORDS
from lib.centre.uploads import integrated_approvals, qualification_units
from lib.records.fields import BY_NAME, display
from lib.records.programmes import Template, clone_programme, create_programme, programme_template, programmes, save_template
from lib.records.records import enrol, enrolable_learners
from lib.rules import ilr
from lib.ui.analytics_table import analytics_table
from lib.ui.editor_rows import editor_rows
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.tables import selectable_table
from lib.ui.text import escape_markdown

NOTICE = "programmes_notice"
db, user = page_setup()
st.title("Programmes")
show_notice(NOTICE)
st.caption("A programme delivers units of one of your qualifications in an academic year. Its ILR template fills the "
           "learner records of everyone enrolled on it: a record edited by hand before the template was filled keeps "
           "its own values, and a later change reaches only the records still holding the template's.")


def _year_now() -> str:
    today = date.today()
    year = today.year if today.month >= 8 else today.year - 1
    return f"{year}/{(year + 1) % 100:02d}"


def create_form() -> None:
    approvals = integrated_approvals(db, user)
    if approvals.empty:
        st.info("Your centre has no approved qualifications.", icon=":material/inbox:")
        return
    code = st.selectbox("Qualification", approvals.Qual.tolist(), key="programme_new_qualification",
                        format_func=lambda c: f"{c} {approvals.set_index('Qual')['Qual. Name'].get(c, '')}")
    units = qualification_units(db, user, code)
    with st.form(f"programme_new_{code}"):
        name = st.text_input("Name", max_chars=80, key=f"programme_new_name_{code}",
                             placeholder="e.g. Team Leader apprenticeship")
        year = st.text_input("Academic year", value=_year_now(), max_chars=7, key=f"programme_new_year_{code}")
        chosen = st.multiselect("Units delivered", units.code.tolist(), key=f"programme_new_units_{code}",
                                format_func=lambda u: f"{u} {units.set_index('code').name.get(u, '')}")
        if st.form_submit_button("Create the programme", type="primary", icon=":material/add:"):
            run_action(lambda: create_programme(db, user, name, year, code, chosen), NOTICE,
                       lambda new_id: f"Programme {new_id} is created: fill its ILR template, then enrol learners.")


def template_form(programme_id: int) -> None:
    current = programme_template(db, user, programme_id)
    st.caption("Not filled yet: records take it once it is saved." if current is None else
               "Saving a change reaches the records that still hold the template's values.")
    base = current or Template(None, None, None, [{"ref": ilr.PROGRAMME_AIM, "type": 1, "seq": 1}], [])
    key = f"template_{programme_id}"
    with st.form(key):
        type_col, code_col, fund_col = st.columns(3)
        prog_type = type_col.selectbox("Programme type", list(ilr.PROG_TYPES), key=f"{key}_prog_type",
                                       index=list(ilr.PROG_TYPES).index(base.prog_type) if base.prog_type else None,
                                       format_func=lambda t: f"{t} {ilr.PROG_TYPES[t]}", placeholder="Choose")
        std_code = code_col.number_input("Apprenticeship standard code (LARS)", min_value=1, max_value=99_999,
                                         value=base.std_code, step=1, key=f"{key}_std_code")
        fund_model = fund_col.selectbox("Funding model", list(ilr.FUND_MODELS), key=f"{key}_fund_model",
                                        index=list(ilr.FUND_MODELS).index(base.fund_model) if base.fund_model else None,
                                        format_func=lambda m: f"{m} {ilr.FUND_MODELS[m]}", placeholder="Choose")
        sof_col, place_col = st.columns([2, 1])
        sof = sof_col.selectbox("Source of funding", list(ilr.SOURCES_OF_FUNDING), key=f"{key}_sof",
                                index=list(ilr.SOURCES_OF_FUNDING).index(base.sof) if base.sof else None,
                                format_func=lambda c: f"{c} {ilr.SOURCES_OF_FUNDING[c]}", placeholder="Choose")
        del_loc_postcode = place_col.text_input("Delivery location postcode", value=base.del_loc_postcode or "",
                                                max_chars=10, key=f"{key}_del_loc_postcode",
                                                placeholder="e.g. NB1 4QT")
        st.markdown("**Learning aims** (ZPROG001 is the programme aim)")
        aims = st.data_editor(pd.DataFrame(base.aims or [], columns=["ref", "type", "seq"]), num_rows="dynamic",
                              key=f"{key}_aims", hide_index=True, column_config={
                                  "ref": st.column_config.TextColumn("Aim reference", max_chars=8, required=True),
                                  "type": st.column_config.NumberColumn("Aim type", min_value=0, max_value=9,
                                                                        step=1, required=True),
                                  "seq": st.column_config.NumberColumn("Sequence", min_value=1, max_value=98, step=1,
                                                                       required=True)})
        st.markdown("**Financial records**")
        finance = st.data_editor(pd.DataFrame(base.fin_records or [], columns=["type", "code", "date", "amount"]),
                                 num_rows="dynamic", key=f"{key}_finance", hide_index=True, column_config={
                                     "type": st.column_config.SelectboxColumn("Type", options=list(ilr.FIN_TYPES),
                                                                              required=True),
                                     "code": st.column_config.NumberColumn("Code", min_value=1, max_value=99, step=1,
                                                                           required=True),
                                     "date": st.column_config.DateColumn("Date", format="DD/MM/YYYY", required=True),
                                     "amount": st.column_config.NumberColumn("Amount £", min_value=0,
                                                                             max_value=ilr.MAX_FIN_AMOUNT, step=1,
                                                                             required=True)})
        allow = st.checkbox("Allow to sign without verification (advised for apprenticeships, not traineeships)",
                            value=base.allow_sign_without_verification, key=f"{key}_allow")
        if st.form_submit_button("Save the template", type="primary", icon=":material/save:"):
            template = Template(prog_type, int(std_code) if std_code is not None else None, fund_model,
                                editor_rows(aims, ("ref", "type", "seq")),
                                editor_rows(finance, ("type", "code", "date", "amount")), allow, sof,
                                del_loc_postcode or None)
            run_action(lambda: save_template(db, user, programme_id, template), NOTICE, _outcome)


def _outcome(outcome) -> str:
    kept = f" {len(outcome.kept_own)} kept their own values: {', '.join(outcome.kept_own[:10])}" + \
        ("…" if len(outcome.kept_own) > 10 else "") + "." if outcome.kept_own else ""
    return f"The template is saved: {outcome.updated} learner record(s) updated.{kept}"


def enrol_section(programme_id: int) -> None:
    learners = enrolable_learners(db, user, programme_id)
    if learners.empty:
        st.caption("Every learner registered on this qualification has a learner record.")
        return
    st.caption("Learners registered on the programme's qualification without a learner record. Tick them, then Enrol.")
    ticked = selectable_table(learners, f"enrol_table_{programme_id}", id_column="Learner ID", complete=True,
                              column_config={"Registered": st.column_config.DateColumn(format="DD/MM/YYYY"),
                                             "Registration expiry": st.column_config.DateColumn(format="DD/MM/YYYY")})
    if st.button(f"Enrol {len(ticked)} learner(s)" if ticked else "Enrol", key=f"enrol_{programme_id}",
                 type="primary", disabled=not ticked, icon=":material/group_add:"):
        ids = [int(record["Learner ID"]) for record in ticked]
        run_action(lambda: enrol(db, user, programme_id, ids), NOTICE,
                   lambda made: f"Enrolled {len(made)} learner(s): their records are in Learner records.",
                   ticks=f"enrol_table_{programme_id}")


def clone_form(programme_id: int, name: str) -> None:
    with st.form(f"clone_{programme_id}"):
        new_name = st.text_input("Name of the copy", value=name, max_chars=80, key=f"clone_name_{programme_id}")
        year = st.text_input("Academic year", value=_year_now(), max_chars=7, key=f"clone_year_{programme_id}")
        if st.form_submit_button("Clone with its template", icon=":material/content_copy:"):
            run_action(lambda: clone_programme(db, user, programme_id, new_name, year), NOTICE,
                       lambda new_id: f"Programme {new_id} is a copy of {name}, with its template.")


if user.is_centre:
    with st.expander("Create a programme", icon=":material/add:"):
        create_form()
listing = programmes(db, user)
if listing.empty:
    st.info("No programmes yet." if user.is_centre else "No centre has programmes yet.", icon=":material/inbox:")
    st.stop()
st.caption("Tick a programme to fill its template" + (", enrol learners or clone it." if user.is_centre else "."))
ticked = analytics_table(listing, "programmes", "Programmes", drill=True)
if ticked is None:
    st.stop()
programme_id = int(ticked["Programme"])
st.subheader(f"{escape_markdown(ticked['Name'])} {escape_markdown(ticked['Year'])} · {ticked['Qualification']}")
st.page_link(LEARNER_RECORDS.script, label=f"Its learner records ({int(ticked['Learners'])})", icon=LEARNER_RECORDS.icon,
             query_params={"programme": ticked["Name"]})
if not user.is_centre:
    template = programme_template(db, user, programme_id)
    if template is None:
        st.caption("The ILR template is not filled yet.")
    else:
        st.dataframe(pd.DataFrame([{"Field": BY_NAME[name].label, "Template": display(name, value)}
                                   for name, value in template.values().items()]), hide_index=True,
                     key="programme_template_read")
        st.caption("Signing without verification: " + ("allowed" if template.allow_sign_without_verification
                                                         else "not allowed"))
    st.stop()
# Kept on the server, unlike tabs, so that ticking learners or saving stays on the part being worked on.
part = st.segmented_control("Show", ["ILR template", "Enrol learners", "Clone"], default="ILR template",
                            key=f"programme_part_{programme_id}", label_visibility="collapsed") or "ILR template"
if part == "ILR template":
    template_form(programme_id)
elif part == "Enrol learners":
    enrol_section(programme_id)
else:
    clone_form(programme_id, ticked["Name"])
