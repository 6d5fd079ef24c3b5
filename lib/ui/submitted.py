"""After a submission, from Pending or straight from an upload screen: the Tracker opens on just the items sent,
with what was sent and when its results are due."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from lib.rules.workdays import sla_target
from lib.ui.grid import show_only

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
