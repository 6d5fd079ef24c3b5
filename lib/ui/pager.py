"""Paging under a list: items per page, previous/next, and "1 - 10 of N items"."""

from __future__ import annotations

import streamlit as st

PAGE_SIZES = (10, 20, 25, 50, 100)


def page_window(key: str, per_page: int = PAGE_SIZES[0]) -> tuple[int, int]:
    """(offset, limit) for the list named key, from the pager's state (per_page rows until the user picks)."""
    limit = st.session_state.get(f"{key}_per_page", per_page)
    page = st.session_state.get(f"{key}_page", 0)
    return page * limit, limit


def pager(key: str, total: int, per_page: int = PAGE_SIZES[0]) -> None:
    """The controls under the list; changing them reruns with the new window."""
    offset, limit = page_window(key, per_page)
    pages = max(1, -(-total // limit))
    page = min(offset // limit, pages - 1)
    st.session_state[f"{key}_page"] = page

    def move(step: int) -> None:
        st.session_state[f"{key}_page"] = min(max(page + step, 0), pages - 1)

    def resize() -> None:
        st.session_state[f"{key}_page"] = 0

    first = page * limit + 1 if total else 0
    last = min(total, (page + 1) * limit)
    left, back, label, forward, size = st.columns([3, 1.4, 1.6, 1.4, 2], vertical_alignment="center")
    left.caption(f"{first:,} - {last:,} of {total:,} items")
    back.button("Previous", key=f"{key}_previous", on_click=move, args=(-1,), disabled=page == 0,
                icon=":material/chevron_left:", width="stretch")
    label.caption(f"Page {page + 1:,} of {pages:,}")
    forward.button("Next", key=f"{key}_next", on_click=move, args=(1,), disabled=page >= pages - 1,
                   icon=":material/chevron_right:", width="stretch")
    size.selectbox("Items per page", PAGE_SIZES, key=f"{key}_per_page", on_change=resize,
                   index=PAGE_SIZES.index(per_page),
                   label_visibility="collapsed", format_func=lambda n: f"{n} items per page")
