"""Tracker: every submitted assessment the user may see; filter, download result sheets, export, re-submit."""

from datetime import date

import pandas as pd
import streamlit as st

from lib.accounts.navigation import title_for
from lib.admin.audit import history
from lib.analytics.batch_review import report_for_item
from lib.centre.submitting import resubmission_refusal, start_resubmission
from lib.centre.tracker import (
    columns_for,
    released_result_sheets,
    released_results,
    released_sheet_names,
    tracker_export,
    tracker_page,
)
from lib.centre.uploads import zip_files
from lib.errors import Refused
from lib.rules.roles import ASSESSMENT_TEAM, ASSESSOR, LEAD_ASSESSOR, QUALITY
from lib.service.enquiries import enquiry_refusal, results_history
from lib.store.export import centre_report_name
from lib.store.objects import ObjectStore
from lib.store.scope import NotFound
from lib.ui.feedback_download import report_download
from lib.ui.grid import grid_query, show_only, sort_by_heading
from lib.ui.page import file_store, page_setup, show_notice
from lib.ui.pager import pager
from lib.ui.remember import take_preset
from lib.ui.stored_download import PAGE_LINK_SECONDS
from lib.ui.tables import clear_ticks
from lib.ui.text import escape_markdown
from lib.ui.tracker_table import tracker_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
db, user = page_setup()
store = file_store()
st.title(title_for(user.role, "pages/centre/tracker_page.py"))
show_notice("tracker_notice")

linked_item = take_preset("item")  # a link from another page to one item (?item=123)
if linked_item is not None and linked_item.isdigit():
    show_only("tracker", "ID", [int(linked_item)])
query = grid_query("tracker", columns_for(user),
                   presets={"status": "Status", "stage": "Stage", "resubmitted": "Re-submitted"})
page = tracker_page(db, user, query)
if page.total == 0:
    if query.filters:
        st.info("No submissions match these filters. Use Clear Filter to see them all.", icon=":material/search_off:")
    else:
        st.info("There are no submissions yet. Assessments appear here once they are submitted from Pending "
                "Submission.", icon=":material/inbox:")
    st.stop()

WHAT_IT_LISTS = {
    ASSESSMENT_TEAM: "Every item submitted to the service, with its stage inside the service and its assessor.",
    QUALITY: "Every item submitted to the service, with its stage inside the service and its assessor.",
    LEAD_ASSESSOR: "Every item that has been marked: in sampling, ready to release or released.",
    ASSESSOR: "Every item allocated to you: still to mark, marked, and released.",
}
if user.is_centre:
    st.caption("Submitted rows are blue, Referred amber and Rejected red, with the reason beside them. The SLA Target "
               "is 25 working days after submission and shows the release date once results are issued.")
else:
    st.caption(f"{WHAT_IT_LISTS[user.role]} Rows are coloured by what the centre sees: Submitted blue, Referred amber, "
               "Rejected red. Filter on Stage or Assessor with Filter.")
st.caption(f"{page.total:,} item(s). Click a column heading to sort the whole list by it; click again to reverse.")
# The actions head the list (drawn into their slot once the ticks are known): on the first screen however long
# the page of rows.
actions_slot = st.container()
chosen = tracker_table(page.rows, show_centre=not user.is_centre, key="tracker_table",
                       on_heading=sort_by_heading("tracker"))
for record in chosen:
    if record["Status"] == "Rejected" and isinstance(record["Rejection reason"], str):
        st.info(f"Item {int(record['ID'])} was rejected: {escape_markdown(record['Rejection reason'])}",
                icon=":material/block:")
pager("tracker", page.total)
chosen_ids = [int(record["ID"]) for record in chosen]

export_col, sheets_col, resubmit_col, enquire_col, report_col = actions_slot.columns([1.6, 2.5, 1.4, 1.4, 2.1])
why_not_box = actions_slot.container()  # under the buttons: why Enquire or Re-submit is not live for the ticked row
export_col.download_button("Export to Excel", data=lambda: tracker_export(db, user, query),
                           file_name=centre_report_name(date.today()), mime=XLSX, key="tracker_export",
                           icon=":material/table_view:", on_click="ignore")
