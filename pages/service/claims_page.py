"""Walled Garden claims: released passes to claim; mark them claimed; export the list to Excel."""

from datetime import date

import streamlit as st

from lib.errors import NotFound, Refused
from lib.service.release import claims_to_make, mark_claimed
from lib.store.export import frame_xlsx
from lib.ui.page import page_setup, show_notice
from lib.ui.tables import blank_missing, clear_ticks, selectable_table
from lib.ui.text import escape_markdown

db, user = page_setup()
st.title("Walled Garden claims")
show_notice("claims_notice")
to_claim = claims_to_make(db, user)
if to_claim.empty:
    st.info("Every released pass has been claimed.", icon=":material/task_alt:")
    st.stop()
shown = to_claim.drop(columns=["centre_id"])
st.caption(f"{len(shown):,} released pass(es) to claim on Walled Garden, oldest release first.")
ticked = selectable_table(to_claim.assign(Claim=to_claim.ID.astype(str) + "/" + to_claim.Unit), key="claims_table",
                          id_column="Claim", shown=blank_missing(shown, ("Released",)), complete=True)
claim_col, export_col, _ = st.columns([1.6, 1.6, 4])
if claim_col.button("Mark claimed", key="claims_mark", type="primary", disabled=not ticked):
    pairs = [(int(record["ID"]), record["Unit"]) for record in ticked]
    try:
        mark_claimed(db, user, pairs)
    except (Refused, NotFound) as refused:
        st.error(escape_markdown(refused))
    else:
        clear_ticks("claims_table")
        st.session_state["claims_notice"] = f"Recorded {len(pairs)} claim(s)."
        st.rerun()
export_col.download_button(
    "Export to Excel", key="claims_export", icon=":material/table_view:", on_click="ignore",
    data=lambda: frame_xlsx(shown, "Walled Garden claims"),
    file_name=f"Walled Garden claims {date.today().isoformat()}.xlsx")
