"""Walled Garden claims: released passes to claim; mark them claimed; export the list to Excel."""

from datetime import date

import streamlit as st

from lib.errors import NotFound, Refused
from lib.service.release import (
    CLAIM_COLUMNS,
    claims_export,
    claims_page,
    mark_claimed,
    mark_withdrawn,
    withdrawals_export,
    withdrawals_to_make,
)
from lib.ui.grid import grid_pager, grid_query, sort_by_heading
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.tables import blank_missing, clear_ticks, selectable_table
from lib.ui.text import escape_markdown

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
db, user = page_setup()
st.title("Walled Garden claims")
show_notice("claims_notice")
withdrawals = withdrawals_to_make(db, user)
if not withdrawals.empty:
    st.subheader("Claims to withdraw")
    st.warning(f"{len(withdrawals):,} claimed pass(es) became referrals after an enquiry or appeal: withdraw them on "
               "Walled Garden, then tick them and Mark withdrawn.", icon=":material/undo:")
    withdrawals["Withdrawal"] = withdrawals.ID.astype(str) + "/" + withdrawals.Unit
    to_withdraw = selectable_table(withdrawals, key="withdrawals_table", id_column="Withdrawal", complete=True,
                                   shown=blank_missing(withdrawals.drop(columns=["Withdrawal"]),
                                                       ("Claimed", "Result changed")))
    mark_col, withdrawals_export_col, _ = st.columns([1.6, 1.6, 4])
    if mark_col.button("Mark withdrawn", key="withdrawals_mark", disabled=not to_withdraw):
        pairs = [(int(record["ID"]), record["Unit"]) for record in to_withdraw]
        run_action(lambda: mark_withdrawn(db, user, pairs), "claims_notice",
                   f"Recorded {len(pairs)} withdrawal(s).", ticks="withdrawals_table")
    withdrawals_export_col.download_button(
        "Export withdrawals", key="withdrawals_export", icon=":material/table_view:", on_click="ignore", mime=XLSX,
        data=lambda: withdrawals_export(db, user), file_name=f"Walled Garden withdrawals {date.today().isoformat()}.xlsx")
    st.subheader("Passes to claim")
query = grid_query("claims", CLAIM_COLUMNS)
page = claims_page(db, user, query)
if page.total == 0:
    st.info("No released pass matches these filters." if query.filters else "Every released pass has been claimed.",
            icon=":material/task_alt:")
    st.stop()
st.caption(f"{page.total:,} released pass(es) to claim on Walled Garden, oldest release first. Tick them on any "
           "page, then Mark claimed.")
shown = [column.label for column in CLAIM_COLUMNS.columns if column.shown]
actions_slot = st.container()  # Mark claimed and the export head the list, on the first screen
ticked = selectable_table(page.rows, key="claims_table", id_column="Claim",
                          shown=blank_missing(page.rows[shown], ("Released",)), on_heading=sort_by_heading("claims"))
grid_pager("claims", page)
claim_col, export_col, _ = actions_slot.columns([1.6, 1.6, 4])
if claim_col.button("Mark claimed", key="claims_mark", type="primary", disabled=not ticked):
    pairs = [(int(record["ID"]), record["Unit"]) for record in ticked]
    try:
        mark_claimed(db, user, pairs)
    except (Refused, NotFound) as refused:
        actions_slot.error(escape_markdown(refused))
    else:
        clear_ticks("claims_table")
        st.session_state["claims_notice"] = f"Recorded {len(pairs)} claim(s)."
        st.rerun()
export_col.download_button(
    "Export to Excel", key="claims_export", icon=":material/table_view:", on_click="ignore", mime=XLSX,
    data=lambda: claims_export(db, user, query), file_name=f"Walled Garden claims {date.today().isoformat()}.xlsx")
