import io
from datetime import date

import openpyxl
import pytest

from lib.centre.tracker import tracker_export, tracker_page
from lib.store.export import centre_report_name, write_xlsx
from lib.store.grid import ColumnFilter, Condition, GridQuery
from tests.conftest import load_user


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://x\")", "+44 1234", "-2+3", "@SUM(A1)", "\tTab", "\nNew",
                                       "=cmd|' /C calc'!A0"])
def test_cells_that_look_like_formulas_stay_text(dangerous):
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(["Learner"], [[dangerous]]))).active
    cell = sheet["A2"]
    assert cell.value == dangerous and cell.data_type == "s" and cell.quotePrefix


def test_ordinary_values_keep_their_types():
    data = write_xlsx(["ID", "Submitted", "Learner", "Mark"], [[7, date(2026, 11, 23), "Lisa May", None]])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["ID", "Submitted", "Learner", "Mark"]
    row = [c.value for c in sheet[2]]
    assert row[0] == 7 and row[1].date() == date(2026, 11, 23) and row[2] == "Lisa May" and row[3] is None
    assert sheet["A1"].font.b


def test_the_report_file_name():
    assert centre_report_name(date(2026, 11, 23)) == "Centre Report 2026-11-23.xlsx"


def test_the_centre_report_holds_the_filtered_rows_with_the_visible_columns(db):
    user = load_user(db, "centre.demo")
    query = GridQuery((ColumnFilter("Status", Condition("Is equal to", "Rejected")),))
    sheet = openpyxl.load_workbook(io.BytesIO(tracker_export(db, user, query))).active
    rows = list(sheet.values)
    assert rows[0] == ("ID", "Batch", "Submitted", "SLA Target", "ENR", "Learner", "Unit(s)", "Type", "Category",
                       "Status", "Result", "Mark", "Rejection reason", "Re-submitted")
    expected = tracker_page(db, user, query, limit=100_000).rows
    assert [r[0] for r in rows[1:]] == expected.ID.tolist()
    assert {r[9] for r in rows[1:]} == {"Rejected"}
    assert [r[12] for r in rows[1:]] == expected["Rejection reason"].tolist() and all(r[12] for r in rows[1:])


def test_staff_see_and_export_each_items_stage_and_assessor(db):
    team = load_user(db, "team.demo")
    query = GridQuery((ColumnFilter("Stage", Condition("Is equal to", "With assessor")),))
    page = tracker_page(db, team, query, limit=100_000)
    expected = db.query_one("SELECT count(*) FROM submissions WHERE stage = 'allocated'")[0]
    assert page.total == expected > 0 and set(page.rows.Stage) == {"With assessor"} and all(page.rows.Assessor)
    sheet = openpyxl.load_workbook(io.BytesIO(tracker_export(db, team, query))).active
    header = [cell.value for cell in sheet[1]]
    assert header[header.index("Status") + 1:header.index("Status") + 3] == ["Stage", "Assessor"]
    assert sheet.max_row == expected + 1


def test_a_learner_named_like_a_formula_is_exported_as_text(db):
    user = load_user(db, "centre.demo")
    db.query_one("UPDATE learners SET first_name = '=1+1' WHERE id = (SELECT learner_id FROM submissions "
                 "WHERE centre_id = ? AND stage <> 'pending' ORDER BY id DESC LIMIT 1)", [user.centre_id])
    sheet = openpyxl.load_workbook(io.BytesIO(tracker_export(db, user))).active
    learners = [cell for cell in sheet["F"] if isinstance(cell.value, str) and cell.value.startswith("=1+1")]
    assert learners and all(cell.data_type == "s" for cell in learners)


def test_text_is_escaped_and_control_characters_dropped():
    value = 'O\'Brien & <Sons> "Ltd"\x01'
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(["Batch"], [[value], ["  spaced  "]], title="a/b:c"))).active
    assert sheet["A2"].value == 'O\'Brien & <Sons> "Ltd"' and sheet["A3"].value == "  spaced  "


def test_many_columns_get_the_right_letters():
    from lib.store.xlsx import column_letters

    assert column_letters(28)[-3:] == ["Z", "AA", "AB"]
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx([f"c{i}" for i in range(30)], [list(range(30))]))).active
    assert sheet["AD2"].value == 29


def test_the_same_rows_make_the_same_file():
    rows = [[1, "a", date(2026, 1, 2)]]
    assert write_xlsx(["ID", "Name", "Day"], rows) == write_xlsx(["ID", "Name", "Day"], rows)
