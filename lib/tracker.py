"""The Tracker: every submitted item the signed-in user may see, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.db import Database
from lib.scope import reads_centre_data, submission_scope
from lib.status import centre_status_sql, sla_target_sql
from lib.users import User

TRACKER_COLUMNS = ["ID", "Batch", "Submitted", "SLA Target", "ENR", "Learner", "Unit(s)", "Type",
                   "Category", "Status", "Result", "Mark"]


@dataclass(frozen=True)
class TrackerPage:
    rows: pd.DataFrame
    total: int
    offset: int


def _tracker_select(user: User) -> tuple[str, list]:
    scope, params = submission_scope(user)
    sql = f"""
        SELECT s.id AS "ID", b.name AS "Batch", CAST(s.submitted_at AS DATE) AS "Submitted",
               {sla_target_sql()} AS "SLA Target", l.enr AS "ENR",
               l.first_name || ' ' || l.last_name AS "Learner", s.unit_codes AS "Unit(s)",
               s.type AS "Type", s.category AS "Category", {centre_status_sql()} AS "Status",
               s.result AS "Result", s.mark AS "Mark", s.rejection_reason AS "Rejection reason",
               c.number AS "Centre", s.centre_id AS centre_id
        FROM submissions s
        JOIN learners l ON l.id = s.learner_id
        JOIN centres c ON c.id = s.centre_id
        LEFT JOIN batches b ON b.id = s.batch_id
        WHERE s.stage <> 'pending' AND {scope}
    """
    return sql, params


@reads_centre_data()
def tracker_page(db: Database, user: User, offset: int = 0, limit: int = 10) -> TrackerPage:
    """One page of the Tracker, highest ID first, with the count of every row the user may see."""
    scope, params = submission_scope(user)
    total = db.query_one(f"SELECT count(*) FROM submissions s WHERE s.stage <> 'pending' AND {scope}", params)[0]
    sql, params = _tracker_select(user)
    rows = db.query_df(f'{sql} ORDER BY s.id DESC LIMIT ? OFFSET ?', [*params, limit, max(0, offset)])
    return TrackerPage(rows, total, offset)
