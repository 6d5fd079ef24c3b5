"""Walled Garden registration imports: every error code on a row of its own, the check writes nothing, apply is
all or none, audited and idempotent, and nothing a later file lacks is deleted."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import openpyxl
import pytest

from lib.admin import registrations
from lib.admin.registrations import apply_import, check_import, error_rows
from lib.config import PROJECT_ROOT
from lib.errors import NotAllowed, Refused
from tests.conftest import load_user

HEADER = "Centre Number,ENR,First Name,Last Name,Qualification Code,Registration Date,Expiry Date,ULN,Date of Birth"


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def team(db):
    return load_user(db, "team.demo")


@pytest.fixture
def known(db):
    """A learner of 012345 with a registration, as the database holds them."""
    return db.query_one(
        """SELECT l.enr, l.first_name, l.last_name, r.qualification_code, r.registered_on, r.expires_on
           FROM learners l JOIN registrations r ON r.learner_id = l.id JOIN centres c ON c.id = l.centre_id
           WHERE c.number = '012345' ORDER BY l.id LIMIT 1""")


def row(enr="NEW0001", first="Ada", last="Lovelace", centre="012345", qualification="8600-31",
        registered="01/09/2026", expires="31/08/2029", uln="", born=""):
    return ",".join([centre, enr, first, last, qualification, registered, expires, uln, born])


def outcome_of(check, enr):
    found = check.rows[check.rows.ENR == enr]
    return found.iloc[0].Outcome, found.iloc[0].Code


def test_each_error_code_on_a_row_of_its_own(db, team, known):
    other_centre_enr = db.query_one("""SELECT l.enr FROM learners l JOIN centres c ON c.id = l.centre_id
                                       WHERE c.number = '023456' LIMIT 1""")[0]
    data = csv(
        row(enr="NEW0001"),                                   # fine
        row(enr="NEW0002", first=""),                         # E01 missing
        row(enr="NEW0003", registered="31-13-2026"),          # E01 malformed date
        row(enr="BAD"),                                       # E01 malformed ENR
        row(enr="NEW0004", uln="12345"),                      # E01 malformed ULN
        row(enr="NEW0005", centre="999999"),                  # E02
        row(enr="NEW0006", centre="045678", qualification="8000-14"),  # E03: 045678 is not approved for it
        row(enr="NEW0007", qualification="9999-99"),          # E04
        row(enr=other_centre_enr),                            # E05
        row(enr="NEW0001"),                                   # E06 duplicate
        row(enr="NEW0008", registered="01/09/2026", expires="01/08/2026"),  # E07
    )
    before = db.query_one("SELECT count(*) FROM learners")[0]
    check = check_import(db, team, "export.csv", data)
    assert db.query_one("SELECT count(*) FROM learners")[0] == before, "the check writes nothing"
    assert list(check.rows.Code) == ["", "E01", "E01", "E01", "E01", "E02", "E03", "E04", "E05", "E06", "E07"]
    problems = list(check.rows.Problem)
    assert "no first name" in problems[1] and "not a date" in problems[2] and "3 letters and 4 digits" in problems[3]
    assert "ULN is not 10 digits" in problems[4] and "999999 is not a centre" in problems[5]
    assert "not approved for 8000-14" in problems[6] and "9999-99" in problems[7]
    assert "belongs to centre 023456" in problems[8] and "earlier row" in problems[9] and "before" in problems[10]
    assert list(error_rows(check).Row) == list(range(3, 13))
    assert check.counts()["errors"] == 10 and check.counts()["accepted"] == 1


def test_outcomes_new_changed_and_unchanged(db, team, known):
    enr, first, last, qualification, registered, expires = known
    free_qualification = db.query_one(
        """SELECT a.qualification_code FROM centre_approvals a JOIN centres c ON c.id = a.centre_id
           WHERE c.number = '012345' AND a.qualification_code NOT IN (
               SELECT r.qualification_code FROM registrations r JOIN learners l ON l.id = r.learner_id
               WHERE l.enr = ?) LIMIT 1""", [enr])[0]
    uk = "%d/%m/%Y"
    data = csv(
        row(enr=enr, first=first, last=last, qualification=qualification, registered=registered.strftime(uk),
            expires=expires.strftime(uk)),
        row(enr=enr, first=first, last=last, qualification=free_qualification),
        row(enr="NEW0009"),
    )
    check = check_import(db, team, "export.csv", data)
    assert list(check.rows.Outcome) == ["unchanged", "new registration", "new learner, new registration"]
    renamed = check_import(db, team, "export.csv", csv(row(enr=enr, first="Renamed", last=last,
                                                           qualification=qualification,
                                                           registered=registered.strftime(uk), expires="31/12/2031")))
    assert list(renamed.rows.Outcome) == ["changed name, changed expiry"]


def test_apply_is_all_or_none_audited_and_the_same_file_twice_changes_nothing(db, team, known):
    enr, first, last, qualification, registered, _ = known
    data = csv(row(enr="NEW0101", uln="1234567890", born="2001-02-03"), row(enr="NEW0101", qualification="8585-31"),
               row(enr=enr, first=first, last=last, qualification=qualification,
                   registered=registered.strftime("%d/%m/%Y"), expires="30/06/2030"),
               row(enr="NEW0102", centre="999999"))
    imports_before = db.query_one("SELECT count(*) FROM registration_imports")[0]  # the demo's own
    done, check = apply_import(db, team, "export.csv", data)
    assert done["applied"] and done["errors"] == 1
    assert (done["new_learners"], done["new_registrations"], done["changed_expiries"]) == (1, 2, 1)
    learner = db.query_one("SELECT id, search_name, uln, date_of_birth::VARCHAR FROM learners WHERE enr = 'NEW0101'")
    assert learner[1:] == ("ada lovelace", "1234567890", "2001-02-03")
    assert db.query_one("SELECT expires_on::VARCHAR FROM registrations r JOIN learners l ON l.id = r.learner_id "
                        "WHERE l.enr = ? AND r.qualification_code = ?", [enr, qualification])[0] == "2030-06-30"
    imports = "SELECT count(*) FROM audit_log WHERE action = 'import_registrations' AND after->>'file' = 'export.csv'"
    assert db.query_one(imports)[0] == 1
    again, _ = apply_import(db, team, "renamed copy.csv", data)
    assert not again["applied"] and "applied on" in again["reason"]
    assert db.query_one(imports)[0] == 1
    assert db.query_one("SELECT count(*) FROM registration_imports")[0] == imports_before + 1
    assert db.query_one("SELECT count(*) FROM learners WHERE enr = 'NEW0101'")[0] == 1


def test_a_later_file_that_lacks_a_registration_deletes_nothing_and_lists_it(db, team, known):
    enr = known[0]
    apply_import(db, team, "first.csv", csv(row(enr="NEW0201"), row(enr="NEW0202")))
    check = check_import(db, team, "second.csv", csv(row(enr="NEW0201")))
    assert "NEW0202" in set(check.for_review.ENR) and enr in set(check.for_review.ENR)
    apply_import(db, team, "second.csv", csv(row(enr="NEW0201")))
    assert db.query_one("SELECT count(*) FROM learners WHERE enr = 'NEW0202'")[0] == 1


def test_an_apply_that_fails_half_way_leaves_nothing(db, team, monkeypatch):
    before = {table: db.query_one(f"SELECT count(*) FROM {table}")[0]
              for table in ("learners", "registrations", "registration_imports", "audit_log")}
    real_transact = db.transact

    def failing_transact(user, work, **kwargs):
        def half_then_fail(writer):
            work(writer)
            raise OSError("disk full")
        return real_transact(user, half_then_fail, **kwargs)

    monkeypatch.setattr(db, "transact", failing_transact)
    with pytest.raises(OSError):
        apply_import(db, team, "export.csv", csv(row(enr="NEW0301"), row(enr="NEW0302")))
    after = {table: db.query_one(f"SELECT count(*) FROM {table}")[0] for table in before}
    assert after == before


def test_excel_exports_and_unreadable_files(db, team):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["012345", "new0401", "Grace", "Hopper", "8600-31", "2026-09-01", "2029-08-31", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    check = check_import(db, team, "export.xlsx", buffer.getvalue())
    assert list(check.rows.Outcome) == ["new learner, new registration"] and list(check.rows.ENR) == ["NEW0401"]
    with pytest.raises(Refused, match="no column for: expiry date"):
        check_import(db, team, "export.csv", csv(row(), header=HEADER.replace("Expiry Date", "Something")))
    with pytest.raises(Refused, match="CSV"):
        check_import(db, team, "export.pdf", b"%PDF-1.7")
    with pytest.raises(Refused, match="named as an Excel workbook but is not one"):
        check_import(db, team, "export.xlsx", b"not a spreadsheet")
    with pytest.raises(NotAllowed):
        check_import(db, load_user(db, "centre.demo"), "export.csv", csv(row()))


def test_the_command_checks_then_applies(db_path, tmp_path):
    export = tmp_path / "registrations.csv"
    export.write_bytes(csv(row(enr="NEW0501"), row(enr="NEW0502", centre="999999")))
    command = [sys.executable, "-m", "lib", "import-registrations", str(export), "--db", str(db_path)]
    checked = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in checked.stdout.splitlines()]
    assert checked.returncode == 1 and lines[0]["applied"] is False and lines[0]["errors"] == 1
    assert lines[1] == {"row": 3, "code": "E02", "problem": "E02 unknown centre: centre 999999 is not a centre of the "
                                                            "service"}
    applied = subprocess.run([*command, "--apply"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert json.loads(applied.stdout.splitlines()[0])["new_learners"] == 1
    assert registrations.MAX_ROWS >= 100_000


def test_the_demo_file_the_readme_names(db, team):
    data = (PROJECT_ROOT / "docs" / "demo-registrations.csv").read_bytes()
    check = check_import(db, team, "demo-registrations.csv", data)
    assert list(check.errors.Code) == ["E02", "E03", "E01", "E06", "E07"]
    assert check.counts()["new learner"] == 12
    done, _ = apply_import(db, team, "demo-registrations.csv", data)
    assert done["new_learners"] == 12
    pennine = load_user(db, "pennine.demo")
    from lib.centre.uploads import unit_assessment_rows
    from lib.store import grid

    listed = unit_assessment_rows(db, pennine, grid.GridQuery(
        filters=(grid.ColumnFilter("ENR", grid.Condition(grid.CONTAINS, "PSA00")),), limit=100)).rows
    assert set(listed.ENR) == {f"PSA{i:04d}" for i in range(1, 13)}


def test_a_semicolon_separated_export_is_read_too(db, team):
    data = csv(row(enr="NEW0801")).replace(b",", b";")
    assert list(check_import(db, team, "export.csv", data).rows.Outcome) == ["new learner, new registration"]
