"""An uploaded CSV or Excel table read within a budget: in the limited child, as text cells with unique headings."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from lib.checks.sandbox import run_table_read
from lib.checks.table_read import TABLE_EXTENSIONS
from lib.errors import Refused


def _unique(headings: list[str]) -> list[str]:
    """Headings as pandas names them: a blank one "Unnamed: i", a repeated one "X.1", "X.2"…"""
    seen: dict[str, int] = {}
    unique = []
    for index, heading in enumerate(headings):
        heading = heading.strip() or f"Unnamed: {index}"
        if heading in seen:
            seen[heading] += 1
            heading = f"{heading}.{seen[heading]}"
        else:
            seen[heading] = 0
        unique.append(heading)
    return unique


def read_uploaded_table(name: str, data: bytes, max_rows: int, max_bytes: int, kinds: str) -> pd.DataFrame:
    """The first sheet of an uploaded .csv or .xlsx as text cells, the first row naming the columns; Refused, saying
    why, for a file that is empty, too large, of another kind, or that its reading would take more than the budget.
    kinds says what the upload should be, for the refusal of another kind of file."""
    if not data:
        raise Refused(f"{name} is empty.")
    if len(data) > max_bytes:
        raise Refused(f"{name} is {len(data) / 1024 / 1024:.1f} MB; this upload may be at most "
                      f"{max_bytes / 1024 / 1024:.0f} MB.")
    extension = Path(name.lower()).suffix
    if extension not in TABLE_EXTENSIONS:
        raise Refused(f"{name}: {kinds}.")
    with tempfile.NamedTemporaryFile(suffix=extension) as handle:
        handle.write(data)
        handle.flush()
        found = run_table_read(Path(handle.name), extension, max_rows)
    if found.reason:
        raise Refused(found.reason.replace("{name}", name))
    width = max(len(row) for row in found.rows)
    rows = [row + [""] * (width - len(row)) for row in found.rows]
    return pd.DataFrame(rows[1:], columns=_unique(rows[0]), dtype=str)
