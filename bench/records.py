"""Learner-record figures: a name-and-status search over 200,000 records, and a template change carried to the
10,000 records of one programme (each a new version)."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from bench.timing import scaled
from lib.records import listing, programmes
from lib.records.programmes import Template
from lib.rules.roles import CENTRE, User
from lib.store.db import Database
from lib.store.grid import EQUALS, ColumnFilter, Condition, GridQuery
from lib.store.migrate import create_database

RECORDS = scaled(200_000, 2_000)
PROGRAMME_SIZE = scaled(10_000, 500)
FIRST = ["Olivia", "Amelia", "Isla", "Ava", "Mia", "Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Harry",
         "Oscar", "Archie", "Henry", "Ivy", "Freya", "Lily", "Florence", "Grace"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright",
        "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Thomas", "Clarke"]
AIMS = [{"ref": "ZPROG001", "type": 1, "seq": 1}, {"ref": "60315456", "type": 3, "seq": 2}]


def _fill(db: Database) -> None:
    with db.cursor() as cursor:
        cursor.execute("""INSERT INTO centres (id, number, name, status, created_at)
                          VALUES (1, '012345', 'Bench centre', 'active', now()::TIMESTAMP)""")
        cursor.execute("""INSERT INTO programmes (id, centre_id, name, academic_year, qualification_code, units,
                              created_at, created_by)
                          SELECT range + 1, 1, 'Programme ' || (range + 1), '2026/27', '8000-14', ['8000-250'],
                                 now()::TIMESTAMP, 1 FROM range(?)""", [RECORDS // PROGRAMME_SIZE])
        cursor.execute(
            """INSERT INTO learner_records (id, centre_id, programme_id, learner_id, first_name, last_name, search_name,
                   uln, learn_ref, status, version, last_edited_by, updated_at, start_date)
               SELECT range + 1, 1, range // ? + 1, range + 1, ?[range % 20 + 1], ?[(range // 20) % 20 + 1],
                      lower(?[range % 20 + 1] || ' ' || ?[(range // 20) % 20 + 1]), '9999999999',
                      'R' || (range + 1), (['newly_submitted', 'signature_required', 'signed', 'qa_verified',
                      'completed'])[range % 5 + 1], 1, 1, now()::TIMESTAMP, DATE '2026-09-01'
               FROM range(?)""", [PROGRAMME_SIZE, FIRST, LAST, FIRST, LAST, RECORDS])


def figures(emit) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ilma-bench-records-"))
    path = folder / "records.duckdb"
    started = time.perf_counter()
    create_database(path, _fill)
    build = time.perf_counter() - started
    db = Database.open(path)
    centre = User(1, "bench.centre", "Bench Centre", CENTRE, centre_id=1, centre_number="012345")
    query = GridQuery((ColumnFilter("Learner", Condition("Contains", "smi")),
                       ColumnFilter("Status", Condition(EQUALS, "Signed"))))
    listing.records_page(db, centre, query)  # warm
    timings = []
    for _ in range(20):
        began = time.perf_counter()
        page = listing.records_page(db, centre, query)
        timings.append((time.perf_counter() - began) * 1000)
    emit("learner_records_search_ms", statistics.median(timings), "ms", records=RECORDS, matched=page.total,
         runs=len(timings), built_s=round(build, 1))
    programmes.save_template(db, centre, 1, Template(25, 275, 36, AIMS, [], True), now=datetime(2026, 9, 2))
    began = time.perf_counter()
    outcome = programmes.save_template(db, centre, 1, Template(25, 276, 36, AIMS, [
        {"type": "TNP", "code": 1, "date": date(2026, 9, 1), "amount": 4500}], True), now=datetime(2026, 9, 3))
    emit("template_apply_10k_ms", (time.perf_counter() - began) * 1000, "ms", records_updated=outcome.updated)
    db.close()
