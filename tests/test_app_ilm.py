"""The ILM side's pages in AppTest: each role's queue and the moves it may make, with clear refusals."""

from __future__ import annotations

from tests.apptest_helpers import texts, tick


def test_quality_check_accepts_and_refuses_a_rejection_without_reason(as_role):
    at = as_role("team.demo", "pages/service/quality_check_page.py")
    first = at.dataframe[0].value
    assert list(first.columns)[:4] == ["ID", "Centre", "Submitted", "QC due"]
    tick(at, "qc_table", [0])
    at.button(key="qc_reject").click().run()
    assert "Give the centre a reason" in texts(at)
    at.button(key="qc_accept").click().run()
    assert f"Accepted item {first.ID.iloc[0]}" in texts(at)


def test_allocation_runs_automatically_and_keeps_the_register(as_role):
    at = as_role("team.demo", "pages/service/allocation_page.py")
    at.button(key="allocation_auto").click().run()
    assert "Allocated" in texts(at) and "automatically" in texts(at)
    at.text_input(key="allocation_conflict_reason").input("Sister works at the centre")
    at.button(key="allocation_conflict_record").click().run()
    assert "Conflict of interest recorded." in texts(at)


def test_marking_asks_for_a_result(as_role):
    at = as_role("assessor.demo", "pages/service/marking_page.py")
    tick(at, "marking_table", [0])
    unit = at.dataframe[0].value["Unit(s)"].iloc[0].split(", ")[0]
    at.button(key=f"marking_save_{unit}").click().run()
    assert "Choose Pass or Referral." in texts(at)


def test_sampling_needs_a_note_to_send_back_and_agrees(as_role):
    at = as_role("lead.demo", "pages/service/sampling_page.py")
    tick(at, "sampling_table", [0])
    at.button(key="sampling_send_back").click().run()
    assert "Write the assessor a note" in texts(at)
    at.button(key="sampling_agree").click().run()
    assert "is ready for release" in texts(at)


def test_release_and_claims(as_role):
    at = as_role("team.demo", "pages/service/release_page.py")
    tick(at, "release_table", [0])
    at.button(key="release_selected").click().run()
    assert "Released 1 result(s)" in texts(at)
    at.switch_page("pages/service/claims_page.py").run()
    tick(at, "claims_table", [0, 1])
    at.button(key="claims_mark").click().run()
    assert "Recorded 2 claim(s)." in texts(at)


def test_the_sla_dashboard_shows_open_work(as_role):
    at = as_role("quality.demo", "pages/service/sla_page.py")
    assert [m.label for m in at.metric][:3] == ["Open items", "At risk", "Breached"]
    assert int(at.metric[0].value.replace(",", "")) > 0
