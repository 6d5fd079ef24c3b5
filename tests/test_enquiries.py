"""Enquiries about results and appeals: who may raise, review and decide them, what a changed result does to the
item, the Tracker, the claims and the invoices, and the clocks on each stage."""

from __future__ import annotations

import io
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from lib.analytics import invoicing
from lib.centre.submitting import start_resubmission
from lib.centre.tracker import tracker_page
from lib.centre.uploads import Upload
from lib.errors import NotAllowed, NotFound, Refused
from lib.service import enquiries, release
from lib.service.enquiries import UnitDecision
from lib.store.db import ChangedMeanwhile
from lib.store.files import FileStore
from lib.store.grid import ColumnFilter, Condition, GridQuery
from tests.conftest import load_user
from tests.samples import result_sheet
from tests.test_claims_due import kept_right

NOW = datetime(2026, 11, 23, 12)
WHY = "Criterion 2.1 was met in section 3: the learner evaluates two leadership models with examples."
CONFIRMED = "The evidence for 2.1 is descriptive, not evaluative: the referral stands."
CHANGED = "Section 3 does evaluate both models against the team's situation: 2.1 is met."


def released_item(db, centre, result: str, units: int = 1) -> int:
    row = db.query_one(
        """SELECT min(s.id) FROM submissions s WHERE s.centre_id = ? AND s.stage = 'released' AND s.result = ?
            AND len(string_split(s.unit_codes, ', ')) = ? AND s.released_at >= ?
            AND NOT EXISTS (SELECT 1 FROM submissions r WHERE r.resubmits_id = s.id)
            AND NOT EXISTS (SELECT 1 FROM enquiries e WHERE e.submission_id = s.id)
            AND NOT EXISTS (SELECT 1 FROM malpractice_cases m WHERE m.submission_id = s.id)""",
        [centre.centre_id, result, units, NOW - timedelta(days=20)])
    assert row[0] is not None, "the demo has no such item"
    return row[0]


def reviewer_for(db, team, enquiry_id):
    return int(enquiries.possible_reviewers(db, team, enquiry_id).id.iloc[0])


def reviewed(db, store, team, enquiry_id, decisions, assigned_at, decided_at):
    """The team gives the enquiry to the first allowed reviewer, who decides it."""
    reviewer_id = reviewer_for(db, team, enquiry_id)
    enquiries.assign_reviewer(db, team, enquiry_id, reviewer_id, now=assigned_at)
    reviewer = load_user(db, db.query_one("SELECT username FROM users WHERE id = ?", [reviewer_id])[0])
    return enquiries.decide_enquiry(db, store, reviewer, enquiry_id, decisions, now=decided_at)


@pytest.fixture
def people(db):
    return {name: load_user(db, f"{name}.demo") for name in ("team", "centre", "harbourside", "quality", "lead")}


@pytest.fixture
def store(db_path):
    return FileStore(Path(db_path).parent / "files")


def sheet() -> Upload:
    return Upload("Result sheet - reviewed.docx", result_sheet())


