import itertools

import pytest

from lib.rules.status import STAGES, centre_status, centre_status_sql


def test_python_and_sql_agree_on_every_stage_and_result(db):
    for stage, result in itertools.product(STAGES, ["Pass", "Referral", None]):
        query = f"SELECT {centre_status_sql('s')} FROM (SELECT ? AS stage, ? AS result) s"
        sql = db.query_one(query, [stage, result])[0]
        assert sql == centre_status(stage, result), (stage, result)


@pytest.mark.parametrize("stage, result, status", [
    ("pending", None, "Pending"),
    ("submitted", None, "Submitted"),
    ("allocated", None, "Submitted"),
    ("marked", None, "Submitted"),  # marked but not released: the centre must not see it yet
    ("ready", None, "Submitted"),
    ("rejected", None, "Rejected"),
    ("released", "Pass", "Completed"),
    ("released", "Referral", "Referred"),
])
def test_centre_sees_only_its_five_statuses(stage, result, status):
    assert centre_status(stage, result) == status
