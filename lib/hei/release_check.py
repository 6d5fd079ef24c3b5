"""The EQA release check after an HEI's Exam Board: quality records the Exam Board's date and the title of its
minutes, the Walled Garden order, the mapping version checked, whether the programme changed since (a yes opens a
change request) and the achievement point, and reconciles the Exam Board list with the learners claimed for ILM
achievement on the order: conferred and claimed (good), claimed but not on the list (the check fails, names listed),
registered on the order but not certificated (names recorded). The EQA has not quality-assured the learners' work,
and the record says so. An order's results are released only after a check of it passes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from lib.centre.uploads import Upload
from lib.checks.tables import read_uploaded_table
from lib.errors import Refused
from lib.hei.credentials import EMAIL
from lib.hei.mapping import CHANGES, POINTS, QUALITY_ONLY, READERS, _open_change_request
from lib.rules.holds import hei_hold_condition
from lib.rules.roles import QUALITY, User
from lib.rules.text import check_text
from lib.store.db import Database, Writer
from lib.store.scope import NotFound, centre_scope, reads_centre_data, require_role, writes_centre_data

NOT_QUALITY_ASSURED = ("The EQA has read examples of learners' work only to understand the programme: the work was "
                       "moderated by the HEI's own processes and has not been externally quality assured by ILM.")
FINDINGS = {"conferred_and_claimed": "Conferred and claimed", "claimed_not_on_list": "Claimed, not on the Exam Board list",
            "conferred_not_claimed": "Conferred by the Exam Board, not claimed on the order",
            "registered_not_certificated": "Registered on the order, not certificated",
            "on_list_not_on_order": "On the Exam Board list, not on the order"}
MAX_LIST_BYTES = 2 * 1024 * 1024
MAX_LIST_ROWS = 5_000


@dataclass(frozen=True)
class Listed:
    """One learner on the Exam Board list: the name as written and the ID (ENR) when given."""

    name: str
    enr: str | None


@dataclass(frozen=True)
class OrderLine:
    learner_id: int
    name: str
    enr: str
    claimed: bool


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", (text or "").lower())


def _read_table(upload: Upload, what: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """A small CSV or Excel upload as text cells, within its budget, with its headings by a plain key ("First
    name" -> "firstname")."""
    table = read_uploaded_table(upload.name, upload.data, MAX_LIST_ROWS, MAX_LIST_BYTES, what)
    columns = {re.sub(r"[\s_.\-]+", "", str(c)).lower(): c for c in table.columns}
    return table.fillna("").astype(str), columns


def read_exam_board_list(upload: Upload) -> list[Listed]:
    """The names and IDs of a CSV or Excel Exam Board list (a Name column, or First and Last name; an ID or ENR
    column when there is one), read within a budget."""
    table, columns = _read_table(upload, "an Exam Board list is a CSV (.csv) or Excel (.xlsx) file of names and IDs")
    if "name" in columns or "learnername" in columns or "fullname" in columns:
        names = table[columns.get("name") or columns.get("learnername") or columns["fullname"]]
    elif ("firstname" in columns or "forename" in columns) and ("lastname" in columns or "surname" in columns):
        names = (table[columns.get("firstname") or columns["forename"]].str.strip() + " "
                 + table[columns.get("lastname") or columns["surname"]].str.strip())
    else:
        raise Refused(f"{upload.name} has no Name column (or First name and Last name): the first row must name the "
                      "columns.")
    id_column = next((columns[c] for c in ("enr", "id", "learnerid", "studentid") if c in columns), None)
    ids = table[id_column].str.strip().str.upper() if id_column else pd.Series([""] * len(table))
    return [Listed(check_text(name, "name").strip(), enr or None) for name, enr in zip(names, ids)
            if name.strip()]


@dataclass(frozen=True)
class Finding:
    """A learner of the check (on the order or only on the list), what the check found, and how the list named them:
    "enr", "name" (the list gave no ID: quality confirms it is the same person) or None when not matched."""

    item: OrderLine | Listed
    finding: str
    matched_by: str | None = None


def reconcile(listed: list[Listed], order: list[OrderLine]) -> list[Finding]:
    """Every learner of the order and of the list with their finding, each of the five cases named: claimed and
    conferred, claimed and not on the list, conferred and not claimed, on the order and neither, on the list and
    not on the order. Where the list gives an ENR, only the same ENR matches: a namesake under
    another ENR is another person (the order's learner is not on the list, the listed one not on the order). A list
    entry without an ENR matches the same whole name, once, as a name-only match."""
    by_enr = {item.enr: index for index, item in reversed(list(enumerate(listed))) if item.enr}
    by_name: dict[str, list[int]] = {}
    for index, item in enumerate(listed):
        if not item.enr:
            by_name.setdefault(_key(item.name), []).append(index)
    found, used = [], set()
    for line in order:
        index, matched_by = by_enr.get(line.enr), "enr"
        if index is None or index in used:
            unused = [i for i in by_name.get(_key(line.name), []) if i not in used]
            index, matched_by = (unused[0], "name") if unused else (None, None)
        if index is not None:
            used.add(index)
        if line.claimed:
            found.append(Finding(line, "conferred_and_claimed" if index is not None else "claimed_not_on_list",
                                 matched_by))
        else:
            found.append(Finding(line, "conferred_not_claimed", matched_by) if index is not None
                         else Finding(line, "registered_not_certificated"))
    found += [Finding(item, "on_list_not_on_order") for index, item in enumerate(listed) if index not in used]
    return found


def _order(writer: Writer, programme_id: int, order_number: str) -> list[OrderLine]:
    return [OrderLine(*row) for row in writer.execute(
        """SELECT o.learner_id, l.first_name || ' ' || l.last_name, l.enr, o.claimed FROM hei_order_learners o
           JOIN learners l ON l.id = o.learner_id WHERE o.programme_id = ? AND o.order_number = ?
           ORDER BY l.last_name, l.first_name""", [programme_id, order_number]).fetchall()]


@writes_centre_data(probes={"programme_id": "hei_programme"})
def run_check(db: Database, user: User, programme_id: int, exam_board_date: date, minutes_title: str,
              order_number: str, mapping_version: int, programme_changed: bool, achievement_point: str,
              exam_board_list: Upload, change_description: str = "", now: datetime | None = None) -> int:
    """Record a release check; it passes when every learner claimed on the order is on the Exam Board list, the
    programme has not changed since its mapping, and no claimed learner is held. Returns the check's id."""
    require_role(user, (QUALITY,), QUALITY_ONLY)
    minutes_title = check_text(minutes_title or "", "minutes title").strip()
    order_number = check_text(order_number or "", "order number").strip()
    if not minutes_title or not order_number:
        raise Refused("Give the title of the Exam Board minutes seen and the Walled Garden order number.")
    if achievement_point not in POINTS:
        raise Refused("Confirm whether the ILM award is achieved at the end of the degree or part way through.")
    now = now or datetime.now()
    if exam_board_date is None or exam_board_date > now.date():
        raise Refused("The Exam Board's date is today or earlier.")
    if programme_changed and len((change_description or "").strip()) < 20:
        raise Refused("The programme has changed since its mapping: describe the change (20 characters at least); "
                      "it opens a change request.")
    if exam_board_list is None:
        raise Refused("Attach the Exam Board list (CSV or Excel).")
    listed = read_exam_board_list(exam_board_list)

    def work(writer: Writer) -> int:
        programme = writer.execute("SELECT centre_id, achievement_point FROM hei_programmes WHERE id = ?",
                                   [programme_id]).fetchone()
        if programme is None:
            raise NotFound(f"There is no mapped programme {programme_id}.")
        centre_id, mapped_point = programme
        if writer.execute("SELECT 1 FROM mapping_versions WHERE programme_id = ? AND version = ?",
                          [programme_id, mapping_version]).fetchone() is None:
            raise Refused(f"The programme has no mapping version {mapping_version}.")
        order = _order(writer, programme_id, order_number)
        if not order:
            raise Refused(f"Order {order_number} has no learners of this programme.")
        findings = reconcile(listed, order)
        held = {learner_id for (learner_id,) in writer.execute(
            f"""SELECT o.learner_id FROM hei_order_learners o JOIN hei_programmes p ON p.id = o.programme_id
                WHERE o.programme_id = ? AND o.order_number = ? AND o.claimed
                  AND {hei_hold_condition('p.centre_id', 'p.qualification_code', 'o.learner_id')}""",
            [programme_id, order_number]).fetchall()}
        missing = [f.item.name for f in findings if f.finding == "claimed_not_on_list"]
        by_name_only = [f.item.name for f in findings if f.matched_by == "name"]
        reasons = []
        if missing:
            reasons.append(f"claimed but not on the Exam Board list: {', '.join(missing)}")
        if programme_changed:
            reasons.append("the programme has changed since its mapping (a change request is open)")
        if held:
            reasons.append(f"{len(held)} claimed learner(s) held for a re-mapping")
        if achievement_point != mapped_point:
            reasons.append(f"the achievement point ({POINTS[achievement_point].lower()}) is not the mapping's")
        request_id = _open_change_request(writer, user, programme_id, centre_id, list(CHANGES), change_description.strip(),
                                  exam_board_date, [], now) if programme_changed else None
        check_id = writer.execute("SELECT nextval('seq_release_checks')").fetchone()[0]
        outcome = "Passed: every learner claimed was conferred by the Exam Board." if not reasons else \
            "Failed: " + "; ".join(reasons) + "."
        if by_name_only:
            outcome += (f" Matched by name only (the list gives no ID), for quality to confirm: "
                        f"{', '.join(by_name_only)}.")
        writer.execute("INSERT INTO release_checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [check_id, programme_id, centre_id, exam_board_date, minutes_title, order_number,
                        mapping_version, programme_changed, achievement_point, exam_board_list.name, not reasons,
                        outcome, request_id, now, user.id])
        for f in findings:
            learner_id = f.item.learner_id if isinstance(f.item, OrderLine) else None
            writer.execute("""INSERT INTO release_check_learners (check_id, learner_id, name, enr, finding, matched_by)
                              VALUES (?, ?, ?, ?, ?, ?)""", [check_id, learner_id, f.item.name, f.item.enr, f.finding,
                                                             f.matched_by])
        writer.audit("release_check", "hei_programme", programme_id, None,
                     {"check": check_id, "order": order_number, "passed": not reasons})
        return check_id

    return db.transact(user, work)