def test_a_centre_enquires_about_a_referral_and_the_reviewer_changes_it_to_a_pass(db, people, store):
    centre, team = people["centre"], people["team"]
    item = released_item(db, centre, "Referral")
    assert item in enquiries.enquirable_items(db, centre, today=NOW.date()).ID.tolist()
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    enquiry = enquiries.raise_enquiry(db, centre, item, [unit], WHY, now=NOW)
    assert item not in enquiries.enquirable_items(db, centre, today=NOW.date()).ID.tolist()
    listed = enquiries.enquiries(db, centre, today=NOW.date())
    assert listed.set_index("Enquiry").loc[enquiry, "Status"] == "Awaiting a reviewer"
    assert "Reviewer" not in listed
    with pytest.raises(Refused, match="enquiry or appeal waiting"):
        start_resubmission(db, centre, item, now=NOW)

    reviewer = load_user(db, db.query_one("SELECT username FROM users WHERE id = ?",
                                          [reviewer_for(db, team, enquiry)])[0])
    enquiries.assign_reviewer(db, team, enquiry, reviewer.id, now=NOW)
    assert enquiry in enquiries.enquiries(db, reviewer).Enquiry.tolist()
    assert set(enquiries.enquiries(db, reviewer).Enquiry) < set(enquiries.enquiries(db, team).Enquiry)
    changed = enquiries.decide_enquiry(db, store, reviewer, enquiry, [
        UnitDecision(unit, True, CHANGED, "Pass", 64, "2.1 met: the evaluation in section 3 holds.", sheet())],
        now=NOW)
    assert changed == 1
    assert db.query_one("SELECT result, mark FROM submissions WHERE id = ?", [item]) == ("Pass", 64)
    row = tracker_page(db, centre, GridQuery((ColumnFilter("ID", Condition("Is equal to", item)),))).rows
    assert row.Status.tolist() == ["Completed"]
    history = enquiries.results_history(db, centre, item)
    assert history[["Stage", "Unit", "Outcome"]].values.tolist() == [["Enquiry", unit, "Changed"]]
    assert history.Before.iloc[0].startswith("Referral (") and history.After.iloc[0] == "Pass (64)"
    # The new pass joins the Walled Garden claims; the re-issued sheet is the one the centre downloads.
    assert (item, unit) in {(r.ID, r.Unit) for r in release.claims_to_make(db, team).itertuples()}
    assert db.query_one("SELECT original_name FROM files WHERE submission_id = ? AND unit_code = ? AND kind = "
                        "'marked_result_sheet' AND removed_at IS NULL", [item, unit])[0] == sheet().name


def claimed_pass_turned_referral(db, people, store) -> tuple[int, str, int]:
    """A released pass, claimed on Walled Garden, that an enquiry's reviewer turns into a referral."""
    centre, team = people["centre"], people["team"]
    item = released_item(db, centre, "Pass")
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    release.mark_claimed(db, team, [(item, unit)], now=NOW)
    enquiry = enquiries.raise_enquiry(db, centre, item, [unit], WHY, now=NOW)
    reviewer_id = reviewer_for(db, team, enquiry)
    reviewer = load_user(db, db.query_one("SELECT username FROM users WHERE id = ?", [reviewer_id])[0])
    enquiries.assign_reviewer(db, team, enquiry, reviewer_id, now=NOW)
    enquiries.decide_enquiry(db, store, reviewer, enquiry, [
        UnitDecision(unit, True, "The mark was added up wrongly: 2.2 and 3.1 are not met.", "Referral", 38,
                     "2.2 and 3.1 need evidence of the learner's own actions.", sheet())], now=NOW)
    return item, unit, enquiry


def test_a_claimed_pass_that_becomes_a_referral_waits_to_be_withdrawn(db, people, store):
    centre, team = people["centre"], people["team"]
    item, unit, enquiry = claimed_pass_turned_referral(db, people, store)
    waiting = release.withdrawals_to_make(db, team)
    assert [(r.ID, r.Unit) for r in waiting.itertuples()] == [(item, unit)]
    exported = openpyxl.load_workbook(io.BytesIO(release.withdrawals_export(db, team))).active
    assert [cell.value for cell in exported[1]][:2] == ["ID", "Unit"]
    assert [(row[0], row[1]) for row in exported.iter_rows(min_row=2, values_only=True)] == [(item, unit)]
    with pytest.raises(NotAllowed):
        release.withdrawals_export(db, centre)
    assert (item, unit) not in {(r.ID, r.Unit) for r in release.claims_to_make(db, team).itertuples()}
    assert db.query_one("SELECT count(*) FROM claims WHERE submission_id = ?", [item])[0] == 0
    kept_right(db)
    # Quality restores the pass on appeal before the team withdrew it: the claim comes back, nothing to withdraw.
    enquiries.appeal(db, centre, enquiry, "The referral ignores the appendix that shows the learner's actions.",
                     now=NOW + timedelta(days=1))
    enquiries.decide_appeal(db, store, people["quality"], enquiry, [
        UnitDecision(unit, True, "The appendix shows the actions: the original pass stands.", "Pass", 58,
                     "2.2 and 3.1 met through the appendix.", sheet())], now=NOW + timedelta(days=2))
    assert release.withdrawals_to_make(db, team).empty
    assert db.query_one("SELECT count(*) FROM claims WHERE submission_id = ?", [item])[0] == 1
    kept_right(db)  # the passes to claim followed both changes
    history = enquiries.results_history(db, centre, item)
    assert history.Stage.tolist() == ["Enquiry", "Appeal"] and history.After.tolist() == ["Referral (38)",
                                                                                         "Pass (58)"]


