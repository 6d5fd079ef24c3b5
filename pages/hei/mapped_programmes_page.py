"""Mapped programmes (ILM Mapped): quality keeps an HEI's programmes, their mapping-document versions and credential
metadata, and decides their changes; the university reads its own and asks for changes."""

from datetime import date

import pandas as pd
import streamlit as st

from lib.hei.credentials import metadata, save_metadata
from lib.hei.mapping import (
    CHANGES,
    POINTS,
    MappingRow,
    change_requests,
    create_programme,
    decide_change,
    finish_remapping,
    hei_centres,
    held_learners,
    mapped_programmes,
    mapping_document,
    mapping_table,
    mapping_versions,
    route_learners,
    submit_change,
)
from lib.rules.roles import QUALITY
from lib.rules.text import NOTE_MAX
from lib.ui.analytics_table import analytics_table
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.tables import blank_missing
from lib.ui.text import escape_markdown
from lib.ui.upload_form import as_uploads

NOTICE = "mapped_notice"
db, user = page_setup()
st.title("Mapped programmes")
show_notice(NOTICE)
st.caption("Degree programmes of universities mapped to ILM qualifications: the mapping document in force and its "
           "earlier versions, and the changes asked for. A re-mapping holds the results of the learners on the "
           "changed route, and removes Direct Claim Status, until it is done.")


def mapping_rows_editor(key: str, units: list[str], rows: list[MappingRow] | None = None) -> list[MappingRow]:
    frame = st.data_editor(pd.DataFrame([(r.hei_module, r.unit_code) for r in rows or []],
                                        columns=["HEI module", "ILM unit"]), num_rows="dynamic", key=key,
                           hide_index=True, column_config={
                               "HEI module": st.column_config.TextColumn(required=True, max_chars=120),
                               "ILM unit": st.column_config.SelectboxColumn(options=units, required=True)})
    return [MappingRow(str(row["HEI module"]), str(row["ILM unit"]))
            for row in frame.dropna(how="all").to_dict("records") if row.get("HEI module") or row.get("ILM unit")]


def create_form() -> None:
    centres = hei_centres(db, user)
    if centres.empty:
        st.info("No centre is a university yet: the team marks one on Centres.", icon=":material/inbox:")
        return
    centre = st.selectbox("University", centres.Centre.tolist(), key="mapped_new_centre",
                          format_func=lambda n: f"{n} {centres.set_index('Centre').Name[n]}")
    qualifications = list(centres.set_index("Centre").qualifications[centre])
    code = st.selectbox("ILM qualification", qualifications, key="mapped_new_qualification")
    units = [u for (u,) in db.query_all("SELECT unit_code FROM qualification_units WHERE qualification_code = ? "
                                        "ORDER BY 1", [code])]
    with st.form(f"mapped_new_{centre}_{code}"):
        title = st.text_input("Programme title", max_chars=120, key="mapped_new_title")
        point = st.radio("The ILM award is achieved", list(POINTS), format_func=POINTS.get, key="mapped_new_point")
        dcs = st.checkbox("Direct Claim Status", key="mapped_new_dcs")
        issued = st.date_input("Mapping document issued on", value=date.today(), key="mapped_new_issued",
                               format="DD/MM/YYYY")
        document = st.file_uploader("Mapping document (Word or PDF, at most 10 MB)", key="mapped_new_document")
        st.markdown("**HEI modules and the ILM units they map to**")
        rows = mapping_rows_editor("mapped_new_rows", units)
        if st.form_submit_button("Create the programme", type="primary", icon=":material/add:"):
            files = as_uploads(document)
            run_action(lambda: create_programme(db, user, centre, title, code, point, dcs,
                                                files[0] if files else None, rows, issued), NOTICE,
                       lambda programme_id: f"Programme {programme_id} is mapped (version 1).")


def programme_section(programme: pd.Series) -> None:
    programme_id = int(programme["Programme"])
    st.subheader(escape_markdown(programme["Title"]))
    st.caption(f"{programme['Qualification']} · {programme['ILM award']} · Direct Claim Status: "
               f"{programme['Direct Claim Status']}")
    versions = mapping_versions(db, user, programme_id)
    st.dataframe(versions, hide_index=True, key=f"mapped_versions_{programme_id}", width="stretch",
                 column_config={"Issued": st.column_config.DateColumn(format="DD/MM/YYYY")})
    version = st.selectbox("Mapping version", versions.Version.tolist(), key=f"mapped_version_{programme_id}",
                           format_func=lambda v: f"Version {v}" + (" (in force)" if v == versions.Version.max() else ""))
    st.dataframe(mapping_table(db, user, programme_id, int(version)), hide_index=True,
                 key=f"mapped_table_{programme_id}_{version}", width="stretch")
    st.download_button("Download this version's mapping document",
                       data=lambda: mapping_document(db, user, programme_id, int(version))[1],
                       file_name=versions.set_index("Version").File[version], key=f"mapped_doc_{programme_id}",
                       icon=":material/download:", on_click="ignore")
    if user.is_centre:
        change_form(programme_id)
    elif user.role == QUALITY:
        metadata_form(programme_id)


