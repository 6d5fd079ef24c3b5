"""The figures on each role's home page."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from lib.rules.roles import User
from lib.rules.status import CENTRE_STATUSES, STAGE_LABELS, STAGES, centre_status_sql
from lib.store.db import Database
from lib.store.scope import reads_centre_data, submission_scope


@reads_centre_data()
def status_counts(db: Database, user: User) -> dict[str, int]:
    """How many of the user's items are in each status a centre sees."""
    scope, params = submission_scope(user)
    rows = db.query_all(
        f"SELECT {centre_status_sql()} AS status, count(*) FROM submissions s WHERE {scope} GROUP BY status",
        params,
    )
    found = dict(rows)
    return {status: found.get(status, 0) for status in CENTRE_STATUSES}


@reads_centre_data()
def stage_counts(db: Database, user: User) -> pd.DataFrame:
    """Open and finished items by the service's internal stage, with the oldest submitted date in each."""
    scope, params = submission_scope(user)
    found = db.query_df(
        f"""SELECT s.stage, count(*) AS items, min(CAST(s.submitted_at AS DATE)) AS oldest
            FROM submissions s WHERE {scope} GROUP BY s.stage""",
        params,
    ).set_index("stage")
    rows = [
        {"Stage": STAGE_LABELS[stage], "Items": int(found.loc[stage, "items"]) if stage in found.index else 0,
         "Oldest submitted": found.loc[stage, "oldest"] if stage in found.index else pd.NaT}
        for stage in STAGES
    ]
    return pd.DataFrame(rows)


@reads_centre_data()
def referral_rate(db: Database, user: User, today: date | None = None, days: int = 365) -> tuple[int, int]:
    """(referred unit results, released unit results) over the last `days` days of releases."""
    scope, params = submission_scope(user)
    since = (today or date.today()) - timedelta(days=days)
    referred, released = db.query_one(
        f"""SELECT count(*) FILTER (WHERE u.result = 'Referral'), count(*)
            FROM submissions s JOIN submission_units u ON u.submission_id = s.id
            WHERE s.stage = 'released' AND s.released_at >= ? AND {scope}""",
        [since, *params],
    )
    return int(referred), int(released)
