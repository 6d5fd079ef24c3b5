"""Referral rates: by centre, unit, qualification, assessor, batch and month, against the service average."""

from datetime import date, timedelta

import plotly.graph_objects as go
import streamlit as st

from lib.export import write_xlsx
from lib.referrals import (
    Z_95,
    Z_998,
    Period,
    against_service,
    funnel_limit,
    monthly_service_rates,
    rates_by,
    service_rate,
)
from lib.ui.page import page_setup

db, user = page_setup()
own_centre = user.is_centre
st.title("My referral rates" if own_centre else "Referral rates")
st.caption("Referral rate = Referral results ÷ released unit results (Pass + Referral), by the month of release. "
           "An integrated item counts one result per unit.")

start_col, end_col, qual_col, centre_col = st.columns(4)
start = start_col.date_input("From", date.today() - timedelta(days=365), key="rates_from", format="DD/MM/YYYY")
end = end_col.date_input("To", date.today(), key="rates_to", format="DD/MM/YYYY")
if start > end:
    st.error("'From' must be on or before 'To'.")
    st.stop()
qualifications = [q for (q,) in db.query_all("SELECT code FROM qualifications ORDER BY code")]
qualification = qual_col.selectbox("Qualification", qualifications, index=None, placeholder="All", key="rates_qual")
centres = rates_by(db, user, "centre", Period(start, end, qualification))
centre = None if own_centre else centre_col.selectbox("Centre", centres.Centre.tolist(), index=None,
                                                      placeholder="All centres", key="rates_centre")
period = Period(start, end, qualification, centre)
referrals, results = service_rate(db, user, Period(start, end, qualification))
service = 100 * referrals / results if results else 0.0
monthly = monthly_service_rates(db, user, Period(start, end, qualification))

metric_cols = st.columns(3)
metric_cols[0].metric("Service referral rate", f"{service:.1f}%", help=f"{referrals:,} of {results:,} results",
                      border=True)
if own_centre or centre:
    mine = centres if own_centre else centres[centres.Centre == centre]
    rate = 100 * mine.Referrals.sum() / mine.Results.sum() if len(mine) and mine.Results.sum() else 0.0
    metric_cols[1].metric(f"Centre {user.centre_number if own_centre else centre}", f"{rate:.1f}%",
                          delta=f"{rate - service:+.1f} points against the service", delta_color="inverse", border=True)

by_month = rates_by(db, user, "month", period)
chart = go.Figure()
chart.add_scatter(x=sorted(monthly), y=[monthly[m] for m in sorted(monthly)], name="Service", mode="lines+markers")
if own_centre or centre:
    chart.add_scatter(x=by_month.Month, y=by_month["Rate %"], name="Centre", mode="lines+markers")
chart.update_layout(title="Referral rate by month (%)", height=340, margin=dict(t=50, b=10), yaxis_rangemode="tozero")
st.plotly_chart(chart, key="rates_monthly_chart")

if not own_centre and len(centres):
    sizes = centres.Results.to_numpy()
    xs = list(range(5, int(sizes.max()) + 2))
    funnel = go.Figure()
    for z, label, dash in ((Z_95, "95% limits", "dash"), (Z_998, "99.8% limits", "dot")):
        for upper in (True, False):
            funnel.add_scatter(x=xs, y=100 * funnel_limit(service / 100, xs, z, upper), mode="lines",
                               line=dict(dash=dash, color="grey"), name=label, showlegend=upper)
    funnel.add_hline(y=service, line_color="black", annotation_text="service rate")
    flagged = against_service(centres, service)
    funnel.add_scatter(x=flagged.Results, y=flagged["Rate %"], mode="markers", text=flagged.Centre, name="Centres",
                       marker=dict(color=["#c0392b" if f else "#2e86c1" for f in flagged["Above 99.8% limit"]], size=9))
    funnel.update_layout(title="Centres: referral rate against number of results (funnel plot)", height=420,
                         xaxis_title="Released unit results", yaxis_title="Referral rate %", margin=dict(t=50),
                         yaxis_range=[0, min(100, 1.4 * max(float(flagged["Rate %"].max()), service))])
    st.plotly_chart(funnel, key="rates_funnel")

groups = ["unit", "month"] if own_centre else ["centre", "unit", "qualification", "assessor", "batch", "month"]
for tab, group in zip(st.tabs([g.capitalize() for g in groups]), groups):
    with tab:
        table = rates_by(db, user, group, period)
        table = against_service(table, monthly if group == "month" else service)
        st.dataframe(table, hide_index=True, key=f"rates_table_{group}")
        st.download_button("Export to Excel", key=f"rates_export_{group}", icon=":material/table_view:",
                           on_click="ignore", file_name=f"Referral rates by {group} {date.today().isoformat()}.xlsx",
                           data=lambda t=table, g=group: write_xlsx(list(t.columns), t.itertuples(index=False, name=None),
                                                                    f"By {g}"))
