"""Who is signed in: the roles of the service and the user value every lib call takes."""

from __future__ import annotations

from dataclasses import dataclass

CENTRE = "centre"
ASSESSMENT_TEAM = "assessment_team"
ASSESSOR = "assessor"
LEAD_ASSESSOR = "lead_assessor"
QUALITY = "quality"

ROLES = (CENTRE, ASSESSMENT_TEAM, ASSESSOR, LEAD_ASSESSOR, QUALITY)

ROLE_LABELS = {
    CENTRE: "Centre",
    ASSESSMENT_TEAM: "Assessment Team",
    ASSESSOR: "Assessor",
    LEAD_ASSESSOR: "Lead Assessor",
    QUALITY: "Quality / EQA",
}


@dataclass(frozen=True)
class User:
    """A signed-in person; centre users carry their centre, everyone else has none."""

    id: int
    username: str
    name: str
    role: str
    centre_id: int | None = None
    centre_number: str | None = None
    centre_name: str | None = None
    # Signed in with a one-time password: the only page is the one that changes it.
    must_change_password: bool = False
    # A university centre with mapped programmes (ILM Mapped).
    is_hei: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if (self.role == CENTRE) != (self.centre_id is not None):
            raise ValueError("centre users, and only they, belong to a centre")

    @property
    def is_centre(self) -> bool:
        return self.role == CENTRE

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]
