"""The Tracker's coloured rows, drawn from each cell's CSS without pandas' HTML rendering: Streamlit must draw
exactly what it draws from pandas' own Styler of the same frame."""

from datetime import date, datetime

import pandas as pd
import pytest
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData

from lib.ui.cell_styles import cell_styled
from lib.ui.tables import blank_missing
from lib.ui.tracker_table import DATE_COLUMNS, _styles, shown_columns


def tracker_page_rows() -> pd.DataFrame:
    statuses = ["Submitted", "Referred", "Rejected", "Completed", "Awaiting Submission"]
    count = 12
    return pd.DataFrame({
        "ID": range(5120, 5120 + count),
        "Batch": [None if n % 4 == 0 else f"Spring cohort {n % 3}" for n in range(count)],
        "Submitted": [datetime(2026, 3, 12, 9, 30) if n % 5 else None for n in range(count)],
        "SLA Target": [date(2026, 4, 16)] * count,
        "ENR": [f"ENR{n:05d}" for n in range(count)],
        "Learner": ["**Ann** Smith", "=SUM(A1:A9)", "<b>Lee</b>", "O'Brien", "Jo # Patel", "Zoë Brown"] * 2,
        "Unit(s)": ["8607-501, 8607-502"] * count,
        "Type": ["Evidence"] * count,
        "Category": ["Pass/Referral"] * count,
        "Status": [statuses[n % len(statuses)] for n in range(count)],
        "Result": [("Pass", "Referral", None)[n % 3] for n in range(count)],
        "Mark": [(72, None, 48.5)[n % 3] for n in range(count)],
        "Rejection reason": [None if n % 5 != 2 else "Missing: signed declaration; *re-send*" for n in range(count)],
        "Re-submitted": ["Yes" if n % 2 else "No" for n in range(count)],
    })


def drawn(styler) -> ArrowData:
    proto = ArrowData()
    styler.set_uuid("tracker")
    marshall_styler(proto, styler, "unused")
    return proto


@pytest.mark.parametrize("show_staff", [False, True])
def test_streamlit_draws_the_same_coloured_table_as_from_pandas_styler(show_staff):
    rows = tracker_page_rows()
    if show_staff:
        rows = rows.assign(Centre="North College", Stage="marking", Assessor=None)
    shown = blank_missing(rows[shown_columns(show_staff, rows)], DATE_COLUMNS)

    ours = drawn(cell_styled(shown, _styles(shown)))
    pandas_own = drawn(shown.style.apply(_styles, axis=None))

    assert ours == pandas_own
    assert "background-color: #dbeafe" in ours.styler.styles  # Submitted rows blue
    assert "color: #b45309; font-weight: 600" in ours.styler.styles  # a referral's result in amber


def test_the_last_row_and_the_last_column_get_their_colour():
    shown = pd.DataFrame({"Item": ["a", "b", "c"], "Status": ["Completed", "Completed", "Submitted"]})
    css = pd.DataFrame({"Item": ["", "", ""], "Status": ["", "", "background-color: #dbeafe"]})

    styles = drawn(cell_styled(shown, css)).styler.styles

    assert styles == "#T_tracker_row2_col1 { background-color: #dbeafe }"


def test_a_page_with_no_coloured_row_has_no_styles():
    shown = pd.DataFrame({"Item": ["a"], "Status": ["Completed"]})
    assert drawn(cell_styled(shown, pd.DataFrame({"Item": [""], "Status": [""]}))).styler.styles == ""


def test_css_of_another_shape_is_refused():
    shown = pd.DataFrame({"Item": ["a", "b"]})
    with pytest.raises(ValueError, match="one CSS string per cell"):
        cell_styled(shown, pd.DataFrame({"Item": [""]}))
