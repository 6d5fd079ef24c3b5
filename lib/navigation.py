"""Which pages each role sees. Hiding a page is not access control: lib/scope.py is."""

from __future__ import annotations

from dataclasses import dataclass

from lib.users import ASSESSMENT_TEAM, ASSESSOR, CENTRE, LEAD_ASSESSOR, QUALITY


@dataclass(frozen=True)
class PageSpec:
    script: str
    title: str
    icon: str
    url_path: str


HOME = PageSpec("pages/home.py", "Home", ":material/home:", "home")
TRACKER = PageSpec("pages/tracker.py", "Tracker", ":material/table_view:", "tracker")
SUBMISSIONS = PageSpec("pages/tracker.py", "Submissions", ":material/table_view:", "submissions")
MY_QUEUE = PageSpec("pages/tracker.py", "My allocated work", ":material/assignment_ind:", "my-work")
MARKED_WORK = PageSpec("pages/tracker.py", "Marked work", ":material/fact_check:", "marked-work")

ROLE_PAGES: dict[str, tuple[PageSpec, ...]] = {
    CENTRE: (HOME, TRACKER),
    ASSESSMENT_TEAM: (HOME, SUBMISSIONS),
    ASSESSOR: (HOME, MY_QUEUE),
    LEAD_ASSESSOR: (HOME, MARKED_WORK),
    QUALITY: (HOME,),
}


def pages_for(role: str) -> tuple[PageSpec, ...]:
    """The pages a signed-in user of this role may open, in menu order (the first is the default)."""
    try:
        return ROLE_PAGES[role]
    except KeyError:
        raise ValueError(f"unknown role {role!r}") from None
