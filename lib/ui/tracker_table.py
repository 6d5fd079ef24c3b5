"""The Tracker's table: rows coloured by status (Submitted blue, Rejected red, Referred amber), the Result
column coloured too, the rejection reason right after the result (in view without scrolling sideways); for staff
the item's stage and assessor."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from lib.rules.status import REFERRED, REJECTED, SUBMITTED
from lib.ui.cell_styles import cell_styled
from lib.ui.tables import blank_missing, selectable_table

ROW_COLOURS = {SUBMITTED: "background-color: #dbeafe", REJECTED: "background-color: #fde2e1",
               REFERRED: "background-color: #fef3c7"}
RESULT_COLOURS = {"Pass": "color: #166534; font-weight: 600", "Referral": "color: #b45309; font-weight: 600"}
DATE_COLUMNS = ("Submitted", "SLA Target")
CENTRE_COLUMNS = ["ID", "Batch", "Submitted", "SLA Target", "ENR", "Learner", "Unit(s)", "Type", "Category",
                  "Status", "Result", "Mark", "Rejection reason", "Re-submitted"]
OUTCOME = ["Result", "Mark", "Rejection reason"]


def _styles(shown: pd.DataFrame) -> pd.DataFrame:
    """Each cell's CSS: its row's colour by status, and the result's own colour on Result. One frame for the
    whole table (row by row, through the Styler, was a fifth of a Tracker rerun)."""
    row_colour = [ROW_COLOURS.get(status, "") for status in shown["Status"].tolist()]
    styles = {column: row_colour for column in shown.columns}
    if "Result" in shown.columns:
        styles["Result"] = ["; ".join(part for part in (colour, RESULT_COLOURS.get(result, "")) if part)
                            for colour, result in zip(row_colour, shown["Result"].tolist())]
    return pd.DataFrame(styles, index=shown.index)


def shown_columns(show_staff: bool, rows: pd.DataFrame | None = None) -> list[str]:
    """The columns in the order shown. The list is wider than a laptop screen, so what the rows on the page need
    comes right after Status: the rejection reason when a row was rejected (before Result and Mark), and Result
    and Mark are left out when no row on the page has one."""
    columns = [column for column in CENTRE_COLUMNS if column not in OUTCOME]
    outcome = list(OUTCOME)
    if rows is not None and len(rows):
        if (rows.Status == REJECTED).any():
            outcome = ["Rejection reason", "Result", "Mark"]
        if rows.Result.isna().all() and rows.Mark.isna().all():
            outcome = [column for column in outcome if column not in ("Result", "Mark")]
    status_at = columns.index("Status") + 1
    columns[status_at:status_at] = outcome
    if show_staff:
        columns.insert(1, "Centre")
        columns[columns.index("Status") + 1:columns.index("Status") + 1] = ["Stage", "Assessor"]
    return columns


def tracker_table(rows: pd.DataFrame, show_centre: bool, key: str,
                  on_heading: Callable[[str], None] | None = None) -> list[dict]:
    """The Tracker rows, coloured by status; returns the ticked records."""
    shown = blank_missing(rows[shown_columns(show_centre, rows)], DATE_COLUMNS)
    return selectable_table(
        rows, key=key, shown=cell_styled(shown, _styles(shown)),
        on_heading=on_heading,
        column_config={
            "ID": st.column_config.NumberColumn(format="%d", width="small"),
            "SLA Target": st.column_config.TextColumn(
                help="25 working days after Submitted; the release date once results are out"),
            "Mark": st.column_config.TextColumn(width="small"),
            # Wide when it has the room Result and Mark leave (a page of rejected rows only).
            "Rejection reason": st.column_config.TextColumn(
                width="small" if "Mark" in shown.columns else "large",
                help="Why the item was rejected; tick the row to read it in full"),
        },
    )
