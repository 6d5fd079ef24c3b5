"""Invoicing: the Wednesday run that bills last week's re-assessments per centre and purchase order."""

from datetime import date, timedelta

import streamlit as st

from lib.analytics.invoicing import invoice_lines, invoices, preview, run_week, week_to_bill
from lib.store.export import frame_xlsx
from lib.ui.analytics_table import analytics_table
from lib.ui.page import page_setup, run_action, show_notice

NOTICE = "invoicing_notice"

db, user = page_setup()
st.title("Invoicing")
st.caption("Each Wednesday the team bills the re-submissions after a Referral made Monday to Sunday of the week "
           "before: one invoice per centre and purchase order (the batch name), priced from the Guide to Fees "
           "(Settings). Items over the word-count guidance add a re-submission fee per further 10,000 words. "
           "Running a week again never bills an item twice.")
show_notice(NOTICE)

default_week = week_to_bill(date.today())
chosen = st.columns(3)[0].date_input("Week beginning (a Monday)", default_week, key="invoice_week",
                                     format="DD/MM/YYYY", max_value=default_week)
week_start = chosen - timedelta(days=chosen.weekday())
if week_start != chosen:
    st.caption(f"That day is in the week beginning Monday {week_start:%d/%m/%Y}.")
week_end = week_start + timedelta(days=6)

to_bill = preview(db, user, week_start)
st.subheader(f"Not yet billed: {week_start:%d/%m/%Y} to {week_end:%d/%m/%Y}")
if to_bill.empty:
    st.caption("Nothing to bill for this week.")
else:
    st.columns(3)[0].metric("To bill", f"£{to_bill['Amount £'].sum():,.2f}", help=f"{len(to_bill)} lines", border=True)
    analytics_table(to_bill, "invoice_preview", f"To bill week {week_start:%Y-%m-%d}")
if st.button(f"Run invoicing for the week beginning {week_start:%d/%m/%Y}", key="invoice_run", type="primary",
             icon=":material/receipt_long:", disabled=to_bill.empty):
    run_action(lambda: run_week(db, user, week_start), NOTICE, f"Invoices raised for the week beginning {week_start:%d/%m/%Y}.")

raised = invoices(db, user, week_start)
st.subheader("Invoices raised for this week")
if raised.empty:
    st.caption("None yet.")
else:
    analytics_table(raised, "invoices", f"Invoices week {week_start:%Y-%m-%d}", date_columns=("Week from", "Raised"))
    lines = invoice_lines(db, user, week_start)
    st.download_button("Export the week's invoice lines to Excel", key="invoice_lines_export",
                       icon=":material/table_view:", on_click="ignore",
                       file_name=f"Invoice lines week {week_start:%Y-%m-%d}.xlsx",
                       data=lambda: frame_xlsx(lines, "Invoice lines"))