# A later check of the same order passed: the failed one was put right.
PASSED_SINCE = """EXISTS (SELECT 1 FROM release_checks later WHERE later.programme_id = {check}.programme_id
    AND later.order_number = {check}.order_number AND later.passed AND later.checked_at > {check}.checked_at)"""


@reads_centre_data()
def release_checks(db: Database, user: User) -> pd.DataFrame:
    require_role(user, READERS, QUALITY_ONLY)
    scope, params = centre_scope(user, "k.centre_id")
    frame = db.query_df(
        f"""SELECT k.id AS "Check", c.number AS "Centre", p.title AS "Programme", k.order_number AS "Order",
                   k.exam_board_date AS "Exam Board", k.mapping_version AS "Mapping version",
                   CASE WHEN k.passed THEN 'Passed' WHEN {PASSED_SINCE.format(check='k')} THEN 'Failed, passed since'
                        ELSE 'Failed' END AS "Result",
                   (SELECT count(*) FROM release_check_learners x WHERE x.check_id = k.id
                    AND x.finding = 'conferred_and_claimed') AS "Conferred and claimed",
                   CAST(k.checked_at AS DATE) AS "Checked"
            FROM release_checks k JOIN hei_programmes p ON p.id = k.programme_id JOIN centres c ON c.id = k.centre_id
            WHERE {scope} ORDER BY k.checked_at DESC, k.id DESC""", params)
    return frame.drop(columns=["Centre"]) if user.is_centre else frame


