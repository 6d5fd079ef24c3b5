import pytest

from lib.accounts.navigation import pages_for, sections_for, title_for
from lib.config import PROJECT_ROOT
from lib.rules.roles import ROLES

EXPECTED = {
    "centre": {"Submitting": ["Home", "Unit Assessment", "Integrated Assessment", "Pending Submission", "Tracker"],
               "Queries and methods": ["Enquiries and appeals", "Assessment methods"],
               "Learners": ["Learner records", "Programmes"],
               "Results": ["My referral rates"],
               "Account": ["Change password"]},
    "assessment_team": {
        "Queues": ["Home", "Quality check", "Allocation", "Release", "Walled Garden claims", "Enquiries and appeals",
                   "Malpractice cases", "Assessment methods"],
        "Results and analytics": ["SLA dashboard", "Submissions", "Referral rates", "Batch review", "EQA alerts", "Shared text",
                                  "Invoicing"],
        "Learners": ["Learner records", "Programmes"],
        "Running the service": ["Centres", "Accounts", "Registration imports", "Qualifications and units",
                                "Retention", "Operations", "Audit trail", "Settings"],
        "Account": ["Change password"]},
    "assessor": {"Queues": ["Home", "My marking queue", "Enquiries and appeals"],
                 "My work": ["My allocated work"],
                 "Account": ["Change password"]},
    "lead_assessor": {"Queues": ["Home", "Sampling", "Enquiries and appeals"],
                      "Results and analytics": ["Marked work", "Batch review", "Referral rates", "SLA dashboard"],
                      "Account": ["Change password"]},
    "quality": {"Queues": ["Home", "EQA alerts", "Malpractice cases", "Shared text", "Enquiries and appeals",
                           "Assessment methods"],
                "Universities": ["Mapped programmes", "EQA release checks"],
                "Results and analytics": ["Referral rates", "SLA dashboard", "Audit trail"],
                "Account": ["Change password"]},
}


@pytest.mark.parametrize("role", ROLES)
def test_a_one_time_password_opens_only_the_password_page(role):
    assert [page.title for page in pages_for(role, must_change_password=True)] == ["Change password"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_pages_in_sections_by_the_work(role):
    sections = {title: [page.title for page in pages] for title, pages in sections_for(role)}
    assert sections == EXPECTED[role]
    assert list(sections) == list(EXPECTED[role])
    assert [page.title for page in pages_for(role)] == [title for pages in EXPECTED[role].values() for title in pages]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_script_exists_and_urls_are_unique(role):
    pages = pages_for(role)
    assert all((PROJECT_ROOT / page.script).is_file() for page in pages)
    assert len({page.url_path for page in pages}) == len(pages)
    assert not {page.url_path for page in pages} & {p.stem for p in (PROJECT_ROOT / "pages").glob("*.py")}


def test_unknown_roles_get_nothing():
    with pytest.raises(ValueError):
        pages_for("learner")


def test_one_script_serves_each_role_under_its_own_title():
    assert title_for("centre", "pages/centre/tracker_page.py") == "Tracker"
    assert title_for("assessment_team", "pages/centre/tracker_page.py") == "Submissions"
    with pytest.raises(ValueError):
        title_for("quality", "pages/centre/tracker_page.py")


def test_a_university_centre_also_has_its_mapped_programmes():
    sections = [(title, [page.title for page in pages]) for title, pages in sections_for("centre", is_hei=True)]
    assert sections[1] == ("University", ["Mapped programmes", "EQA release checks"]), "straight after submitting"
    assert "Mapped programmes" not in [page.title for page in pages_for("centre")]
