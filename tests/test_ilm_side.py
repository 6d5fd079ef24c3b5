"""The ILM side: quality check, allocation, marking, sampling, release and claims, on the demo data."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

import openpyxl
import pytest

from lib.centre import submitting, uploads
from lib.centre.tracker import tracker_page
from lib.centre.uploads import EMBEDDED, UnitUpload, Upload
from lib.checks.accept import FileRejected
from lib.errors import Refused
from lib.service import allocation, marking, quality_check, release, sampling, sla
from lib.store.files import FileStore
from lib.store.scope import NotAllowed, NotFound
from tests import samples
from tests.conftest import load_user
from tests.test_centre_work import NOW, fresh_learner_unit

SHEET = Upload("Marked.docx", samples.result_sheet())


@pytest.fixture
def store(db_path):
    return FileStore(db_path.parent / "files")


@pytest.fixture
def people(db):
    return {name: load_user(db, f"{name}.demo") for name in ("centre", "team", "assessor", "lead", "quality")}


def submitted_item(db, store, centre, batch=None):
    learner_id, enr, unit, _ = fresh_learner_unit(db, centre)
    upload = UnitUpload(learner_id, unit, (Upload(f"S.Smith-{enr}(1).docx", samples.word_document()),),
                        Upload("Sheet.docx", samples.result_sheet()), EMBEDDED)
    [item] = uploads.upload_units(db, store, centre, [upload], now=NOW)
    submitting.submit(db, centre, [item], batch_name=batch, quality_confirmed=True, now=NOW)
    return item, unit


def stage(db, item):
    return db.query_one("SELECT stage FROM submissions WHERE id = ?", [item])[0]


def test_quality_check_queue_is_oldest_first_with_overdue_flags(db, people):
    queue = quality_check.qc_queue(db, people["team"], today=date(2026, 11, 23)).rows
    assert list(queue.Submitted) == sorted(queue.Submitted)
    assert ((queue.Overdue == "Overdue") == (queue["QC due"].dt.date < date(2026, 11, 23))).all()
    with pytest.raises(NotAllowed):
        quality_check.qc_queue(db, people["centre"])


def test_rejecting_needs_a_reason_and_the_centre_sees_it(db, store, people):
    item, _ = submitted_item(db, store, people["centre"])
    with pytest.raises(Refused, match="reason"):
        quality_check.reject(db, people["team"], item, "  ")
    assert stage(db, item) == "submitted"
    quality_check.reject(db, people["team"], item, "The result sheet is for another unit.", now=NOW)
    row = tracker_page(db, people["centre"], limit=100_000).rows.set_index("ID").loc[item]
    assert row.Status == "Rejected" and row["Rejection reason"] == "The result sheet is for another unit."
    assert row["SLA Target"] is None or row["SLA Target"] != row["SLA Target"]
    new = submitting.start_resubmission(db, people["centre"], item, now=NOW)
    assert new > item


def test_two_people_acting_on_one_item_the_second_is_told(db, store, people):
    item, _ = submitted_item(db, store, people["centre"])
    quality_check.accept(db, people["team"], item, now=NOW)
    with pytest.raises(Refused, match="refresh"):
        quality_check.reject(db, people["team"], item, "Too late, someone accepted it.")
    assert stage(db, item) == "accepted"


def test_allocation_respects_conflicts_of_interest(db, store, people):
    item, _ = submitted_item(db, store, people["centre"])
    quality_check.accept(db, people["team"], item, now=NOW)
    allocation.record_conflict(db, people["team"], people["assessor"].id, people["centre"].centre_id,
                               "Former employee of the centre", now=NOW)
    with pytest.raises(Refused, match="conflict of interest with centre 012345"):
        allocation.allocate(db, people["team"], item, people["assessor"].id)
    chosen = allocation.auto_allocate(db, people["team"], now=NOW)
    assert item in chosen and chosen[item] != people["assessor"].id
    assert all(a != people["assessor"].id or c != people["centre"].centre_id
               for a, c in db.query_all("SELECT assessor_id, centre_id FROM submissions WHERE list_contains(?, id)",
                                        [list(chosen)]))
    assert stage(db, item) == "allocated"
    with pytest.raises(Refused, match="already on the register"):
        allocation.record_conflict(db, people["team"], people["assessor"].id, people["centre"].centre_id, "again")


def test_a_conflict_recorded_later_flags_the_work_already_allocated_and_moves_it_on_request(db, people):
    team, centre_id = people["team"], people["centre"].centre_id
    assessor_id, held = db.query_one(
        """SELECT assessor_id, count(*) FROM submissions WHERE stage = 'allocated' AND centre_id = ?
           GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""", [centre_id])
    touched = allocation.record_conflict(db, team, assessor_id, centre_id, "Her sister runs the centre", now=NOW)
    assert len(touched) == held > 0 and allocation.conflicted_work(db, team) == touched
    flagged = allocation.allocation_queue(db, team, with_assessors=True).rows.set_index("ID").loc[touched, "Conflict"]
    assert set(flagged) == {"Conflict of interest: reallocate"}
    moved = allocation.reallocate_conflicted(db, team, now=NOW)
    assert sorted(moved) == sorted(touched) and assessor_id not in moved.values()
    assert allocation.conflicted_work(db, team) == []
    assert db.query_one("SELECT count(*) FROM submissions WHERE list_contains(?, id) AND stage = 'allocated' "
                        "AND assessor_id <> ?", [touched, assessor_id])[0] == len(touched)


def test_auto_allocation_balances_open_work(db, store, people):
    before = allocation.assessor_workload(db, people["team"]).set_index("id")["Open items"]
    chosen = allocation.auto_allocate(db, people["team"], now=NOW)
    after = allocation.assessor_workload(db, people["team"]).set_index("id")["Open items"]
    assert sum(after) - sum(before) == len(chosen)
    assert after.max() - after.min() <= max(1, before.max() - before.min())


def allocated_to_assessor(db, store, people):
    item, unit = submitted_item(db, store, people["centre"])
    quality_check.accept(db, people["team"], item, now=NOW)
    allocation.allocate(db, people["team"], item, people["assessor"].id, now=NOW)
    return item, unit


def test_marking_rules_and_bad_input(db, store, people):
    item, unit = allocated_to_assessor(db, store, people)
    assessor = people["assessor"]
    with pytest.raises(Refused, match="0 to 100"):
        marking.mark_unit(db, store, assessor, item, unit, "Pass", 101, "Good work", SHEET)
    with pytest.raises(Refused, match="0 to 100"):
        marking.mark_unit(db, store, assessor, item, unit, "Pass", 55.5, "Good work", SHEET)
    with pytest.raises(FileRejected):
        marking.mark_unit(db, store, assessor, item, unit, "Pass", 70, "Good", Upload("m.pdf", samples.pdf_document()))
    with pytest.raises(NotFound, match="not allocated to you"):
        marking.mark_unit(db, store, load_user(db, "assessor1.demo"), item, unit, "Pass", 70, "Good", SHEET)
    assert stage(db, item) == "allocated"
    assert item in set(marking.my_queue(db, assessor).rows.ID)
    result = marking.mark_unit(db, store, assessor, item, unit, "Referral", 45, "Criteria 2.1 not met", SHEET,
                               now=NOW, chance=random.Random(1))
    assert result in ("sampling", "ready")


def test_sampling_records_why_and_the_lead_decides(db, store, people):
    item, unit = allocated_to_assessor(db, store, people)
    db.query_one("UPDATE settings SET value = '100000' WHERE key = 'sampling_first_markings'")
    assert marking.mark_unit(db, store, people["assessor"], item, unit, "Pass", 72, "Well argued", SHEET,
                             now=NOW) == "sampling"
    queue = sampling.sampling_queue(db, people["lead"]).rows.set_index("ID")
    assert "first 100000 markings" in queue.loc[item, "Why sampled"]
    with pytest.raises(Refused, match="note"):
        sampling.send_back(db, people["lead"], item, "")
    sampling.send_back(db, people["lead"], item, "Check 3.2 against the evidence", now=NOW)
    mine = marking.my_queue(db, people["assessor"]).rows.set_index("ID")
    assert mine.loc[item, "Lead assessor's note"] == "Check 3.2 against the evidence"
    assert marking.mark_unit(db, store, people["assessor"], item, unit, "Pass", 68, "Re-marked", SHEET,
                             now=NOW) == "sampling"
    sampling.agree(db, people["lead"], item, now=NOW)
    assert stage(db, item) == "ready"


def test_items_not_sampled_are_ready_at_once(db, store, people):
    item, unit = allocated_to_assessor(db, store, people)
    db.query_one("UPDATE settings SET value = '0' WHERE key IN ('sampling_first_markings', 'sampling_random_percent')")
    stage_after = marking.mark_unit(db, store, people["assessor"], item, unit, "Pass", 60, "Fine", SHEET, now=NOW,
                                    chance=random.Random(3))
    reasons = db.query_one("SELECT reasons FROM sampling WHERE submission_id = ?", [item])
    assert (stage_after == "ready") == (reasons is None)
    if reasons:
        assert "first submission of unit" in reasons[0]


def test_release_shows_the_centre_its_result(db, store, people):
    item, unit = allocated_to_assessor(db, store, people)
    marking.mark_unit(db, store, people["assessor"], item, unit, "Referral", 48, "Rework 1.2", SHEET, now=NOW,
                      chance=random.Random(5))
    if stage(db, item) == "sampling":
        with pytest.raises(Refused, match="ready to release"):
            release.release(db, people["team"], [item])
        sampling.agree(db, people["lead"], item, now=NOW)
    released_at = NOW + timedelta(days=2)
    release.release(db, people["team"], [item], now=released_at)
    row = tracker_page(db, people["centre"], limit=100_000).rows.set_index("ID").loc[item]
    assert (row.Status, row.Result, row.Mark) == ("Referred", "Referral", 48)
    assert row["SLA Target"].date() == released_at.date()
    from lib.centre.tracker import released_result_sheets

    assert [name for name, _ in released_result_sheets(db, people["centre"], [item], store)] == ["Marked.docx"]


def test_walled_garden_claims(db, people):
    team = people["team"]
    to_claim = release.claims_to_make(db, team)
    assert len(to_claim)
    first = [(int(to_claim.ID.iloc[0]), to_claim.Unit.iloc[0])]
    release.mark_claimed(db, team, first, now=NOW)
    assert first[0] not in set(zip(release.claims_to_make(db, team).ID, release.claims_to_make(db, team).Unit))
    assert db.query_one("SELECT claimed_by FROM claims WHERE submission_id = ?", [first[0][0]])[0] == team.id
    referral = db.query_one("SELECT s.id, u.unit_code FROM submissions s JOIN submission_units u "
                            "ON u.submission_id = s.id WHERE u.result = 'Referral' AND s.stage = 'released' LIMIT 1")
    with pytest.raises(Refused, match="not a released pass"):
        release.mark_claimed(db, team, [referral])


def test_sla_dashboard_counts_open_work_by_stage(db, people):
    board = sla.open_items(db, people["team"], today=date(2026, 11, 23))
    open_count = db.query_one("SELECT count(*) FROM submissions WHERE stage IN "
                              "('submitted', 'accepted', 'allocated', 'marked', 'sampling', 'ready')")[0]
    assert board["Open items"].sum() == open_count
    assert (board["At risk"] + board["Breached"] <= board["Open items"]).all()
    months = sla.on_time_by_month(db, people["quality"], today=date(2026, 11, 23))
    assert len(months) == 12 and ((months["On time"] <= months.Released).all())
    with pytest.raises(NotAllowed):
        sla.open_items(db, people["centre"])




def test_the_claims_list_has_no_silent_cap_and_pages_through_every_pass(db, people):
    from lib.service.release import claims_export, claims_page
    from lib.store import grid

    team = people["team"]
    everything = release.claims_to_make(db, team)
    first = claims_page(db, team, grid.GridQuery(limit=10))
    assert first.total == len(everything) and len(first.rows) == min(10, len(everything))
    assert first.rows.Released.max() <= everything.Released.iloc[10], "oldest release first, as before"
    seen = set()
    for offset in range(0, first.total, 100):
        seen |= set(zip(claims_page(db, team, grid.GridQuery(offset=offset, limit=100)).rows.ID,
                        claims_page(db, team, grid.GridQuery(offset=offset, limit=100)).rows.Unit))
    assert seen == set(zip(everything.ID, everything.Unit)), "every pass is on some page"
    sheet = openpyxl.load_workbook(io.BytesIO(claims_export(db, team))).active
    exported = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted((r[0], r[1]) for r in exported) == sorted(zip(everything.ID, everything.Unit))
    with pytest.raises(NotAllowed):
        claims_page(db, people["centre"])
