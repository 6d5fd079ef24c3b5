"""The Tracker: every submitted item the signed-in user may see, filtered, sorted and paged in DuckDB."""

from __future__ import annotations

import pandas as pd

from lib.rules.holds import UNDER_REVIEW, open_case_condition, open_case_items
from lib.rules.roles import User
from lib.rules.status import (
    COMPLETED,
    REFERRED,
    REJECTED,
    STAGE_LABELS,
    SUBMITTED,
    centre_status_sql,
    sla_target_sql,
    status_equals_sql,
)
from lib.store import grid
from lib.store.db import Database
from lib.store.export import write_xlsx
from lib.store.files import FileStore
from lib.store.scope import not_centre_data, reads_centre_data, submission_scope

# The page's items with an open case, and those already re-submitted: lookups on the page's keys, not joins of
# every row.
PAGE_OPEN_CASES = open_case_items("SELECT k FROM page_keys")
PAGE_RESUBMITTED = "SELECT r.resubmits_id FROM submissions r WHERE r.resubmits_id IN (SELECT k FROM page_keys)"
TRACKER_COLUMNS = grid.ColumnSet(
    columns=(
        grid.Column("ID", "s.id", grid.NUMBER),
        grid.Column("Batch", "b.name"),
        grid.Column("Submitted", "CAST(s.submitted_at AS DATE)", grid.DATE),
        grid.Column("SLA Target", sla_target_sql("s"), grid.DATE),
        grid.Column("ENR", "l.enr"),
        grid.Column("Learner", "(l.first_name || ' ' || l.last_name)", grid.NAME,
                    parts=("l.first_name", "l.last_name"), frame_parts=("first_name", "last_name"),
                    contains_sql="l.search_name"),
        grid.Column("Unit(s)", "s.unit_codes"),
        grid.Column("Type", "s.type", choices=("Unit", "Integrated")),
        grid.Column("Category", "s.category", choices=("New", "Updated", "Re-assessment")),
        grid.Column("Status", centre_status_sql("s"), choices=(SUBMITTED, REJECTED, COMPLETED, REFERRED),
                    equals_sql=status_equals_sql("s")),
        grid.Column("Result", "s.result", choices=("Pass", "Referral")),
        grid.Column("Mark", "s.mark", grid.NUMBER),
        # An item held for a malpractice case says so, and no more, where a rejection says why.
        grid.Column("Rejection reason",
                    f"coalesce(s.rejection_reason, CASE WHEN {open_case_condition()} THEN '{UNDER_REVIEW}' END)",
                    page_sql=f"coalesce(s.rejection_reason, CASE WHEN s.id IN ({PAGE_OPEN_CASES}) THEN '{UNDER_REVIEW}' END)"),
        grid.Column("Re-submitted", "CASE WHEN EXISTS (SELECT 1 FROM submissions r WHERE r.resubmits_id = s.id) "
                    "THEN 'Yes' ELSE 'No' END", choices=("Yes", "No"),
                    page_sql=f"CASE WHEN s.id IN ({PAGE_RESUBMITTED}) THEN 'Yes' ELSE 'No' END"),
    ),
    key="ID",
)
CENTRE_COLUMN = grid.Column("Centre", "c.number")
STAGE_COLUMN = grid.Column(
    "Stage", "CASE s.stage " + " ".join(f"WHEN '{stage}' THEN '{label}'" for stage, label in STAGE_LABELS.items())
    + " END", choices=tuple(label for stage, label in STAGE_LABELS.items() if stage != "pending"),
    equals_sql={label: f"s.stage = '{stage}'" for stage, label in STAGE_LABELS.items()})
ASSESSOR_COLUMN = grid.Column("Assessor", "a.name")
_STATUS_AT = [column.label for column in TRACKER_COLUMNS.columns].index("Status") + 1
# The service's own state for its staff: which centre, the stage inside the service, and the assessor.
STAFF_COLUMNS = grid.ColumnSet(
    columns=(TRACKER_COLUMNS.columns[0], CENTRE_COLUMN, *TRACKER_COLUMNS.columns[1:_STATUS_AT], STAGE_COLUMN,
             ASSESSOR_COLUMN, *TRACKER_COLUMNS.columns[_STATUS_AT:]),
    key="ID")

