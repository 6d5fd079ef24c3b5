"""Centres, run by the ILM Assessment Team: approve a centre, its qualifications (with or without Integrated
Assessment), block it with a reason (its users' sessions end at once) and unblock it; every change audited."""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd

from lib.errors import NotAllowed, NotFound, Refused
from lib.rules import ilr
from lib.rules.roles import ASSESSMENT_TEAM, QUALITY, User
from lib.rules.text import check_text
from lib.store.db import Database, Writer
from lib.store.scope import not_centre_data

NUMBER = re.compile(r"\d{6}")


def _team_only(user: User) -> None:
    if user.role != ASSESSMENT_TEAM:
        raise NotAllowed("Centres are managed by the ILM Assessment Team.")


def _centre(writer: Writer, number: str) -> tuple:
    row = writer.execute("SELECT id, status, name FROM centres WHERE number = ?", [(number or "").strip()]).fetchone()
    if row is None:
        raise NotFound(f"There is no centre {number}.")
    return row


@not_centre_data("the team's administration of centres")
def create_centre(db: Database, user: User, number: str, name: str, quality_contact: str, contact_email: str,
                  is_hei: bool = False, now: datetime | None = None) -> int:
    """A new approved centre with the quality contact who approves its portal accounts."""
    _team_only(user)
    number = (number or "").strip()
    if not NUMBER.fullmatch(number):
        raise Refused("A centre number has 6 digits (for example 078901).")
    name = check_text(name, "centre's name", 120, required=True)
    quality_contact = check_text(quality_contact, "quality contact's name", 100, required=True)
    contact_email = (contact_email or "").strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", contact_email):
        raise Refused("Give the quality contact's email address.")
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        if writer.execute("SELECT 1 FROM centres WHERE number = ?", [number]).fetchone():
            raise Refused(f"Centre {number} already exists.")
        centre_id = writer.execute("SELECT nextval('seq_centres')").fetchone()[0]
        writer.execute("""INSERT INTO centres (id, number, name, status, created_at, quality_contact,
                                               quality_contact_email, is_hei)
                          VALUES (?, ?, ?, 'active', ?, ?, ?, ?)""",
                       [centre_id, number, name, now, quality_contact, contact_email, bool(is_hei)])
        writer.audit("centre_created", "centre", number,
                     after={"name": name, "quality_contact": quality_contact, "hei": bool(is_hei)})
        return centre_id

    return db.transact(user, work)


@not_centre_data("the team's administration of centres")
def set_approval(db: Database, user: User, number: str, qualification_code: str, approved: bool,
                 integrated: bool = False, today: date | None = None) -> None:
    """Approve a centre for a qualification (with or without Integrated Assessment), or withdraw the approval."""
    _team_only(user)

    def work(writer: Writer) -> None:
        centre_id = _centre(writer, number)[0]
        if not writer.execute("SELECT 1 FROM qualifications WHERE code = ?", [qualification_code]).fetchone():
            raise NotFound(f"There is no qualification {qualification_code}.")
        before = writer.execute("SELECT integrated FROM centre_approvals WHERE centre_id = ? AND qualification_code = ?",
                                [centre_id, qualification_code]).fetchone()
        if approved:
            writer.execute("""INSERT INTO centre_approvals VALUES (?, ?, ?, ?)
                              ON CONFLICT (centre_id, qualification_code) DO UPDATE SET integrated = excluded.integrated""",
                           [centre_id, qualification_code, bool(integrated), today or date.today()])
        else:
            writer.execute("DELETE FROM centre_approvals WHERE centre_id = ? AND qualification_code = ?",
                           [centre_id, qualification_code])
        writer.audit("centre_approval", "centre", number,
                     before={"qualification": qualification_code, "approved": before is not None,
                             "integrated": bool(before and before[0])},
                     after={"qualification": qualification_code, "approved": approved,
                            "integrated": bool(integrated) and approved})

    db.transact(user, work)