def change_form(programme_id: int) -> None:
    learners = route_learners(db, user, programme_id)
    with st.expander("Ask for a change to this programme", icon=":material/edit_note:"), \
            st.form(f"mapped_change_{programme_id}"):
        changed = st.multiselect("What changes", list(CHANGES), format_func=CHANGES.get,
                                 key=f"mapped_change_what_{programme_id}")
        description = st.text_area("The change", max_chars=NOTE_MAX, key=f"mapped_change_text_{programme_id}")
        effective = st.date_input("From", value=date.today(), key=f"mapped_change_from_{programme_id}",
                                  format="DD/MM/YYYY")
        route = st.multiselect("Learners who follow the changed route", learners["Learner ID"].tolist(),
                               key=f"mapped_change_route_{programme_id}", format_func=lambda i: " · ".join(
                                   learners.set_index("Learner ID").loc[i, ["ENR", "Learner"]]))
        if st.form_submit_button("Send the change request", type="primary", icon=":material/send:"):
            run_action(lambda: submit_change(db, user, programme_id, changed, description, effective, route),
                       NOTICE, lambda request_id: f"Change request {request_id} is with ILM's quality team.")


def metadata_form(programme_id: int) -> None:
    current = metadata(db, user, programme_id) or {}
    with st.expander("Digital credential (from the Metadata Template)", icon=":material/workspace_premium:"), \
            st.form(f"mapped_metadata_{programme_id}"):
        template = st.text_input("Badge template ID", value=current.get("badge_template_id", ""),
                                 key=f"mapped_badge_{programme_id}")
        name = st.text_input("Credential name", value=current.get("name", ""), key=f"mapped_badge_name_{programme_id}")
        description = st.text_area("Description", value=current.get("description", ""), max_chars=NOTE_MAX,
                                   key=f"mapped_badge_description_{programme_id}")
        criteria = st.text_area("Criteria", value=current.get("criteria", ""), max_chars=NOTE_MAX,
                                key=f"mapped_badge_criteria_{programme_id}")
        skills = st.text_input("Skills (separated by commas)", value=", ".join(current.get("skills") or []),
                               key=f"mapped_badge_skills_{programme_id}")
        logo = st.file_uploader("The university's logo (PNG or JPEG, at most 1 MB)"
                                + (f"; now {current['logo_name']}" if current.get("logo_name") else ""),
                                key=f"mapped_badge_logo_{programme_id}")
        if st.form_submit_button("Save the credential", icon=":material/save:"):
            logos = as_uploads(logo)
            run_action(lambda: save_metadata(db, user, programme_id, template, name, description, criteria,
                                             skills.split(","), logos[0] if logos else None), NOTICE,
                       "The credential's metadata is saved.")


def requests_section() -> None:
    requests = change_requests(db, user)
    st.subheader("Change requests")
    if requests.empty:
        st.caption("No change requests.")
        return
    ticked = analytics_table(requests, "mapped_requests", "Mapping change requests", drill=True,
                             date_columns=("From", "Submitted", "Decided"), presets={"status": "Status"})
    held = held_learners(db, user)
    if not held.empty:
        st.warning(f"{len(held)} learner(s) have their results held until a re-mapping is done.",
                   icon=":material/pause_circle:")
        st.dataframe(blank_missing(held), hide_index=True, key="mapped_held", width="stretch")
    if ticked is None or user.role != QUALITY:
        return
    request_id = int(ticked["Request"])
    if ticked["Status"].startswith("Waiting"):
        with st.form(f"mapped_decide_{request_id}"):
            st.markdown(f"**Decide change request {request_id}**")
            kind = st.radio("Decision", ["Minor change", "Re-mapping"], horizontal=True,
                            key=f"mapped_decide_kind_{request_id}")
            note = st.text_area("Why (the university reads it)", max_chars=NOTE_MAX, key=f"mapped_decide_note_{request_id}")
            cost = st.text_input("Cost note (re-mapping)", key=f"mapped_decide_cost_{request_id}")
            document = st.file_uploader("New mapping document version (minor change)", key=f"mapped_decide_doc_{request_id}")
            if st.form_submit_button("Record the decision", type="primary", icon=":material/gavel:"):
                files = as_uploads(document)
                run_action(lambda: decide_change(db, user, request_id, kind == "Re-mapping", note,
                                                 files[0] if files else None, cost), NOTICE,
                           lambda status: f"Change request {request_id}: "
                                          + ("re-mapping; the learners on the route are held." if status == "remapping"
                                             else "minor change; a new mapping version is in force."))
    elif ticked["Status"].startswith("Re-mapping"):
        with st.form(f"mapped_finish_{request_id}"):
            st.markdown(f"**Re-mapping of request {request_id} done**")
            document = st.file_uploader("The new mapping document", key=f"mapped_finish_doc_{request_id}")
            note = st.text_input("Note", key=f"mapped_finish_note_{request_id}")
            if st.form_submit_button("Issue the new version and end the hold", type="primary",
                                     icon=":material/play_circle:"):
                files = as_uploads(document)
                run_action(lambda: finish_remapping(db, user, request_id, files[0] if files else None, None, note),
                           NOTICE,
                           lambda version: f"Mapping version {version} is in force; the hold has ended.")


if user.role == QUALITY:
    with st.expander("Map a programme", icon=":material/add:"):
        create_form()
programmes = mapped_programmes(db, user)
if programmes.empty:
    st.info("No mapped programmes yet.", icon=":material/inbox:")
else:
    st.caption("Tick a programme to read its mapping" + (" or ask for a change." if user.is_centre else "."))
    chosen = analytics_table(programmes, "mapped", "Mapped programmes", drill=True)
    if chosen is not None:
        programme_section(chosen)
requests_section()
