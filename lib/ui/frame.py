"""The frame around every signed-in page: who is signed in, the demo marker, sign out; and the footer with
Help (what each page is for), Legal and Contact ILM."""

from __future__ import annotations

import streamlit as st

from lib.accounts.navigation import pages_for
from lib.rules.roles import User
from lib.store.db import Database
from lib.ui import session
from lib.ui.text import escape_markdown

# The lists are wide (the Tracker has 14 columns): the page's side margins give them back some room, and the title
# starts near the top (Streamlit leaves ~130 px blank above it, a fifth of a 720 px screen; the cookie
# components' empty rows added 40 px more). The footer (Help,
# Legal, Contact) stays at the foot of the window in a slim band: the page ends far enough below its last line to
# scroll clear of it. Captions are darker than Streamlit's faded grey (3.9:1 on white) to reach WCAG AA's 4.5:1.
NARROWER_MARGINS = ("<style>[data-testid='stMainBlockContainer'], [data-testid='stBottomBlockContainer'] "
                    "{padding-left: 2rem; padding-right: 2rem;} "
                    "[data-testid='stMainBlockContainer'] {padding-top: 2.5rem; padding-bottom: 5rem;} "
                    "[data-testid='stBottomBlockContainer'] {padding-top: 0.5rem; padding-bottom: 0.5rem;} "
                    "[data-testid='stCaptionContainer'], [data-testid='stMetricDelta'] + div {color: #545660;}"
                    # The cookie components draw nothing but take a row (and a gap) above the title.
                    ".st-key-init, .st-key-ilma_cookie_set, .st-key-ilma_device_set, .st-key-ilma_cookie_delete "
                    "{position: absolute; width: 0; height: 0; overflow: hidden;}"
                    "</style>")


def sidebar(db: Database, user: User, is_demo: bool) -> None:
    st.html(NARROWER_MARGINS)
    with st.sidebar:
        if is_demo:
            st.badge("Demo data", icon=":material/science:", color="orange")
        st.markdown(f"**{escape_markdown(user.name)}**  \n{user.role_label}")
        if user.centre_number:
            st.caption(f"Centre {user.centre_number} · {escape_markdown(user.centre_name)}")
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            session.sign_out(db, user)
            st.rerun()


ASSESSMENT_SERVICES = "ilmassessmentservices@i-l-m.com"
PORTAL_EMAIL = "AssessmentPortal@i-l-m.com"
CUSTOMER_SERVICES = ("customer@i-l-m.com", "+44 (0) 1543 266867")
LEGAL = (
    "**Data protection.** Centres provide learners' personal data to ILM when they register them. The centre that "
    "registers a learner is responsible for them and for processing their personal data under data protection "
    "legislation; ILM processes it to assess, award and quality-assure, and keeps it for the retention periods in "
    "the service policy, then archives it.\n\n"
    "**Policies.** Managing cases of suspected malpractice in examinations and assessments; the Enquiries and "
    "Appeals Policy (how to query a result, and its fees); ILM's Privacy Statement; the ILM Assessment Service "
    "policy. Every assessment is submitted through this portal, with a statement of authenticity.\n\n"
    "**Accounts.** Each member of centre staff has an account of their own, approved by the centre's quality "
    "contact. Do not share a username or password: a second sign-in ends the first.")


def footer(user: User, current_title: str) -> None:
    """Help, Legal and Contact ILM at the foot of every signed-in page."""
    with st.bottom:
        help_col, legal_col, contact_col, _ = st.columns([1, 1, 1.6, 4.4], vertical_alignment="center")
        with help_col.popover("Help", icon=":material/help:", width="stretch"):
            st.markdown("**What each page is for**")
            for spec in pages_for(user.role, user.must_change_password, user.is_hei):
                mark = "**" if spec.title == current_title else ""
                st.markdown(f"{mark}{spec.title}{mark}: {spec.purpose}")
        with legal_col.popover("Legal", icon=":material/gavel:", width="stretch"):
            st.markdown(LEGAL)
        with contact_col.popover("Contact ILM", icon=":material/mail:", width="stretch"):
            st.markdown(f"**The ILM Assessment Service**, for assessments, results, enquiries and appeals: "
                        f"[{ASSESSMENT_SERVICES}](mailto:{ASSESSMENT_SERVICES})  \n"
                        f"**The portal**, for accounts and sign-in: [{PORTAL_EMAIL}](mailto:{PORTAL_EMAIL})  \n"
                        f"**Customer Services**, for anything else: [{CUSTOMER_SERVICES[0]}]"
                        f"(mailto:{CUSTOMER_SERVICES[0]}), {CUSTOMER_SERVICES[1]}")
