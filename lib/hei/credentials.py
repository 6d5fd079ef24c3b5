"""Digital credentials for a mapped programme: its metadata (from the Metadata Template, with the HEI's logo), and
after a passed release check the Badge Claim of the learners who achieved: Credly's bulk-issue CSV exactly as its
template has it, and ILM's own record of the claim with its control columns. A learner without an email, under a
results hold, not on the passed check, or already holding (or twice in the list for) the same credential by email
or ENR is refused, each with the reason. Issuing records the credentials, once each (made unique by the database);
each can also be exported as an Open Badges 2.0 assertion."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime

import filetype
import pandas as pd

from lib.centre.uploads import Upload
from lib.errors import Refused
from lib.hei import open_badges
from lib.hei.mapping import QUALITY_ONLY, READERS
from lib.rules.holds import hei_hold_condition
from lib.rules.roles import QUALITY, User
from lib.rules.text import check_text
from lib.store.db import Database, Writer
from lib.store.export import write_xlsx
from lib.store.scope import NotFound, centre_scope, reads_centre_data, require_role, writes_centre_data

MAX_LOGO_BYTES = 1024 * 1024
MAX_ROWS_A_FILE = 5_000
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Credly's bulk-issue CSV template, its headers as Credly writes them and in its order (its help article "How do I
# issue badges in bulk to multiple earners?": A, B, C, E and F are required, dates are mm/dd/yy, no header may be
# left out even when its column is empty).
CREDLY_COLUMNS = ["Badge Template ID", "Recipient Email", "First Name", "Middle Name", "Last Name", "Issued at Date",
                  "Expiration Date", "Issuer Earner ID", "Country", "State or Province", "Evidence Name", "Evidence URL",
                  "Text Evidence Name", "Text Evidence URL", "ID Evidence Title", "ID Evidence Description", "Locale"]
# ILM's own record of the claim, kept apart from the file Credly takes.
RECORD_COLUMNS = ["Badge Template ID", "Recipient Email", "First Name", "Last Name", "Issued at Date", "ENR",
                  "Centre", "Programme", "Mapping version", "Qualification", "Order number", "Exam Board date"]


# Credly's template IDs are UUIDs; nothing else goes into a URL or a bulk-issue file as one.
TEMPLATE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")


@writes_centre_data(probes={"programme_id": "hei_programme"})
def save_metadata(db: Database, user: User, programme_id: int, badge_template_id: str, name: str, description: str,
                  criteria: str, skills: list[str], logo: Upload | None, now: datetime | None = None) -> None:
    """The credential's metadata for the programme, as the HEI gave it on the Metadata Template."""
    require_role(user, (QUALITY,), QUALITY_ONLY)
    values = {label: check_text(value or "", label).strip() for label, value in (
        ("badge template ID", badge_template_id), ("name", name), ("description", description),
        ("criteria", criteria))}
    empty = [label for label, value in values.items() if not value]
    if empty:
        raise Refused(f"Give the credential's {empty[0]}.")
    if not TEMPLATE_ID.fullmatch(values["badge template ID"]):
        raise Refused("A badge template ID is the one Credly shows for the template: letters, digits and hyphens "
                      "(for example 0b4f5f8e-2f3a-4c1d-9e7a-1a2b3c4d5e6f), at most 64.")
    skills = [check_text(skill, "skill").strip() for skill in skills if skill and skill.strip()]
    logo_name = logo_data = None
    if logo is not None:
        if len(logo.data) > MAX_LOGO_BYTES:
            raise Refused(f"{logo.name} is over 1 MB: send the logo as a PNG or JPEG of at most 1 MB.")
        kind = filetype.guess(logo.data[:8192])
        if kind is None or kind.extension not in ("png", "jpg"):
            raise Refused(f"{logo.name} is not a PNG or JPEG image.")
        logo_name, logo_data = logo.name, logo.data
    now = now or datetime.now()

    def work(writer: Writer) -> None:
        if writer.execute("SELECT 1 FROM hei_programmes WHERE id = ?", [programme_id]).fetchone() is None:
            raise NotFound(f"There is no mapped programme {programme_id}.")
        writer.execute("""INSERT INTO hei_credentials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                          ON CONFLICT (programme_id) DO UPDATE SET badge_template_id = excluded.badge_template_id,
                              name = excluded.name, description = excluded.description, criteria = excluded.criteria,
                              skills = excluded.skills, logo_name = coalesce(excluded.logo_name, hei_credentials.logo_name),
                              logo = coalesce(excluded.logo, hei_credentials.logo), updated_at = excluded.updated_at,
                              updated_by = excluded.updated_by""",
                       [programme_id, values["badge template ID"], values["name"], values["description"],
                        values["criteria"], skills, logo_name, logo_data, now, user.id])
        writer.audit("credential_metadata_saved", "hei_programme", programme_id, None,
                     {"template": values["badge template ID"], "logo": logo_name})

    db.transact(user, work)


