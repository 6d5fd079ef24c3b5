"""Home: the signed-in user's figures at a glance."""

import pandas as pd
import streamlit as st

from lib.accounts.navigation import pages_for
from lib.analytics.summary import referral_rate, stage_counts, status_counts
from lib.rules.status import CENTRE_STATUSES
from lib.ui.page import page_setup
from lib.ui.text import escape_markdown

db, user = page_setup()

if user.is_centre:
    st.title(escape_markdown(user.centre_name))
    st.caption(f"Centre {user.centre_number} · signed in as {escape_markdown(user.name)}")
else:
    st.title(f"Welcome, {escape_markdown(user.name)}")
    st.caption(f"ILM Assessment Service · {user.role_label}")

counts = status_counts(db, user)
for column, status in zip(st.columns(len(CENTRE_STATUSES)), CENTRE_STATUSES):
    column.metric(status, f"{counts[status]:,}", border=True)

referred, released = referral_rate(db, user)
if released:
    st.metric("Referral rate, last 12 months", f"{referred / released:.1%}",
              help=f"{referred:,} Referral results out of {released:,} released unit results", border=True)
else:
    st.caption("No results have been released in the last 12 months.")

if not user.is_centre:
    st.subheader("Work in the service, by stage")
    stages = stage_counts(db, user)
    stages["Oldest submitted"] = pd.to_datetime(stages["Oldest submitted"]).dt.strftime("%d/%m/%Y").fillna("")
    st.dataframe(stages, hide_index=True, key="home_stages")

for spec in pages_for(user.role)[1:]:
    st.page_link(spec.script, label=f"Open {spec.title}", icon=spec.icon)
