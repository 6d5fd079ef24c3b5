"""Eight sessions doing one thing at once: it happens exactly once, and every other session gets a refusal it
can show (never an uncaught error). Each action runs with one shared Database, as the app has it, and with a
Database per thread, where only the database's own constraints and the retries stand between them."""

from __future__ import annotations

import random
import threading
from datetime import date, datetime

import pytest

from lib.accounts import auth
from lib.analytics import batch_review, eqa, invoicing
from lib.centre import submitting, uploads
from lib.centre.uploads import EMBEDDED, UnitUpload, Upload
from lib.demo import DEMO_PASSWORD
from lib.errors import NotFound, Refused
from lib.service import allocation, marking, quality_check, release, sampling
from lib.store.db import Database
from lib.store.files import FileStore
from tests import samples
from tests.conftest import load_user
from tests.test_centre_work import NOW, fresh_learner_unit

THREADS = 8
SHEET = Upload("Marked.docx", samples.result_sheet())


def _open(db_path, database_url) -> Database:
    return Database.open_url(database_url) if database_url else Database.open(db_path)


@pytest.fixture(params=["shared", "separate"])
def sessions(request, db_path, database_url):
    """THREADS Database handles: the same one (the app's way), or one each (on PostgreSQL: a pool each, as
    replicas have)."""
    if request.param == "shared":
        shared = _open(db_path, database_url)
        yield [shared] * THREADS
        shared.close()
    else:
        handles = [_open(db_path, database_url) for _ in range(THREADS)]
        yield handles
        for handle in handles:
            handle.close()


def at_once(sessions, action) -> list:
    """Run action(db) in THREADS threads released together; each outcome is a value or the exception."""
    barrier = threading.Barrier(len(sessions))
    outcomes: list = [None] * len(sessions)

    def run(index, db):
        barrier.wait()
        try:
            outcomes[index] = action(db)
        except Exception as error:  # noqa: BLE001 - collected and judged below
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, db)) for i, db in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


def succeeded(outcomes) -> list:
    uncaught = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, (Refused, NotFound))]
    assert not uncaught, f"uncaught errors: {uncaught!r}"
    return [o for o in outcomes if not isinstance(o, Exception)]


def people(db):
    return {name: load_user(db, f"{name}.demo") for name in ("centre", "team", "assessor", "lead", "quality")}


def test_one_referred_record_is_re_submitted_once(sessions):
    db = sessions[0]
    centre = people(db)["centre"]
    referred = db.query_one(
        """SELECT s.id FROM submissions s JOIN registrations r ON r.learner_id = s.learner_id
               AND r.qualification_code = s.qualification_code
           WHERE s.centre_id = ? AND s.result = 'Referral' AND r.expires_on > current_date
             AND s.id = (SELECT max(id) FROM submissions t WHERE t.learner_id = s.learner_id
                         AND t.unit_codes = s.unit_codes) LIMIT 1""", [centre.centre_id])[0]
    done = succeeded(at_once(sessions, lambda d: submitting.start_resubmission(d, centre, referred)))
    assert len(done) == 1
    assert db.query_one("SELECT count(*) FROM submissions WHERE resubmits_id = ?", [referred])[0] == 1


def test_one_learner_and_unit_has_one_pending_upload(sessions, db_path):
    db = sessions[0]
    centre = people(db)["centre"]
    learner_id, enr, unit, _ = fresh_learner_unit(db, centre)
    store = FileStore(db_path.parent / "files")
    upload = UnitUpload(learner_id, unit, (Upload(f"S.Smith-{enr}(1).docx", samples.word_document()),),
                        Upload("Sheet.docx", samples.result_sheet()), EMBEDDED)
    done = succeeded(at_once(sessions, lambda d: uploads.upload_units(d, store, centre, [upload], now=NOW)))
    assert len(done) == 1
    assert db.query_one("SELECT count(*) FROM submissions WHERE learner_id = ? AND unit_codes = ?",
                        [learner_id, unit])[0] == 1


def submitted(db, store, who, batch=None):
    learner_id, enr, unit, _ = fresh_learner_unit(db, who["centre"])
    upload = UnitUpload(learner_id, unit, (Upload(f"S.Smith-{enr}(1).docx", samples.word_document()),),
                        Upload("Sheet.docx", samples.result_sheet()), EMBEDDED)
    [item] = uploads.upload_units(db, store, who["centre"], [upload], now=NOW)
    submitting.submit(db, who["centre"], [item], batch_name=batch, quality_confirmed=True, now=NOW)
    return item, unit


