"""SLA dashboard: open work by stage with working days left, at risk and breached; performance over released
work (on time, median working days to result, quality checks within 5 working days), overall and per centre."""

from datetime import date, timedelta

import plotly.graph_objects as go
import streamlit as st

from lib.accounts.navigation import ALLOCATION, ENQUIRIES, QUALITY_CHECK, RELEASE, SAMPLING, pages_for
from lib.config import SLA_WORKING_DAYS
from lib.service.enquiries import stage_clocks
from lib.service.settings import setting
from lib.service.sla import AT_RISK, BREACHED
from lib.ui.analytics_table import analytics_table
from lib.ui.charts import MONTH_PERIOD, mark_partial_month, month_axis, month_dates
from lib.ui.page import page_setup
from lib.ui.rates_cache import recent_open_board
from lib.ui.remember import preset_widget, remembered
from lib.ui.sla_cache import recent_open_work, recent_performance
from lib.ui.tables import blank_missing

ALL_OPEN = "All open"
SHOW = (ALL_OPEN, AT_RISK, BREACHED)
ACTING_QUEUE = {"Quality check": QUALITY_CHECK, "Allocation": ALLOCATION, "Marking": ALLOCATION,
                "Sampling": SAMPLING, "Release": RELEASE}

db, user = page_setup()
st.title("SLA dashboard")
st.caption("Results are due 25 UK working days after submission (England and Wales bank holidays excluded). "
           "At risk: 5 working days or fewer left. Breached: past the SLA target.")
board = recent_open_board(db, user)
stage_names = list(board.Stage) if not board.empty else []
preset_widget("show", "sla_show", SHOW)
preset_widget("stage", "sla_stage", stage_names)


def list_items(show: str, stage: str | None = None) -> None:
    st.session_state["sla_show"] = st.session_state["_remembered_sla_show"] = show
    st.session_state["sla_stage"] = st.session_state["_remembered_sla_stage"] = stage


totals = board[["Open items", "At risk", "Breached"]].sum() if not board.empty else None
for column, label, show in zip(st.columns(3), ("Open items", "At risk", "Breached"), SHOW):
    column.metric(label, f"{int(totals[label]) if totals is not None else 0:,}", border=True)
    column.button(f"List {label.lower()}", key=f"sla_list_{show}", on_click=list_items, args=(show,),
                  icon=":material/list:", width="stretch")
st.caption("Tick a stage to list its items below.")
ticked_stage = analytics_table(board, "sla_stages", "SLA open work by stage", drill=True, drill_key="Stage")
if ticked_stage is not None and st.session_state.get("_sla_ticked_stage") != ticked_stage["Stage"]:
    st.session_state["_sla_ticked_stage"] = ticked_stage["Stage"]
    list_items(ALL_OPEN, ticked_stage["Stage"])

st.subheader("The items behind the figures")
show_col, stage_col = st.columns(2)
show = remembered(show_col.segmented_control, "Show", "sla_show", options=SHOW, default=ALL_OPEN) or ALL_OPEN
stage = remembered(stage_col.selectbox, "Stage", "sla_stage", options=stage_names, index=None,
                   placeholder="Every stage")
every_item, ahead, tested, counted_at = recent_open_work(db, user)
items = every_item
if show != ALL_OPEN:
    items = items[items.SLA == show]
if stage:
    items = items[items.Stage == stage]
mine = pages_for(user.role)
queue_paths = {name: spec.url_path for name, spec in ACTING_QUEUE.items() if spec in mine}


def act_in(rows):
    """The queue that can move each row's item on (<NA> where this role has none), as a link."""
    return rows.assign(**{"Act in": rows.Stage.map(queue_paths).astype("string") + "?item="
                          + rows.ID.astype("string")})


st.caption(f"{len(items):,} item(s): {show.lower()}{f' at {stage}' if stage else ''}, the nearest SLA target first. "
           f"Act in opens the queue that can move the item on. Listed as of {counted_at:%H:%M}; the counts above, the "
           "list, the forecast and the performance figures are counted again every minute.")
analytics_table(items, "sla_items", "SLA items", date_columns=("SLA Target",), page_columns=act_in,
                column_config={"Act in": st.column_config.LinkColumn("Act in", display_text="Open the queue")})


