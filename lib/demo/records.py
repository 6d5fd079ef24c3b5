"""Learner records in the demo, taken through lib as a centre would: two programmes of the demo centre (an
apprenticeship standard that may be signed without verification, a traineeship that may not), learners enrolled in
every status, a few records edited by hand, one of them before its template was filled, and a duplicate ULN that
was refused; another centre's programme with its own learners."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from lib.accounts.auth import user_by_username
from lib.errors import Refused
from lib.records import programmes, records
from lib.records.programmes import Template
from lib.rules.ilr import with_check_digit
from lib.store.db import Database

APPRENTICESHIP = ("Team Leader apprenticeship", Template(
    25, 275, 36, [{"ref": "ZPROG001", "type": 1, "seq": 1}, {"ref": "60315456", "type": 3, "seq": 2}],
    [], True, sof=105, del_loc_postcode="NB1 4QT"))
TRAINEESHIP = ("Management traineeship", Template(
    24, None, 25, [{"ref": "ZPROG001", "type": 1, "seq": 1}, {"ref": "ZWRKX001", "type": 4, "seq": 2}], [], False,
    sof=107, del_loc_postcode="NB1 4QT"))
ETHNICITY_MIX = (31, 31, 34, 39, 44, 31, 99, 42, 36)
PATH = {  # each learner's record goes this far
    0: "completed", 1: "qa_verified", 2: "signed", 3: "signature_required", 4: "newly_submitted",
    5: "signed",  # and corrected after signing: back for signature, saying why
}


def _ulns(count: int, seed: int) -> list[str]:
    found, number = [], 100000000 + seed * 7919
    while len(found) < count:
        uln = with_check_digit(str(number)[:9])
        if uln:
            found.append(uln)
        number += 104729
    return found


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour))


def _programme(db: Database, centre, tutor, name: str, template: Template, qualification: str, count: int,
               today: date, seed: int, hand_edit_first: bool) -> None:
    units = [code for (code,) in db.query_all(
        "SELECT unit_code FROM qualification_units WHERE qualification_code = ? ORDER BY 1 LIMIT 3", [qualification])]
    year = today.year if today.month >= 10 else today.year - 1  # a term under way
    created = _at(date(year, 8, 20), 10)
    programme_id = programmes.create_programme(db, centre, name, f"{year}/{(year + 1) % 100:02d}", qualification,
                                               units, now=created)
    learners = [learner for (learner,) in db.query_all(
        """SELECT l.id FROM learners l JOIN registrations r ON r.learner_id = l.id
           WHERE l.centre_id = ? AND r.qualification_code = ?
             AND NOT EXISTS (SELECT 1 FROM learner_records x WHERE x.learner_id = l.id)
           ORDER BY l.id LIMIT ?""", [centre.centre_id, qualification, count])]
    if not learners:
        return
    ids = records.enrol(db, centre, programme_id, learners, now=created + timedelta(days=2))
    start = date(year, 9, 1)
    if hand_edit_first:  # typed by hand before the template was filled: the template leaves it alone
        view = records.record(db, centre, ids[-1])
        by_hand = {"prog_type": 25, "std_code": 275, "fund_model": 36, "sof": template.sof,
                   "del_loc_postcode": template.del_loc_postcode, "aims": template.aims}
        records.edit_record(db, centre, ids[-1], by_hand, "Set up by hand while the programme template was being agreed",
                            view.version, today=start, now=created + timedelta(days=3))
    programmes.save_template(db, centre, programme_id, template, now=created + timedelta(days=5))
    template_with_price = replace(template, fin_records=[{"type": "TNP", "code": 1, "date": start, "amount": 4500}]
                                  if template.prog_type == 25 else [])
    programmes.save_template(db, centre, programme_id, template_with_price, now=created + timedelta(days=8))
    for index, (record_id, uln) in enumerate(zip(ids, _ulns(len(ids), seed))):
        _walk(db, centre, tutor, record_id, uln, index, start, today)


def _walk(db: Database, centre, tutor, record_id: int, uln: str, index: int, start: date, today: date) -> None:
    """The learner's details typed in, then the record taken as far as PATH says."""
    goal = PATH.get(index % len(PATH), "newly_submitted")
    if tutor is None and goal in ("qa_verified", "completed"):  # QA verification needs a second person
        goal = "signed"
    when = _at(start, 9) + timedelta(days=index)
    view = records.record(db, centre, record_id)
    birth = date(1985 + index % 15, 1 + index % 12, 1 + index % 27)
    postcode = f"NB{1 + index % 9} {index % 10}AB"
    records.edit_record(db, centre, record_id, {
        "uln": uln, "date_of_birth": birth, "postcode": postcode, "postcode_prior": postcode,
        "sex": "FM"[index % 2], "ethnicity": ETHNICITY_MIX[index % len(ETHNICITY_MIX)],
        "lldd_health_prob": 1 if index % 7 == 3 else 2, "telephone": f"07700 900{100 + index}",
        "email": f"learner{record_id}@example.org", "start_date": start,
        "planned_end_date": start + timedelta(days=540)}, "Details from the learner's enrolment form",
        view.version, today=when.date(), now=when)
    if goal == "newly_submitted":
        return
    steps = [("verify", {}), ("request_signature", {}), ("sign", {"signed_on": when.date() + timedelta(days=3),
                                                                   "signed_how": records.SIGNED_HOW[index % 3]}),
             ("qa_verify", {}), ("complete", {})]
    stop = {"signature_required": 2, "signed": 3, "qa_verified": 4, "completed": 5}[goal]
    for number, (action, extra) in enumerate(steps[:stop], start=1):
        who = tutor if action == "qa_verify" else centre
        view = records.record(db, who, record_id)
        if action == "verify" and view.allow_sign_without_verification:
            continue
        records.move_record(db, who, record_id, action, view.version, now=when + timedelta(days=2 + number), **extra)
    if index == 5:  # a correction after signing sends the record back for the learner's signature
        view = records.record(db, centre, record_id)
        records.edit_record(db, centre, record_id, {"postcode": "NB2 7QT"}, "The learner moved house",
                            view.version, today=today, now=_at(today - timedelta(days=2), 11))


