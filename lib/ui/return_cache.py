"""The funding return a Learner records page shows, made once per version of its records: the page reruns on every
tick and keystroke, and checking and writing every record of a centre each time is work for nothing."""

from __future__ import annotations

from datetime import date

import streamlit as st

from lib.errors import NotFound, Refused
from lib.records.listing import FundingReturn, funding_return, return_version
from lib.rules.roles import User
from lib.store.db import Database


@st.cache_resource(max_entries=32, show_spinner="Checking the records for the funding return…")
def _made(_db: Database, _user: User, database: str, version: tuple, include_all: bool, today: date,
          centre_number: str | None) -> FundingReturn | str:
    try:
        return funding_return(_db, _user, include_all, today, centre_number)
    except (Refused, NotFound) as refused:
        return str(refused)


def current_return(db: Database, user: User, include_all: bool, centre_number: str | None) -> FundingReturn | str:
    """The provider's funding return as its records stand now, or why there is none (the refusal's message)."""
    try:
        version = return_version(db, user, centre_number)
    except (Refused, NotFound) as refused:
        return str(refused)
    return _made(db, user, db.source, version, include_all, date.today(), centre_number)
