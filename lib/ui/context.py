"""The process-wide database and cookie key, opened once and shared by every session."""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from lib import demo
from lib.config import load_settings
from lib.ops.scheduler import Scheduler
from lib.startup import StartupProblem, limit_malloc_arenas, open_database, read_secrets, resolve_cookie_key
from lib.store.db import Database
from lib.store.figures import figures_copy
from lib.store.files import FileStore
from lib.store.objects import ObjectStore
from lib.store.stores import open_file_store


@dataclass(frozen=True)
class AppContext:
    db: Database
    cookie_key: str
    is_demo: bool
    store: FileStore | ObjectStore
    scheduler: Scheduler | None


def _release(context: AppContext) -> None:
    """When the cached context is let go (its cache cleared): jobs stopped, then the database and its figures copy
    closed, so no connection outlives the context."""
    if context.scheduler is not None:
        context.scheduler.stop()
    context.db.close()


@st.cache_resource(show_spinner="Opening the database (the first start builds the demo data)…", on_release=_release)
def _open(db_path: str, files_dir: str, database_url: str, files_url: str) -> AppContext:
    """Cached per database and file store, so tests with others get their own."""
    limit_malloc_arenas()  # once per server process, before the sessions' threads allocate
    settings = load_settings()
    cookie_key = resolve_cookie_key(settings, read_secrets(settings.secrets_files))
    opened = open_database(settings)
    store = open_file_store(settings)
    if opened.db.dialect != "duckdb":
        figures_copy(opened.db).prepare()  # a replica's first figures page should not wait for the whole copy
    return AppContext(opened.db, cookie_key, demo.is_demo(opened.db), store, _scheduler(opened.db, store, settings))


def _scheduler(db, store, settings) -> Scheduler | None:
    """The process's job scheduler; ILMA_JOBS=off leaves it out (tests), =manual runs only what is asked."""
    mode = os.environ.get("ILMA_JOBS", "on").lower()
    if mode == "off":
        return None
    return Scheduler(db, store, settings, automatic=mode != "manual").start()


def app_context() -> AppContext:
    """The shared context; on a startup problem, a page that explains it, and the run stops."""
    settings = load_settings()
    try:
        return _open(str(settings.db_path), str(settings.files_dir), settings.database_url or "",
                     settings.files_url or "")
    except StartupProblem as problem:
        _show_problem(problem)
        st.stop()


def _show_problem(problem: StartupProblem) -> None:
    def cannot_start() -> None:
        st.title("ILM Assessment Portal")
        st.error(f"**{problem.title}**\n\n{problem.detail}", icon=":material/error:")
        st.markdown("**What to do**")
        st.markdown(problem.remedy)
        st.caption("Nothing has been changed on disk. Reload this page once it is fixed.")

    st.navigation([st.Page(cannot_start, title="Cannot start", url_path="cannot-start")], position="hidden").run()
