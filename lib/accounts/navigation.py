"""Which pages each role sees. Hiding a page is not access control: lib/store/scope.py is."""

from __future__ import annotations

from dataclasses import dataclass

from lib.rules.roles import ASSESSMENT_TEAM, ASSESSOR, CENTRE, LEAD_ASSESSOR, QUALITY


# Script names differ from URL paths on purpose: Streamlit hashes both alike, and a page file
# whose name equals a URL path can be mistaken for a pages/-folder page and run without app.py.
@dataclass(frozen=True)
class PageSpec:
    script: str
    title: str
    icon: str
    url_path: str


HOME = PageSpec("pages/common/home_page.py", "Home", ":material/home:", "home")
TRACKER = PageSpec("pages/centre/tracker_page.py", "Tracker", ":material/table_view:", "tracker")
UNIT_ASSESSMENT = PageSpec("pages/centre/unit_assessment_page.py", "Unit Assessment", ":material/upload_file:",
                           "unit-assessment")
INTEGRATED_ASSESSMENT = PageSpec("pages/centre/integrated_assessment_page.py", "Integrated Assessment",
                                 ":material/library_add:", "integrated-assessment")
QUALITY_CHECK = PageSpec("pages/service/quality_check_page.py", "Quality check", ":material/rule:", "quality-check")
ALLOCATION = PageSpec("pages/service/allocation_page.py", "Allocation", ":material/assignment:", "allocation")
MARKING = PageSpec("pages/service/marking_page.py", "My marking queue", ":material/edit_note:", "marking")
SAMPLING = PageSpec("pages/service/sampling_page.py", "Sampling", ":material/fact_check:", "sampling")
RELEASE = PageSpec("pages/service/release_page.py", "Release", ":material/send:", "release")
CLAIMS = PageSpec("pages/service/claims_page.py", "Walled Garden claims", ":material/workspace_premium:", "claims")
SLA_DASHBOARD = PageSpec("pages/service/sla_page.py", "SLA dashboard", ":material/timer:", "sla")
REFERRALS = PageSpec("pages/analytics/referrals_page.py", "Referral rates", ":material/query_stats:", "referral-rates")
CENTRE_REFERRALS = PageSpec("pages/analytics/referrals_page.py", "My referral rates", ":material/query_stats:",
                            "my-referral-rates")
BATCH_REVIEW = PageSpec("pages/analytics/batch_review_page.py", "Batch review", ":material/group_work:", "batch-review")
EQA_ALERTS = PageSpec("pages/analytics/eqa_alerts_page.py", "EQA alerts", ":material/notification_important:", "eqa-alerts")
INVOICING = PageSpec("pages/analytics/invoicing_page.py", "Invoicing", ":material/receipt_long:", "invoicing")
CENTRES = PageSpec("pages/admin/centres_page.py", "Centres", ":material/domain:", "centres")
ACCOUNTS = PageSpec("pages/admin/accounts_page.py", "Accounts", ":material/manage_accounts:", "accounts")
REFERENCE = PageSpec("pages/admin/reference_page.py", "Qualifications and units", ":material/menu_book:",
                     "qualifications")
RETENTION = PageSpec("pages/admin/retention_page.py", "Retention", ":material/inventory_2:", "retention")
AUDIT = PageSpec("pages/admin/audit_page.py", "Audit trail", ":material/history:", "audit-trail")
REGISTRATIONS = PageSpec("pages/admin/registrations_page.py", "Registration imports", ":material/upload:",
                         "registration-imports")
SETTINGS = PageSpec("pages/analytics/settings_page.py", "Settings", ":material/settings:", "settings")
PENDING = PageSpec("pages/centre/pending_page.py", "Pending Submission", ":material/pending_actions:", "pending-submission")
SUBMISSIONS = PageSpec("pages/centre/tracker_page.py", "Submissions", ":material/table_view:", "submissions")
MY_QUEUE = PageSpec("pages/centre/tracker_page.py", "My allocated work", ":material/assignment_ind:", "my-work")
MARKED_WORK = PageSpec("pages/centre/tracker_page.py", "Marked work", ":material/fact_check:", "marked-work")

PASSWORD = PageSpec("pages/common/password_page.py", "Change password", ":material/key:", "change-password")

ROLE_PAGES: dict[str, tuple[PageSpec, ...]] = {
    CENTRE: (HOME, UNIT_ASSESSMENT, INTEGRATED_ASSESSMENT, PENDING, TRACKER, CENTRE_REFERRALS),
    ASSESSMENT_TEAM: (HOME, QUALITY_CHECK, ALLOCATION, RELEASE, CLAIMS, INVOICING, REFERRALS, BATCH_REVIEW, EQA_ALERTS,
                      SLA_DASHBOARD, SUBMISSIONS, CENTRES, ACCOUNTS, REGISTRATIONS, REFERENCE, RETENTION,
                      AUDIT, SETTINGS),
    ASSESSOR: (HOME, MARKING, MY_QUEUE),
    LEAD_ASSESSOR: (HOME, SAMPLING, MARKED_WORK, BATCH_REVIEW, REFERRALS, SLA_DASHBOARD),
    QUALITY: (HOME, EQA_ALERTS, REFERRALS, SLA_DASHBOARD, AUDIT),
}


def pages_for(role: str, must_change_password: bool = False) -> tuple[PageSpec, ...]:
    """The pages a signed-in user of this role may open, in menu order (the first is the default); only the
    password page while they hold a one-time password."""
    if role not in ROLE_PAGES:
        raise ValueError(f"unknown role {role!r}")
    return (PASSWORD,) if must_change_password else (*ROLE_PAGES[role], PASSWORD)


def title_for(role: str, script: str) -> str:
    """The menu title of a page script for this role (one script can serve several roles' pages)."""
    for spec in pages_for(role):
        if spec.script == script:
            return spec.title
    raise ValueError(f"{script} is not a page of role {role!r}")
