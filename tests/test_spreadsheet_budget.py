"""Spreadsheets and CSV files uploaded as tables (registration imports, Exam Board lists, Walled Garden order
exports) are read in the limited child: crafted ones are refused with a clear message, within the budget, and never
read inside the server process."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

from lib.admin import registrations
from lib.centre.uploads import Upload
from lib.checks import limits
from lib.checks.sandbox import run_table_read
from lib.errors import Refused
from lib.hei import release_check
from tests import crafted

LIMITS = {"registrations": registrations.MAX_FILE_BYTES, "exam board list": release_check.MAX_LIST_BYTES,
          "order export": release_check.MAX_LIST_BYTES}


def read_as(upload: str, name: str, data: bytes):
    if upload == "registrations":
        return registrations.read_table(name, data)
    if upload == "exam board list":
        return release_check.read_exam_board_list(Upload(name, data))
    return release_check._order_table(Upload(name, data))


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return crafted.spreadsheet_bombs()


@pytest.mark.parametrize("upload", list(LIMITS))
@pytest.mark.parametrize("bomb", ["cell bomb 500 MB", "shared-strings bomb 500 MB", "2,000,000 empty rows",
                                  "XML nested 1,000,000 deep"])
def test_each_crafted_spreadsheet_is_refused_by_each_upload_within_the_budget(bombs, upload, bomb):
    data = bombs[bomb]
    started = time.perf_counter()
    with pytest.raises(Refused) as refusal:
        read_as(upload, "export.xlsx", data)
    assert time.perf_counter() - started < 15
    message = str(refusal.value)
    assert message.startswith("export.xlsx")
    if len(data) <= LIMITS[upload]:
        assert any(words in message for words in ("far more data than its size suggests", "more than",
                                                  "needs more memory", "within the time"))
    else:
        assert "may be at most" in message


def test_a_bomb_at_the_size_limit_is_read_within_256_mb(bombs):
    for name, data in crafted.spreadsheet_bombs(pad_to=release_check.MAX_LIST_BYTES - 4096).items():
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            handle.write(data)
            handle.flush()
            found = run_table_read(Path(handle.name), ".xlsx", release_check.MAX_LIST_ROWS)
        assert found.reason and not found.rows, name
        assert found.peak_rss_bytes - found.start_rss_bytes < limits.CHECK_MEMORY_BYTES, name


def test_a_csv_with_an_endless_cell_or_too_many_columns_is_refused():
    with pytest.raises(Refused, match="holds more than 10,000 characters"):
        release_check.read_exam_board_list(Upload("board.csv", b"Name,ENR\n" + b"x" * 200_000 + b",UNB1000\n"))
    wide = ",".join(f"C{i}" for i in range(100)).encode() + b"\n" + b",".join(b"v" for _ in range(100)) + b"\n"
    with pytest.raises(Refused, match="more than 60 columns"):
        registrations.read_table("export.csv", wide)


def test_the_server_process_never_parses_an_upload_itself(monkeypatch):
    import openpyxl
    import pandas as pd

    def parsed_here(*args, **kwargs):
        raise AssertionError("a table upload was parsed in the server process")

    for module, name in ((pd, "read_excel"), (pd, "read_csv"), (openpyxl, "load_workbook")):
        monkeypatch.setattr(module, name, parsed_here)
    table = registrations.read_table("export.csv", b"Centre Number,ENR,First Name,Last Name,Qualification Code,"
                                     b"Registration Date,Expiry Date\n012345,ABC1234,Ann,Lee,8600-31,01/09/2026,"
                                     b"31/08/2029\n")
    assert table.enr.tolist() == ["ABC1234"] and table.last_name.tolist() == ["Lee"]
    listed = release_check.read_exam_board_list(Upload("board.csv", b"Name,ENR\nAisha Ahmed,unb1000\n"))
    assert listed == [release_check.Listed("Aisha Ahmed", "UNB1000")]
