"""The Registration imports page: the team uploads an export, sees each row's outcome and the refused rows,
applies it, and the same file again changes nothing."""

from __future__ import annotations

from tests.apptest_helpers import texts
from tests.test_registrations_import import csv, row


def test_the_team_checks_then_applies_an_export(as_role):
    at = as_role("team.demo", "pages/admin/registrations_page.py")
    assert at.title[0].value == "Registration imports"
    applied = next(frame.value for frame in at.dataframe if "File" in frame.value.columns)
    assert set(applied.File) == {"walled-garden-registrations-demo.csv", "walled-garden-university.csv"}, \
        "the demo's learners came by import"
    data = csv(row(enr="NEW0601", first="**Bold**"), row(enr="NEW0602", centre="999999"))
    at.file_uploader(key="registrations_file").set_value(("export.csv", data, "text/csv")).run()
    assert not at.exception
    assert [m.value for m in at.metric][:3] == ["2", "1", "1"]
    shown = next(frame.value for frame in at.dataframe if "Outcome" in frame.value.columns)
    assert list(shown.Outcome) == ["new learner, new registration", ""] and shown["First name"][0] == "**Bold**"
    at.button(key="registrations_apply").click().run()
    assert not at.exception
    assert "Applied export.csv: 1 new learner(s), 1 new registration(s)" in texts(at)
    assert at.button(key="registrations_apply").disabled, "the same file, already applied, is not applied twice"
    assert "applying it again changes nothing" in texts(at)


def test_an_unreadable_file_is_explained(as_role):
    at = as_role("team.demo", "pages/admin/registrations_page.py")
    at.file_uploader(key="registrations_file").set_value(("export.csv", b"just,one,line\n", "text/csv")).run()
    assert not at.exception and "has no column for" in texts(at)
