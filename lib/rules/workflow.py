"""Every move a submission can make: who may make it, from which stage, to which; pure, no database.

The service's path is pending → submitted → accepted → allocated → marked → (sampling) → ready →
released, with rejected as the end of a quality check that fails. Functions that change a
submission ask `check` first, so a move a role may not make is refused with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.errors import NotAllowed, Refused
from lib.rules.roles import ASSESSMENT_TEAM, ASSESSOR, CENTRE, LEAD_ASSESSOR, ROLE_LABELS
from lib.rules.status import STAGE_LABELS


@dataclass(frozen=True)
class Move:
    action: str
    label: str
    from_stages: tuple[str, ...]
    to_stage: str
    roles: tuple[str, ...]


MOVES = {move.action: move for move in (
    Move("submit", "Submit", ("pending",), "submitted", (CENTRE,)),
    Move("accept", "Accept after quality check", ("submitted",), "accepted", (ASSESSMENT_TEAM,)),
    Move("reject", "Reject after quality check", ("submitted",), "rejected", (ASSESSMENT_TEAM,)),
    # Reallocation is allowed until the marking is done.
    Move("allocate", "Allocate to an assessor", ("accepted", "allocated"), "allocated", (ASSESSMENT_TEAM,)),
    Move("mark", "Mark", ("allocated",), "marked", (ASSESSOR,)),
    # Made by the sampling rules the moment an assessor finishes marking, so on the assessor's behalf too.
    Move("sample", "Select for sampling", ("marked",), "sampling", (ASSESSMENT_TEAM, LEAD_ASSESSOR, ASSESSOR)),
    Move("clear_unsampled", "Ready without sampling", ("marked",), "ready", (ASSESSMENT_TEAM, LEAD_ASSESSOR, ASSESSOR)),
    Move("agree", "Agree the marking", ("sampling",), "ready", (LEAD_ASSESSOR,)),
    Move("send_back", "Send back to the assessor", ("sampling",), "allocated", (LEAD_ASSESSOR,)),
    Move("release", "Release results", ("ready",), "released", (ASSESSMENT_TEAM,)),
)}


def check(action: str, role: str, stage: str) -> str:
    """The stage the move leads to; NotAllowed for the wrong role, Refused from the wrong stage."""
    try:
        move = MOVES[action]
    except KeyError:
        raise ValueError(f"unknown move {action!r}") from None
    if role not in move.roles:
        who = " or ".join(ROLE_LABELS[r] for r in move.roles)
        raise NotAllowed(f"{move.label}: only the {who} may do this.")
    if stage not in move.from_stages:
        allowed = " or ".join(STAGE_LABELS[s].lower() for s in move.from_stages)
        raise Refused(f"{move.label}: the item is {STAGE_LABELS[stage].lower()}, and this can only be done when it is "
                      f"{allowed}. It may have been moved on by someone else: refresh to see where it is now.")
    return move.to_stage


def moves_for(role: str, stage: str) -> list[str]:
    """The actions this role may take on an item at this stage, in the order of the service's path."""
    return [m.action for m in MOVES.values() if role in m.roles and stage in m.from_stages]
