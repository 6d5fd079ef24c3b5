import pytest

from lib.accounts.navigation import pages_for, title_for
from lib.config import PROJECT_ROOT
from lib.rules.roles import ROLES

EXPECTED = {
    "centre": ["Home", "Unit Assessment", "Integrated Assessment", "Pending Submission", "Tracker",
               "Enquiries and appeals", "Assessment methods", "Learner records", "Programmes", "My referral rates",
               "Change password"],
    "assessment_team": ["Home", "Quality check", "Allocation", "Release", "Walled Garden claims",
                        "Enquiries and appeals", "Invoicing",
                        "Referral rates", "Batch review", "EQA alerts", "SLA dashboard", "Submissions",
                        "Malpractice cases", "Assessment methods", "Learner records", "Programmes", "Centres",
                        "Accounts", "Registration imports", "Qualifications and units", "Retention", "Operations",
                        "Audit trail", "Settings",
                        "Change password"],
    "assessor": ["Home", "My marking queue", "Enquiries and appeals", "My allocated work", "Change password"],
    "lead_assessor": ["Home", "Sampling", "Enquiries and appeals", "Marked work", "Batch review", "Referral rates",
                      "SLA dashboard", "Change password"],
    "quality": ["Home", "EQA alerts", "Malpractice cases", "Enquiries and appeals", "Assessment methods",
                "Mapped programmes", "EQA release checks", "Referral rates", "SLA dashboard", "Audit trail",
                "Change password"],
}


@pytest.mark.parametrize("role", ROLES)
def test_a_one_time_password_opens_only_the_password_page(role):
    assert [page.title for page in pages_for(role, must_change_password=True)] == ["Change password"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_pages(role):
    assert [page.title for page in pages_for(role)] == EXPECTED[role]


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
    titles = [page.title for page in pages_for("centre", is_hei=True)]
    assert titles[-3:] == ["Mapped programmes", "EQA release checks", "Change password"]
    assert "Mapped programmes" not in [page.title for page in pages_for("centre")]
