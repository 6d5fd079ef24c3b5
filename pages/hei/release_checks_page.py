"""EQA release checks (ILM Mapped): after an HEI's Exam Board, quality records the check and reconciles the Exam
Board list with the learners claimed on the Walled Garden order; a passed check releases the order and its Badge
Claim; the university reads its own checks."""

from datetime import date

import streamlit as st

from lib.config import load_settings
from lib.errors import NotFound, Refused
from lib.hei import open_badges
from lib.hei.credentials import assertions, badge_claim_preview, issue_badge_claims
from lib.hei.mapping import POINTS, mapped_programmes, mapping_versions
from lib.hei.release_check import check_detail, import_order, orders, release_checks, release_order, run_check
from lib.rules.roles import QUALITY
from lib.ui.analytics_table import analytics_table
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.tables import blank_missing
from lib.ui.text import escape_markdown
from lib.ui.upload_form import as_uploads

NOTICE = "checks_notice"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
db, user = page_setup()
st.title("EQA release checks")
show_notice(NOTICE)
st.caption("After the Exam Board, the EQA checks that the learners conferred match the learners claimed for ILM "
           "achievement on the Walled Garden order. Nothing of an order is released, and no credential issued, until "
           "a check of it passes.")


def check_form() -> None:
    programmes = mapped_programmes(db, user)
    if programmes.empty:
        st.info("No mapped programmes yet.", icon=":material/inbox:")
        return
    programme_id = st.selectbox("Programme", programmes.Programme.tolist(), key="check_programme",
                                format_func=lambda p: f"{programmes.set_index('Programme').Centre[p]} · "
                                                      f"{programmes.set_index('Programme').Title[p]}")
    order_list = orders(db, user, programme_id)
    versions = mapping_versions(db, user, programme_id).Version.tolist()
    with st.form(f"check_new_{programme_id}"):
        order = st.selectbox("Walled Garden order", order_list.Order.tolist(), key=f"check_order_{programme_id}")
        board_col, minutes_col = st.columns([1, 2])
        board = board_col.date_input("Exam Board date", value=date.today(), max_value=date.today(),
                                     key=f"check_board_{programme_id}", format="DD/MM/YYYY")
        minutes = minutes_col.text_input("Title of the Exam Board minutes seen", key=f"check_minutes_{programme_id}")
        version = st.selectbox("Mapping version checked", versions, key=f"check_version_{programme_id}")
        point = st.radio("The ILM qualification has been achieved", list(POINTS), format_func=POINTS.get,
                         key=f"check_point_{programme_id}")
        changed = st.radio("Has the programme's title, content or assessment changed since the last mapping, or is a "
                           "change planned?", ["No", "Yes"], horizontal=True, key=f"check_changed_{programme_id}")
        change = st.text_area("If yes, the change (it opens a change request)", key=f"check_change_{programme_id}")
        board_list = st.file_uploader("The Exam Board list (CSV or Excel: names, and IDs where given)",
                                      key=f"check_list_{programme_id}")
        if st.form_submit_button("Record the check", type="primary", icon=":material/fact_check:"):
            files = as_uploads(board_list)
            run_action(lambda: run_check(db, user, programme_id, board, minutes, order, int(version), changed == "Yes",
                                         point, files[0] if files else None, change), NOTICE,
                       lambda check_id: f"Release check {check_id} is recorded.")


