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
    purpose: str = ""  # what the page is for, in the footer's Help


HOME = PageSpec(
    "pages/common/home_page.py", "Home", ":material/home:", "home",
    purpose="What to do next: your figures, each with the page that lists it.")
TRACKER = PageSpec(
    "pages/centre/tracker_page.py", "Tracker", ":material/table_view:", "tracker",
    purpose="Every item you have submitted: filter, sort, export the Centre Report, download result sheets, re-submit.")
UNIT_ASSESSMENT = PageSpec(
    "pages/centre/unit_assessment_page.py", "Unit Assessment", ":material/upload_file:", "unit-assessment",
    purpose="Upload a learner's evidence and result sheet for one unit.")
INTEGRATED_ASSESSMENT = PageSpec(
    "pages/centre/integrated_assessment_page.py", "Integrated Assessment", ":material/library_add:", "integrated-assessment",
    purpose="Upload one piece of evidence that covers several units of a qualification.")
QUALITY_CHECK = PageSpec(
    "pages/service/quality_check_page.py", "Quality check", ":material/rule:", "quality-check",
    purpose="Check submitted items within 5 working days: accept them, or reject them with a reason.")
ALLOCATION = PageSpec(
    "pages/service/allocation_page.py", "Allocation", ":material/assignment:", "allocation",
    purpose="Give accepted items to assessors, by hand or automatically; keep the conflict-of-interest register.")
MARKING = PageSpec(
    "pages/service/marking_page.py", "My marking queue", ":material/edit_note:", "marking",
    purpose="Mark the items allocated to you: a result, mark, feedback and marked result sheet per unit.")
SAMPLING = PageSpec(
    "pages/service/sampling_page.py", "Sampling", ":material/fact_check:", "sampling",
    purpose="Check marked items the sampling rules picked: agree, or send back to the assessor.")
RELEASE = PageSpec(
    "pages/service/release_page.py", "Release", ":material/send:", "release",
    purpose="Send ready results to their centres.")
CLAIMS = PageSpec(
    "pages/service/claims_page.py", "Walled Garden claims", ":material/workspace_premium:", "claims",
    purpose="Released passes to claim on Walled Garden; mark them claimed.")
SLA_DASHBOARD = PageSpec(
    "pages/service/sla_page.py", "SLA dashboard", ":material/timer:", "sla",
    purpose="Open work against the 25-working-day target, the items at risk or breached, and the breach forecast.")
REFERRALS = PageSpec(
    "pages/analytics/referrals_page.py", "Referral rates", ":material/query_stats:", "referral-rates",
    purpose="Referral rates by centre, unit, qualification, assessor, batch and month, against the service.")
CENTRE_REFERRALS = PageSpec(
    "pages/analytics/referrals_page.py", "My referral rates", ":material/query_stats:", "my-referral-rates",
    purpose="Your referral rates against the service, and your Feedback Summary Reports.")
BATCH_REVIEW = PageSpec(
    "pages/analytics/batch_review_page.py", "Batch review", ":material/group_work:", "batch-review",
    purpose="Batches with high referral rates, and their Feedback Summary Reports.")
EQA_ALERTS = PageSpec(
    "pages/analytics/eqa_alerts_page.py", "EQA alerts", ":material/notification_important:", "eqa-alerts",
    purpose="Centres above the service's monthly referral rate for months in a row, and their follow-up.")
MALPRACTICE = PageSpec(
    "pages/analytics/malpractice_page.py", "Malpractice cases", ":material/gpp_maybe:", "malpractice-cases",
    purpose="Cases of suspected plagiarism or malpractice raised in quality check or marking; their items are held.")
SHARED_TEXT = PageSpec(
    "pages/analytics/shared_text_page.py", "Shared text", ":material/content_copy:", "shared-text",
    purpose="Clusters of learners whose evidence shares passages, by centre and month, with the passages.")
ENQUIRIES = PageSpec(
    "pages/service/enquiries_page.py", "Enquiries and appeals", ":material/contact_support:", "enquiries",
    purpose="Enquiries about released results and their appeals: raised by centres, reviewed by someone who did "
            "not mark the item, appeals decided by quality.")