@reads_centre_data(probes={"check_id": "release_check"})
def check_detail(db: Database, user: User, check_id: int) -> tuple[dict, pd.DataFrame]:
    """The check as recorded (with the EQA's statement) and its learners by finding."""
    require_role(user, READERS, QUALITY_ONLY)
    scope, params = centre_scope(user, "k.centre_id")
    row = db.query_one(
        f"""SELECT k.programme_id, p.title, k.exam_board_date, k.minutes_title, k.order_number, k.mapping_version,
                   k.programme_changed, k.achievement_point, k.list_name, k.passed, k.outcome, k.change_request_id,
                   CAST(k.checked_at AS DATE), u.name
            FROM release_checks k JOIN hei_programmes p ON p.id = k.programme_id LEFT JOIN users u ON u.id = k.checked_by
            WHERE k.id = ? AND {scope}""", [check_id, *params])
    if row is None:
        raise NotFound(f"There is no release check {check_id}.")
    keys = ("programme_id", "programme", "exam_board_date", "minutes_title", "order_number", "mapping_version",
            "programme_changed", "achievement_point", "list_name", "passed", "outcome", "change_request_id",
            "checked_on", "checked_by")
    detail = dict(zip(keys, row)) | {"check_id": check_id, "statement": NOT_QUALITY_ASSURED}
    learners = db.query_df("""SELECT finding, name AS "Learner", coalesce(enr, '') AS "ENR",
                                     CASE matched_by WHEN 'enr' THEN 'ENR' WHEN 'name' THEN 'Name only: confirm'
                                          ELSE '' END AS "Matched by"
                              FROM release_check_learners WHERE check_id = ? ORDER BY finding, name""", [check_id])
    learners.insert(0, "Finding", learners.pop("finding").map(FINDINGS))
    return detail, learners