def detail_section(check_id: int) -> None:
    detail, learners = check_detail(db, user, check_id)
    st.subheader(f"Check {check_id}: {escape_markdown(detail['programme'])}, order {escape_markdown(detail['order_number'])}")
    (st.success if detail["passed"] else st.error)(escape_markdown(detail["outcome"]),
                                                   icon=":material/check_circle:" if detail["passed"] else
                                                   ":material/block:")
    st.caption(f"Exam Board {detail['exam_board_date']:%d/%m/%Y} · minutes: {escape_markdown(detail['minutes_title'])} · "
               f"mapping version {detail['mapping_version']} · {POINTS[detail['achievement_point']]} · programme "
               f"changed: {'yes' if detail['programme_changed'] else 'no'} · list: {escape_markdown(detail['list_name'])}"
               f" · checked {detail['checked_on']:%d/%m/%Y} by {escape_markdown(detail['checked_by'] or '?')}")
    st.info(detail["statement"], icon=":material/info:")
    st.dataframe(blank_missing(learners), hide_index=True, key=f"check_learners_{check_id}", width="stretch")
    if not detail["passed"]:
        return
    if user.role == QUALITY and st.button("Release the order's results", key=f"check_release_{check_id}",
                                          icon=":material/send:"):
        run_action(lambda: release_order(db, user, check_id), NOTICE,
                   lambda done: f"Released {done[0]} learner(s) of order {detail['order_number']}."
                                + (f" Held for a re-mapping: {', '.join(done[1])}." if done[1] else ""))
    st.markdown("**Badge Claim**")
    try:
        rows, refused = badge_claim_preview(db, user, check_id)
    except (Refused, NotFound) as problem:  # no metadata yet: say so where the claim would be
        st.caption(escape_markdown(problem))
        return
    st.caption(f"{len(rows)} learner(s) to send a credential to; {len(refused)} refused, each with the reason.")
    st.dataframe(blank_missing(rows), hide_index=True, key=f"check_claims_{check_id}", width="stretch")
    if len(refused):
        st.dataframe(blank_missing(refused), hide_index=True, key=f"check_refused_{check_id}", width="stretch")
    if user.role == QUALITY:
        issue_col, json_col = st.columns(2)
        if issue_col.button("Issue the badge claims", key=f"check_issue_{check_id}", type="primary",
                            disabled=rows.empty, icon=":material/workspace_premium:"):
            try:
                claim = issue_badge_claims(db, user, check_id)
            except (Refused, NotFound) as problem:
                st.error(escape_markdown(problem), icon=":material/error:")
            else:
                open_badges.publish(db, load_settings().public_url)
                st.session_state[f"badge_claim_{check_id}"] = claim
        if f"badge_claim_{check_id}" in st.session_state:
            claim = st.session_state[f"badge_claim_{check_id}"]
            st.download_button("Credly bulk-issue file (CSV)", data=claim.credly_csv, mime="text/csv",
                               file_name=f"Credly bulk issue check {check_id}.csv", key=f"check_csv_{check_id}",
                               icon=":material/upload_file:", on_click="ignore", type="primary")
            st.download_button("ILM's record of the claim (Excel)", data=claim.record_xlsx, mime=XLSX,
                               file_name=f"Badge Claim check {check_id}.xlsx", key=f"check_sheet_{check_id}",
                               icon=":material/table_view:", on_click="ignore")
        json_col.download_button("Open Badges 2.0 assertions (JSON)",
                                 data=lambda: assertions(db, user, check_id, load_settings().public_url),
                                 file_name=f"Open Badges check {check_id}.json", mime="application/json",
                                 key=f"check_json_{check_id}", icon=":material/data_object:", on_click="ignore")


def order_form() -> None:
    programmes = mapped_programmes(db, user)
    if programmes.empty:
        return
    programme_id = st.selectbox("Programme", programmes.Programme.tolist(), key="order_programme",
                                format_func=lambda p: f"{programmes.set_index('Programme').Centre[p]} · "
                                                      f"{programmes.set_index('Programme').Title[p]}")
    with st.form(f"order_new_{programme_id}"):
        number = st.text_input("Walled Garden order number", key=f"order_number_{programme_id}")
        export = st.file_uploader("The order's export (CSV or Excel: ENR, Email, Claimed yes or no)",
                                  key=f"order_file_{programme_id}")
        if st.form_submit_button("Record the order", icon=":material/receipt_long:"):
            files = as_uploads(export)
            run_action(lambda: import_order(db, user, programme_id, number, files[0] if files else None), NOTICE,
                       lambda count: f"Order {number} is recorded with {count} learner(s).")


if user.role == QUALITY:
    with st.expander("Record a Walled Garden order", icon=":material/receipt_long:"):
        order_form()
    with st.expander("Record a release check", icon=":material/add:"):
        check_form()
checks = release_checks(db, user)
if checks.empty:
    st.info("No release checks yet.", icon=":material/inbox:")
    st.stop()
st.caption("Tick a check to read its reconciliation" + (", release its order and issue its credentials."
                                                         if user.role == QUALITY else "."))
chosen = analytics_table(checks, "checks", "Release checks", drill=True, date_columns=("Exam Board", "Checked"),
                         presets={"result": "Result"})
if chosen is not None:
    detail_section(int(chosen["Check"]))
