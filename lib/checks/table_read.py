"""Reading an uploaded CSV or Excel table as text cells; runs inside the limited child process.

An .xlsx is a zip of XML parts: before openpyxl sees it, every part is inflated once as a stream and stops at a
cap on what it really produces (and on a ratio to its compressed size), so a cell, shared-string or empty-row bomb
is refused for what it is, in well under a second. openpyxl then reads the first sheet in read-only (streaming)
mode, row by row, with a cap on rows (empty ones too), columns and the characters of a cell. A CSV is read with
the csv module under the same caps.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lib.checks import limits
from lib.checks.docx_check import _TooLarge, _unsafe, read_capped

TABLE_EXTENSIONS = (".csv", ".txt", ".xlsx", ".xlsm")
SAVE_AS_CSV = "Save it as CSV (File > Save As > CSV UTF-8) and upload that."


@dataclass(frozen=True)
class TableRead:
    """The cells of the file's first sheet as text (the heading row first), or why it cannot be read."""

    rows: list[list[str]] = field(default_factory=list)
    reason: str | None = None  # with {name} where the file's name goes
    peak_rss_bytes: int = 0
    start_rss_bytes: int = 0


class _Unreadable(Exception):
    pass


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _check_cells(cells: list[str], row_number: int) -> list[str]:
    if len(cells) > limits.TABLE_MAX_COLUMNS:
        if any(cell.strip() for cell in cells[limits.TABLE_MAX_COLUMNS:]):
            raise _Unreadable(f"{{name}} has more than {limits.TABLE_MAX_COLUMNS} columns: the service's tables have "
                              "a few named columns.")
        cells = cells[:limits.TABLE_MAX_COLUMNS]
    for cell in cells:
        if len(cell) > limits.TABLE_MAX_CELL_CHARS:
            raise _Unreadable(f"{{name}}: a cell in row {row_number} holds more than "
                              f"{limits.TABLE_MAX_CELL_CHARS:,} characters, far more than any field of the service.")
    return cells


def _collect(rows, max_rows: int) -> list[list[str]]:
    """The rows with cells, within the caps on rows kept and on empty rows one after another."""
    kept: list[list[str]] = []
    empty_run = 0
    for seen, row in enumerate(rows, start=1):
        cells = _check_cells([_text(value) for value in row], seen)
        if not any(cell.strip() for cell in cells):
            empty_run += 1
            if empty_run > limits.TABLE_MAX_EMPTY_ROWS:
                raise _Unreadable(f"{{name}} has more than {limits.TABLE_MAX_EMPTY_ROWS:,} empty rows one after "
                                  "another: remove the empty rows below the table and upload it again.")
            continue
        empty_run = 0
        kept.append(cells)
        if len(kept) > max_rows + 1:
            raise _Unreadable(f"{{name}} has more than {max_rows:,} rows: split it into smaller files.")
    return kept


def _inflate_parts(path: Path) -> None:
    """Every part of the workbook inflated once as a stream, within the whole file's budget and a sane ratio."""
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        if len(entries) > limits.TABLE_MAX_ZIP_ENTRIES:
            raise _Unreadable("{name} has far more parts than a spreadsheet has. " + SAVE_AS_CSV)
        left = limits.TABLE_MAX_EXPANDED_BYTES
        for entry in entries:
            if _unsafe(entry.filename):
                raise _Unreadable("{name} is not a plain spreadsheet. " + SAVE_AS_CSV)
            if entry.is_dir():
                continue
            for chunk in read_capped(archive, entry.filename, left):
                left -= len(chunk)


def _sheet_size_unread(_sheet) -> None:
    """openpyxl reads a sheet's <dimension> when it opens it, and a sheet without one is parsed whole for it,
    holding every row: a sheet of two million empty rows took 170 MB before its first row was read. The rows are
    read as they come instead, and the dimension (the file's word) is not needed."""


def _xlsx_rows(path: Path, max_rows: int) -> list[list[str]]:
    import openpyxl
    from openpyxl.worksheet import _read_only

    _read_only.ReadOnlyWorksheet._get_size = _sheet_size_unread  # in the child only: the app's openpyxl is untouched

    try:
        _inflate_parts(path)
    except _TooLarge:
        raise _Unreadable("{name} holds far more data than its size suggests (a compressed part inflates out of "
                          "all proportion): it is refused. " + SAVE_AS_CSV) from None
    except (zipfile.BadZipFile, EOFError):
        raise _Unreadable("{name} is named as an Excel workbook but is not one. " + SAVE_AS_CSV) from None
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _Unreadable("{name} has no sheet.")
        return _collect(sheet.iter_rows(values_only=True, max_col=limits.TABLE_MAX_COLUMNS + 1), max_rows)
    finally:
        workbook.close()


def _delimiter(head: bytes) -> str:
    """The separator, from the heading line: a comma, or the semicolon or tab some spreadsheets write."""
    heading = head.split(b"\n", 1)[0]
    return max((b",", b";", b"\t"), key=heading.count).decode()


def _csv_rows(path: Path, max_rows: int) -> list[list[str]]:
    with open(path, "rb") as handle:
        head = handle.read(4096)
    csv.field_size_limit(limits.TABLE_MAX_CELL_CHARS + 1)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        try:
            return _collect(csv.reader(handle, delimiter=_delimiter(head)), max_rows)
        except UnicodeDecodeError:
            raise _Unreadable("{name} is not UTF-8 text: save it as CSV UTF-8 and upload that.") from None
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise _Unreadable(f"{{name}}: a cell holds more than {limits.TABLE_MAX_CELL_CHARS:,} characters, "
                                  "far more than any field of the service.") from None
            raise _Unreadable(f"{{name}} cannot be read as CSV ({error}).") from None


def read_table_file(path: Path, extension: str, max_rows: int) -> TableRead:
    """The cells of a CSV or Excel file on disk, or why not (each reason names the file as {name})."""
    try:
        if extension in (".xlsx", ".xlsm"):
            rows = _xlsx_rows(path, max_rows)
        elif extension in (".csv", ".txt"):
            rows = _csv_rows(path, max_rows)
        else:
            return TableRead(reason="{name}: a table is a CSV (.csv) or Excel (.xlsx) file.")
    except _Unreadable as problem:
        return TableRead(reason=str(problem))
    if not rows:
        return TableRead(reason="{name} has no rows.")
    return TableRead(rows=rows)
