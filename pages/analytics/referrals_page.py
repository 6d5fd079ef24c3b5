"""Referral rates: by centre, unit, qualification, assessor, batch and month against the service average,
with a drill-down from a centre to its units, batches and their submissions; a centre sees its own only."""

import html
from datetime import date, timedelta

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lib.accounts.navigation import BATCH_REVIEW, pages_for
from lib.analytics.batch_review import batch_items, feedback_report, reports_for_centre
from lib.analytics.funnel import ABOVE_95, ABOVE_998, BELOW_95, BELOW_998, STANDINGS, TOO_FEW, WITHIN, limit
from lib.analytics.referrals import (
    Period,
    against_service,
    beside_service,
    min_results,
    monthly_service_figures,
    rates_by,
    rates_by_all,
    service_rate,
    under_review,
    unit_service_rates,
)
from lib.ui.analytics_table import analytics_table
from lib.ui.charts import MONTH_PERIOD, mark_partial_month, month_axis, month_dates
from lib.ui.feedback_download import report_download
from lib.ui.item_link import item_link_columns
from lib.ui.page import page_setup
from lib.ui.rates_cache import recent_rate_view
from lib.ui.remember import preset_widget, remembered
from lib.ui.text import escape_markdown

GROUP_TABS = {"centre": "Centres", "unit": "Units", "qualification": "Qualifications", "assessor": "Assessors",
              "batch": "Batches", "month": "Months"}
COLOURS = {ABOVE_998: "#c0392b", ABOVE_95: "#e67e22", BELOW_998: "#1e8449", BELOW_95: "#52be80",
           WITHIN: "#2e86c1", TOO_FEW: "#aab7b8"}

db, user = page_setup()
own_centre = user.is_centre
fewest = min_results(db)
st.title("My referral rates" if own_centre else "Referral rates")
st.caption("Referral rate = Referral results ÷ released unit results (Pass + Referral), by the month of release. "
           "An integrated item counts one result per unit. Service %: the service's rate over all centres "
           "(for a month, that month's; for a centre's unit, that unit's).")
LIMITS_HELP = (f"Standing: where a group's referrals fall in the binomial distribution around the service rate for "
               f"a group of its size (exact funnel-plot limits, 95% and 99.8%). Groups with fewer than {fewest} "
               "results are not judged. Beyond limit: points of rate beyond the 95% limit (negative: inside).")

start_col, end_col, qual_col, centre_col = st.columns(4)
start = remembered(start_col.date_input, "From", "rates_from", value=date.today() - timedelta(days=365),
                   format="DD/MM/YYYY")
end = remembered(end_col.date_input, "To", "rates_to", value=date.today(), format="DD/MM/YYYY")
if start > end:
    st.error("'From' must be on or before 'To'.")
    st.stop()
qualifications = [q for (q,) in db.query_all("SELECT code FROM qualifications ORDER BY code")]
qualification = remembered(qual_col.selectbox, "Qualification", "rates_qual", options=qualifications, index=None,
                           placeholder="All")
centre_names = dict(db.query_all("SELECT number, name FROM centres ORDER BY number"))
if not own_centre:
    preset_widget("centre", "rates_centre", centre_names)
centre = None if own_centre else remembered(
    centre_col.selectbox, "Centre", "rates_centre", options=list(centre_names), index=None,
    placeholder="All centres", format_func=lambda number: f"{number} {centre_names[number]}")
period = Period(start, end, qualification, centre)
groups = ("unit", "month") if own_centre else tuple(GROUP_TABS)
if own_centre:
    whole_service = Period(start, end, qualification)
    referrals, results = service_rate(db, user, whole_service)
    service_months = monthly_service_figures(db, user, whole_service)  # rates and counts, counted once
    monthly = {month: rate for month, (rate, _) in service_months.items()}
    service = 100 * referrals / results if results else 0.0
    tables = beside_service(rates_by_all(db, user, (*groups, "centre"), period), service, monthly,
                            unit_service_rates(db, user, whole_service), fewest)
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
if own_centre or centre:
    held = under_review(db, user).get(user.centre_number if own_centre else centre, 0)
    if held:
        st.caption(f"{held} item(s) {'of yours ' if own_centre else ''}under review for suspected plagiarism or "
                   "malpractice: held, so not in these figures until the review ends.")
