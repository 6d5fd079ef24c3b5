"""A link from a row of an analytics table to its item, on the page where this role reads items (the Tracker,
Submissions or Marked work, each opened on that one item by ?item=)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.accounts.navigation import pages_for
from lib.rules.roles import User

ITEM_PAGE_SCRIPT = "pages/centre/tracker_page.py"
LINK_COLUMN = "Item"


def item_link_columns(user: User) -> tuple:
    """(page_columns, column_config) for analytics_table: an Item link per row; (None, {}) for a role with no
    page of items."""
    page = next((spec for spec in pages_for(user.role) if spec.script == ITEM_PAGE_SCRIPT), None)
    if page is None:
        return None, {}

    def add_link(rows: pd.DataFrame) -> pd.DataFrame:
        return rows.assign(**{LINK_COLUMN: page.url_path + "?item=" + rows.ID.astype("string")})

    config = {LINK_COLUMN: st.column_config.LinkColumn(LINK_COLUMN, display_text=f"Open in {page.title}"),
              "Feedback": st.column_config.TextColumn("Feedback", width="large")}
    return add_link, config
