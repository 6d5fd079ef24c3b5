"""Copied work on an item, for the ILM side: one line a match (most shared first, the learner's own other
submissions last and told apart), each opening on both texts side by side with the shared passages marked, and
a button that opens a malpractice case from it (what the button does is the page's: a quality-check rejection,
or a flag while marking). Nothing is decided here."""

from __future__ import annotations

import html
from collections.abc import Callable

import streamlit as st

from lib.analytics.copied_clusters import shared_text_clusters
from lib.rules.roles import User
from lib.rules.similarity import Words
from lib.service.copied_work import CopiedWork, Match, copied_work
from lib.store.db import Database
from lib.store.files import FileStore
from lib.ui.page import run_action
from lib.ui.text import escape_markdown

MARK_STYLE = ("<style>.ilma-shared p {margin: 0 0 0.6rem 0; line-height: 1.45} .ilma-shared mark "
              "{background: #ffe08a; padding: 0 1px}</style>")


def marked_html(words: Words, spans: tuple[tuple[int, int], ...]) -> str:
    """The words as paragraphs of escaped text, the spans' words inside <mark>."""
    shared = [False] * len(words.shown)
    for start, end in spans:
        shared[start:end] = [True] * (end - start)
    paragraphs, current, run, run_shared = [], [], [], False

    def close_run():
        if run:
            text = html.escape("".join(run).strip())
            current.append(f"<mark>{text}</mark>" if run_shared else text)
            run.clear()

    for position, word in enumerate(words.shown):
        if position in words.paragraph_starts and position:
            close_run()
            paragraphs.append(" ".join(current))
            current = []
        if shared[position] != run_shared:
            close_run()
            run_shared = shared[position]
        run.append(word)
    close_run()
    paragraphs.append(" ".join(current))
    return MARK_STYLE + '<div class="ilma-shared">' + "".join(f"<p>{p}</p>" for p in paragraphs if p) + "</div>"


@st.cache_data(ttl=120, max_entries=32, show_spinner="Looking for shared text in other items' evidence…")
def _cached(_db: Database, _store: FileStore, _user: User, user_key: tuple, item_id: int) -> CopiedWork:
    """Counted again after 2 minutes, or on another item: evidence uploaded meanwhile joins then."""
    return copied_work(_db, _user, item_id, _store)


@st.cache_data(ttl=120, max_entries=16, show_spinner="Comparing evidence…")
def shared_text_clusters_counted(_db: Database, _store: FileStore, _user: User, role: str, start, end):
    """The clusters for a period, counted again after 2 minutes: ticking a row or paging reruns the page, and
    comparing every item's evidence with every other's should not run again for it."""
    return shared_text_clusters(_db, _user, _store, start, end)


def _side_by_side(match: Match, item_id: int, key: str) -> None:
    mine, theirs = st.columns(2, gap="medium")
    mine.caption(f"This item ({item_id}): {escape_markdown(match.file_name)}")
    theirs.caption(f"Item {match.other_item}: {escape_markdown(match.other_file_name)}")
    with mine.container(height=420, border=True, key=f"{key}_mine"):
        st.html(marked_html(match.words, match.shared.first_spans))
    with theirs.container(height=420, border=True, key=f"{key}_theirs"):
        st.html(marked_html(match.other_words, match.shared.second_spans))


def copied_work_panel(db: Database, store: FileStore, user: User, item_id: int, key: str,
                      open_case: tuple[str, Callable[[str], object], str, str] | None = None,
                      quiet_in=None) -> None:
    """The item's matches. open_case: (button label, the action given the concern, the notice key, the notice).
    quiet_in: where to say that nothing matched or a file was not compared (a column lower down), so that a
    page whose form is below keeps its place when there is nothing to act on."""
    found = _cached(db, store, user, (user.id, user.role), item_id)
    quiet = quiet_in if quiet_in is not None else st.container()
    for note in found.not_compared:
        quiet.caption(escape_markdown(note))
    if not found.matches:
        quiet.caption(f"Copied work: no other item's evidence shares {found.threshold:.0%} or more of its text with "
                      "this item's.")
        return
    label, action, notice_key, notice = open_case or (None, None, None, None)
    for number, match in enumerate(found.matches):
        icon = ":material/content_copy:" if match.to_act_on else ":material/history:"
        with st.expander(escape_markdown(match.summary()), icon=icon, expanded=False):
            _side_by_side(match, item_id, f"{key}_match_{number}")
            st.caption(f"{len(match.shared.passages)} shared passage(s), marked in both texts. Nothing is decided "
                       "automatically: compare them and decide.")
            if action and match.to_act_on and st.button(label, key=f"{key}_case_{number}",
                                                         icon=":material/report:"):
                run_action(lambda match=match: action(match.concern(item_id)), notice_key, notice)