def _duplicate_attempt(db: Database, centre, today: date) -> None:
    """Typing a ULN another record has is refused, naming that record; the attempt stays in the audit trail."""
    taken = db.query_all("""SELECT id, uln, version FROM learner_records WHERE centre_id = ? AND uln <> '9999999999'
                            ORDER BY id LIMIT 2""", [centre.centre_id])
    if len(taken) < 2:
        return
    with suppress(Refused):
        records.edit_record(db, centre, taken[1][0], {"uln": taken[0][1]}, "Typed from the enrolment form",
                            taken[1][2], today=today, now=_at(today - timedelta(days=1), 14))


def add_learner_records(db: Database, today: date, centre_number: str, other_centre: str) -> None:
    centre, tutor = user_by_username(db, "centre.demo"), user_by_username(db, "tutor.demo")
    approved = [code for (code,) in db.query_all(
        """SELECT a.qualification_code FROM centre_approvals a JOIN centres c ON c.id = a.centre_id
           WHERE c.number = ? ORDER BY 1""", [centre_number])]
    if not approved:
        return
    _programme(db, centre, tutor, *APPRENTICESHIP, approved[0], 8, today, 1, hand_edit_first=True)
    _programme(db, centre, tutor, *TRAINEESHIP, approved[-1], 6, today, 2, hand_edit_first=False)
    _duplicate_attempt(db, centre, today)
    other = user_by_username(db, "harbourside.demo")
    theirs = db.query_one("""SELECT a.qualification_code FROM centre_approvals a JOIN centres c ON c.id = a.centre_id
                             WHERE c.number = ? ORDER BY 1 LIMIT 1""", [other_centre])
    if theirs:
        _programme(db, other, None, *APPRENTICESHIP, theirs[0], 3, today, 3, hand_edit_first=False)
