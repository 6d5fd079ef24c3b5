"""Accounts: each person their own; centre accounts against the quality contact's approval; one-time passwords,
unlock, reset and close (never delete)."""

import streamlit as st

from lib.admin.accounts import accounts, close_account, create_account, reopen_account, reset_password, unlock
from lib.admin.centres import centres
from lib.errors import NotAllowed, NotFound, Refused
from lib.rules.roles import ASSESSOR, CENTRE, ROLE_LABELS
from lib.rules.text import NOTE_MAX
from lib.service.allocation import conflicts
from lib.ui.frame_grid import frame_grid
from lib.ui.grid import sort_by_heading
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.pager import pager
from lib.ui.tables import blank_missing, clear_ticks, selectable_table
from lib.ui.text import escape_markdown

NOTICE = "accounts_notice"
NEW_PASSWORD = "accounts_new_password"
db, user = page_setup()
st.title("Accounts")
show_notice(NOTICE)


def give_password(action) -> None:
    """Run an action that makes a one-time password, and show it once."""
    try:
        made = action()
    except (Refused, NotFound, NotAllowed) as refused:
        st.error(escape_markdown(refused), icon=":material/error:")
        return
    st.session_state[NEW_PASSWORD] = (made.username, made.password)
    clear_ticks("accounts_table")
    st.rerun()


shown_password = st.session_state.pop(NEW_PASSWORD, None)
if shown_password:
    st.success(f"One-time password for {escape_markdown(shown_password[0])}: give it to the person, who must "
               "change it at their first sign-in. It is shown only now.", icon=":material/key:")
    st.code(shown_password[1], language=None)

centre_list = centres(db, user)
with st.expander("Create an account", icon=":material/person_add:"):
    role = st.selectbox("Role", list(ROLE_LABELS), format_func=ROLE_LABELS.get, key="account_new_role")
    with st.form("account_new", clear_on_submit=False):
        username_col, name_col, email_col = st.columns(3)
        username = username_col.text_input("Username", key="account_new_username", placeholder="sam.carter",
                                           max_chars=40)
        name = name_col.text_input("Name", key="account_new_name", max_chars=100)
        email = email_col.text_input("Email", key="account_new_email", max_chars=200)
        centre_number, approved_by = None, None
        if role == CENTRE:
            centre_col, approver_col = st.columns(2)
            centre_number = centre_col.selectbox(
                "Centre", list(centre_list.Centre), key="account_new_centre",
                format_func=dict(zip(centre_list.Centre, centre_list.Centre + " " + centre_list.Name)).get)
            approved_by = approver_col.text_input("Approved by (the centre's quality contact)",
                                                  key="account_new_approved_by", max_chars=100)
        if st.form_submit_button("Create account", type="primary", key="account_new_submit"):
            give_password(lambda: create_account(db, user, username, name, email, role, centre_number, approved_by))

listing = accounts(db, user)
st.caption("Every account, closed ones too (they are never deleted). Tick one to reset its password, let it try "
           "again after failed sign-ins, close it or reopen it. Click a column heading to sort the whole list by it.")
found = frame_grid(listing, "accounts", choices={"Role": tuple(ROLE_LABELS.values()), "Status": ("active", "closed")})
ticked = selectable_table(found.rows, key="accounts_table", id_column="Username", single=True,
                          every_key=found.every_key, on_heading=sort_by_heading("accounts"),
                          shown=blank_missing(found.shown, ("Approved", "Created", "Closed")))
pager("accounts", found.total)
if not ticked:
    st.stop()
account = ticked[0]
username = account["Username"]
st.subheader(f"{escape_markdown(account['Name'])} ({escape_markdown(username)})")
if account["Role"] == ROLE_LABELS[ASSESSOR]:
    register = conflicts(db, user)
    mine = register[register.Assessor == account["Name"]][["Centre", "Centre name", "Reason", "Recorded"]]
    st.caption(f"Conflicts of interest: {len(mine)}. They are kept on the register on the Allocation page, which "
               "never allocates an assessor work from a centre they have a conflict with.")
    if len(mine):
        st.dataframe(blank_missing(mine, ("Recorded",)), hide_index=True, key=f"account_conflicts_{username}")
    st.page_link("pages/service/allocation_page.py", label="Open the conflict-of-interest register",
                 icon=":material/assignment:")
if account["Status"] == "closed":
    with st.form(f"account_reopen_{username}"):
        approver = st.text_input("Approved by (for a centre account: the centre's quality contact)",
                                 key=f"account_reopen_approver_{username}", max_chars=100)
        if st.form_submit_button("Reopen with a new one-time password", type="primary"):
            give_password(lambda: reopen_account(db, user, username, approver))
else:
    reset_col, unlock_col, _ = st.columns([2, 2, 4])
    if reset_col.button("Reset password", key=f"account_reset_{username}", icon=":material/key:"):
        give_password(lambda: reset_password(db, user, username))
    if unlock_col.button("Let it try again", key=f"account_unlock_{username}", icon=":material/lock_open:",
                         help="Clears the wait after failed sign-ins."):
        run_action(lambda: unlock(db, user, username), NOTICE, f"{username} can sign in again at once.",
                   ticks="accounts_table")
    with st.form(f"account_close_{username}", clear_on_submit=True):
        reason = st.text_input("Reason for closing", key=f"account_close_reason_{username}", max_chars=NOTE_MAX)
        if st.form_submit_button("Close account"):
            run_action(lambda: close_account(db, user, username, reason), NOTICE,
                       f"{username} is closed: its sessions have ended; it keeps its history.", ticks="accounts_table")