ASSESSMENT_METHODS = PageSpec(
    "pages/service/assessment_methods_page.py", "Assessment methods", ":material/videocam:", "assessment-methods",
    purpose="Changes of assessment method: recorded presentations, professional discussions and recorded questions "
            "and answers, requested by centres and approved with their formats and limits by quality or the team.")
LEARNER_RECORDS = PageSpec(
    "pages/centre/learner_records_page.py", "Learner records", ":material/badge:", "learner-records",
    purpose="Each learner's Individual Learner Record, prefilled from their programme's template: edit, sign, "
            "QA-verify, and export the funding return.")
PROGRAMMES = PageSpec(
    "pages/centre/programmes_page.py", "Programmes", ":material/school:", "programmes",
    purpose="Programmes and their ILR template: create, clone, fill the template and enrol learners.")
MAPPED_PROGRAMMES = PageSpec(
    "pages/hei/mapped_programmes_page.py", "Mapped programmes", ":material/account_tree:", "mapped-programmes",
    purpose="HEI programmes mapped to ILM qualifications: mapping-document versions, changes and results holds, "
            "credential metadata.")
RELEASE_CHECKS = PageSpec(
    "pages/hei/release_checks_page.py", "EQA release checks", ":material/verified:", "release-checks",
    purpose="After an HEI's Exam Board: the EQA release check, the order's release, and the Badge Claim.")
INVOICING = PageSpec(
    "pages/analytics/invoicing_page.py", "Invoicing", ":material/receipt_long:", "invoicing",
    purpose="Invoices for the week's submissions, from the Guide to Fees.")
CENTRES = PageSpec(
    "pages/admin/centres_page.py", "Centres", ":material/domain:", "centres",
    purpose="Create centres, approve their qualifications, block and unblock them.")
ACCOUNTS = PageSpec(
    "pages/admin/accounts_page.py", "Accounts", ":material/manage_accounts:", "accounts",
    purpose="Create and close accounts, reset passwords.")
REFERENCE = PageSpec(
    "pages/admin/reference_page.py", "Qualifications and units", ":material/menu_book:", "qualifications",
    purpose="The qualifications and units the service assesses.")
RETENTION = PageSpec(
    "pages/admin/retention_page.py", "Retention", ":material/inventory_2:", "retention",
    purpose="Archive items and invoices past their retention period.")
OPERATIONS = PageSpec(
    "pages/admin/operations_page.py", "Operations", ":material/backup:", "operations",
    purpose="The service's jobs on their schedule (backups, archive, file check, EQA alerts, invoicing), their "
            "runs, the backups kept and how to restore one.")
AUDIT = PageSpec(
    "pages/admin/audit_page.py", "Audit trail", ":material/history:", "audit-trail",
    purpose="Who changed what, and when.")
REGISTRATIONS = PageSpec(
    "pages/admin/registrations_page.py", "Registration imports", ":material/upload:", "registration-imports",
    purpose="Import learner registrations from a spreadsheet.")
SETTINGS = PageSpec(
    "pages/analytics/settings_page.py", "Settings", ":material/settings:", "settings",
    purpose="The numbers the team tunes (sampling, SLA, flags, alerts) and the Guide to Fees.")
PENDING = PageSpec(
    "pages/centre/pending_page.py", "Pending Submission", ":material/pending_actions:", "pending-submission",
    purpose="Uploaded items not yet submitted: check them, add result sheets, submit alone or as a batch.")
SUBMISSIONS = PageSpec(
    "pages/centre/tracker_page.py", "Submissions", ":material/table_view:", "submissions",
    purpose="Every submitted item, with its stage inside the service and its assessor.")
MY_QUEUE = PageSpec(
    "pages/centre/tracker_page.py", "My allocated work", ":material/assignment_ind:", "my-work",
    purpose="Every item allocated to you: to mark, marked and released.")
MARKED_WORK = PageSpec(
    "pages/centre/tracker_page.py", "Marked work", ":material/task_alt:", "marked-work",
    purpose="Every marked item: in sampling, ready to release or released.")

