import itertools

import pytest

from lib.errors import Refused
from lib.rules import workflow
from lib.rules.roles import ROLES
from lib.rules.status import STAGES
from lib.store.scope import NotAllowed

PATH = ["pending", "submitted", "accepted", "allocated", "marked", "sampling", "ready", "released"]


@pytest.mark.parametrize("action, role, stage", list(itertools.product(workflow.MOVES, ROLES, STAGES)))
def test_a_move_is_allowed_only_for_its_roles_from_its_stages(action, role, stage):
    move = workflow.MOVES[action]
    if role not in move.roles:
        with pytest.raises(NotAllowed, match="only the"):
            workflow.check(action, role, stage)
    elif stage not in move.from_stages:
        with pytest.raises(Refused, match="refresh to see where it is now"):
            workflow.check(action, role, stage)
    else:
        assert workflow.check(action, role, stage) == move.to_stage


def test_the_happy_path_reaches_release():
    steps = [("submit", "centre"), ("accept", "assessment_team"), ("allocate", "assessment_team"),
             ("mark", "assessor"), ("sample", "lead_assessor"), ("agree", "lead_assessor"),
             ("release", "assessment_team")]
    stage = "pending"
    for action, role in steps:
        stage = workflow.check(action, role, stage)
    assert stage == "released"


def test_nothing_moves_a_released_or_rejected_item():
    assert workflow.moves_for("assessment_team", "released") == []
    assert all(workflow.moves_for(role, "rejected") == [] for role in ROLES)


def test_quality_can_never_change_anything():
    assert all(workflow.moves_for("quality", stage) == [] for stage in STAGES)


def test_reallocation_is_possible_until_marking_is_done():
    assert "allocate" in workflow.moves_for("assessment_team", "allocated")
    assert "allocate" not in workflow.moves_for("assessment_team", "marked")


def test_unknown_moves_are_a_programming_error():
    with pytest.raises(ValueError):
        workflow.check("teleport", "assessment_team", "submitted")
