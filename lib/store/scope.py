"""What part of the centre data a signed-in user may see, as SQL, and a register of the functions that use it.

Every lib function that takes the signed-in user is registered here with one of the decorators,
so that tests/test_scoping.py can call each of them as a user of one centre and check that
nothing of another centre leaks, whatever the function returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from lib.errors import NotAllowed, NotFound  # noqa: F401 (re-exported for callers)
from lib.rules.roles import ASSESSMENT_TEAM, ASSESSOR, CENTRE, LEAD_ASSESSOR, QUALITY, User

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class Registered:
    function: Callable
    kind: str  # "read", "write" or "exempt"
    # Parameter name -> entity ("submission", "learner", "batch", "file"): tests pass another centre's id.
    probes: dict[str, str] = field(default_factory=dict)
    why: str = ""


REGISTRY: dict[str, Registered] = {}


def _register(kind: str, probes: dict[str, str] | None, why: str = "") -> Callable[[F], F]:
    def decorate(function: F) -> F:
        REGISTRY[f"{function.__module__}.{function.__qualname__}"] = Registered(function, kind, probes or {}, why)
        return function

    return decorate


def reads_centre_data(probes: dict[str, str] | None = None) -> Callable[[F], F]:
    """Mark a function that returns centre data scoped to the user it is given."""
    return _register("read", probes)


def writes_centre_data(probes: dict[str, str] | None = None) -> Callable[[F], F]:
    """Mark a function that changes centre data only where the user it is given may."""
    return _register("write", probes)


def not_centre_data(why: str) -> Callable[[F], F]:
    """Mark a function that takes the user but touches no centre data (say why)."""
    return _register("exempt", None, why)


@not_centre_data("builds the scoping condition the reads use")
def submission_scope(user: User, alias: str = "s") -> tuple[str, list]:
    """A WHERE condition limiting submissions (table alias `alias`) to what the user may see."""
    if user.role == CENTRE:
        return f"{alias}.centre_id = ?", [user.centre_id]
    if user.role == ASSESSOR:
        return f"{alias}.assessor_id = ?", [user.id]
    if user.role == LEAD_ASSESSOR:
        return f"{alias}.stage IN ('marked', 'sampling', 'ready', 'released')", []
    if user.role in (ASSESSMENT_TEAM, QUALITY):
        return "TRUE", []
    raise NotAllowed(f"role {user.role!r} has no access to submissions")


@not_centre_data("builds the scoping condition the reads use")
def centre_scope(user: User, column: str) -> tuple[str, list]:
    """A WHERE condition limiting rows with a centre id column to the user's centre (all for the ILM office)."""
    if user.role == CENTRE:
        return f"{column} = ?", [user.centre_id]
    if user.role in (ASSESSMENT_TEAM, LEAD_ASSESSOR, QUALITY):
        return "TRUE", []
    raise NotAllowed(f"role {user.role!r} has no access to centre-wide data")


@not_centre_data("checks the role only")
def require_role(user: User, roles: tuple[str, ...], message: str) -> None:
    """Refuse a user whose role is not one of roles, with a message naming who may."""
    if user.role not in roles:
        raise NotAllowed(message)