@writes_centre_data(probes={"check_id": "release_check"})
def release_order(db: Database, user: User, check_id: int, now: datetime | None = None) -> tuple[int, list[str]]:
    """Release the ILM results of the order a passed check covers: its claimed learners conferred by the Exam Board,
    except any held for a re-mapping (named). Returns how many were released and the names held back."""
    require_role(user, (QUALITY,), QUALITY_ONLY)
    now = now or datetime.now()

    def work(writer: Writer) -> tuple[int, list[str]]:
        row = writer.execute("SELECT programme_id, order_number, passed FROM release_checks WHERE id = ?",
                             [check_id]).fetchone()
        if row is None:
            raise NotFound(f"There is no release check {check_id}.")
        programme_id, order_number, passed = row
        if not passed:
            raise Refused(f"Release check {check_id} failed: nothing of order {order_number} is released until a "
                          "check of it passes.")
        held = [name for (name,) in writer.execute(
            f"""SELECT l.first_name || ' ' || l.last_name FROM hei_order_learners o JOIN learners l
                ON l.id = o.learner_id JOIN hei_programmes p ON p.id = o.programme_id
                WHERE o.programme_id = ? AND o.order_number = ? AND o.claimed AND o.released_at IS NULL
                  AND {hei_hold_condition('p.centre_id', 'p.qualification_code', 'o.learner_id')}""",
            [programme_id, order_number]).fetchall()]
        released = writer.execute(
            f"""UPDATE hei_order_learners o SET released_at = ? FROM hei_programmes p
                WHERE p.id = o.programme_id AND o.programme_id = ? AND o.order_number = ? AND o.claimed
                  AND o.released_at IS NULL
                  AND o.learner_id IN (SELECT learner_id FROM release_check_learners WHERE check_id = ?
                                       AND finding = 'conferred_and_claimed')
                  AND NOT {hei_hold_condition('p.centre_id', 'p.qualification_code', 'o.learner_id')}
                RETURNING o.learner_id""", [now, programme_id, order_number, check_id]).fetchall()
        writer.audit("hei_order_released", "release_check", check_id, None,
                     {"order": order_number, "released": len(released), "held": held})
        return len(released), held

    return db.transact(user, work)