if not own_centre and len(centres):
    counts = centres.Standing.value_counts()
    metric_cols[2 if centre else 1].metric("Centres above the 99.8% limit", f"{int(counts.get(ABOVE_998, 0)):,}",
                          help=f"{int(counts.get(ABOVE_95, 0)):,} more above the 95% limit only; "
                               f"{int(counts.get(BELOW_998, 0) + counts.get(BELOW_95, 0)):,} below the lower limits",
                          border=True)

# The charts are drawn once the tables below have said which centre is ticked, so both can show it. Containers,
# not st.empty: an empty slot clears its chart at the start of each run, and the page, shorter for a moment, threw
# someone reading the tables back to its top whenever they opened another tab.
monthly_slot = st.container()
funnel_slot = st.container()


def monthly_chart(highlight: str | None) -> None:
    by_month = tables["month"]
    months = sorted(monthly)
    if own_centre:
        service_results = {month: results for month, (_, results) in service_months.items()}
    elif not centre:
        service_results = dict(zip(by_month.Month, by_month.Results))  # the month table is the service's
    else:
        service_results = {month: results for month, (_, results) in
                           monthly_service_figures(db, user, Period(start, end, qualification)).items()}
    chart = go.Figure()
    hover = "%{x|%b %Y}<br>{who} referral rate %{y:.1f}%<br>Released unit results: %{customdata:,}<extra></extra>"
    chart.add_scatter(x=month_dates(months), y=[monthly[m] for m in months], name="Service", mode="lines+markers",
                      customdata=[int(service_results.get(m, 0)) for m in months],
                      hovertemplate=hover.replace("{who}", "Service"), **MONTH_PERIOD)
    if own_centre or centre:
        chart.add_scatter(x=month_dates(by_month.Month), y=by_month["Rate %"], mode="lines+markers",
                          name=f"Centre {user.centre_number if own_centre else centre}",
                          customdata=by_month.Results.astype(int), hovertemplate=hover.replace("{who}", "Centre"),
                          **MONTH_PERIOD)
    if highlight and highlight != centre:
        its_months = rates_by(db, user, "month", Period(start, end, qualification, highlight))
        chart.add_scatter(x=month_dates(its_months.Month), y=its_months["Rate %"], mode="lines+markers",
                          name=f"Centre {highlight}", line=dict(width=3, color="#8e44ad"),
                          customdata=its_months.Results.astype(int),
                          hovertemplate=hover.replace("{who}", f"Centre {highlight}"), **MONTH_PERIOD)
    chart.update_layout(title="Referral rate by month (%)", height=340, margin=dict(t=50, b=10),
                        yaxis_rangemode="tozero", yaxis_title="Referral rate %")
    month_axis(chart, months)
    mark_partial_month(chart, months, min(end, date.today()))
    monthly_slot.plotly_chart(chart, key="rates_monthly_chart")


