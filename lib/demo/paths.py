"""The service policy's other paths in the demo, each taken through lib as people would: enquiries about results
(one changed, one confirmed, one appealed and waiting for quality, one in review with the demo assessor, one
waiting for a reviewer at each of two centres), malpractice cases (one open on an item held from release, one
closed with no case) and changes of assessment method (one approved, with a recording in the demo assessor's
queue; one waiting)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from lib.accounts.auth import user_by_username
from lib.centre import methods
from lib.centre.uploads import Upload
from lib.checks import accept
from lib.demo.files import add_work_files, marked_sheet
from lib.demo.recording import recording
from lib.rules.roles import User
from lib.service import enquiries, malpractice, quality_check
from lib.service.enquiries import UnitDecision
from lib.store.db import Database, Writer
from lib.store.files import FileStore
from lib.store.fingerprints import store_fingerprint

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


def add_enquiries(db: Database, store: FileStore | None, today: date, centre_number: str, other_centre: str) -> None:
    """store None: a database without its files, where the changed result (which needs a re-issued sheet) stays in
    review."""
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
    if store is not None:  # the reviewers read the work
        add_work_files(db, store, also=list(items.values()))
    reviewers = {}
    for key in ("changed", "confirmed", "appealed", "in_review"):
        reviewers[key] = _reviewer(db, team, ids[key], "assessor.demo" if key == "in_review" else "lead.demo")
        enquiries.assign_reviewer(db, team, ids[key], reviewers[key].id, now=_at(raised + timedelta(days=1), 9))
    decided = _at(raised + timedelta(days=6), 15)
    item = items["changed"]
    feedback = "2.1 met: section 3 evaluates both models against the team's situation. Well argued."
    if store is not None:
        enquiries.decide_enquiry(db, store, reviewers["changed"], ids["changed"], [UnitDecision(
            unit, True, "Section 3 does evaluate the two models, with the team's own examples: 2.1 is met and "
            "the unit passes.", "Pass", 62, feedback, _sheet(db, item, unit, "Pass", 62, feedback,
                                                             reviewers["changed"]))
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


METHOD_WHY = ("Our apprentices on the leadership programme present their team-improvement projects to their "
              "managers; a recorded presentation with questions shows criteria 2.1 to 3.2 better than a written "
              "report.")
CONDITIONS = ("Approved for recorded presentations with questions. Each recording starts with the learner naming "
              "themselves, the unit and the criteria covered; slides, if used, are uploaded with it as a PDF.")


def add_method_changes(db: Database, store: FileStore | None, today: date, centre_number: str,
                       other_centre: str) -> None:
    """The demo centre's approved change of assessment method, with a short real recording as the evidence of an
    item in the demo assessor's queue; another centre's request waiting for a decision."""
    quality = user_by_username(db, "quality.demo")
    item = db.query_one(
        """SELECT s.id, s.qualification_code, s.unit_codes, s.submitted_at, s.uploaded_by FROM submissions s
           JOIN centres c ON c.id = s.centre_id JOIN users a ON a.id = s.assessor_id
           WHERE c.number = ? AND s.stage = 'allocated' AND a.username = 'assessor.demo' AND s.type = 'Unit'
           ORDER BY s.sla_target, s.id LIMIT 1""", [centre_number])
    centre = user_by_username(db, "centre.demo")
    if item:
        item_id, qualification, unit, submitted_at, uploaded_by = item
        others = [code for (code,) in db.query_all("""SELECT unit_code FROM qualification_units
                                                      WHERE qualification_code = ? AND unit_code <> ?
                                                      ORDER BY unit_code LIMIT 1""", [qualification, unit])]
        asked = min(submitted_at - timedelta(days=30), _at(today - timedelta(days=40), 10))
        request_id = methods.request_change(db, centre, qualification, [unit, *others],
                                            ["presentation", "recorded_qa"], ["MP4", "WebM"], 80, 15, METHOD_WHY,
                                            now=asked)
        methods.decide_change(db, quality, request_id, True, CONDITIONS, ["MP4", "M4A", "WebM"], 100, 20,
                              now=asked + timedelta(days=5))
        if store is not None:
            _add_recording(db, store, item_id, unit, submitted_at - timedelta(hours=1), uploaded_by)
    other = user_by_username(db, "harbourside.demo")
    approved = db.query_one("""SELECT a.qualification_code FROM centre_approvals a JOIN centres c ON c.id = a.centre_id
                               WHERE c.number = ? ORDER BY 1 LIMIT 1""", [other_centre])
    if approved:
        units = [code for (code,) in db.query_all("""SELECT unit_code FROM qualification_units
                                                     WHERE qualification_code = ? ORDER BY 1 LIMIT 2""", approved)]
        why = ("Learners on night shifts record professional discussions with their assessors rather than write "
               "reports.")
        first = methods.request_change(db, other, approved[0], units[:1], ["professional_discussion"],
                                       ["MP3", "M4A"], 40, 30, why, now=_at(today - timedelta(days=60), 15))
        methods.decide_change(db, quality, first, True, "Approved for professional discussions, audio only.",
                              ["MP3", "M4A"], 60, 30, now=_at(today - timedelta(days=55), 11))
        methods.request_change(db, other, approved[0], units[1:], ["professional_discussion"], ["MP3", "M4A"], 40,
                               30, why, now=_at(today - timedelta(days=3), 15))


def _add_recording(db: Database, store: FileStore, item_id: int, unit: str, uploaded: datetime,
                   uploaded_by: int) -> None:
    checked = accept.check_recording(f"Presentation {unit}.mp4", recording(30, "mp4", size=(320, 240)),
                                     accept.RecordingTerms(("MP4",), 100 * 1024 * 1024, 20 * 60))
    stored = store.put(checked.data)

    def work(writer: Writer) -> None:
        file_id = writer.execute("SELECT nextval('seq_files')").fetchone()[0]
        writer.execute("""INSERT INTO files (id, submission_id, unit_code, kind, original_name, stored_name, size_bytes,
                              sha256, word_count, uploaded_at, uploaded_by, duration_seconds)
                          VALUES (?, ?, NULL, 'evidence', ?, ?, ?, ?, NULL, ?, ?, ?)""",
                       [file_id, item_id, checked.original_name, stored, checked.size, checked.sha256, uploaded,
                        uploaded_by, checked.seconds])
        store_fingerprint(writer, file_id, None, checked.not_compared)
        writer.audit("demo_recording", "submission", item_id, after={"file": checked.original_name})

    try:
        db.transact(None, work, actor_name="demo seeding")
    except BaseException:
        store.discard([stored])
        raise


def add_policy_paths(db: Database, store, today: date, centre_number: str, other_centre: str) -> None:
    """The enquiries, malpractice cases and method changes of the demo; their files in store (none without)."""
    add_enquiries(db, store, today, centre_number, other_centre)
    add_malpractice_cases(db, today)
    add_method_changes(db, store, today, centre_number, other_centre)
