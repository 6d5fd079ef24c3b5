"""After a submission, from Pending or straight from an upload screen: the Tracker opens on just the items sent,
with what was sent and when its results are due."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from lib.centre.submitting import submit
from lib.errors import Refused
from lib.rules.roles import User
from lib.rules.workdays import sla_target
from lib.store.db import Database
from lib.store.scope import NotFound
from lib.ui.grid import show_only
from lib.ui.text import escape_markdown

QUALITY_DECLARATION = ("I confirm that these assessments are complete, are the learners' own work, carry the right "
                       "result sheets and follow ILM's file naming and word-count guidance.")
SHOWN_IDS = 20


def open_tracker_on(submitted: list[int], batch_name: str | None = None) -> None:
    """The Tracker, whatever it was filtered to, on just these items, so the centre sees them arrive."""
    show_only("tracker", "ID", submitted)
    listed = ", ".join(str(i) for i in submitted[:SHOWN_IDS]) + (
        f" and {len(submitted) - SHOWN_IDS} more" if len(submitted) > SHOWN_IDS else "")
    st.session_state["tracker_notice"] = (
        f"Submitted {len(submitted)} assessment(s)" + (f" as batch {batch_name}" if batch_name else "")
        + f": item(s) {listed}. Results are due by {sla_target(datetime.now()):%d/%m/%Y} (25 working days). "
        "The Tracker shows just these: use Clear Filter for all your submissions.")
    st.switch_page("pages/centre/tracker_page.py")


def re_assessment_reason(learners: list[str]) -> str:
    """Why these learners' uploads wait on Pending: a Re-assessment is charged, so it goes in a PO batch."""
    return (f"{', '.join(escape_markdown(name) for name in learners)} {'is' if len(learners) == 1 else 'are'} "
            "re-assessed after a referral, which is charged: on Pending, submit as a batch named with your purchase "
            "order number, for example PO 2345678.")


def submit_at_once_choice(key: str, waits_for_pending: str | None) -> bool:
    """The quality confirmation on an upload screen: ticked, the items go to ILM as soon as they are uploaded.
    What cannot go from there (waits_for_pending says why) is said before the click, and the box is disabled."""
    ticked = st.checkbox(f"{QUALITY_DECLARATION} Submit them to ILM as soon as they are uploaded.", key=key,
                         disabled=bool(waits_for_pending),
                         help="Leave unticked to upload to Pending and submit from there, alone or as a batch.")
    if waits_for_pending:
        st.caption(f"Upload these to Pending and submit them there. {waits_for_pending}")
    return ticked and not waits_for_pending


def submit_uploaded(db: Database, user: User, created: list[int]) -> None:
    """Submit what was just uploaded and open the Tracker on it; what submit refuses (decided in its transaction:
    a colleague's change, a limit reached meanwhile) waits on Pending, ticked, saying why."""
    try:
        with st.spinner(f"Submitting {len(created)} assessment(s)…", show_time=True):
            submitted = submit(db, user, created, quality_confirmed=True)
    except (Refused, NotFound) as refused:
        st.session_state["pending_warning"] = f"Uploaded, but not submitted from here: {refused}"
        return
    open_tracker_on(submitted)