PASSWORD = PageSpec(
    "pages/common/password_page.py", "Change password", ":material/key:", "change-password",
    purpose="Change your password.")

Section = tuple[str, tuple[PageSpec, ...]]

# Each role's pages in sections by the work, its daily queues first; every page is always listed (none hides
# under "View more").
ROLE_SECTIONS: dict[str, tuple[Section, ...]] = {
    CENTRE: (
        ("Submitting", (HOME, UNIT_ASSESSMENT, INTEGRATED_ASSESSMENT, PENDING, TRACKER)),
        ("Queries and methods", (ENQUIRIES, ASSESSMENT_METHODS)),
        ("Learners", (LEARNER_RECORDS, PROGRAMMES)),
        ("Results", (CENTRE_REFERRALS,)),
    ),
    ASSESSMENT_TEAM: (
        ("Queues", (HOME, QUALITY_CHECK, ALLOCATION, RELEASE, CLAIMS, ENQUIRIES, MALPRACTICE, ASSESSMENT_METHODS)),
        ("Results and analytics", (SLA_DASHBOARD, SUBMISSIONS, REFERRALS, BATCH_REVIEW, EQA_ALERTS, SHARED_TEXT,
                                   INVOICING)),
        ("Learners", (LEARNER_RECORDS, PROGRAMMES)),
        ("Running the service", (CENTRES, ACCOUNTS, REGISTRATIONS, REFERENCE, RETENTION, OPERATIONS, AUDIT, SETTINGS)),
    ),
    ASSESSOR: (
        ("Queues", (HOME, MARKING, ENQUIRIES)),
        ("My work", (MY_QUEUE,)),
    ),
    LEAD_ASSESSOR: (
        ("Queues", (HOME, SAMPLING, ENQUIRIES)),
        ("Results and analytics", (MARKED_WORK, BATCH_REVIEW, REFERRALS, SLA_DASHBOARD)),
    ),
    QUALITY: (
        ("Queues", (HOME, EQA_ALERTS, MALPRACTICE, SHARED_TEXT, ENQUIRIES, ASSESSMENT_METHODS)),
        ("Universities", (MAPPED_PROGRAMMES, RELEASE_CHECKS)),
        ("Results and analytics", (REFERRALS, SLA_DASHBOARD, AUDIT)),
    ),
}
ROLE_PAGES: dict[str, tuple[PageSpec, ...]] = {
    role: tuple(page for _, pages in sections for page in pages) for role, sections in ROLE_SECTIONS.items()}

HEI_SECTION: Section = ("University", (MAPPED_PROGRAMMES, RELEASE_CHECKS))
ACCOUNT_SECTION: Section = ("Account", (PASSWORD,))


def sections_for(role: str, must_change_password: bool = False, is_hei: bool = False) -> tuple[Section, ...]:
    """The pages a signed-in user of this role may open, in sections in menu order (the first page is the
    default); only the password page while they hold a one-time password. A university centre also has its
    mapped programmes, in a section of their own straight after its daily pages."""
    if role not in ROLE_SECTIONS:
        raise ValueError(f"unknown role {role!r}")
    if must_change_password:
        return (ACCOUNT_SECTION,)
    sections = ROLE_SECTIONS[role]
    if is_hei and role == CENTRE:
        sections = (sections[0], HEI_SECTION, *sections[1:])
    return (*sections, ACCOUNT_SECTION)


def every_url_path() -> list[str]:
    """The address of every page of every role, once each."""
    specs = [page for sections in ROLE_SECTIONS.values() for _, pages in sections for page in pages]
    return list(dict.fromkeys(spec.url_path for spec in [*specs, *HEI_SECTION[1], PASSWORD]))


def pages_for(role: str, must_change_password: bool = False, is_hei: bool = False) -> tuple[PageSpec, ...]:
    """Every page of sections_for, in menu order."""
    return tuple(page for _, pages in sections_for(role, must_change_password, is_hei) for page in pages)


def title_for(role: str, script: str) -> str:
    """The menu title of a page script for this role (one script can serve several roles' pages)."""
    for spec in pages_for(role):
        if spec.script == script:
            return spec.title
    raise ValueError(f"{script} is not a page of role {role!r}")