def test_withdrawing_a_claim_is_recorded_once(db, people, store):
    team = people["team"]
    item, unit, _ = claimed_pass_turned_referral(db, people, store)
    assert release.mark_withdrawn(db, team, [(item, unit)], now=NOW) == 1
    assert release.withdrawals_to_make(db, team).empty
    with pytest.raises(Refused, match="no claim waiting"):
        release.mark_withdrawn(db, team, [(item, unit)], now=NOW)


def test_the_marker_the_sampler_and_a_conflicted_assessor_cannot_review(db, people):
    centre, team = people["centre"], people["team"]
    item = released_item(db, centre, "Referral")
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    enquiry = enquiries.raise_enquiry(db, centre, item, [unit], WHY, now=NOW)
    marker = db.query_one("SELECT assessor_id FROM submissions WHERE id = ?", [item])[0]
    with pytest.raises(Refused, match="marked this item"):
        enquiries.assign_reviewer(db, team, enquiry, marker, now=NOW)
    assert marker not in enquiries.possible_reviewers(db, team, enquiry).id.tolist()
    other = next(i for i in enquiries.possible_reviewers(db, team, enquiry).id if i != marker)
    with db.cursor() as cursor:
        cursor.execute("INSERT INTO conflicts_of_interest VALUES (?, ?, 'Former employee', ?, ?)",
                       [int(other), centre.centre_id, NOW, team.id])
    with pytest.raises(Refused, match="conflict of interest with the centre \\(Former employee\\)"):
        enquiries.assign_reviewer(db, team, enquiry, int(other), now=NOW)
    assert int(other) not in enquiries.possible_reviewers(db, team, enquiry).id.tolist()
    lead = people["lead"]
    with db.cursor() as cursor:  # the lead assessor agreed this item's marking in sampling
        cursor.execute("INSERT INTO sampling VALUES (?, 1, 'random', ?, 'agreed', NULL, ?, ?)",
                       [item, NOW, NOW, lead.id])
    with pytest.raises(Refused, match="sampled this item"):
        enquiries.assign_reviewer(db, team, enquiry, lead.id, now=NOW)
    assert lead.id not in enquiries.possible_reviewers(db, team, enquiry).id.tolist()


def test_only_the_given_reviewer_decides_and_every_unit_needs_an_outcome(db, people, store):
    centre, team = people["centre"], people["team"]
    item = released_item(db, centre, "Referral")
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    enquiry = enquiries.raise_enquiry(db, centre, item, [unit], WHY, now=NOW)
    candidates = enquiries.possible_reviewers(db, team, enquiry)
    reviewer_id, other_id = (int(i) for i in candidates.id.iloc[:2])
    enquiries.assign_reviewer(db, team, enquiry, reviewer_id, now=NOW)
    other = load_user(db, db.query_one("SELECT username FROM users WHERE id = ?", [other_id])[0])
    reviewer = load_user(db, db.query_one("SELECT username FROM users WHERE id = ?", [reviewer_id])[0])
    with pytest.raises(NotFound, match="not yours"):
        enquiries.decide_enquiry(db, store, other, enquiry, [UnitDecision(unit, False, CONFIRMED)], now=NOW)
    with pytest.raises(Refused, match="outcome for each unit"):
        enquiries.decide_enquiry(db, store, reviewer, enquiry, [], now=NOW)
    with pytest.raises(Refused, match="re-issued marked result sheet"):
        enquiries.decide_enquiry(db, store, reviewer, enquiry, [
            UnitDecision(unit, True, CHANGED, "Pass", 60, "Met.", None)], now=NOW)
    with pytest.raises(Refused, match="mark must be a whole number"):
        enquiries.decide_enquiry(db, store, reviewer, enquiry, [
            UnitDecision(unit, True, CHANGED, "Pass", 160, "Met.", sheet())], now=NOW)
    before = db.query_one("SELECT result, mark FROM submissions WHERE id = ?", [item])
    assert enquiries.decide_enquiry(db, store, reviewer, enquiry, [UnitDecision(unit, False, CONFIRMED)],
                                    now=NOW) == 0
    assert db.query_one("SELECT result, mark FROM submissions WHERE id = ?", [item]) == before
    assert enquiries.enquiries(db, centre).set_index("Enquiry").loc[enquiry, "Outcome"] == "Confirmed"
    with pytest.raises(Refused, match="now outcome given"):
        enquiries.decide_enquiry(db, store, reviewer, enquiry, [UnitDecision(unit, False, CONFIRMED)], now=NOW)


