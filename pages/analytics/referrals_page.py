"""Referral rates: by centre, unit, qualification, assessor, batch and month against the service average,
with a drill-down from a centre to its units, batches and their submissions; a centre sees its own only."""

from datetime import date, timedelta

import plotly.graph_objects as go
import streamlit as st

from lib.analytics.batch_review import batch_items, feedback_report, reports_for_centre
from lib.analytics.referrals import (
    Z_95,
    Z_998,
    Period,
    against_service,
    beside_service,
    funnel_limit,
    monthly_service_rates,
    rates_by,
    rates_by_all,
    service_rate,
    unit_service_rates,
)
from lib.ui.analytics_table import analytics_table
from lib.ui.feedback_download import report_download
from lib.ui.page import page_setup
from lib.ui.rates_cache import recent_rate_view
from lib.ui.text import escape_markdown

LIMITS_HELP = ("Above 95% / 99.8% limit: more referrals than the service rate explains by chance for a group of "
               "this size (funnel plot limits); small groups need a much higher rate to be flagged.")
GROUP_TABS = {"centre": "Centres", "unit": "Units", "qualification": "Qualifications", "assessor": "Assessors",
              "batch": "Batches", "month": "Months"}

db, user = page_setup()
own_centre = user.is_centre
st.title("My referral rates" if own_centre else "Referral rates")
st.caption("Referral rate = Referral results ÷ released unit results (Pass + Referral), by the month of release. "
           "An integrated item counts one result per unit. Service %: the service's rate over all centres "
           "(for a month, that month's; for a centre's unit, that unit's).")

start_col, end_col, qual_col, centre_col = st.columns(4)
start = start_col.date_input("From", date.today() - timedelta(days=365), key="rates_from", format="DD/MM/YYYY")
end = end_col.date_input("To", date.today(), key="rates_to", format="DD/MM/YYYY")
if start > end:
    st.error("'From' must be on or before 'To'.")
    st.stop()
qualifications = [q for (q,) in db.query_all("SELECT code FROM qualifications ORDER BY code")]
qualification = qual_col.selectbox("Qualification", qualifications, index=None, placeholder="All", key="rates_qual")
centre_numbers = [n for (n,) in db.query_all("SELECT number FROM centres ORDER BY number")]
centre = None if own_centre else centre_col.selectbox("Centre", centre_numbers, index=None, placeholder="All centres",
                                                      key="rates_centre")
period = Period(start, end, qualification, centre)
groups = ("unit", "month") if own_centre else tuple(GROUP_TABS)
if own_centre:
    whole_service = Period(start, end, qualification)
    referrals, results = service_rate(db, user, whole_service)
    monthly = monthly_service_rates(db, user, whole_service)
    service = 100 * referrals / results if results else 0.0
    tables = beside_service(rates_by_all(db, user, (*groups, "centre"), period), service, monthly,
                            unit_service_rates(db, user, whole_service))
    centres = tables.pop("centre")
else:
    view, counted_at = recent_rate_view(db, user, period, groups)
    st.caption(f"Figures as of {counted_at:%H:%M}; they are counted again every two minutes.")
    tables, centres, monthly, service = view.tables, view.centres, view.monthly, view.service_percent
    referrals, results = view.referrals, view.results

metric_cols = st.columns(3)
metric_cols[0].metric("Service referral rate", f"{service:.1f}%", help=f"{referrals:,} of {results:,} results",
                      border=True)
if own_centre or centre:
    mine = centres if own_centre else centres[centres.Centre == centre]
    rate = 100 * mine.Referrals.sum() / mine.Results.sum() if len(mine) and mine.Results.sum() else 0.0
    metric_cols[1].metric(f"Centre {user.centre_number if own_centre else centre}", f"{rate:.1f}%",
                          delta=f"{rate - service:+.1f} points against the service", delta_color="inverse",
                          help=f"{int(mine.Referrals.sum()):,} of {int(mine.Results.sum()):,} results", border=True)

by_month = tables["month"]
chart = go.Figure()
chart.add_scatter(x=sorted(monthly), y=[monthly[m] for m in sorted(monthly)], name="Service", mode="lines+markers")
if own_centre or centre:
    chart.add_scatter(x=by_month.Month, y=by_month["Rate %"], mode="lines+markers",
                      name=f"Centre {user.centre_number if own_centre else centre}")
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
    outside = flagged["Above 99.8% limit"]
    funnel.add_scatter(x=flagged.Results, y=flagged["Rate %"], mode="markers+text", name="Centres",
                       text=[number if out else "" for number, out in zip(flagged.Centre, outside)],
                       textposition="top center", hovertext=flagged.Centre + " " + flagged["Centre name"],
                       marker=dict(color=["#c0392b" if out else "#2e86c1" for out in outside], size=9))
    funnel.update_layout(title="Centres: referral rate against number of results (funnel plot)", height=420,
                         xaxis_title="Released unit results", yaxis_title="Referral rate %", margin=dict(t=50),
                         yaxis_range=[0, min(100, 1.4 * max(float(flagged["Rate %"].max()), service))])
    st.plotly_chart(funnel, key="rates_funnel")
    st.caption("Red: above the 99.8% limit. " + LIMITS_HELP)


def rates_table(table, group: str, key: str, drill: bool = False):
    return analytics_table(table, key, f"Referral rates by {group}", drill=drill,
                           drill_key="Batch ID" if group == "batch" else None)


def drill_table(group: str, within: Period, key: str, drill: bool = False):
    table = rates_by(db, user, group, within)
    beside = against_service(table, unit_service_rates(db, user, within), "Unit") if group == "unit" \
        else against_service(table, service)
    return rates_table(beside, group, key, drill)


ticked_centre = None
for tab, group in zip(st.tabs([GROUP_TABS[g] for g in groups]), groups):
    with tab:
        if group == "centre":
            st.caption("Tick a centre to see its units, its batches and their submissions below.")
        ticked = rates_table(tables[group], group, f"rates_{group}", drill=group == "centre")
        if group == "centre":
            ticked_centre = ticked

if ticked_centre is not None:
    number = ticked_centre["Centre"]
    st.subheader(f"Centre {escape_markdown(number)} {escape_markdown(ticked_centre['Centre name'])}")
    within = Period(start, end, qualification, number)
    units_tab, batches_tab = st.tabs(["Its units", "Its batches"])
    with units_tab:
        drill_table("unit", within, "drill_units")
    with batches_tab:
        st.caption("Tick a batch to see its submissions.")
        batch = drill_table("batch", within, "drill_batches", drill=True)
    if batch is not None:
        st.markdown(f"**Batch {escape_markdown(batch['Batch'])}**: its submissions")
        analytics_table(batch_items(db, user, int(batch["Batch ID"])), "drill_items", f"Batch {batch['Batch']}",
                        date_columns=("Submitted", "Released"))

if own_centre:
    st.subheader("Feedback Summary Reports")
    reports = reports_for_centre(db, user)
    if reports.empty:
        st.caption("No Feedback Summary Report has been written on your batches. When a batch's referral rate is "
                   "high, your lead assessor writes one with trends and advice per unit.")
    for row in reports.itertuples(index=False):
        report = feedback_report(db, user, int(row[0]))
        with st.expander(f"Batch {escape_markdown(report.batch_name)}: written {report.updated_at:%d/%m/%Y} by "
                         f"{escape_markdown(report.author)}"):
            st.markdown(report.trends)
            for unit, advice in report.unit_advice.items():
                st.markdown(f"**{escape_markdown(unit)}**: {escape_markdown(advice)}")
            report_download(report, f"report_download_{report.batch_id}")
