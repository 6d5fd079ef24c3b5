"""The service policy's other paths in the demo, each taken through lib as people would: enquiries about results
(one changed, one confirmed, one appealed and waiting for quality, one in review with the demo assessor, one
waiting for a reviewer at each of two centres) and malpractice cases (one open on an item held from release, one
closed with no case)."""

from __future__ import annotations

import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from lib.accounts.auth import user_by_username
from lib.centre.uploads import Upload
from lib.demo.files import marked_sheet
from lib.rules.roles import User
from lib.service import enquiries, malpractice, quality_check
from lib.service.enquiries import UnitDecision
from lib.store.db import Database, Writer
from lib.store.files import FileStore

WHY = {
    "changed": "Criterion 2.1 is met in section 3: the learner evaluates two leadership models against the team's "
               "situation, which the feedback says is missing.",
    "confirmed": "The learner's reflective log covers criterion 3.2; we believe the referral overlooked it.",
    "appealed": "Criterion 1.3 asks for an explanation, and the learner explains three causes of conflict with "
                "examples from their own team.",
    "in_review": "The mark seems low for the depth of the analysis of the team's performance data in section 2.",
    "waiting": "The feedback refers to a section the learner did not write: we think it was mixed up with another "
               "learner's work.",
}
APPEAL_WHY = ("The outcome repeats the first feedback without addressing the examples we pointed to in section 2 "
              "of the learner's work.")
CONCERN = {
    "held": "Sections 2 and 3 match another learner's work at a different centre almost word for word (78% "
            "similarity); the references are the same, in the same order.",
    "closed": "The introduction matches a published article (41% similarity) without quotation marks or a "
              "reference.",
}


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour))


def _released_before(db: Database, centre_number: str, result: str, count: int, day: date) -> list[int]:
    """The centre's items with this result released in the four weeks before day (inside the enquiry window),
    not re-submitted, the latest first."""
    return [row[0] for row in db.query_all(
        """SELECT s.id FROM submissions s JOIN centres c ON c.id = s.centre_id
           WHERE c.number = ? AND s.stage = 'released' AND s.result = ?
             AND s.released_at >= ? AND s.released_at < ?
             AND NOT EXISTS (SELECT 1 FROM submissions r WHERE r.resubmits_id = s.id)
           ORDER BY s.released_at DESC, s.id DESC LIMIT ?""",
        [centre_number, result, day - timedelta(days=27), _at(day, 0), count])]


def _unit(db: Database, item: int) -> str:
    return db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0]


def _reviewer(db: Database, team: User, enquiry: int, preferred: str | None = None) -> User:
    candidates = enquiries.possible_reviewers(db, team, enquiry)
    names = db.query_df("SELECT id, username FROM users").set_index("id").username
    usernames = [names[i] for i in candidates.id]
    chosen = preferred if preferred in usernames else usernames[0]
    return user_by_username(db, chosen)


def _sheet(db: Database, item: int, unit: str, result: str, mark: int, feedback: str, reviewer: User) -> Upload:
    learner, enr = db.query_one("""SELECT l.first_name || ' ' || l.last_name, l.enr FROM submissions s
                                   JOIN learners l ON l.id = s.learner_id WHERE s.id = ?""", [item])
    return Upload(f"{enr} {unit} result sheet (re-issued).docx",
                  marked_sheet(learner, enr, unit, result, mark, feedback, reviewer.name))


