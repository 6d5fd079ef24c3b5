"""The audit trail: who did what, when, to which record, with the record before and after; for the assessment
team, and for quality to read. Filtered, sorted and paged in DuckDB on the shared grid."""

from __future__ import annotations

import pandas as pd

from lib.errors import NotAllowed
from lib.rules.roles import ASSESSMENT_TEAM, QUALITY, User
from lib.store import grid
from lib.store.db import Database
from lib.store.export import write_xlsx
from lib.store.scope import not_centre_data

AUDIT_COLUMNS = grid.ColumnSet(
    columns=(
        grid.Column("ID", "a.id", grid.NUMBER),
        grid.Column("When", "a.occurred_at", grid.DATE),
        grid.Column("User", "a.username"),
        grid.Column("Action", "a.action"),
        grid.Column("Entity", "a.entity"),
        grid.Column("Entity ID", "a.entity_id"),
        grid.Column("Centre", "coalesce(c.number, CASE WHEN a.entity = 'centre' THEN a.entity_id END)"),
        grid.Column("Before", "CAST(a.before AS VARCHAR)"),
        grid.Column("After", "CAST(a.after AS VARCHAR)"),
    ),
    key="ID",
)
# The centre a row concerns: a submission's, a centre's own rows, a user's centre.
FROM = """audit_log a
    LEFT JOIN submissions s ON a.entity = 'submission' AND CAST(s.id AS VARCHAR) = a.entity_id
    LEFT JOIN users u ON a.entity = 'user' AND CAST(u.id AS VARCHAR) = a.entity_id
    LEFT JOIN centres c ON c.id = coalesce(s.centre_id, u.centre_id)"""


def _reader(user: User) -> None:
    if user.role not in (ASSESSMENT_TEAM, QUALITY):
        raise NotAllowed("The audit trail is for the ILM Assessment Team and quality.")


def _source() -> grid.GridSource:
    return grid.GridSource(FROM, "TRUE", [], ())


@not_centre_data("the team's and quality's audit trail of the whole service")
def audit_page(db: Database, user: User, query: grid.GridQuery | None = None) -> grid.GridPage:
    """One page of the audit trail, newest first unless sorted otherwise."""
    _reader(user)
    query = query or grid.GridQuery()
    if query.sort is None:
        query = grid.GridQuery(query.filters, grid.Sort("ID", descending=True), query.offset, query.limit)
    return grid.run(db, _source(), AUDIT_COLUMNS, query)


@not_centre_data("the team's and quality's audit trail of the whole service")
def audit_export(db: Database, user: User, query: grid.GridQuery | None = None) -> bytes:
    """Every row of the filtered audit trail as .xlsx (formula-safe)."""
    _reader(user)
    query = query or grid.GridQuery()
    if query.sort is None:
        query = grid.GridQuery(query.filters, grid.Sort("ID", descending=True), query.offset, query.limit)
    headers = [column.label for column in AUDIT_COLUMNS.columns]
    return write_xlsx(headers, grid.iterate(db, _source(), AUDIT_COLUMNS, query), title="Audit trail")


@not_centre_data("the team's and quality's history of one record")
def history(db: Database, user: User, entity: str, entity_id: str | int) -> pd.DataFrame:
    """Every audited change to one record (a submission, a centre, a user…), newest first."""
    _reader(user)
    return db.query_df(
        """SELECT occurred_at AS "When", username AS "By", action AS "Action", CAST(before AS VARCHAR) AS "Before",
                  CAST(after AS VARCHAR) AS "After"
           FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY occurred_at DESC, id DESC""",
        [entity, str(entity_id)])
