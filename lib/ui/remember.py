"""Filters that outlive a visit to another page, and presets that arrive in a link.

Streamlit forgets the state of a page's widgets once another page runs; a copy kept under another key
puts them back when the user returns, as the grids' filters come back.
A home-page figure opens its page through a link with query parameters (?status=Referred); the page takes
each preset once and removes it from the address, so a later rerun keeps what the user changes.
"""

from __future__ import annotations

import streamlit as st


def remembered(widget, label: str, key: str, **kwargs):
    """widget(label, key=key, **kwargs), starting from the value it had when the user last left the page."""
    kept = f"_remembered_{key}"
    if key not in st.session_state and kept in st.session_state:
        st.session_state[key] = st.session_state[kept]
    if key in st.session_state:  # a default beside a value set in session state draws a warning
        for default in ("value", "index", "default"):
            kwargs.pop(default, None)
    value = widget(label, key=key, **kwargs)
    st.session_state[kept] = value
    return value


def take_preset(name: str) -> str | None:
    """The value a link put in the address for this page, once; None when there is none."""
    if name not in st.query_params:
        return None
    value = st.query_params[name]
    del st.query_params[name]
    return value


def preset_widget(name: str, key: str, allowed) -> None:
    """Set the widget named key from the link's preset `name`, when the value is one it offers (any value when
    allowed is None: a search box)."""
    value = take_preset(name)
    if value is not None and (allowed is None or value in allowed):
        st.session_state[key] = value
        st.session_state[f"_remembered_{key}"] = value
