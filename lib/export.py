"""Excel exports that stream rows and can never turn a cell into a formula."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

# A cell starting with one of these is a formula (or becomes one when edited) in Excel and its kin.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def centre_report_name(today: date) -> str:
    return f"Centre Report {today.isoformat()}.xlsx"


def _cell(sheet, value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # stored as text, whatever openpyxl would infer
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return cell
    if isinstance(value, (date, datetime)):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    return value


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence], title: str = "Report") -> bytes:
    """An .xlsx of the rows under bold headers, written in openpyxl's streaming mode."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