def test_release_accept_allocate_and_claim_happen_once(sessions, db_path):
    db = sessions[0]
    who = people(db)
    store = FileStore(db_path.parent / "files")
    item, unit = submitted(db, store, who)
    assert len(succeeded(at_once(sessions, lambda d: quality_check.accept(d, who["team"], item, now=NOW)))) == 1
    assert len(succeeded(at_once(sessions, lambda d: allocation.allocate(d, who["team"], item, who["assessor"].id,
                                                                             now=NOW)))) >= 1
    assert db.query_one("SELECT count(*) FROM audit_log WHERE action = 'allocate' AND entity_id = ?",
                        [str(item)])[0] >= 1
    db.query_one("UPDATE settings SET value = '0' WHERE key IN ('sampling_first_markings', 'sampling_random_percent') "
                 "RETURNING key")
    marking.mark_unit(db, store, who["assessor"], item, unit, "Pass", 70, "Good", SHEET, chance=random.Random(4))
    if db.query_one("SELECT stage FROM submissions WHERE id = ?", [item])[0] == "sampling":
        sampling.agree(db, who["lead"], item)
    assert len(succeeded(at_once(sessions, lambda d: release.release(d, who["team"], [item])))) == 1
    assert db.query_one("SELECT count(*) FROM audit_log WHERE action = 'release' AND entity_id = ?",
                        [str(item)])[0] == 1
    assert len(succeeded(at_once(sessions, lambda d: release.mark_claimed(d, who["team"], [(item, unit)])))) == 1
    assert db.query_one("SELECT count(*) FROM claims WHERE submission_id = ?", [item])[0] == 1


def test_automatic_allocation_at_once_allocates_each_item_once(sessions, db_path):
    db = sessions[0]
    who = people(db)
    store = FileStore(db_path.parent / "files")
    items = [submitted(db, store, who)[0] for _ in range(3)]
    for item in items:
        quality_check.accept(db, who["team"], item, now=NOW)
    succeeded(at_once(sessions, lambda d: allocation.auto_allocate(d, who["team"], now=NOW)))
    counts = db.query_all("""SELECT entity_id, count(*) FROM audit_log WHERE action = 'allocate'
                             AND list_contains(?, entity_id) GROUP BY entity_id""", [[str(i) for i in items]])
    assert sorted(counts) == sorted((str(i), 1) for i in items)


def test_eqa_checks_at_once_raise_each_alert_once(sessions):
    db = sessions[0]
    quality = people(db)["quality"]
    db.query_one("DELETE FROM eqa_alert_notes RETURNING 1")
    db.query_one("DELETE FROM eqa_alerts RETURNING 1")
    opened = succeeded(at_once(sessions, lambda d: eqa.raise_alerts(d, quality, date(2026, 11, 23))))
    assert sum(opened) >= 1
    assert db.query_one("""SELECT count(*) - count(DISTINCT (centre_id, first_month)) FROM eqa_alerts""")[0] == 0
    assert db.query_one("SELECT count(*) FROM eqa_alerts")[0] == sum(opened)


def test_an_invoicing_run_at_once_bills_each_item_once(sessions, db_path):
    db = sessions[0]
    who = people(db)
    week = date(2026, 11, 16)
    db.query_one("DELETE FROM invoice_lines WHERE invoice_id IN (SELECT id FROM invoices WHERE week_start = ?) "
                 "RETURNING 1", [week])
    db.query_one("DELETE FROM invoices WHERE week_start = ? RETURNING 1", [week])
    succeeded(at_once(sessions, lambda d: invoicing.run_week(d, who["team"], week, today=date(2026, 11, 25))))
    assert db.query_one("""SELECT count(*) - count(DISTINCT (submission_id, fee_code)) FROM invoice_lines""")[0] == 0


def test_saving_one_feedback_report_at_once(sessions):
    db = sessions[0]
    lead = people(db)["lead"]
    batch_id = db.query_one("SELECT max(id) FROM batches")[0]
    trends = "Several learners missed the reflective element of criterion 2.1."
    done = succeeded(at_once(sessions, lambda d: batch_review.save_feedback_report(d, lead, batch_id, trends, {})))
    assert len(done) >= 1
    assert db.query_one("SELECT count(*) FROM feedback_reports WHERE batch_id = ?", [batch_id])[0] == 1


def test_sign_ins_at_once_each_get_an_answer(sessions):
    outcomes = at_once(sessions, lambda d: auth.sign_in(d, "team.demo", DEMO_PASSWORD, now=datetime.now()))
    signed = [o for o in succeeded(outcomes) if isinstance(o, auth.SignedIn)]
    assert signed, outcomes
    db = sessions[0]
    live = db.query_one("""SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id
                           WHERE u.username = 'team.demo' AND s.ended_at IS NULL""")[0]
    assert live == 1, "one person, one live session, however many sign in at once"
