"""Every write that takes a user keeps to what that user may change: a centre-A user calling each write with
centre B's ids changes nothing at all, and marked result sheets reach a centre only after release."""

from __future__ import annotations

import inspect
import random

import pytest

from lib.centre.uploads import EMBEDDED, IntegratedUpload, UnitUpload, Upload, read_file, submission_files
from lib.errors import NotAllowed, NotFound, Refused
from lib.service import marking, release, sampling
from lib.store.db import Database
from lib.store.files import FileStore
from lib.store.scope import REGISTRY
from tests import samples
from tests.conftest import files_beside, load_user
from tests.test_scoping import ALL_TAKING_A_USER, CENTRE_A_USER, CENTRE_B_NUMBER

UNTOUCHED_TABLES = ("app_meta", "sessions", "audit_log", "sign_in_throttle")
WRITES = sorted(name for name, entry in REGISTRY.items() if entry.kind == "write")
assert ALL_TAKING_A_USER  # every lib module imported, so the registry is complete


def fingerprint(db: Database) -> dict[str, tuple]:
    tables = [row[0] for row in db.query_all(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1")]
    row_hash = "hash(t)" if db.dialect == "duckdb" else "hashtext(CAST(t AS text))"
    return {table: db.query_one(f'SELECT count(*), bit_xor({row_hash}) FROM "{table}" t')
            for table in tables if table not in UNTOUCHED_TABLES}


def centre_b(db: Database) -> dict:
    centre_id = db.query_one("SELECT id FROM centres WHERE number = ?", [CENTRE_B_NUMBER])[0]

    def one(sql: str):
        row = db.query_one(sql, [centre_id])
        return row[0] if row else None

    registration = db.query_one(
        """SELECT l.id, r.qualification_code, u.unit_code FROM learners l JOIN registrations r ON r.learner_id = l.id
           JOIN qualification_units u ON u.qualification_code = r.qualification_code
           WHERE l.centre_id = ? ORDER BY l.id LIMIT 1""", [centre_id])
    return {
        "centre_id": centre_id,
        "pending": one("SELECT max(id) FROM submissions WHERE centre_id = ? AND stage = 'pending'"),
        "submitted": one("SELECT max(id) FROM submissions WHERE centre_id = ? AND stage = 'submitted'"),
        "referred": one("SELECT max(id) FROM submissions WHERE centre_id = ? AND result = 'Referral'"),
        "released": one("SELECT max(id) FROM submissions WHERE centre_id = ? AND stage = 'released'"),
        "batch": one("SELECT max(id) FROM batches WHERE centre_id = ?"),
        "alert": one("SELECT max(id) FROM eqa_alerts WHERE centre_id = ?") or -1,
        "case": one("SELECT max(m.id) FROM malpractice_cases m JOIN submissions s ON s.id = m.submission_id "
                    "WHERE s.centre_id = ?") or -1,
        "file": one("SELECT max(f.id) FROM files f JOIN submissions s ON s.id = f.submission_id WHERE s.centre_id = ?")
        or -1,
        "enquiry": one("SELECT max(id) FROM enquiries WHERE centre_id = ?") or -1,
        "method_request": one("SELECT max(id) FROM method_requests WHERE centre_id = ?") or -1,
        "programme": one("SELECT max(id) FROM programmes WHERE centre_id = ?") or -1,
        "record": one("SELECT max(id) FROM learner_records WHERE centre_id = ?") or -1,
        "hei_programme": db.query_one("SELECT max(id) FROM hei_programmes")[0],
        "hei_change": db.query_one("SELECT max(id) FROM hei_change_requests")[0],
        "release_check": db.query_one("SELECT max(id) FROM release_checks")[0],
        "learner": registration[0], "qualification": registration[1], "unit": registration[2],
    }


WHY = "The feedback overlooks the evaluation in section 3 of the learner's work."


def arguments(name: str, b: dict) -> dict:
    """Plausible arguments for each write, pointing at centre B's records."""
    evidence = (Upload("S.Smith-ABC123(1).docx", samples.word_document()),)
    sheet = Upload("Sheet.docx", samples.result_sheet())
    item = b["submitted"] or b["pending"] or b["released"]
    table = {
        "save_feedback_report": dict(batch_id=b["batch"], trends="Trends", unit_advice={}),
        "follow_up": dict(alert_id=b["alert"], to_status="contacted", note="A note"),
        "raise_alerts": {}, "run_week": dict(week_start=__import__("datetime").date(2026, 11, 9)),
        "start_resubmission": dict(submission_id=b["referred"]),
        "submit": dict(submission_ids=[b["pending"] or item], quality_confirmed=True),
        "add_files": dict(submission_id=b["pending"] or item, evidence=evidence),
        "remove_file": dict(file_id=b["file"]),
        "remove_pending": dict(submission_ids=[b["pending"] or item]),
        "upload_integrated": dict(upload=IntegratedUpload(b["learner"], b["qualification"], evidence,
                                                          {b["unit"]: sheet, "8000-999": sheet}, None, EMBEDDED)),
        "upload_units": dict(uploads=[UnitUpload(b["learner"], b["unit"], evidence, sheet, EMBEDDED)]),
        "allocate": dict(item_id=item, assessor_id=1),
        "auto_allocate": {}, "reallocate_conflicted": {},
        "record_conflict": dict(assessor_id=1, centre_id=b["centre_id"], reason="A reason"),
        "mark_unit": dict(item_id=item, unit_code=b["unit"], result="Pass", mark=70, feedback="Good",
                          marked_sheet=sheet),
        "accept": dict(item_id=item), "reject": dict(item_id=item, reason="A reason"),
        "mark_claimed": dict(pairs=[(b["released"], b["unit"])]),
        "release": dict(item_ids=[item]),
        "agree": dict(item_id=item), "send_back": dict(item_id=item, note="A note"),
        "after_marking": dict(item_id=item, now=__import__("datetime").datetime(2026, 11, 23),
                              chance=__import__("random").Random(1)),
        "move": dict(item_id=b["pending"] or item, action="submit"),
        "flag_while_marking": dict(item_id=item, concern="Passages copied from a published case study"),
        "open_case": dict(item_id=item, raised_in="marking", concern="Passages copied from a published case study",
                          now=__import__("datetime").datetime(2026, 11, 23)),
        "follow_up_case": dict(case_id=b["case"], to_status="investigating", note="A note"),
        "raise_enquiry": dict(item_id=b["released"], unit_codes=[b["unit"]], reason=WHY),
        "assign_reviewer": dict(enquiry_id=b["enquiry"], reviewer_id=1),
        "decide_enquiry": dict(enquiry_id=b["enquiry"], decisions=[]),
        "decide_appeal": dict(enquiry_id=b["enquiry"], decisions=[]),
        "appeal": dict(enquiry_id=b["enquiry"], reason=WHY),
        "mark_withdrawn": dict(pairs=[(b["released"], b["unit"])]),
        # A centre A user asking for centre B's qualification: refused, as A is not approved for it or B's
        # request names it.
        "request_change": dict(qualification_code="8000-99", unit_codes=[b["unit"]], methods=["presentation"],
                               formats=["MP4"], expected_mb=50, expected_minutes=10, reason=WHY),
        "submit_change": dict(programme_id=b["hei_programme"], changed=["title"], description=WHY,
                              effective_from=__import__("datetime").date(2026, 11, 1), learner_ids=[]),
        "lib.hei.mapping.decide_change": dict(request_id=b["hei_change"], remapping=True,
                                              note="A re-mapping is needed."),
        "lib.hei.mapping.create_programme": dict(centre_number="091234", title="MBA", qualification_code="8000-14",
                                                 achievement_point="end_of_degree", direct_claim_status=False,
                                                 document=Upload("Mapping.docx", samples.word_document()), rows=[],
                                                 issued_on=__import__("datetime").date(2026, 11, 1)),
        "finish_remapping": dict(request_id=b["hei_change"], document=Upload("Mapping.docx", samples.word_document()),
                                 rows=None, note="Done"),
        "run_check": dict(programme_id=b["hei_programme"], exam_board_date=__import__("datetime").date(2026, 11, 1),
                          minutes_title="Minutes", order_number="WG-1", mapping_version=1, programme_changed=False,
                          achievement_point="end_of_degree", exam_board_list=Upload("list.csv", b"Name\nA B\n")),
        "release_order": dict(check_id=b["release_check"]),
        "import_order": dict(programme_id=b["hei_programme"], order_number="WG-1",
                             upload=Upload("order.csv", b"ENR,Claimed\nAAA0001,yes\n")),
        "save_metadata": dict(programme_id=b["hei_programme"], badge_template_id="T", name="N", description="D",
                              criteria="C", skills=[], logo=None),
        "issue_badge_claims": dict(check_id=b["release_check"]),
        "create_programme": dict(name="Team Leader apprenticeship", academic_year="2026/27",
                                 qualification_code="8000-99", units=[b["unit"]]),
        "clone_programme": dict(programme_id=b["programme"], name="A copy", academic_year="2027/28"),
        "save_template": dict(programme_id=b["programme"], template=__import__("lib.records.programmes").records
                              .programmes.Template(25, 275, 36, [], [])),
        "enrol": dict(programme_id=b["programme"], learner_ids=[b["learner"]]),
        "edit_record": dict(record_id=b["record"], changes={"postcode": "AB1 2CD"}, reason="Moved",
                            expected_version=1),
        "move_record": dict(record_id=b["record"], action="verify", expected_version=1),
        "decide_change": dict(request_id=b["method_request"], approve=True, note="Approved as asked.",
                              formats=["MP4"], max_mb=50, max_minutes=10),
    }
    return table[name] if name in table else table[name.rsplit(".", 1)[-1]]


def call_write(name: str, db: Database, user, b: dict):
    entry = REGISTRY[name]
    parameters = inspect.signature(entry.function).parameters
    kwargs = arguments(name, b)
    if "store" in parameters:
        kwargs["store"] = FileStore(files_beside(db))
    if "writer" in parameters:
        def work(writer):
            entry.function(writer=writer, user=user, **kwargs)
            writer.audit("probe", "test")
        return db.transact(user, work)
    return entry.function(db=db, user=user, **kwargs)


@pytest.mark.parametrize("name", WRITES)
def test_centre_a_changes_nothing_with_centre_b_ids(name, db):
    user = load_user(db, CENTRE_A_USER)
    b = centre_b(db)
    before = fingerprint(db)
    with pytest.raises((NotFound, NotAllowed, Refused)):
        call_write(name, db, user, b)
    assert fingerprint(db) == before, f"{name} changed data when a centre A user named centre B's records"


def test_the_write_check_would_see_a_change(db):
    before = fingerprint(db)
    db.query_one("UPDATE submissions SET rejection_reason = 'x' WHERE id = (SELECT max(id) FROM submissions "
                 "WHERE stage = 'rejected')")
    assert fingerprint(db) != before


def test_a_centre_reads_its_marked_result_sheet_only_once_released(db, db_path):
    from tests.test_ilm_side import SHEET, allocated_to_assessor

    people = {name: load_user(db, f"{name}.demo") for name in ("centre", "team", "assessor", "lead", "quality")}
    store = FileStore(db_path.parent / "files")
    db.query_one("UPDATE settings SET value = '0' WHERE key IN ('sampling_first_markings', 'sampling_random_percent') "
                 "RETURNING key")
    item, unit = allocated_to_assessor(db, store, people)
    marking.mark_unit(db, store, people["assessor"], item, unit, "Pass", 66, "Fine", SHEET, chance=random.Random(2))
    if db.query_one("SELECT stage FROM submissions WHERE id = ?", [item])[0] == "sampling":
        sampling.agree(db, people["lead"], item)
    file_id = db.query_one("SELECT id FROM files WHERE submission_id = ? AND kind = 'marked_result_sheet'", [item])[0]
    assert "marked_result_sheet" in set(submission_files(db, people["team"], item).kind)
    assert "marked_result_sheet" not in set(submission_files(db, people["centre"], item).kind)
    with pytest.raises(NotFound):
        read_file(db, people["centre"], file_id, store)
    release.release(db, people["team"], [item])
    assert read_file(db, people["centre"], file_id, store)[0] == "Marked.docx"