def add_enquiries(db: Database, store: FileStore, today: date, centre_number: str, other_centre: str) -> None:
    team, centre = user_by_username(db, "team.demo"), user_by_username(db, "centre.demo")
    raised = today - timedelta(days=10)
    # Referrals first (the changed one must be one), then passes: a low pass is enquired about too.
    candidates = (_released_before(db, centre_number, "Referral", 5, raised)
                  + _released_before(db, centre_number, "Pass", 5, raised))
    if len(candidates) < 5 or candidates[0] not in _released_before(db, centre_number, "Referral", 1, raised):
        return
    items = dict(zip(("changed", "confirmed", "appealed", "waiting", "in_review"), candidates))
    ids = {key: enquiries.raise_enquiry(db, centre, item, _unit(db, item).split(", "), WHY[key],
                                        now=_at(raised + timedelta(days=2 if key == "in_review" else 0), 10))
           for key, item in items.items()}
    reviewers = {}
    for key in ("changed", "confirmed", "appealed", "in_review"):
        reviewers[key] = _reviewer(db, team, ids[key], "assessor.demo" if key == "in_review" else "lead.demo")
        enquiries.assign_reviewer(db, team, ids[key], reviewers[key].id, now=_at(raised + timedelta(days=1), 9))
    decided = _at(raised + timedelta(days=6), 15)
    item = items["changed"]
    feedback = "2.1 met: section 3 evaluates both models against the team's situation. Well argued."
    enquiries.decide_enquiry(db, store, reviewers["changed"], ids["changed"], [UnitDecision(
        unit, True, "Section 3 does evaluate the two models, with the team's own examples: 2.1 is met and the "
        "unit passes.", "Pass", 62, feedback, _sheet(db, item, unit, "Pass", 62, feedback, reviewers["changed"]))
        for unit in _unit(db, item).split(", ")], now=decided)
    for key in ("confirmed", "appealed"):
        enquiries.decide_enquiry(db, store, reviewers[key], ids[key], [UnitDecision(
            unit, False, "The marking stands: the evidence describes the situation but does not evaluate it, as "
            "the criterion asks.") for unit in _unit(db, items[key]).split(", ")], now=decided)
    enquiries.appeal(db, centre, ids["appealed"], APPEAL_WHY, now=_at(today - timedelta(days=2), 14))
    other = user_by_username(db, "harbourside.demo")
    yesterday = today - timedelta(days=1)
    for item in (_released_before(db, other_centre, "Referral", 1, yesterday)
                 or _released_before(db, other_centre, "Pass", 1, yesterday)):
        enquiries.raise_enquiry(db, other, item, _unit(db, item).split(", "), WHY["waiting"],
                                now=_at(yesterday, 12))


def add_malpractice_cases(db: Database, today: date) -> None:
    team, quality = user_by_username(db, "team.demo"), user_by_username(db, "quality.demo")
    held = db.query_one("""SELECT s.id, s.assessor_id FROM submissions s WHERE s.stage = 'ready'
                           ORDER BY s.sla_target, s.id LIMIT 1""")
    if held:
        marker = db.query_one("SELECT username FROM users WHERE id = ?", [held[1]])[0]
        assessor = user_by_username(db, marker)

        def flag(writer: Writer) -> int:
            return malpractice.open_case(writer, assessor, held[0], "marking", CONCERN["held"],
                                         _at(today - timedelta(days=4), 13))

        db.transact(assessor, flag)
    checked = db.query_one("""SELECT id, submitted_at FROM submissions WHERE stage = 'submitted'
                              AND submitted_at < ? ORDER BY submitted_at, id LIMIT 1""",
                           [_at(today - timedelta(days=9), 0)])
    if checked:
        item, submitted_at = checked
        rejected = submitted_at + timedelta(hours=3)
        quality_check.reject(db, team, item, CONCERN["closed"], now=rejected, malpractice=True)
        case_id = db.query_one("SELECT id FROM malpractice_cases WHERE submission_id = ?", [item])[0]
        malpractice.follow_up_case(db, quality, case_id, "investigating",
                                   "Asked the centre for the learner's drafts and notes.",
                                   now=rejected + timedelta(days=1))
        malpractice.follow_up_case(db, quality, case_id, "closed",
                                   "The drafts show the learner quoted the article and lost the quotation marks "
                                   "when formatting: no case. The centre may re-submit with the reference.",
                                   "no_case", now=rejected + timedelta(days=6))


def add_policy_paths(db: Database, files_dir: Path | None, today: date, centre_number: str,
                     other_centre: str) -> None:
    if files_dir is not None:
        add_enquiries(db, FileStore(files_dir), today, centre_number, other_centre)
    else:  # a database without its files (tests): re-issued sheets go to a directory that is thrown away
        with tempfile.TemporaryDirectory() as scratch:
            add_enquiries(db, FileStore(Path(scratch)), today, centre_number, other_centre)
    add_malpractice_cases(db, today)