@reads_centre_data(probes={"programme_id": "hei_programme"})
def metadata(db: Database, user: User, programme_id: int) -> dict | None:
    require_role(user, READERS, QUALITY_ONLY)
    scope, params = centre_scope(user, "p.centre_id")
    row = db.query_one(f"""SELECT m.badge_template_id, m.name, m.description, m.criteria, m.skills, m.logo_name
                           FROM hei_credentials m JOIN hei_programmes p ON p.id = m.programme_id
                           WHERE m.programme_id = ? AND {scope}""", [programme_id, *params])
    if row is None:
        return None
    return dict(zip(("badge_template_id", "name", "description", "criteria", "skills", "logo_name"), row))


def _candidates(db_or_writer, check_id: int) -> pd.DataFrame:
    """Everyone on the check's order, with what decides whether a credential may go to them."""
    sql = f"""
        SELECT o.learner_id, l.first_name, l.last_name, l.enr, o.email, c.number AS centre, p.title AS programme,
               k.mapping_version, p.qualification_code, k.order_number, k.exam_board_date, k.passed,
               m.badge_template_id,
               EXISTS (SELECT 1 FROM release_check_learners x WHERE x.check_id = k.id AND x.learner_id = o.learner_id
                       AND x.finding = 'conferred_and_claimed') AS conferred,
               {hei_hold_condition('p.centre_id', 'p.qualification_code', 'o.learner_id')} AS held,
               EXISTS (SELECT 1 FROM badges_issued b WHERE b.badge_template_id = m.badge_template_id
                       AND (b.email = lower(o.email) OR b.enr = l.enr)) AS issued
        FROM release_checks k JOIN hei_programmes p ON p.id = k.programme_id JOIN centres c ON c.id = p.centre_id
        JOIN hei_order_learners o ON o.programme_id = k.programme_id AND o.order_number = k.order_number
        JOIN learners l ON l.id = o.learner_id LEFT JOIN hei_credentials m ON m.programme_id = k.programme_id
        WHERE k.id = ? AND o.claimed ORDER BY l.last_name, l.first_name"""
    return db_or_writer.execute(sql, [check_id]).df() if isinstance(db_or_writer, Writer) \
        else db_or_writer.query_df(sql, [check_id])


