"""SLA dashboard: open work by stage with working days left, at risk and breached; performance over released
work (on time, median working days to result, quality checks within 5 working days), overall and per centre."""

from datetime import date, timedelta

import plotly.graph_objects as go
import streamlit as st

from lib.service.sla import open_items, performance
from lib.ui.analytics_table import analytics_table
from lib.ui.page import page_setup

db, user = page_setup()
st.title("SLA dashboard")
st.caption("Results are due 25 UK working days after submission (England and Wales bank holidays excluded). "
           "At risk: 5 working days or fewer left. Breached: past the SLA target.")
board = open_items(db, user)
totals = board[["Open items", "At risk", "Breached"]].sum() if not board.empty else None
for column, label in zip(st.columns(3), ("Open items", "At risk", "Breached")):
    column.metric(label, f"{int(totals[label]) if totals is not None else 0:,}", border=True)
analytics_table(board, "sla_stages", "SLA open work by stage")

st.subheader("Performance on released work")
start_col, end_col, centre_col = st.columns(3)
start = start_col.date_input("Released from", date.today().replace(day=1) - timedelta(days=334), key="sla_from",
                             format="DD/MM/YYYY")
end = end_col.date_input("To", date.today(), key="sla_to", format="DD/MM/YYYY")
centres = [n for (n,) in db.query_all("SELECT number FROM centres ORDER BY number")]
centre = centre_col.selectbox("Centre", centres, index=None, placeholder="All centres", key="sla_centre")
if start > end:
    st.error("'Released from' must be on or before 'To'.")
    st.stop()
overall = performance(db, user, start, end, by=None, centre_number=centre)
if overall.empty:
    st.caption("No results released in this period.")
    st.stop()
row = overall.iloc[0]
for column, label, value in zip(st.columns(4), ("Released", "On time", "Median working days to result",
                                                "Quality checks within 5 working days"),
                                (f"{int(row['Released']):,}", f"{row['On-time %']:.1f}%",
                                 f"{row['Median working days']:.0f}",
                                 "no record" if row.isna()["QC within 5 working days %"]
                                 else f"{row['QC within 5 working days %']:.1f}%")):
    column.metric(label, value, border=True)
months = performance(db, user, start, end, by="month", centre_number=centre)
chart = go.Figure()
chart.add_bar(x=months.Month, y=months["On-time %"], name="On time %", text=months["On-time %"])
chart.add_scatter(x=months.Month, y=months["Median working days"], name="Median working days to result",
                  mode="lines+markers", yaxis="y2")
chart.update_layout(title="By month of release" + (f": centre {centre}" if centre else ""), height=360,
                    margin=dict(t=50, b=10), yaxis=dict(title="On time %", range=[0, 100]),
                    yaxis2=dict(title="Working days", overlaying="y", side="right", rangemode="tozero"),
                    legend=dict(orientation="h", y=-0.15))
st.plotly_chart(chart, key="sla_chart")
by_month_tab, by_centre_tab = st.tabs(["By month", "By centre"])
with by_month_tab:
    analytics_table(months, "sla_months", "SLA by month")
with by_centre_tab:
    analytics_table(performance(db, user, start, end, by="centre", centre_number=centre), "sla_centres",
                    "SLA by centre")