def enquiry_clocks() -> None:
    st.caption("Enquiries about results and appeals run on clocks of their own, in working days: a reviewer is "
               "given within the first target of the enquiry being raised, the outcome within the second, and "
               "quality decides an appeal within the third of it being made. At risk: "
               f"{int(setting(db, 'sla_at_risk_working_days'))} working days or fewer left.")
    clocks = stage_clocks(db, user)
    for column, label in zip(st.columns(3), ("Open", "At risk", "Overdue")):
        column.metric(f"Enquiries and appeals: {label.lower()}", f"{int(clocks[label].sum()):,}", border=True)
    st.dataframe(blank_missing(clocks), hide_index=True, key="sla_enquiry_clocks", width="stretch")
    if ENQUIRIES in mine:
        st.page_link(ENQUIRIES.script, label="Open Enquiries and appeals", icon=ENQUIRIES.icon)


def breach_forecast() -> None:
    times = ahead.stage_times
    st.caption("Each open item's release date, forecast from the working days each stage took for the items "
               "released in the last 90 days, and each assessor's queue and marking pace over the last 20 working "
               "days. An item already some days into a stage is held against the recent items that took at least "
               "as long: what they still needed. Central: the median of that, at the assessor's usual pace. "
               "Pessimistic: the slowest tenth, at three quarters of the pace. Stage times now (median / slowest "
               "tenth, working days): "
               + "; ".join(f"{name} {t.central:g} / {t.pessimistic:g}" for name, t in times.items()) + ".")
    counts = ahead.items.Forecast.value_counts()
    # How often "likely to breach" came true when the same forecast was made four weeks before the last release.
    came_true = None if tested is None or tested.precision is None else \
        f"came true for {tested.caught} of {tested.predicted} ({tested.precision:.0%}) in the back-test"
    for column, label, help_text in zip(
            st.columns(3), ("Likely to breach", "May breach", "Breached"),
            ("Central forecast after the SLA target", "Only the pessimistic forecast is after the target",
             "Already past the SLA target")):
        column.metric(label, f"{int(counts.get(label, 0)):,}", help=help_text, border=True)
        if label == "Likely to breach" and came_true:
            column.caption(f"Such a forecast {came_true} below.")
    weekly = ahead.weekly
    chart = go.Figure()
    chart.add_bar(x=weekly.Week, y=weekly["Likely breaches"], name="Likely (central forecast)",
                  hovertemplate="Week of %{x|%d/%m/%Y}<br>Likely breaches: %{y}<extra></extra>")
    chart.add_bar(x=weekly.Week, y=weekly["Possible breaches"] - weekly["Likely breaches"],
                  name="Possible (pessimistic only)",
                  hovertemplate="Week of %{x|%d/%m/%Y}<br>More possible breaches: %{y}<extra></extra>")
    chart.update_layout(barmode="stack", title="Forecast breaches by the week of their SLA target", height=320,
                        xaxis=dict(title="Week beginning", tickformat="%d/%m", tickvals=weekly.Week),
                        yaxis_title="Items", margin=dict(t=50, b=10), legend=dict(orientation="h", y=-0.25))
    st.plotly_chart(chart, key="sla_forecast_chart")
    likely = ahead.likely
    st.caption(f"{len(likely):,} item(s) breached, likely or possibly to breach; the nearest SLA target first.")
    analytics_table(likely, "sla_forecast", "SLA breach forecast",
                    date_columns=("SLA Target", "Forecast release", "Pessimistic release"))
    if tested is None:
        st.caption("Nothing has been released yet, so the forecast cannot be checked against history.")
    else:
        st.markdown("**How well it forecasts: a back-test on this service's own history**")
        st.caption(f"Made as if on {tested.as_of:%d/%m/%Y}, four weeks before the last release ({tested.checked_on:%d/%m/%Y}), "
                   f"over the {tested.items:,} items then open whose SLA target fell by the last release.")
        for column, label, value, help_text in zip(st.columns(4), (
                "Breaches caught", "Forecast breaches that happened", "Median error", "Released by the pessimistic date"), (
                f"{tested.caught} of {tested.breached}",
                f"{tested.caught} of {tested.predicted}",
                "n/a" if tested.median_error_days is None else f"{tested.median_error_days:g} working days",
                "n/a" if tested.within_pessimistic is None else f"{tested.within_pessimistic:.0%}"), (
                "Items that breached which the central forecast called likely to breach",
                "Items called likely to breach that did breach",
                "Between the central release date and the real one, over items released by the last release",
                "Share of the items whose outcome is known (released, or still open past their pessimistic date) "
                "that were out by their pessimistic date; rejected items are left out")):
            column.metric(label, value, help=help_text, border=True)


