"""What waits on universities' mapped programmes, counted with its oldest: quality's and a university's Home
cards. Each count is the list its card opens."""

from __future__ import annotations

from lib.analytics.waiting import Waiting, count_waiting
from lib.hei.release_check import PASSED_SINCE
from lib.rules.roles import User
from lib.store.db import Database
from lib.store.scope import centre_scope, reads_centre_data


@reads_centre_data()
def change_requests_waiting(db: Database, user: User) -> Waiting:
    """Mapped-programme change requests waiting for quality's decision."""
    scope, params = centre_scope(user, "centre_id")
    return count_waiting(db, f"SELECT count(*), min(submitted_at) FROM hei_change_requests WHERE {scope} "
                        "AND status = 'submitted'", params)


@reads_centre_data()
def learners_held(db: Database, user: User) -> Waiting:
    """Learners whose results are held while their programme's changed route is re-mapped."""
    scope, params = centre_scope(user, "centre_id")
    return count_waiting(db, f"""SELECT count(DISTINCT learner_id), min(submitted_at)
                            FROM (SELECT centre_id, submitted_at, unnest(learner_ids) AS learner_id
                                  FROM hei_change_requests WHERE status = 'remapping') held
                            WHERE {scope}""", params)


@reads_centre_data()
def failed_release_checks(db: Database, user: User) -> Waiting:
    """EQA release checks that failed and have not since passed for the same order (Result "Failed")."""
    scope, params = centre_scope(user, "r.centre_id")
    return count_waiting(db, f"SELECT count(*), min(r.checked_at) FROM release_checks r WHERE {scope} AND NOT r.passed "
                        f"AND NOT {PASSED_SINCE.format(check='r')}", params)