@reads_centre_data(probes={"programme_id": "hei_programme"})
def orders(db: Database, user: User, programme_id: int) -> pd.DataFrame:
    """The Walled Garden orders of the programme's learners: how many registered, claimed and released."""
    require_role(user, READERS, QUALITY_ONLY)
    scope, params = centre_scope(user, "p.centre_id")
    return db.query_df(
        f"""SELECT o.order_number AS "Order", count(*) AS "Registered", count(*) FILTER (WHERE o.claimed) AS "Claimed",
                   count(o.released_at) AS "Released"
            FROM hei_order_learners o JOIN hei_programmes p ON p.id = o.programme_id
            WHERE o.programme_id = ? AND {scope} GROUP BY 1 ORDER BY 1""", [programme_id, *params])


@writes_centre_data(probes={"programme_id": "hei_programme"})
def import_order(db: Database, user: User, programme_id: int, order_number: str, upload: Upload,
                 now: datetime | None = None) -> int:
    """Quality records a Walled Garden order of the programme from its export (CSV or Excel: ENR, Email, and Claimed
    yes or no): who is registered on it and who was claimed for ILM achievement; all rows or none. An order already
    recorded is refused. Returns how many learners it holds."""
    require_role(user, (QUALITY,), QUALITY_ONLY)
    order_number = check_text(order_number or "", "order number").strip()
    if not order_number:
        raise Refused("Give the Walled Garden order number.")
    if upload is None:
        raise Refused("Attach the order's export (CSV or Excel).")
    table = _order_table(upload)
    now = now or datetime.now()

    def work(writer: Writer) -> int:
        programme = writer.execute("SELECT centre_id, qualification_code FROM hei_programmes WHERE id = ?",
                                   [programme_id]).fetchone()
        if programme is None:
            raise NotFound(f"There is no mapped programme {programme_id}.")
        if writer.execute("SELECT 1 FROM hei_order_learners WHERE order_number = ?", [order_number]).fetchone():
            raise Refused(f"Order {order_number} is recorded already.")
        known = dict(writer.execute(
            """SELECT l.enr, l.id FROM learners l JOIN registrations r ON r.learner_id = l.id
               WHERE l.centre_id = ? AND r.qualification_code = ?""", programme).fetchall())
        unknown = [enr for enr in table.enr if enr not in known]
        if unknown:
            raise Refused(f"{len(unknown)} ENR(s) are not registered at the university on {programme[1]}: "
                          f"{', '.join(unknown[:5])}{'…' if len(unknown) > 5 else ''}.")
        for row in table.itertuples(index=False):
            writer.execute("INSERT INTO hei_order_learners VALUES (?, ?, ?, ?, ?, NULL)",
                           [order_number, programme_id, known[row.enr], row.email or None, row.claimed])
        writer.audit("hei_order_recorded", "hei_programme", programme_id, None,
                     {"order": order_number, "learners": len(table), "claimed": int(table.claimed.sum())})
        return len(table)

    return db.transact(user, work)


def _order_table(upload: Upload) -> pd.DataFrame:
    raw, columns = _read_table(upload, "an order's export is a CSV (.csv) or Excel (.xlsx) file of ENR, Email and Claimed")
    if "enr" not in columns or "claimed" not in columns:
        raise Refused(f"{upload.name} needs the columns ENR and Claimed (yes or no); Email where known.")
    claimed = raw[columns["claimed"]].str.strip().str.lower()
    if not claimed.isin(["yes", "no", "y", "n", "true", "false"]).all():
        raise Refused("Claimed is yes or no on every row.")
    table = pd.DataFrame({"enr": raw[columns["enr"]].str.strip().str.upper(),
                          "email": raw[columns["email"]].str.strip() if "email" in columns else "",
                          "claimed": claimed.isin(["yes", "y", "true"])})
    table = table[table.enr != ""]
    if table.empty:
        raise Refused(f"{upload.name} lists no learners.")
    # The emails go on to the Badge Claim: one that is not an address would only fail there, later.
    bad_email = table[(table.email != "") & ~table.email.map(lambda text: bool(EMAIL.fullmatch(text)))]
    if not bad_email.empty:
        first = bad_email.iloc[0]
        raise Refused(f"The email of {first.enr} is not an email address ({first.email[:100]!r}): correct the "
                      "export and upload it again.")
    if table.enr.duplicated().any():
        raise Refused(f"ENR {table.enr[table.enr.duplicated()].iloc[0]} is on the order twice.")
    return table
