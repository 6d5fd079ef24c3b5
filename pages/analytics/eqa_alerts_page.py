"""EQA alerts: centres above the service's monthly referral rate for months in a row, followed up by quality
from open to contacted, action plan and closed, with a note at every step."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.analytics.eqa import STATUS_LABELS, alert_detail, alert_rule, alerts, allowed_moves, follow_up, raise_alerts
from lib.errors import Refused
from lib.rules.roles import QUALITY
from lib.ui.analytics_table import analytics_table
from lib.ui.charts import MONTH_PERIOD, month_axis, month_dates
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.text import escape_markdown

NOTICE = "eqa_notice"

db, user = page_setup()
st.title("EQA alerts")
st.caption(alert_rule(db).describe() + " Only complete months count; the limits are settings.")
show_notice(NOTICE)
# Alerts come from complete months only, so one check a session is enough until the month or the rule changes.
checked = (date.today().strftime("%Y-%m"), alert_rule(db))
if st.session_state.get("eqa_checked") != checked:
    try:
        opened = raise_alerts(db, user)
    except Refused:
        opened = 0  # someone else's check is writing the same alerts: this page shows them once it has
    else:
        st.session_state["eqa_checked"] = checked
    if opened:
        st.info(f"{opened} new alert{'s' if opened != 1 else ''} since the last check.",
                icon=":material/notifications:")

show_closed = st.toggle("Show closed alerts", value=False, key="eqa_show_closed")
every_alert = alerts(db, user)
counts = every_alert.Status.value_counts()
table = every_alert if show_closed else every_alert[every_alert.Status != STATUS_LABELS["closed"]]
for column, status in zip(st.columns(4), STATUS_LABELS.values()):
    column.metric(status, int(counts.get(status, 0)), border=True)
if table.empty:
    st.info("No alerts: no centre has stayed above the service's monthly rate long enough.", icon=":material/check:")
    st.stop()
st.caption("Tick an alert to see its months and its history" + (", and to follow it up." if user.role == QUALITY
                                                                 else "."))
ticked = analytics_table(table, "eqa_alerts", "EQA alerts", drill=True, date_columns=("Raised", "Updated"),
                         presets={"status": "Status"})
if ticked is None:
    st.stop()

detail = alert_detail(db, user, int(ticked["Alert"]))
st.subheader(f"Alert {detail.alert_id}: centre {detail.centre_number} {escape_markdown(detail.centre_name)} · "
             f"{STATUS_LABELS[detail.status]}")
months = pd.DataFrame(detail.months).rename(columns={
    "month": "Month", "results": "Results", "referrals": "Referrals", "rate": "Centre %", "service": "Service %"})
chart = go.Figure()
chart.add_bar(x=month_dates(months.Month), y=months["Centre %"], name="Centre", customdata=months.Results,
              hovertemplate="%{x|%b %Y}<br>Centre referral rate %{y:.1f}%<br>Released unit results: %{customdata:,}"
                            "<extra></extra>", **MONTH_PERIOD)
chart.add_scatter(x=month_dates(months.Month), y=months["Service %"], name="Service", mode="lines+markers",
                  hovertemplate="%{x|%b %Y}<br>Service referral rate %{y:.1f}%<extra></extra>", **MONTH_PERIOD)
chart.update_layout(title="Referral rate in the months above the service (%)", height=300, margin=dict(t=50, b=10),
                    yaxis_rangemode="tozero", yaxis_title="Referral rate %")
month_axis(chart, months.Month, "Month")
st.plotly_chart(chart, key="eqa_alert_chart")
analytics_table(months, f"eqa_alert_months_{detail.alert_id}", f"EQA alert {detail.alert_id} months")
st.markdown("**History**")
if detail.notes.empty:
    st.caption("No follow-up yet.")
else:
    st.dataframe(detail.notes, hide_index=True, key="eqa_alert_notes",
                 column_config={"When": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
                                "Note": st.column_config.TextColumn(width="large")})

moves = allowed_moves(detail.status)
if user.role == QUALITY and moves:
    with st.form(f"follow_up_{detail.alert_id}"):
        to_status = st.radio("Move to", moves, format_func=lambda s: STATUS_LABELS[s] + (
            " (note only)" if s == detail.status else ""), index=min(1, len(moves) - 1), horizontal=True,
                             key=f"follow_up_status_{detail.alert_id}")
        note = st.text_area("Note", key=f"follow_up_note_{detail.alert_id}",
                            placeholder="Who you contacted, what was agreed, the action plan's dates…")
        if st.form_submit_button("Save", type="primary", icon=":material/save:"):
            run_action(lambda: follow_up(db, user, detail.alert_id, to_status, note), NOTICE,
                       f"Alert {detail.alert_id} is now {STATUS_LABELS[to_status]}.")
