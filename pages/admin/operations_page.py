"""Operations: the service's jobs on their schedule, their runs, Run now, the backups kept and how to restore."""

import json
from datetime import datetime

import pandas as pd
import streamlit as st

from lib.config import load_settings
from lib.errors import Refused
from lib.ops import jobs
from lib.store.backup import kept_backups
from lib.ui.confirm import ask_first
from lib.ui.context import app_context
from lib.ui.page import file_store, page_setup, show_notice
from lib.ui.text import escape_markdown

NOTICE = "operations_notice"
db, user = page_setup()
settings = load_settings()
scheduler = app_context().scheduler
st.title("Operations")
show_notice(NOTICE)
st.caption("The jobs that keep the service safe run inside the app, one at a time, on the schedule below (the hour "
           "and the backups kept are Settings). Each run is recorded with its outcome.")


def when(value) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d/%m/%Y %H:%M}"


def age(taken: datetime) -> str:
    hours = (datetime.now() - taken).total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} minutes"
    return f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.0f} days"


now = datetime.now()
states = jobs.states(db, now)
for state in states:
    if state.problem == "failed":
        st.error(f"{state.job.title}: its last run failed. Its message is in Runs below.", icon=":material/error:")
    elif state.problem == "overdue":
        st.warning(f"{state.job.title} is overdue: no run has completed since "
                   f"{when(state.last_done) or 'the database was created'}.", icon=":material/schedule:")
if scheduler is None:
    st.info("The scheduler is switched off in this app (ILMA_JOBS=off): jobs run only when asked here or from the "
            "command line.", icon=":material/pause_circle:")
elif scheduler.running:
    st.info(f"{jobs.JOBS[scheduler.running].title} is running now.", icon=":material/autorenew:")

st.subheader("Schedule")
st.dataframe(pd.DataFrame({
    "Job": [state.job.title for state in states],
    "When": [state.schedule for state in states],
    "Last run": [when(state.last_started) for state in states],
    "Outcome": [(state.last_outcome or "never run").capitalize() for state in states],
    "Last completed": [when(state.last_done) for state in states],
    "Next due": [when(state.next_due) for state in states],
    "What it does": [state.job.what for state in states],
}), hide_index=True, key="operations_schedule", width="stretch")

titles = {name: spec.title for name, spec in jobs.JOBS.items()}
chosen = st.selectbox("Job", list(titles), format_func=titles.get, key="operations_job")
confirmed = ask_first(f"Run {titles[chosen].lower()} now", "operations_run",
                      f"Run {titles[chosen].lower()} now? It runs once any job running now has ended.",
                      "Yes, run it", [chosen], icon=":material/play_arrow:")
WAIT_SECONDS = 60


def announce(outcome: str, message: str | None) -> None:
    st.session_state[NOTICE] = f"{titles[chosen]}: {outcome}" + (f" ({message})" if message else "")
    st.rerun()


if confirmed:
    try:
        with st.spinner(f"{titles[chosen]} is running…"):
            if scheduler is not None:
                answer = scheduler.submit(chosen, user.username).wait(WAIT_SECONDS)
                if answer is None:
                    announce("still running after a minute", "its outcome appears under Runs when it ends")
                if answer.get("outcome") == "refused":
                    raise Refused(answer["message"])
                announce(answer.get("outcome", "done"), answer.get("message"))
            outcome = jobs.run(db, file_store(), settings, chosen, user, "person")
    except Refused as refused:
        st.error(escape_markdown(refused), icon=":material/error:")
    else:
        announce(outcome.outcome, outcome.message)

st.subheader("Runs")
runs = jobs.recent_runs(db, user)
if runs.empty:
    st.caption("No job has run yet.")
else:
    st.dataframe(pd.DataFrame({
        "Job": runs.job, "Started": runs.started_at.map(when), "Ended": runs.ended_at.map(when),
        "Outcome": runs.outcome.str.capitalize(), "By": runs.requested_by,
        "How": runs.trigger.map({"schedule": "On schedule", "person": "Run now", "command": "Command"}),
        "Figures": [", ".join(f"{key}: {value}" for key, value in json.loads(figures).items()) if figures else ""
                    for figures in runs.figures],
        "Message": runs.message.fillna(""),
    }), hide_index=True, key="operations_runs", width="stretch")

st.subheader("Backups kept")
kept = kept_backups(settings.backups_dir)
st.caption(f"In {settings.backups_dir} (ILMA_BACKUPS). Each holds the database as one moment saw it and every file "
           "its rows point to, with a manifest of row counts and SHA-256 sums.")
if not kept:
    st.warning("No backup has been taken yet.", icon=":material/warning:")
else:
    st.dataframe(pd.DataFrame({
        "Backup": [backup.folder.name for backup in kept], "Taken": [when(backup.taken_at) for backup in kept],
        "Age": [age(backup.taken_at) for backup in kept], "Rows": [backup.rows for backup in kept],
        "Files": [backup.files for backup in kept],
        "Size (MB)": [round(backup.size_bytes / 1e6, 1) for backup in kept],
    }), hide_index=True, key="operations_backups", width="stretch")

st.subheader("How to restore")
newest = kept[0].folder if kept else settings.backups_dir / "ilma-YYYYmmdd-HHMMSS-ffffff"
st.markdown("Check the backup, restore it to new paths, then start the app on them (nothing existing is overwritten "
            "unless you add `--replace`, which keeps the old ones beside, renamed):")
st.code(f"python -m lib verify-backup {newest}\n"
        f"python -m lib restore {newest} --db /srv/ilma-restored/ilma.duckdb --files /srv/ilma-restored/files\n"
        "ILMA_DB=/srv/ilma-restored/ilma.duckdb ILMA_FILES=/srv/ilma-restored/files streamlit run app.py",
        language="bash")
