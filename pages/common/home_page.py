"""Home: what to do next. Each figure has its comparison and opens the page (and filter) that lists it."""

import re

import streamlit as st

from lib.accounts.navigation import OPERATIONS, pages_for
from lib.analytics.home import home_figures
from lib.ops.jobs import problems
from lib.ui.page import page_setup
from lib.ui.rates_cache import recent_service_wide
from lib.ui.text import escape_markdown

PER_ROW = 4

db, user = page_setup()
if user.is_centre:
    st.title(escape_markdown(user.centre_name))
    st.caption(f"Centre {user.centre_number} · signed in as {escape_markdown(user.name)}")
else:
    st.title(f"Welcome, {escape_markdown(user.name)}")
    st.caption(f"ILM Assessment Service · {user.role_label}")

for state in problems(db, user):
    with st.container(border=True, key=f"home_job_{state.job.name.replace('-', '_')}"):
        if state.problem == "failed":
            st.error(f"**{state.job.title} failed** on {state.last_started:%d/%m/%Y at %H:%M}.", icon=":material/error:")
        else:
            since = f"since {state.last_done:%d/%m/%Y %H:%M}" if state.last_done else "yet"
            st.warning(f"**{state.job.title} is overdue**: no run has completed {since}.", icon=":material/schedule:")
        st.page_link(OPERATIONS.script, label="Open Operations", icon=OPERATIONS.icon)

figures = home_figures(db, user, recent_service_wide(db, user))
for start in range(0, len(figures), PER_ROW):
    for column, figure in zip(st.columns(PER_ROW), figures[start:start + PER_ROW]):
        with column.container(border=True, key=f"home_{re.sub('[^a-z0-9]+', '_', figure.label.lower())}"):
            st.metric(figure.label, escape_markdown(figure.value), delta=figure.delta, delta_color="inverse")
            st.caption(escape_markdown(figure.comparison + (f" · {figure.oldest}" if figure.oldest else "")))
            st.page_link(figure.page.script, label=figure.link, icon=figure.page.icon,
                         query_params=figure.params or None)

with st.expander("All your pages", icon=":material/apps:"):
    for spec in pages_for(user.role, is_hei=user.is_hei)[1:]:
        st.page_link(spec.script, label=f"{spec.title}: {spec.purpose}", icon=spec.icon)
