"""Malpractice cases: raised in quality check or marking, held items, the centre told only that it is under review,
quality's follow-up to an outcome."""

from __future__ import annotations

from datetime import datetime

import pytest

from lib.centre.tracker import tracker_page
from lib.errors import NotAllowed, Refused
from lib.rules.holds import UNDER_REVIEW
from lib.service import malpractice, quality_check, release
from lib.store.grid import ColumnFilter, Condition, GridQuery
from tests.conftest import load_user

NOW = datetime(2026, 11, 23, 12)
FOUND = "Sections 2 and 3 match a published case study word for word (82% similarity)."


def an_item(db, stage: str, **where) -> int:
    extra = "".join(f" AND {column} = ?" for column in where)
    return db.query_one(f"""SELECT min(id) FROM submissions s WHERE stage = ?{extra}
                             AND NOT EXISTS (SELECT 1 FROM malpractice_cases m WHERE m.submission_id = s.id)""",
                        [stage, *where.values()])[0]


def test_a_quality_check_rejection_for_malpractice_opens_a_case_and_tells_the_centre_only_that(db):
    team, quality, centre = (load_user(db, name) for name in ("team.demo", "quality.demo", "centre.demo"))
    item = an_item(db, "submitted", centre_id=centre.centre_id)
    quality_check.reject(db, team, item, FOUND, now=NOW, malpractice=True)
    assert db.query_one("SELECT stage, rejection_reason FROM submissions WHERE id = ?", [item]) == \
        ("rejected", UNDER_REVIEW)
    open_cases = malpractice.cases(db, quality)
    assert open_cases.Item.tolist()[:1] == [item] and open_cases.Status.iloc[0] == "Open"
    case, notes = malpractice.case_detail(db, quality, int(open_cases.Case.iloc[0]))
    assert case["concern"] == FOUND and notes.Note.tolist() == [FOUND]
    row = tracker_page(db, centre, GridQuery((ColumnFilter("ID", Condition("Is equal to", item)),))).rows
    assert row["Rejection reason"].tolist() == [UNDER_REVIEW]  # no word of the case itself
    with pytest.raises(NotAllowed):
        malpractice.cases(db, centre)


def test_a_flagged_item_is_held_from_release_and_claims_until_the_case_closes(db):
    team, quality = load_user(db, "team.demo"), load_user(db, "quality.demo")
    ready = an_item(db, "ready")
    with db.cursor() as cursor:  # an assessor flags in marking; the item has since been marked and agreed
        cursor.execute("""INSERT INTO malpractice_cases VALUES (nextval('seq_malpractice_cases'), ?, 'marking', ?,
                          'open', NULL, ?, 1, ?)""", [ready, FOUND, NOW, NOW])
    with pytest.raises(Refused, match="is held: a malpractice case is open"):
        release.release(db, team, [ready], now=NOW)
    (case_id,) = db.query_one("SELECT id FROM malpractice_cases WHERE submission_id = ?", [ready])
    malpractice.follow_up_case(db, quality, case_id, "investigating", "Asked the centre for drafts.", now=NOW)
    with pytest.raises(Refused, match="needs its outcome"):
        malpractice.follow_up_case(db, quality, case_id, "closed", "Drafts show the learner's own work.", now=NOW)
    malpractice.follow_up_case(db, quality, case_id, "closed", "Drafts show the learner's own work.", "no_case",
                               now=NOW)
    assert release.release(db, team, [ready], now=NOW) == 1
    _, notes = malpractice.case_detail(db, quality, case_id)
    assert notes.To.tolist() == ["investigating", "closed"]  # in the order written (this case began without a note)


def test_a_released_pass_under_a_case_leaves_the_claims_list(db):
    team = load_user(db, "team.demo")
    claims = release.claims_to_make(db, team)
    item = int(claims.ID.iloc[0])
    with db.cursor() as cursor:
        cursor.execute("""INSERT INTO malpractice_cases VALUES (nextval('seq_malpractice_cases'), ?, 'marking', ?,
                          'open', NULL, ?, 1, ?)""", [item, FOUND, NOW, NOW])
    assert item not in set(release.claims_to_make(db, team).ID)
    with pytest.raises(Refused):
        release.mark_claimed(db, team, [(item, claims.Unit.iloc[0])], now=NOW)


def test_an_assessor_flags_only_their_own_items_and_one_case_at_a_time(db):
    assessor = load_user(db, "assessor.demo")
    mine = an_item(db, "allocated", assessor_id=assessor.id)
    with pytest.raises(Refused, match="Say what was found"):
        malpractice.flag_while_marking(db, assessor, mine, "copied")
    malpractice.flag_while_marking(db, assessor, mine, FOUND, now=NOW)
    with pytest.raises(Refused):  # the database allows one open case an item
        malpractice.flag_while_marking(db, assessor, mine, FOUND, now=NOW)
    other = db.query_one("SELECT min(id) FROM submissions WHERE stage = 'allocated' AND assessor_id <> ?",
                         [assessor.id])[0]
    with pytest.raises(Exception, match="not in your marking queue"):
        malpractice.flag_while_marking(db, assessor, other, FOUND, now=NOW)


def test_an_item_under_review_cannot_be_re_submitted_until_the_case_closes(db):
    from lib.centre.submitting import start_resubmission

    team, quality, centre = (load_user(db, name) for name in ("team.demo", "quality.demo", "centre.demo"))
    item = an_item(db, "submitted", centre_id=centre.centre_id)
    quality_check.reject(db, team, item, FOUND, now=NOW, malpractice=True)
    with pytest.raises(Refused, match="is under review"):
        start_resubmission(db, centre, item, now=NOW)
    (case_id,) = db.query_one("SELECT id FROM malpractice_cases WHERE submission_id = ?", [item])
    malpractice.follow_up_case(db, quality, case_id, "closed", "The learner's drafts show their own work.",
                               "no_case", now=NOW)
    assert start_resubmission(db, centre, item, now=NOW) > item


def test_an_outcome_chosen_without_closing_is_refused_not_dropped(db):
    quality, team = load_user(db, "quality.demo"), load_user(db, "team.demo")
    item = an_item(db, "submitted")
    quality_check.reject(db, team, item, FOUND, now=NOW, malpractice=True)
    (case_id,) = db.query_one("SELECT id FROM malpractice_cases WHERE submission_id = ?", [item])
    with pytest.raises(Refused, match="only closing does"):
        malpractice.follow_up_case(db, quality, case_id, "investigating", "Asked for drafts.", "no_case", now=NOW)


def test_the_referral_and_eqa_figures_mark_items_under_review(db):
    from lib.analytics import eqa, referrals
    quality, centre = load_user(db, "quality.demo"), load_user(db, "centre.demo")
    held = db.query_all("""SELECT c.number, count(*) FROM malpractice_cases m JOIN submissions s ON s.id = m.submission_id
                           JOIN centres c ON c.id = s.centre_id WHERE m.status <> 'closed' GROUP BY 1""")
    assert held, "the demo holds an item under an open case"
    number, count = held[0]
    view = referrals.rate_view(db, quality)
    assert view.centres.set_index("Centre").loc[number, "Under review"] == count
    assert view.tables["centre"].set_index("Centre").loc[number, "Under review"] == count
    assert referrals.under_review(db, quality)[number] == count
    assert set(referrals.under_review(db, centre)) <= {centre.centre_number}  # a centre counts only its own
    alerts = eqa.alerts(db, quality)
    assert len(alerts) and alerts["Under review"].tolist() == [dict(held).get(c, 0) for c in alerts.Centre]
