"""Excel exports that stream rows and can never turn a cell into a formula."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date

from lib.store import xlsx

FORMULA_STARTS = xlsx.FORMULA_STARTS


def centre_report_name(today: date) -> str:
    return f"Centre Report {today.isoformat()}.xlsx"


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence], title: str = "Report") -> bytes:
    """An .xlsx of the rows under bold headers; text is always text, never a formula."""
    buffer = io.BytesIO()
    xlsx.write(buffer, headers, rows, title)
    return buffer.getvalue()


def frame_xlsx(frame, title: str = "Report") -> bytes:
    """write_xlsx of a pandas DataFrame: its columns as headers, every row."""
    return write_xlsx(list(frame.columns), frame.itertuples(index=False, name=None), title[:31])
