"""Programmes and their ILR template: a centre's programme (a name, an academic year, a qualification and the units
it delivers) carries a template (programme type, standard code, funding model, learning aims, financial records,
and whether a record may go for signature without a verifying check). Enrolling a learner makes their record,
prefilled from the template. Filling the template reaches every record except one edited by hand before it was
filled; a later change reaches the records that still hold the template's values, and says which kept their own."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from lib.errors import Refused
from lib.records.fields import BY_NAME, JSON_FIELDS, SNAPSHOT_SQL, TEMPLATE_FIELDS, as_stored, display, from_stored
from lib.rules import ilr
from lib.rules.roles import ASSESSMENT_TEAM, CENTRE, User
from lib.rules.text import check_text
from lib.store.db import Database, Writer
from lib.store.scope import NotFound, centre_scope, reads_centre_data, require_role, writes_centre_data

CENTRE_ONLY = "Only centre users keep their programmes and learner records."
READERS = (CENTRE, ASSESSMENT_TEAM)


@dataclass(frozen=True)
class Template:
    prog_type: int | None
    std_code: int | None
    fund_model: int | None
    aims: list[dict]
    fin_records: list[dict]
    allow_sign_without_verification: bool = False
    sof: int | None = None
    del_loc_postcode: str | None = None

    def values(self) -> dict:
        return {name: getattr(self, name) for name in TEMPLATE_FIELDS}


@dataclass(frozen=True)
class TemplateOutcome:
    """What filling or changing a template did: records updated, and records that kept their own values."""

    updated: int
    kept_own: list[str]


def checked_template(template: Template) -> Template:
    """The template with its postcode written as the ILR writes it, or Refused with what is wrong."""
    template = replace(template, del_loc_postcode=ilr.normal_postcode(template.del_loc_postcode) or None)
    for problem in (ilr.programme_problem(template.prog_type, template.std_code, template.fund_model),
                    ilr.code_problem(template.sof, ilr.SOURCES_OF_FUNDING, "Source of funding"),
                    ilr.postcode_problem(template.del_loc_postcode, "Delivery location postcode"),
                    ilr.aims_problem(template.aims), ilr.finance_problem(template.fin_records)):
        if problem:
            raise Refused(problem)
    return template


def _own_programme(writer_or_db, user: User, programme_id: int) -> tuple:
    sql = f"""SELECT id, name, academic_year, qualification_code, units, template_filled_at,
                     {', '.join(TEMPLATE_FIELDS)}, allow_sign_without_verification
              FROM programmes WHERE id = ? AND centre_id = ?"""
    row = writer_or_db.execute(sql, [programme_id, user.centre_id]).fetchone() if isinstance(writer_or_db, Writer) \
        else writer_or_db.query_one(sql, [programme_id, user.centre_id])
    if row is None:
        raise NotFound(f"There is no programme {programme_id} at your centre.")
    return row


def _checked_programme(name: str, academic_year: str) -> tuple[str, str]:
    name = check_text(name, "programme name").strip()
    if not 3 <= len(name) <= 80:
        raise Refused("A programme's name is 3 to 80 characters.")
    if not re.fullmatch(r"\d{4}/\d{2}", academic_year or "") or \
            int(academic_year[5:]) != (int(academic_year[:4]) + 1) % 100:
        raise Refused("The academic year is written like 2026/27.")
    return name, academic_year


@writes_centre_data()
def create_programme(db: Database, user: User, name: str, academic_year: str, qualification_code: str,
                     units: list[str], now: datetime | None = None) -> int:
    """A new programme of one of the centre's approved qualifications, delivering some of its units."""
    require_role(user, (CENTRE,), CENTRE_ONLY)
    name, academic_year = _checked_programme(name, academic_year)
    units = sorted(set(units))
    if not units:
        raise Refused("Choose the units the programme delivers.")
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        if writer.execute("SELECT 1 FROM centre_approvals WHERE centre_id = ? AND qualification_code = ?",
                          [user.centre_id, qualification_code]).fetchone() is None:
            raise Refused(f"Your centre is not approved for {qualification_code}.")
        known = {u for (u,) in writer.execute("SELECT unit_code FROM qualification_units WHERE qualification_code = ?",
                                              [qualification_code]).fetchall()}
        if set(units) - known:
            raise Refused(f"Unit {', '.join(sorted(set(units) - known))} is not part of {qualification_code}.")
        if writer.execute("SELECT 1 FROM programmes WHERE centre_id = ? AND name = ? AND academic_year = ?",
                          [user.centre_id, name, academic_year]).fetchone():
            raise Refused(f"Your centre already has a programme called {name} for {academic_year}.")
        programme_id = writer.execute("SELECT nextval('seq_programmes')").fetchone()[0]
        writer.execute("""INSERT INTO programmes (id, centre_id, name, academic_year, qualification_code, units,
                              created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                       [programme_id, user.centre_id, name, academic_year, qualification_code, units, now, user.id])
        writer.audit("programme_created", "programme", programme_id, None,
                     {"name": name, "year": academic_year, "qualification": qualification_code, "units": units})
        return programme_id

    return db.transact(user, work)


@writes_centre_data(probes={"programme_id": "programme"})
def clone_programme(db: Database, user: User, programme_id: int, name: str, academic_year: str,
                    now: datetime | None = None) -> int:
    """A copy of the programme under a new name or year, with its template (no learners)."""
    require_role(user, (CENTRE,), CENTRE_ONLY)
    name, academic_year = _checked_programme(name, academic_year)
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        _own_programme(writer, user, programme_id)
        if writer.execute("SELECT 1 FROM programmes WHERE centre_id = ? AND name = ? AND academic_year = ?",
                          [user.centre_id, name, academic_year]).fetchone():
            raise Refused(f"Your centre already has a programme called {name} for {academic_year}.")
        new_id = writer.execute("SELECT nextval('seq_programmes')").fetchone()[0]
        writer.execute(f"""INSERT INTO programmes (id, centre_id, name, academic_year, qualification_code, units,
                               allow_sign_without_verification, {', '.join(TEMPLATE_FIELDS)}, template_filled_at,
                               created_at, created_by)
                           SELECT ?, centre_id, ?, ?, qualification_code, units, allow_sign_without_verification,
                               {', '.join(TEMPLATE_FIELDS)}, CASE WHEN template_filled_at IS NULL THEN NULL ELSE ? END,
                               ?, ? FROM programmes WHERE id = ?""",
                       [new_id, name, academic_year, now, now, user.id, programme_id])
        writer.audit("programme_cloned", "programme", new_id, None, {"from": programme_id, "name": name,
                                                                     "year": academic_year})
        return new_id

    return db.transact(user, work)


@reads_centre_data()
def programmes(db: Database, user: User) -> pd.DataFrame:
    """The programmes the user sees (a centre its own; the team all), with their learners."""
    require_role(user, READERS, CENTRE_ONLY)
    scope, params = centre_scope(user, "p.centre_id")
    frame = db.query_df(
        f"""SELECT p.id AS "Programme", c.number AS "Centre", p.name AS "Name", p.academic_year AS "Year",
                   p.qualification_code AS "Qualification", array_to_string(p.units, ', ') AS "Units",
                   CASE WHEN p.template_filled_at IS NULL THEN 'Not filled' ELSE 'Filled' END AS "Template",
                   (SELECT count(*) FROM learner_records r WHERE r.programme_id = p.id) AS "Learners"
            FROM programmes p JOIN centres c ON c.id = p.centre_id WHERE {scope}
            ORDER BY p.academic_year DESC, p.name""", params)
    return frame.drop(columns=["Centre"]) if user.is_centre else frame


@reads_centre_data(probes={"programme_id": "programme"})
def programme_template(db: Database, user: User, programme_id: int) -> Template | None:
    """The programme's template, or None while it is not filled."""
    require_role(user, READERS, CENTRE_ONLY)
    scope, params = centre_scope(user, "centre_id")
    row = db.query_one(f"""SELECT template_filled_at, {', '.join(TEMPLATE_FIELDS)}, allow_sign_without_verification
                           FROM programmes WHERE id = ? AND {scope}""", [programme_id, *params])
    if row is None:
        raise NotFound(f"There is no programme {programme_id}.")
    if row[0] is None:
        return None
    values = {name: from_stored(name, value) for name, value in zip(TEMPLATE_FIELDS, row[1:])}
    return Template(**values, allow_sign_without_verification=row[-1])


def _template_reason(name: str) -> str:
    return f"Programme template of {name} changed"


@writes_centre_data(probes={"programme_id": "programme"})
def save_template(db: Database, user: User, programme_id: int, template: Template,
                  now: datetime | None = None) -> TemplateOutcome:
    """Fill or change the programme's template, and carry it to the records of its learners (see the module)."""
    require_role(user, (CENTRE,), CENTRE_ONLY)
    template = checked_template(template)
    now = now or datetime.now()
    new = {name: as_stored(name, value) for name, value in template.values().items()}

    def work(writer: Writer) -> TemplateOutcome:
        row = _own_programme(writer, user, programme_id)
        name, first_fill = row[1], row[5] is None
        stored = row[6:6 + len(TEMPLATE_FIELDS)]
        before = {name: as_stored(name, from_stored(name, value)) for name, value in zip(TEMPLATE_FIELDS, stored)}
        changed = [field for field in TEMPLATE_FIELDS if first_fill or new[field] != before[field]]
        writer.execute(f"""UPDATE programmes SET {', '.join(f'{field} = ?' for field in TEMPLATE_FIELDS)},
                               allow_sign_without_verification = ?, template_filled_at = coalesce(template_filled_at, ?)
                           WHERE id = ?""",
                       [*(new[field] for field in TEMPLATE_FIELDS), template.allow_sign_without_verification, now,
                        programme_id])
        if first_fill:  # a record edited by hand before the template existed keeps what it has, every field
            writer.execute("""UPDATE learner_records SET own_fields = ? WHERE programme_id = ?
                              AND len(own_fields) > 0""", [list(TEMPLATE_FIELDS), programme_id])
        outcome = _carry(writer, user, programme_id, name, changed, new, now) if changed else TemplateOutcome(0, [])
        writer.audit("template_saved", "programme", programme_id, {f: before[f] for f in changed},
                     {**{f: new[f] for f in changed}, "records_updated": outcome.updated,
                      "kept_own": len(outcome.kept_own)})
        return outcome

    return db.transact(user, work)


def _carry(writer: Writer, user: User, programme_id: int, name: str, changed: list[str], new: dict,
           now: datetime) -> TemplateOutcome:
    """Set the changed template fields on every record of the programme that does not hold its own value for them,
    as one new version each (a signed record goes back for signature, saying why)."""
    records = writer.execute(
        f"""SELECT id, first_name || ' ' || last_name AS learner, own_fields, status,
                   {', '.join(changed)} FROM learner_records WHERE programme_id = ?""", [programme_id]).df()
    if records.empty:
        return TemplateOutcome(0, [])
    rows, kept = [], []
    for record in records.itertuples(index=False):
        own = set(record.own_fields)
        taken = {field: [_shown(field, _plain(getattr(record, field))), _shown(field, new[field])]
                 for field in changed if field not in own and _plain(getattr(record, field)) != new[field]}
        if own & set(changed):
            kept.append(record.learner)
        if taken:
            rows.append((record.id, json.dumps(taken)))
    if not rows:
        return TemplateOutcome(0, kept)
    updates = pd.DataFrame(rows, columns=["record_id", "changes"])
    writer.cursor.register("template_updates", updates)
    try:
        assignments = ", ".join(f"{field} = CASE WHEN list_contains(r.own_fields, '{field}') THEN r.{field} "
                                f"ELSE CAST(? AS {_column_type(field)}) END" for field in changed)
        reason = _template_reason(name)
        writer.execute(
            f"""UPDATE learner_records r SET {assignments}, version = r.version + 1,
                    status = CASE WHEN r.status IN ('signed', 'qa_verified', 'completed') THEN 'signature_required'
                             ELSE r.status END,
                    status_reason = CASE WHEN r.status IN ('signed', 'qa_verified', 'completed')
                                    THEN ? ELSE r.status_reason END,
                    updated_at = ?
                FROM template_updates t WHERE r.id = t.record_id""",
            [*(new[field] for field in changed), f"{reason} after it was signed: the learner signs again.", now])
        writer.execute(
            f"""INSERT INTO learner_record_versions
                SELECT r.id, r.version, ?, ?, ?, CAST(t.changes AS JSON), {SNAPSHOT_SQL[writer.dialect]}
                FROM learner_records r JOIN template_updates t ON t.record_id = r.id""", [now, user.id, reason])
    finally:
        writer.cursor.unregister("template_updates")
    return TemplateOutcome(len(rows), kept)


def _column_type(field: str) -> str:
    return "JSON" if field in JSON_FIELDS else "INTEGER" if BY_NAME[field].kind == "int" else "VARCHAR"


def _shown(field: str, stored) -> str:
    """A template field's stored value as the record's history shows it."""
    return display(field, from_stored(field, stored) if field in JSON_FIELDS and stored is not None else stored)


def _plain(value):
    """A frame's value as the template compares it: None when missing, whole numbers as int, JSON re-dumped."""
    if isinstance(value, str):
        return json.dumps(json.loads(value)) if value[:1] in "[{" else value
    if value is None or pd.isna(value):
        return None
    value = value.item() if hasattr(value, "item") else value
    return int(value) if isinstance(value, float) and value.is_integer() else value
