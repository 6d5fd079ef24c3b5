"""Audit trail: who did what, when, to which record, with the record before and after."""

from datetime import date

import streamlit as st

from lib.admin.audit import AUDIT_COLUMNS, audit_export, audit_page
from lib.ui.grid import grid_pager, grid_query, sort_by_heading
from lib.ui.page import page_setup
from lib.ui.tables import sortable_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
db, user = page_setup()
st.title("Audit trail")
st.caption("Every change made in the portal, newest first: who, when, the action, the record (entity and ID, and "
           "its centre) and the record before and after. Filter on any column, for example User, Centre, Action or "
           "When; click a column heading to sort the whole trail by it, and again to reverse.")
query = grid_query("audit", AUDIT_COLUMNS)
page = audit_page(db, user, query)
if page.total == 0:
    st.info("No entries match these filters.", icon=":material/search_off:")
    st.stop()
sortable_table(page.rows[[c.label for c in AUDIT_COLUMNS.columns]], key="audit_table",
               on_heading=sort_by_heading("audit"),
               column_config={"ID": st.column_config.NumberColumn(format="%d", width="small"),
                              "When": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
                              "Before": st.column_config.TextColumn(width="medium"),
                              "After": st.column_config.TextColumn(width="large")})
grid_pager("audit", page)
st.download_button("Export to Excel", data=lambda: audit_export(db, user, query), key="audit_export",
                   file_name=f"Audit trail {date.today().isoformat()}.xlsx", mime=XLSX, icon=":material/table_view:",
                   on_click="ignore")
