"""A small database built by hand for the analytics tests: every figure they check is worked out from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from lib.rules.roles import User
from lib.store.db import Database
from lib.store.migrate import migrate

TEAM = User(1, "team", "Rachel Team", "assessment_team")
LEAD = User(2, "lead", "Helen Lead", "lead_assessor")
QUALITY = User(3, "quality", "Tom Quality", "quality")
CENTRE_A = User(4, "a", "A user", "centre", centre_id=1, centre_number="100001", centre_name="A")
CENTRE_B = User(5, "b", "B user", "centre", centre_id=2, centre_number="100002", centre_name="B")


@dataclass
class Item:
    id: int
    centre: int
    units: dict[str, str | None]  # unit code -> result (None: not marked)
    stage: str = "released"
    category: str = "New"
    batch: int | None = None
    submitted: datetime = datetime(2026, 3, 2, 10, 0)
    released: datetime | None = None
    received: date | None = None
    sla_target: date | None = None
    checked: datetime | None = None
    qc_due: date | None = None
    words: int | None = None
    resubmits: int | None = None  # the earlier attempt a re-submission follows


def new_database(path) -> Database:
    connection = duckdb.connect(str(path))
    migrate(connection)
    connection.execute("""INSERT INTO centres (id, number, name, status, blocked_reason, created_at)
                          VALUES (1, '100001', 'A', 'active', NULL, now()),
                          (2, '100002', 'B', 'active', NULL, now())""")
    for user in (TEAM, LEAD, QUALITY, CENTRE_A, CENTRE_B):
        connection.execute("INSERT INTO users (id, username, name, role, centre_id, password_hash, created_at) "
                           "VALUES (?, ?, ?, ?, ?, 'x', now())", [user.id, user.username, user.name, user.role,
                                                                  user.centre_id])
    connection.execute("""INSERT INTO units (code, name, level, credits, word_limit)
                          VALUES ('8000-250', 'Developing yourself', 2, 3, 5000),
                                 ('8000-251', 'Leading a team', 2, 3, 5000), ('8585-301', 'Coaching practice', 5, 6, NULL)""")
    connection.execute("INSERT INTO qualifications (code, name, level) VALUES ('8000-14', 'Leadership', 2)")
    connection.execute("""INSERT INTO learners (id, enr, first_name, last_name, centre_id, search_name)
                          VALUES (1, 'AAA001', 'Ann', 'Ash', 1, 'ann ash'),
                          (2, 'BBB002', 'Ben', 'Birch', 2, 'ben birch')""")
    connection.execute("""INSERT INTO batches VALUES (10, 1, 'PO 1111111', '2026-03-01', 4), (11, 1, 'Cohort A', '2026-03-01', 4),
                          (12, 2, 'PO 2222222', '2026-03-01', 5), (13, 1, 'PO 3333333', '2026-11-16', 4)""")
    return Database(connection)


def add(db: Database, *items: Item) -> None:
    with db.cursor() as cursor:
        for item in items:
            released = item.released if item.stage == "released" else None
            result = None
            if released:
                result = "Referral" if "Referral" in item.units.values() else "Pass"
            cursor.execute(
                """INSERT INTO submissions (id, centre_id, learner_id, qualification_code, type, stage, category,
                       unit_codes, batch_id, uploaded_at, submitted_at, received_on, sla_target, qc_due,
                       quality_checked_at, released_at, result, rejection_reason, resubmits_id)
                   VALUES (?, ?, ?, '8000-14', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [item.id, item.centre, item.centre, "Integrated" if len(item.units) > 1 else "Unit", item.stage,
                 item.category, ", ".join(item.units), item.batch, item.submitted, item.submitted,
                 item.received or item.submitted.date(), item.sla_target, item.qc_due, item.checked, released, result,
                 "Missing declaration" if item.stage == "rejected" else None, item.resubmits])
            for unit, unit_result in item.units.items():
                cursor.execute("INSERT INTO submission_units (submission_id, unit_code, result) VALUES (?, ?, ?)",
                               [item.id, unit, unit_result])
            if item.words is not None:
                cursor.execute(
                    """INSERT INTO files (id, submission_id, kind, original_name, stored_name, size_bytes, sha256,
                           word_count, uploaded_at, uploaded_by) VALUES (?, ?, 'evidence', 'e.docx', ?, 1, 'x', ?, now(), 4)""",
                    [item.id, item.id, f"stored-{item.id}", item.words])