def test_an_outcome_is_appealed_once_within_its_window_and_quality_decides(db, people, store):
    centre, team, quality = people["centre"], people["team"], people["quality"]
    item = released_item(db, centre, "Referral")
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    enquiry = enquiries.raise_enquiry(db, centre, item, [unit], WHY, now=NOW)
    with pytest.raises(Refused, match="no outcome yet"):
        enquiries.appeal(db, centre, enquiry, "We disagree with the outcome of the enquiry entirely.", now=NOW)
    reviewed(db, store, team, enquiry, [UnitDecision(unit, False, CONFIRMED)], NOW, NOW)
    with pytest.raises(Refused, match="appeal window .* closed"):
        enquiries.appeal(db, centre, enquiry, "We disagree with the outcome of the enquiry entirely.",
                         now=NOW + timedelta(days=30))
    with pytest.raises(NotAllowed):
        enquiries.decide_appeal(db, store, team, enquiry, [UnitDecision(unit, False, CONFIRMED)], now=NOW)
    enquiries.appeal(db, centre, enquiry, "We disagree with the outcome of the enquiry entirely.", now=NOW)
    with pytest.raises(Refused, match="appealed already"):
        enquiries.appeal(db, centre, enquiry, "We disagree with the outcome of the enquiry entirely.", now=NOW)
    assert enquiries.stage_clocks(db, team, today=NOW.date()).set_index("Stage").loc["Appealed", "Open"] >= 1
    enquiries.decide_appeal(db, store, quality, enquiry, [UnitDecision(unit, False, "The referral stands: final.")],
                            now=NOW)
    assert enquiries.enquiries(db, centre).set_index("Enquiry").loc[enquiry, "Status"] == "Final"


def test_the_window_the_held_item_and_the_units_are_checked(db, people):
    centre = people["centre"]
    item = released_item(db, centre, "Referral")
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    with pytest.raises(Refused, match="is not part of item"):
        enquiries.raise_enquiry(db, centre, item, ["9999-999"], WHY, now=NOW)
    with pytest.raises(Refused, match="Say why"):
        enquiries.raise_enquiry(db, centre, item, [unit], "Disagree.", now=NOW)
    with pytest.raises(Refused, match="enquiry window for item .* closed"):
        enquiries.raise_enquiry(db, centre, item, [unit], WHY, now=NOW + timedelta(days=60))
    other_centre = db.query_one("SELECT max(id) FROM submissions WHERE centre_id = ? AND stage = 'released'",
                                [people["harbourside"].centre_id])[0]
    with pytest.raises(NotFound):
        enquiries.raise_enquiry(db, centre, other_centre, [unit], WHY, now=NOW)
    pending = db.query_one("SELECT min(id) FROM submissions WHERE centre_id = ? AND stage = 'allocated'",
                           [centre.centre_id])[0]
    with pytest.raises(Refused, match="no released result"):
        enquiries.raise_enquiry(db, centre, pending, [unit], WHY, now=NOW)


def test_two_people_raising_the_same_enquiry_at_once_make_one(db, people):
    centre = people["centre"]
    item = released_item(db, centre, "Referral")
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    outcomes, barrier = [], threading.Barrier(4)

    def raise_it():
        barrier.wait()
        try:
            outcomes.append(enquiries.raise_enquiry(db, centre, item, [unit], WHY, now=NOW))
        except (Refused, ChangedMeanwhile) as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=raise_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(outcome, int) for outcome in outcomes) == 1
    assert db.query_one("SELECT count(*) FROM enquiries WHERE submission_id = ?", [item])[0] == 1