# Only the names on each rerun (lib keeps to released items); the files are read when the button is pressed.
released_ids = [int(record["ID"]) for record in chosen if record["Status"] in ("Completed", "Referred")]
names = released_sheet_names(db, user, released_ids) if released_ids else []
if len(names) == 1 and isinstance(store, ObjectStore):  # from a bucket: a link that expires, signed for this user
    sheets_col.link_button("Download Result Sheet", store.link(names[0][1], names[0][0], PAGE_LINK_SECONDS),
                           icon=":material/download:")
elif len(names) == 1:
    sheets_col.download_button("Download Result Sheet", data=lambda: store.read(names[0][1]), file_name=names[0][0],
                               key="tracker_sheets", icon=":material/download:", on_click="ignore")
else:
    sheets_col.download_button("Download Result Sheets",
                               data=lambda: zip_files(released_result_sheets(db, user, released_ids, store)),
                               file_name="Result Sheets.zip", key="tracker_sheets", icon=":material/folder_zip:",
                               disabled=not names, on_click="ignore",
                               help="Tick Completed or Referred rows whose marked result sheets have been issued.")
report = (report_for_item(db, user, chosen_ids[0])
          if len(chosen) == 1 and isinstance(chosen[0]["Batch"], str) and chosen[0]["Batch"] else None)
if report is not None:
    with report_col:
        report_download(report, "tracker_report")
if len(chosen) == 1 and chosen[0]["Status"] in ("Completed", "Referred"):
    with st.container(border=True, key="tracker_results"):
        st.markdown(f"**Results of item {chosen_ids[0]}**")
        for unit in released_results(db, user, chosen_ids[0]).itertuples():
            mark = f", mark {int(unit.Mark)}" if pd.notna(unit.Mark) else ""
            st.markdown(f"{escape_markdown(unit.Unit)} {escape_markdown(unit.Title or '')}: "
                        f"**{escape_markdown(unit.Result or 'no result')}**{mark}")
            if isinstance(unit.Feedback, str) and unit.Feedback.strip():
                st.caption(escape_markdown(unit.Feedback))
        results = results_history(db, user, chosen_ids[0])
        if not results.empty:
            st.markdown("**After enquiries and appeals**")
            st.dataframe(results, hide_index=True, key="tracker_results_history", width="stretch",
                         column_config={"When": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
                                        "Why": st.column_config.TextColumn(width="large")})
if user.role in (ASSESSMENT_TEAM, QUALITY) and len(chosen) == 1:
    with st.expander(f"History of item {chosen_ids[0]}", icon=":material/history:"):
        changes = history(db, user, "submission", chosen_ids[0])
        changes["When"] = changes["When"].dt.strftime("%d/%m/%Y %H:%M")
        st.dataframe(changes, hide_index=True, key="tracker_item_history", width="stretch")
if user.is_centre:
    # Each button is live only where it would be taken, and says why not where it would be refused.
    if len(chosen) == 1:
        cannot_enquire = enquiry_refusal(db, user, chosen_ids[0])
        cannot_resubmit = resubmission_refusal(db, user, chosen_ids[0])
    else:
        cannot_enquire = "Tick one Completed or Referred row to ask for its result to be looked at again."
        cannot_resubmit = "Tick one Rejected or Referred row: the latest record for that learner and unit."
    if enquire_col.button("Enquire", key="tracker_enquire", icon=":material/contact_support:",
                          disabled=cannot_enquire is not None,
                          help=cannot_enquire or "Ask for this result to be looked at again (a fee applies)."):
        st.session_state["enquiry_item"] = chosen_ids[0]
        st.switch_page("pages/service/enquiries_page.py")
    if resubmit_col.button("Re-submit", key="tracker_resubmit", icon=":material/replay:",
                           disabled=cannot_resubmit is not None,
                           help=cannot_resubmit or "Start a re-submission in Pending with reworked evidence."):
        try:
            new_id = start_resubmission(db, user, chosen_ids[0])
        except (Refused, NotFound) as refused:
            st.error(escape_markdown(refused), icon=":material/error:")
        else:
            clear_ticks("tracker_table")
            st.session_state["pending_notice"] = (f"Re-submission {new_id} is ready in Pending: add the reworked "
                                                  "evidence and the result sheet, then submit it.")
            st.switch_page("pages/centre/pending_page.py")
    if len(chosen) == 1:
        why_not = [f"{action}: {reason}" for action, reason in (("Enquire", cannot_enquire),
                                                                 ("Re-submit", cannot_resubmit)) if reason]
        for line in why_not:
            why_not_box.caption(escape_markdown(line))