@not_centre_data("the team's administration of centres")
def block_centre(db: Database, user: User, number: str, reason: str, now: datetime | None = None) -> int:
    """Block a centre (for example a missed payment): its users are refused with the reason, their sessions end."""
    _team_only(user)
    reason = check_text(reason, "reason for blocking", 300, required=True)
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        centre_id, status, _ = _centre(writer, number)
        if status == "blocked":
            raise Refused(f"Centre {number} is already blocked.")
        writer.execute("UPDATE centres SET status = 'blocked', blocked_reason = ? WHERE id = ?", [reason, centre_id])
        ended = writer.execute(
            """UPDATE sessions SET ended_at = ?, end_reason = 'centre_blocked'
               WHERE ended_at IS NULL AND user_id IN (SELECT id FROM users WHERE centre_id = ?) RETURNING 1""",
            [now, centre_id]).fetchall()
        writer.audit("centre_blocked", "centre", number, after={"reason": reason, "sessions_ended": len(ended)})
        return len(ended)

    return db.transact(user, work)


@not_centre_data("the team's administration of centres")
def unblock_centre(db: Database, user: User, number: str, note: str) -> None:
    _team_only(user)
    note = check_text(note, "note", required=True)

    def work(writer: Writer) -> None:
        centre_id, status, _ = _centre(writer, number)
        if status != "blocked":
            raise Refused(f"Centre {number} is not blocked.")
        writer.execute("UPDATE centres SET status = 'active', blocked_reason = NULL WHERE id = ?", [centre_id])
        writer.audit("centre_unblocked", "centre", number, after={"note": note})

    db.transact(user, work)


@not_centre_data("the team's administration of centres")
def set_ukprn(db: Database, user: User, number: str, ukprn: int | str | None) -> None:
    """Record the centre's UKPRN (its UK Register of Learning Providers number): its funding return is filed under
    it. Empty clears it."""
    _team_only(user)
    text = str(ukprn if ukprn is not None else "").strip()
    value = None
    if text:
        if not re.fullmatch(r"[0-9]{8}", text) or ilr.ukprn_problem(int(text)):
            raise Refused(ilr.ukprn_problem(None))
        value = int(text)

    def work(writer: Writer) -> None:
        centre_id = _centre(writer, number)[0]
        before = writer.execute("SELECT ukprn FROM centres WHERE id = ?", [centre_id]).fetchone()[0]
        if before == value:
            return
        if value is not None and writer.execute("SELECT number FROM centres WHERE ukprn = ? AND id <> ?",
                                                [value, centre_id]).fetchone():
            raise Refused(f"UKPRN {value} is another centre's.")
        writer.execute("UPDATE centres SET ukprn = ? WHERE id = ?", [value, centre_id])
        writer.audit("centre_ukprn", "centre", number, before={"ukprn": before}, after={"ukprn": value})

    db.transact(user, work)


def _reader(user: User) -> None:
    if user.role not in (ASSESSMENT_TEAM, QUALITY):
        raise NotAllowed("Centres' records are for the ILM Assessment Team and quality.")


@not_centre_data("the team's and quality's list of every centre")
def centres(db: Database, user: User) -> pd.DataFrame:
    _reader(user)
    return db.query_df(
        """SELECT c.number AS "Centre", c.name AS "Name", c.status AS "Status", c.blocked_reason AS "Blocked because",
                  c.quality_contact AS "Quality contact", c.quality_contact_email AS "Contact email",
                  coalesce(c.is_hei, FALSE) AS "HEI", CAST(c.ukprn AS VARCHAR) AS "UKPRN",
                  (SELECT string_agg(a.qualification_code || CASE WHEN a.integrated THEN ' (integrated)' ELSE '' END,
                                     ', ' ORDER BY a.qualification_code)
                   FROM centre_approvals a WHERE a.centre_id = c.id) AS "Approved for",
                  (SELECT count(*) FROM users u WHERE u.centre_id = c.id AND u.status = 'active') AS "Accounts"
           FROM centres c ORDER BY c.number""")