def test_the_fee_is_invoiced_in_the_week_raised_and_refunded_for_a_changed_unit(db, people, store):
    centre, team = people["centre"], people["team"]
    item = released_item(db, centre, "Referral")
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    raised = datetime(2026, 11, 10, 10)  # a Tuesday: billed in the run for the week of Monday 9 November
    enquiry = enquiries.raise_enquiry(db, centre, item, [unit], WHY, now=raised)
    reviewed(db, store, team, enquiry, [
        UnitDecision(unit, True, CHANGED, "Pass", 61, "2.1 met.", sheet())], raised, datetime(2026, 11, 17, 9))
    week_one = invoicing.preview(db, team, date(2026, 11, 9))
    line = week_one[(week_one.ID == item)]
    assert line[["Fee", "Quantity", "Amount £"]].values.tolist() == [["Enquiry about results", 1, 60.0]]
    week_two = invoicing.preview(db, team, date(2026, 11, 16))
    assert week_two[week_two.ID == item][["Fee", "Amount £"]].values.tolist() == [
        ["Enquiry fee refunded (result changed)", -60.0]]
    invoicing.run_week(db, team, date(2026, 11, 16), today=date(2026, 11, 25))
    assert week_two.ID.tolist().count(item) == 1
    assert item not in invoicing.preview(db, team, date(2026, 11, 16)).ID.tolist()  # billed once


def test_no_refund_when_the_setting_is_off(db, people, store):
    from lib.service.settings import update_setting
    centre, team = people["centre"], people["team"]
    update_setting(db, team, "enquiry_refund_when_changed", 0)
    item = released_item(db, centre, "Referral")
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    enquiry = enquiries.raise_enquiry(db, centre, item, [unit], WHY, now=NOW)
    reviewed(db, store, team, enquiry, [
        UnitDecision(unit, True, CHANGED, "Pass", 61, "2.1 met.", sheet())], NOW, NOW)
    preview = invoicing.preview(db, team, date(2026, 11, 23) - timedelta(days=0))
    assert "Enquiry fee refunded (result changed)" not in preview[preview.ID == item].Fee.tolist()


def test_an_outcome_is_not_appealed_once_the_item_is_re_submitted(db, people, store):
    from lib.centre.uploads import EMBEDDED, UnitUpload, upload_units
    from lib.centre.uploads import Upload as FileUpload
    from tests import samples

    centre, team = people["centre"], people["team"]
    item = released_item(db, centre, "Referral")
    unit, learner_id = db.query_one("SELECT unit_codes, learner_id FROM submissions WHERE id = ?", [item])
    enquiry = enquiries.raise_enquiry(db, centre, item, [unit], WHY, now=NOW)
    reviewed(db, store, team, enquiry, [UnitDecision(unit, False, CONFIRMED)], NOW, NOW)
    [again] = upload_units(db, store, centre, [UnitUpload(
        learner_id, unit, (FileUpload(samples.learner_file_name(db, learner_id, True), samples.word_document()),),
        FileUpload("Sheet.docx", samples.result_sheet()), EMBEDDED)])
    assert db.query_one("SELECT resubmits_id FROM submissions WHERE id = ?", [again])[0] == item
    with pytest.raises(Refused, match=f"Item {item} has been re-submitted since the enquiry's outcome"):
        enquiries.appeal(db, centre, enquiry, "We disagree with the outcome of the enquiry entirely.",
                         now=NOW + timedelta(days=1))
    assert db.query_one("SELECT status FROM enquiries WHERE id = ?", [enquiry])[0] == "decided"


def test_a_refund_credits_what_was_charged_even_after_the_fee_changed(db, people, store):
    from lib.service.settings import update_fee

    centre, team = people["centre"], people["team"]
    update_fee(db, team, "enquiry", "75")
    item = released_item(db, centre, "Referral")
    unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]
    raised = datetime(2026, 11, 10, 10)
    enquiry = enquiries.raise_enquiry(db, centre, item, [unit], WHY, now=raised)
    invoicing.run_week(db, team, date(2026, 11, 9), today=date(2026, 11, 18))
    charged = invoicing.invoice_lines(db, team, date(2026, 11, 9))
    assert charged[charged.ID == item]["Amount £"].tolist() == [75.0]
    update_fee(db, team, "enquiry", "60")
    reviewed(db, store, team, enquiry, [
        UnitDecision(unit, True, CHANGED, "Pass", 61, "2.1 met.", sheet())], raised, datetime(2026, 11, 17, 9))
    refund = invoicing.preview(db, team, date(2026, 11, 16))
    assert refund[refund.ID == item][["Fee", "Amount £"]].values.tolist() == [
        ["Enquiry fee refunded (result changed)", -75.0]]
