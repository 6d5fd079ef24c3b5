"""Batch review: batches with their size, results, referral rate and most-referred units, flagged when high;
a lead assessor writes the batch's Feedback Summary Report, which the centre then sees."""

from dataclasses import replace
from datetime import date, timedelta

import streamlit as st

from lib.analytics.batch_review import batch_items, batches, feedback_report, flag_rule, save_feedback_report
from lib.analytics.referrals import ALL_TIME, Period, rates_by
from lib.rules.roles import LEAD_ASSESSOR
from lib.ui.analytics_table import analytics_table
from lib.ui.feedback_download import report_download
from lib.ui.item_link import item_link_columns
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.remember import remembered, take_preset
from lib.ui.text import escape_markdown

NOTICE = "batch_review_notice"

db, user = page_setup()
st.title("Batch review")
rule = flag_rule(db)
st.caption(f"{rule.describe()} Rates count released unit results of the batch's submissions.")
show_notice(NOTICE)

start_col, end_col, flagged_col = st.columns([1, 1, 2], vertical_alignment="bottom")
start = start_col.date_input("Batches created from", date.today() - timedelta(days=365), key="batches_from",
                             format="DD/MM/YYYY")
end = end_col.date_input("To", date.today(), key="batches_to", format="DD/MM/YYYY")
if take_preset("without_report") == "yes":
    st.session_state["batches_flagged_only"] = st.session_state["batches_without_report"] = True
only_flagged = remembered(flagged_col.toggle, "Flagged batches only", "batches_flagged_only", value=True)
without_report = remembered(flagged_col.toggle, "Without a Feedback Summary Report only", "batches_without_report",
                            value=False)
if start > end:
    st.error("'Batches created from' must be on or before 'To'.")
    st.stop()
table = batches(db, user, Period(start, end))
flagged = table[table.Flag != ""]
first, second, third = st.columns(3)
first.metric("Batches", f"{len(table):,}", border=True)
second.metric("Flagged", f"{len(flagged):,}", border=True)
third.metric("Flagged without a report", f"{int((~flagged.Report).sum()):,}", border=True)
shown = flagged if only_flagged else table
if without_report:
    shown = shown[~shown.Report]
st.caption("Tick a batch to see its units and submissions" + (" and write its Feedback Summary Report."
                                                                if user.role == LEAD_ASSESSOR else "."))
batch = analytics_table(shown, "batches", "Batch review", drill=True, date_columns=("Created",), drill_key="Batch ID")
if batch is None:
    st.stop()

batch_id = int(batch["Batch ID"])
st.subheader(f"Batch {escape_markdown(batch['Batch'])} · centre {escape_markdown(batch['Centre'])} "
             f"{escape_markdown(batch['Centre name'])}")
units = rates_by(db, user, "unit", replace(ALL_TIME, batch_id=batch_id))
units_tab, items_tab = st.tabs(["Units", "Submissions"])
with units_tab:
    analytics_table(units, f"batch_units_{batch_id}", f"Batch {batch['Batch']} units")
with items_tab:
    links, link_config = item_link_columns(user)
    analytics_table(batch_items(db, user, batch_id), f"batch_items_{batch_id}", f"Batch {batch['Batch']}",
                    date_columns=("Submitted", "Released"), page_columns=links, column_config=link_config)

report = feedback_report(db, user, batch_id)
st.subheader("Feedback Summary Report")
if report is not None:
    st.caption(f"Written {report.written_at:%d/%m/%Y} by {escape_markdown(report.author)}; "
               f"last saved {report.updated_at:%d/%m/%Y %H:%M}.")
    report_download(report, f"batch_report_download_{batch_id}")
elif user.role != LEAD_ASSESSOR:
    st.caption("No report has been written for this batch.")
if user.role == LEAD_ASSESSOR:
    with st.form(f"report_form_{batch_id}"):
        trends = st.text_area("Trends in this batch", value=report.trends if report else "", height=150,
                              key=f"report_trends_{batch_id}",
                              placeholder="What went well, what went wrong across the batch, and any pattern of "
                                          "failings in particular assessment criteria.")
        advice = {}
        for unit in units.itertuples(index=False):
            advice[unit.Unit] = st.text_area(
                f"Advice on {unit.Unit} ({unit.Referrals} of {unit.Results} referred)",
                value=(report.unit_advice.get(unit.Unit, "") if report else ""), key=f"report_unit_{batch_id}_{unit.Unit}")
        if st.form_submit_button("Save report", type="primary", icon=":material/save:"):
            run_action(lambda: save_feedback_report(db, user, batch_id, trends, advice), NOTICE,
                       f"The Feedback Summary Report for batch {batch['Batch']} is saved; the centre can now see it.")