def performance() -> None:
    st.subheader("Performance on released work")
    start_col, end_col, centre_col = st.columns(3)
    # Remembered: the tab is not drawn while another is open, and its choices should still be there on return.
    start = remembered(start_col.date_input, "Released from", "sla_from",
                       value=date.today().replace(day=1) - timedelta(days=334), format="DD/MM/YYYY")
    end = remembered(end_col.date_input, "To", "sla_to", value=date.today(), format="DD/MM/YYYY")
    centres = [n for (n,) in db.query_all("SELECT number FROM centres ORDER BY number")]
    centre = remembered(centre_col.selectbox, "Centre", "sla_centre", options=centres, index=None,
                        placeholder="All centres")
    if start > end:
        st.error("'Released from' must be on or before 'To'.")
        return
    overall = recent_performance(db, user, start, end, None, centre)
    if overall.empty:
        st.caption("No results released in this period.")
        return
    row = overall.iloc[0]
    for column, label, value in zip(st.columns(4), ("Released", "On time", "Median working days to result",
                                                    "Quality checks within 5 working days"),
                                    (f"{int(row['Released']):,}", f"{row['On-time %']:.1f}%",
                                     f"{row['Median working days']:.0f}",
                                     "no record" if row.isna()["QC within 5 working days %"]
                                     else f"{row['QC within 5 working days %']:.1f}%")):
        column.metric(label, value, border=True)
    months = recent_performance(db, user, start, end, "month", centre)
    chart = go.Figure()
    # Labels at the foot of each bar, clear of the line's markers; the SLA's 25 working days as a target line.
    chart.add_bar(x=month_dates(months.Month), y=months["On-time %"], name="On time %",
                  text=months["On-time %"].map(lambda value: f"{value:.0f}%"), textposition="inside",
                  insidetextanchor="start", customdata=months.Released, marker_color="#a9cbe8",
                  textfont_color="#1f2933",
                  hovertemplate="%{x|%b %Y}<br>On time: %{y:.1f}%<br>Released: %{customdata:,}<extra></extra>",
                  **MONTH_PERIOD)
    chart.add_scatter(x=month_dates(months.Month), y=months["Median working days"], name="Median working days to result",
                      mode="lines+markers", yaxis="y2", line=dict(color="#0b4f8a", width=2.5), customdata=months.Released,
                      hovertemplate="%{x|%b %Y}<br>Median: %{y:.0f} working days<br>Released: %{customdata:,}"
                                    "<extra></extra>", **MONTH_PERIOD)
    slowest = float(months["Median working days"].max()) if len(months) else 0.0
    chart.add_hline(y=SLA_WORKING_DAYS, yref="y2", line_dash="dash", line_color="#c0392b",
                    annotation_text=f"SLA: {SLA_WORKING_DAYS} working days", annotation_position="top right",
                    annotation_font_color="#c0392b", annotation_bgcolor="rgba(255,255,255,0.85)")
    chart.update_layout(title="By month of release" + (f": centre {centre}" if centre else ""), height=360,
                        margin=dict(t=50, b=10), yaxis=dict(title="On time %", range=[0, 100]),
                        yaxis2=dict(title="Working days", overlaying="y", side="right", showgrid=False,
                                    range=[0, max(slowest, SLA_WORKING_DAYS) * 1.2], tickformat=",d"),
                        legend=dict(orientation="h", y=-0.2))
    month_axis(chart, list(months.Month))
    mark_partial_month(chart, list(months.Month), min(end, date.today()))
    st.plotly_chart(chart, key="sla_chart")
    by_month_tab, by_centre_tab = st.tabs(["By month", "By centre"])
    with by_month_tab:
        analytics_table(months, "sla_months", "SLA by month")
    with by_centre_tab:
        analytics_table(recent_performance(db, user, start, end, "centre", centre), "sla_centres",
                        "SLA by centre")


# Only the open tab is worked out: each is a page of figures of its own, and a rerun of the dashboard (a tick, a
# filter) need not draw the other two where nobody sees them.
for tab, show_tab in zip(st.tabs(["Breach forecast", "Enquiries and appeals", "Performance on released work"],
                                 key="sla_tab", on_change="rerun"), (breach_forecast, enquiry_clocks, performance)):
    if tab.open:
        with tab:
            show_tab()
