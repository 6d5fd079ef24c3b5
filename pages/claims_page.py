"""Walled Garden claims: released passes to claim; mark them claimed; export the list to Excel."""

from datetime import date

import streamlit as st

from lib.errors import Refused
from lib.export import frame_xlsx
from lib.release import claims_to_make, mark_claimed
from lib.ui.page import page_setup, show_notice
from lib.ui.tables import blank_missing, selectable_table

db, user = page_setup()
st.title("Walled Garden claims")
show_notice("claims_notice")
to_claim = claims_to_make(db, user)
if to_claim.empty:
    st.info("Every released pass has been claimed.", icon=":material/task_alt:")
    st.stop()
shown = to_claim.drop(columns=["centre_id"])
st.caption(f"{len(shown):,} released pass(es) to claim on Walled Garden, oldest release first.")
ticked = selectable_table(blank_missing(shown, ("Released",)), key="claims_table")
claim_col, export_col, _ = st.columns([1.6, 1.6, 4])
if claim_col.button("Mark claimed", key="claims_mark", type="primary", disabled=not ticked):
    pairs = [(int(shown.ID.iloc[i]), shown.Unit.iloc[i]) for i in ticked]
    try:
        mark_claimed(db, user, pairs)
    except Refused as refused:
        st.error(str(refused))
    else:
        st.session_state["claims_notice"] = f"Recorded {len(pairs)} claim(s)."
        st.rerun()
export_col.download_button(
    "Export to Excel", key="claims_export", icon=":material/table_view:", on_click="ignore",
    data=lambda: frame_xlsx(shown, "Walled Garden claims"),
    file_name=f"Walled Garden claims {date.today().isoformat()}.xlsx")