def sort_claims(candidates: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """The rows of the Badge Claim spreadsheet and the learners refused, each with the reason."""
    rows, refused, seen_emails, seen_enrs = [], [], set(), set()
    for learner in candidates.astype(object).where(candidates.notna(), None).to_dict("records"):
        email = (learner["email"] or "").strip().lower()
        name = f"{learner['first_name']} {learner['last_name']}"
        reason = None
        if learner["held"]:
            reason = "results held for a re-mapping"
        elif not learner["conferred"]:
            reason = "not conferred and claimed on this passed check"
        elif not EMAIL.fullmatch(email):
            reason = "no email address: a credential is sent by email"
        elif learner["issued"]:
            reason = "already holds this credential (same email or ENR)"
        elif email in seen_emails or learner["enr"] in seen_enrs:
            reason = "twice in this claim (same email or ENR)"
        if reason:
            refused.append({"Learner": name, "ENR": learner["enr"], "Reason": reason})
            continue
        seen_emails.add(email)
        seen_enrs.add(learner["enr"])
        rows.append(learner | {"email": email})
    return rows, refused


def _check(db: Database, user: User, check_id: int) -> pd.DataFrame:
    scope, params = centre_scope(user, "centre_id")
    passed = db.query_one(f"SELECT passed FROM release_checks WHERE id = ? AND {scope}", [check_id, *params])
    if passed is None:
        raise NotFound(f"There is no release check {check_id}.")
    if not passed[0]:
        raise Refused(f"Release check {check_id} failed: credentials are claimed only after a check passes.")
    candidates = _candidates(db, check_id)
    if candidates.empty or candidates.badge_template_id.isna().all():
        raise Refused("The programme has no credential metadata yet: save it from the Metadata Template first.")
    return candidates


@reads_centre_data(probes={"check_id": "release_check"})
def badge_claim_preview(db: Database, user: User, check_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a Badge Claim for this check would hold, and who it would refuse and why."""
    require_role(user, READERS, QUALITY_ONLY)
    rows, refused = sort_claims(_check(db, user, check_id))
    return (pd.DataFrame([_record_row(row, date.today()) for row in rows], columns=RECORD_COLUMNS),
            pd.DataFrame(refused, columns=["Learner", "ENR", "Reason"]))


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _record_row(row: dict, issued_on: date) -> list:
    return [row["badge_template_id"], row["email"], row["first_name"], row["last_name"], issued_on.isoformat(),
            row["enr"], row["centre"], row["programme"], int(row["mapping_version"]), row["qualification_code"],
            row["order_number"], _day(row["exam_board_date"]).isoformat()]


def credly_csv(rows: list[dict], issued_on: date) -> bytes:
    """Credly's bulk-issue file: its template's headers, one row per credential, the ENR as the Issuer Earner ID
    (Credly's own duplicate check then matches ours), UTF-8 as Credly advises for accented names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CREDLY_COLUMNS)
    for row in rows:
        values = {"Badge Template ID": row["badge_template_id"], "Recipient Email": row["email"],
                  "First Name": row["first_name"], "Last Name": row["last_name"],
                  "Issued at Date": f"{issued_on:%m/%d/%y}", "Issuer Earner ID": row["enr"], "Locale": "en"}
        writer.writerow([values.get(column, "") for column in CREDLY_COLUMNS])
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class BadgeClaim:
    """What issuing gives: the CSV for Credly, ILM's record of it (.xlsx) and the learners refused with why."""

    credly_csv: bytes
    record_xlsx: bytes
    refused: list[dict]


@writes_centre_data(probes={"check_id": "release_check"})
def issue_badge_claims(db: Database, user: User, check_id: int, today: date | None = None) -> BadgeClaim:
    """Record the credentials of this check's achievers and return Credly's bulk-issue CSV, ILM's record of the
    claim and the learners refused. Issuing again issues only to whom it has not issued to."""
    require_role(user, (QUALITY,), QUALITY_ONLY)
    _check(db, user, check_id)
    today = today or date.today()

    def work(writer: Writer) -> tuple[list[dict], list[dict]]:
        rows, refused = sort_claims(_candidates(writer, check_id))
        if len(rows) > MAX_ROWS_A_FILE:
            raise Refused(f"{len(rows):,} credentials: a Badge Claim file holds at most {MAX_ROWS_A_FILE:,}.")
        if not rows:
            raise Refused("No learner of this check can be sent a credential: " + "; ".join(
                f"{r['Learner']} ({r['Reason']})" for r in refused[:5]) + ("…" if len(refused) > 5 else ""))
        for row in rows:
            writer.execute("INSERT INTO badges_issued VALUES (?, ?, ?, ?, ?, ?)",
                           [row["badge_template_id"], row["email"], row["enr"], check_id, row["learner_id"], today])
        writer.audit("badge_claims_issued", "release_check", check_id, None,
                     {"issued": len(rows), "refused": len(refused)})
        return rows, refused

    rows, refused = db.transact(user, work)
    return BadgeClaim(credly_csv(rows, today),
                      write_xlsx(RECORD_COLUMNS, [_record_row(row, today) for row in rows], title="Badge Claim"),
                      refused)


@reads_centre_data(probes={"check_id": "release_check"})
def assertions(db: Database, user: User, check_id: int, base_url: str) -> bytes:
    """The credentials issued for this check as Open Badges 2.0 assertions (a JSON array), each hosted at its id
    under base_url (see lib.hei.open_badges), recipients hashed."""
    require_role(user, READERS, QUALITY_ONLY)
    scope, params = centre_scope(user, "k.centre_id")
    if db.query_one(f"SELECT 1 FROM release_checks k WHERE k.id = ? AND {scope}", [check_id, *params]) is None:
        raise NotFound(f"There is no release check {check_id}.")
    published = open_badges.documents(db, base_url, check_id)
    return json.dumps([json.loads(data) for data in published.values()], indent=2).encode()
