"""One UK format for dates (01/12/2026), one for date-times (01/12/2026 06:26) and one for months (Dec 2026) in
every table the pages draw."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from lib.ui.tables import blank_missing, uk_dates


def test_dates_date_times_and_months_read_the_uk_way_and_blanks_stay_blank():
    frame = pd.DataFrame({
        "When": pd.to_datetime(["2026-12-03 06:26:37", None]),
        "Born": [date(1991, 2, 11), None],
        "Signed in": [datetime(2026, 12, 3, 9, 5), datetime(2026, 12, 4, 17, 45)],
        "Month": ["2026-08", "2026-12"],
        "Day": pd.to_datetime(["2026-12-03", "2026-12-04"]),
    })
    shown = blank_missing(frame)
    assert list(shown.When) == ["03/12/2026 06:26", ""]
    assert list(shown.Born) == ["11/02/1991", ""]
    assert list(shown["Signed in"]) == ["03/12/2026 09:05", "04/12/2026 17:45"]
    assert list(shown.Month) == ["Aug 2026", "Dec 2026"]
    assert list(shown.Day) == ["03/12/2026", "04/12/2026"]


def test_text_that_only_looks_like_a_date_in_some_rows_is_left_as_typed():
    assert uk_dates(pd.Series(["2026-08", "Batch 2026-13"])) is None
    assert uk_dates(pd.Series(["2026-13"])) is None  # no thirteenth month
    assert uk_dates(pd.Series([1, 2])) is None
    assert list(blank_missing(pd.DataFrame({"Batch": ["2026-08 cohort", "2026-08"]})).Batch) == ["2026-08 cohort",
                                                                                                 "2026-08"]
