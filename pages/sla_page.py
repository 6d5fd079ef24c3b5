"""SLA dashboard: open work by stage with working days left, at risk and breached; the on-time rate by month."""

import plotly.express as px
import streamlit as st

from lib.sla import on_time_by_month, open_items
from lib.ui.page import page_setup

db, user = page_setup()
st.title("SLA dashboard")
st.caption("Results are due 25 UK working days after submission (England and Wales bank holidays excluded). "
           "At risk: 5 working days or fewer left. Breached: past the SLA target.")
board = open_items(db, user)
totals = board[["Open items", "At risk", "Breached"]].sum() if not board.empty else None
for column, label in zip(st.columns(3), ("Open items", "At risk", "Breached")):
    column.metric(label, f"{int(totals[label]) if totals is not None else 0:,}", border=True)
st.dataframe(board, hide_index=True, key="sla_stages")
months = on_time_by_month(db, user)
if months.empty:
    st.caption("No results released in the last 12 months.")
else:
    chart = px.bar(months, x="Month", y="On-time %", text="On-time %", range_y=[0, 100],
                   title="Results released by their SLA target, by month")
    chart.update_layout(height=360, margin=dict(t=50, b=10))
    st.plotly_chart(chart, key="sla_chart")
    st.dataframe(months, hide_index=True, key="sla_months")
