"""Buttons that ask before acting on many records at once."""

from __future__ import annotations

import streamlit as st

from lib.ui.text import escape_markdown


def ask_first(label: str, key: str, question: str, confirm: str, ids: list, disabled: bool = False,
              primary: bool = False, icon: str | None = None, where=st) -> list | None:
    """A button whose first click asks `question` with `confirm` and Cancel beside it. Returns the records it asked
    about (the ids as they were when asked, so a list that grows meanwhile is not acted on unseen) once confirmed,
    else None."""
    asking = f"_asking_{key}"
    if where.button(label, key=key, disabled=disabled, type="primary" if primary else "secondary", icon=icon):
        st.session_state[asking] = list(ids)
    if st.session_state.get(asking) is None:
        return None
    with st.container(border=True, key=f"{key}_question"):
        st.warning(escape_markdown(question), icon=":material/help:")
        yes, no, _ = st.columns([2, 1, 3])
        if yes.button(confirm, key=f"{key}_confirm", type="primary"):
            return st.session_state.pop(asking)
        if no.button("Cancel", key=f"{key}_cancel"):
            st.session_state.pop(asking)
            st.rerun()
    return None