def funnel_chart(highlight: str | None) -> None:
    sizes = centres.Results.to_numpy()
    xs = np.unique(np.geomspace(1, max(int(sizes.max()), 2) * 1.05, 300).astype(int))
    funnel = go.Figure()
    for level, dash in (("95%", "dash"), ("99.8%", "dot")):
        for upper in (True, False):
            funnel.add_scatter(x=xs, y=100 * limit(service / 100, xs, level, upper), mode="lines", line_shape="hv",
                               line=dict(dash=dash, color="grey"), name=f"{level} limits", showlegend=upper,
                               hovertemplate=f"{level} {'upper' if upper else 'lower'} limit<br>"
                                             "Released unit results: %{x:,}<br>Referral rate: %{y:.1f}%<extra></extra>")
    funnel.add_hline(y=service, line_color="black", annotation_text="service rate")
    for standing_label in STANDINGS:
        rows = centres[centres.Standing == standing_label]
        if rows.empty:
            continue
        named = standing_label in (ABOVE_998, BELOW_998)
        funnel.add_scatter(
            x=rows.Results, y=rows["Rate %"], mode="markers+text" if named else "markers", name=standing_label,
            text=rows.Centre if named else None, textposition="top center",
            # Plotly reads hover text as HTML: a centre's name is shown as text.
            customdata=np.stack([rows.Centre.map(html.escape), rows["Centre name"].map(html.escape), rows.Referrals],
                                axis=-1),
            hovertemplate="Centre %{customdata[0]} %{customdata[1]}<br>Released unit results: %{x:,}<br>"
                          "Referrals: %{customdata[2]:,}<br>Referral rate: %{y:.1f}%<br>" + standing_label
                          + "<extra></extra>",
            marker=dict(color=COLOURS[standing_label], size=9))
    if highlight:
        picked = centres[centres.Centre == highlight]
        funnel.add_scatter(x=picked.Results, y=picked["Rate %"], mode="markers+text", name=f"Centre {highlight}",
                           text=[highlight] * len(picked), textposition="bottom center", hoverinfo="skip",
                           marker=dict(size=18, color="rgba(0,0,0,0)", line=dict(color="#8e44ad", width=3)))
    funnel.update_layout(title="Centres: referral rate against number of results (funnel plot)", height=420,
                         xaxis_title="Released unit results", yaxis_title="Referral rate %", margin=dict(t=50),
                         yaxis_range=[0, min(100, 1.4 * max(float(centres["Rate %"].max()), service))])
    funnel_slot.plotly_chart(funnel, key="rates_funnel")


def rates_table(table, group: str, key: str, drill: bool = False):
    return analytics_table(table, key, f"Referral rates by {group}", drill=drill,
                           drill_key="Batch ID" if group == "batch" else None)


def drill_table(group: str, within: Period, key: str, drill: bool = False):
    table = rates_by(db, user, group, within)
    beside = against_service(table, unit_service_rates(db, user, within), "Unit", fewest) if group == "unit" \
        else against_service(table, service, fewest=fewest)
    return rates_table(beside, group, key, drill)


ticked_centre = None
# Only the open tab's table is drawn, and the centres' always: their tick drives the drill-down and the charts
# whichever tab is open (a table not drawn in a run would lose its tick).
for tab, group in zip(st.tabs([GROUP_TABS[g] for g in groups], key="rates_tab", on_change="rerun"), groups):
    if not tab.open and group != "centre":
        continue
    with tab:
        if group == "centre":
            st.caption("Tick a centre to see its units, its batches and their submissions below. "
                       "The centres furthest beyond their limits come first.")
        if group == "batch" and BATCH_REVIEW in pages_for(user.role):
            st.page_link(BATCH_REVIEW.script, label="Open Batch review: flags and Feedback Summary Reports",
                         icon=BATCH_REVIEW.icon)
        ticked = rates_table(tables[group], group, f"rates_{group}", drill=group == "centre")
        if group == "centre":
            ticked_centre = ticked

highlighted = ticked_centre["Centre"] if ticked_centre is not None else None
monthly_chart(highlighted)
if not own_centre and len(centres):
    funnel_chart(highlighted)
    st.caption("Red: above the 99.8% limit; orange: above the 95% limit only; green: below the lower limits; "
               "grey: too few results to judge. Ticking a centre below rings it here and draws its months above. "
               + LIMITS_HELP)
elif not own_centre:
    st.caption(LIMITS_HELP)

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
        links, link_config = item_link_columns(user)
        analytics_table(batch_items(db, user, int(batch["Batch ID"])), "drill_items", f"Batch {batch['Batch']}",
                        date_columns=("Submitted", "Released"), page_columns=links, column_config=link_config)

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