HIDDEN = (
    ("centre_id", "s.centre_id"),
    ("learner_id", "s.learner_id"),
    ("first_name", "l.first_name"),
    ("last_name", "l.last_name"),
)
FROM = """submissions s
    JOIN learners l ON l.id = s.learner_id
    JOIN centres c ON c.id = s.centre_id
    LEFT JOIN batches b ON b.id = s.batch_id
    LEFT JOIN users a ON a.id = s.assessor_id"""


@not_centre_data("chooses columns by role")
def columns_for(user: User) -> grid.ColumnSet:
    """Centre users see their own centre only, so the Centre column is for ILM staff."""
    return TRACKER_COLUMNS if user.is_centre else STAFF_COLUMNS


@not_centre_data("builds the scoped source the Tracker reads use")
def tracker_source(user: User) -> grid.GridSource:
    """The Tracker rows the user may see: submitted items only, scoped by role."""
    scope, params = submission_scope(user)
    return grid.GridSource(FROM, f"s.stage <> 'pending' AND {scope}", params, HIDDEN)


@reads_centre_data()
def tracker_page(db: Database, user: User, query: grid.GridQuery | None = None,
                 limit: int | None = None) -> grid.GridPage:
    """One page of the Tracker for the user's filters and sort, with the count of matching rows."""
    query = query or grid.GridQuery()
    if limit is not None:
        query = grid.GridQuery(query.filters, query.sort, query.offset, limit)
    return grid.run(db, tracker_source(user), columns_for(user), query)


@reads_centre_data()
def tracker_export(db: Database, user: User, query: grid.GridQuery | None = None) -> bytes:
    """The Centre Report: every row of the filtered, sorted Tracker with its visible columns, as .xlsx."""
    columns = columns_for(user)
    headers = [column.label for column in columns.columns if column.shown]
    rows = grid.iterate(db, tracker_source(user), columns, query or grid.GridQuery())
    return write_xlsx(headers, rows, title="Centre Report")


@reads_centre_data(probes={"submission_ids": "submission"})
def released_sheet_names(db: Database, user: User, submission_ids: list[int]) -> list[tuple[str, str]]:
    """(original name, stored name) of the marked result sheets of released items the user may see."""
    scope, params = submission_scope(user)
    return db.query_all(
        f"""SELECT f.original_name, f.stored_name FROM files f JOIN submissions s ON s.id = f.submission_id
            WHERE list_contains(?, s.id) AND s.stage = 'released' AND f.kind = 'marked_result_sheet'
              AND f.removed_at IS NULL AND {scope} ORDER BY s.id, f.unit_code""",
        [[int(i) for i in submission_ids], *params])


@reads_centre_data(probes={"submission_ids": "submission"})
def released_result_sheets(db: Database, user: User, submission_ids: list[int],
                           store: FileStore | None = None) -> list[tuple[str, bytes]]:
    """The marked result sheets of released items the user may see (a centre sees them only once released)."""
    return [(name, store.read(stored)) for name, stored in released_sheet_names(db, user, submission_ids)]


@reads_centre_data(probes={"item_id": "submission"})
def released_results(db: Database, user: User, item_id: int) -> pd.DataFrame:
    """Each unit of a released item the user may see, with its result, mark and the assessor's feedback (empty
    until released: a centre sees nothing of the marking before then)."""
    scope, params = submission_scope(user)
    return db.query_df(
        f"""SELECT u.unit_code AS "Unit", n.name AS "Title", u.result AS "Result", u.mark AS "Mark",
                   u.feedback AS "Feedback"
            FROM submissions s JOIN submission_units u ON u.submission_id = s.id
                 LEFT JOIN units n ON n.code = u.unit_code
            WHERE s.id = ? AND s.stage = 'released' AND {scope} ORDER BY u.unit_code""", [item_id, *params])
