"""Reference data, edited by the ILM Assessment Team: qualifications (code, name, level, whether the service
assesses them) and units (code, name, level, credits, word-count guidance, the qualifications they belong to),
checked and audited. Nothing is deleted: a qualification stops being assessed instead."""

from __future__ import annotations

import re

import pandas as pd

from lib.errors import NotAllowed, Refused
from lib.rules.roles import ASSESSMENT_TEAM, User
from lib.rules.text import check_text
from lib.rules.unit_criteria import criteria as unit_criteria
from lib.rules.unit_criteria import criteria_text, parse_criteria
from lib.store.db import Database, Writer
from lib.store.scope import not_centre_data

QUALIFICATION_CODE = re.compile(r"\d{4}-\d{2}")
UNIT_CODE = re.compile(r"\d{4}-\d{3}")
CRITERIA_TEXT_MAX = 12_000


def _team_only(user: User) -> None:
    if user.role != ASSESSMENT_TEAM:
        raise NotAllowed("Reference data is kept by the ILM Assessment Team.")


def _level(level) -> int:
    try:
        value = int(level)
    except (TypeError, ValueError):
        raise Refused("A level is a whole number from 1 to 8.") from None
    if not 1 <= value <= 8 or value != float(level):
        raise Refused("A level is a whole number from 1 to 8.")
    return value


@not_centre_data("the service's reference data")
def save_qualification(db: Database, user: User, code: str, name: str, level, assessed: bool = True) -> None:
    """Add a qualification or change one (its code stays)."""
    _team_only(user)
    code = (code or "").strip().upper()
    if not QUALIFICATION_CODE.fullmatch(code):
        raise Refused("A qualification code is four digits, a hyphen and two digits (for example 8600-31).")
    name = check_text(name, "qualification's name", 200, required=True)
    level = _level(level)

    def work(writer: Writer) -> None:
        before = writer.execute("SELECT name, level, coalesce(assessed, TRUE) FROM qualifications WHERE code = ?",
                                [code]).fetchone()
        writer.execute("""INSERT INTO qualifications (code, name, level, assessed) VALUES (?, ?, ?, ?)
                          ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,
                                                    assessed = excluded.assessed""",
                       [code, name, level, bool(assessed)])
        writer.audit("qualification_saved", "qualification", code,
                     before=dict(zip(("name", "level", "assessed"), before)) if before else None,
                     after={"name": name, "level": level, "assessed": bool(assessed)})

    db.transact(user, work)


@not_centre_data("the service's reference data")
def save_unit(db: Database, user: User, code: str, name: str, level, credits, word_limit,
              qualification_codes: list[str], criteria: str | None = None) -> None:
    """Add a unit or change one, with the qualifications it belongs to (at least one) and its assessment criteria
    (one per line, numbered; empty: the published ones, which marking shows when none are kept)."""
    _team_only(user)
    code = (code or "").strip().upper()
    if not UNIT_CODE.fullmatch(code):
        raise Refused("A unit code is four digits, a hyphen and three digits (for example 8600-301).")
    name = check_text(name, "unit's name", 200, required=True)
    level = _level(level)
    try:
        credits = int(credits)
        if credits < 1 or credits > 200:
            raise ValueError
    except (TypeError, ValueError):
        raise Refused("Credits are a whole number from 1 to 200.") from None
    if word_limit in (None, "", 0):
        word_limit = None
    else:
        try:
            word_limit = int(word_limit)
            if not 100 <= word_limit <= 100_000:
                raise ValueError
        except (TypeError, ValueError):
            raise Refused("Word-count guidance is a whole number from 100 to 100,000, or empty for none.") from None
    if not qualification_codes:
        raise Refused("Choose at least one qualification the unit belongs to.")
    kept = criteria_text(parse_criteria(check_text(criteria, "criteria", CRITERIA_TEXT_MAX))) or None

    def work(writer: Writer) -> None:
        known = {row[0] for row in writer.execute("SELECT code FROM qualifications").fetchall()}
        unknown = sorted(set(qualification_codes) - known)
        if unknown:
            raise Refused(f"There is no qualification {', '.join(unknown)}.")
        before = writer.execute("SELECT name, level, credits, word_limit, criteria FROM units WHERE code = ?",
                                [code]).fetchone()
        writer.execute("""INSERT INTO units (code, name, level, credits, word_limit, criteria) VALUES (?, ?, ?, ?, ?, ?)
                          ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,
                                                    credits = excluded.credits, word_limit = excluded.word_limit,
                                                    criteria = excluded.criteria""",
                       [code, name, level, credits, word_limit, kept])
        old_links = sorted(row[0] for row in writer.execute(
            "SELECT qualification_code FROM qualification_units WHERE unit_code = ?", [code]).fetchall())
        writer.execute("DELETE FROM qualification_units WHERE unit_code = ?", [code])
        for qualification in sorted(set(qualification_codes)):
            writer.execute("INSERT INTO qualification_units VALUES (?, ?)", [qualification, code])
        writer.audit("unit_saved", "unit", code,
                     before={**dict(zip(("name", "level", "credits", "word_limit", "criteria"), before)),
                             "qualifications": old_links} if before else None,
                     after={"name": name, "level": level, "credits": credits, "word_limit": word_limit,
                            "criteria": kept, "qualifications": sorted(set(qualification_codes))})

    db.transact(user, work)


@not_centre_data("the service's reference data")
def qualifications(db: Database, user: User) -> pd.DataFrame:
    _team_only(user)
    return db.query_df("""SELECT q.code AS "Code", q.name AS "Name", q.level AS "Level",
                                 coalesce(q.assessed, TRUE) AS "Assessed",
                                 (SELECT count(*) FROM qualification_units qu WHERE qu.qualification_code = q.code)
                                     AS "Units"
                          FROM qualifications q ORDER BY q.code""")


@not_centre_data("the service's reference data")
def units(db: Database, user: User) -> pd.DataFrame:
    """Every unit, with how many assessment criteria marking shows for it and, as criteria_text, those criteria
    one per line (kept on Reference data, else the published ones)."""
    _team_only(user)
    listed = db.query_df("""SELECT u.code AS "Code", u.name AS "Name", u.level AS "Level", u.credits AS "Credits",
                                 u.word_limit AS "Word-count guidance",
                                 (SELECT string_agg(qualification_code, ', ' ORDER BY qualification_code)
                                  FROM qualification_units qu WHERE qu.unit_code = u.code) AS "Qualifications",
                                 u.criteria AS kept_criteria
                          FROM units u ORDER BY u.code""")
    shown = [unit_criteria(code, None if pd.isna(kept) else kept)
             for code, kept in zip(listed.Code, listed.kept_criteria, strict=True)]
    listed["Criteria"] = [len(pairs) for pairs in shown]
    listed["criteria_text"] = [criteria_text(pairs) for pairs in shown]
    return listed.drop(columns="kept_criteria")
