"""ILM Mapped: the reconciliation's three lists on a hand-made fixture, holds blocking release, claims and
credentials, every refusal of the Badge Claim, mapping-document versions, and the decisions on changes."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from lib.centre.uploads import Upload
from lib.errors import NotAllowed, NotFound, Refused
from lib.hei import credentials, mapping, release_check
from lib.hei.release_check import Listed, OrderLine, reconcile
from lib.service import release
from tests import samples
from tests.conftest import load_user

NOW = datetime(2026, 11, 23, 12)
TODAY = NOW.date()


def test_the_reconciliation_sorts_learners_into_its_lists():
    order = [OrderLine(1, "Aisha Ahmed", "UNB1000", True), OrderLine(2, "Ben Baker", "UNB1001", True),
             OrderLine(3, "Chloe Carter", "UNB1002", False), OrderLine(4, "Dan Doyle", "UNB1003", False)]
    listed = [Listed("AISHA  AHMED", None),          # by name, whatever the case and spacing
              Listed("Daniel Doyle", "UNB1003"),      # by ID, whatever the name says
              Listed("Eve Evans", "UNB9999")]         # conferred but not on the order
    findings = {(f.item.name, f.finding, f.matched_by) for f in reconcile(listed, order)}
    assert findings == {("Aisha Ahmed", "conferred_and_claimed", "name"), ("Ben Baker", "claimed_not_on_list", None),
                        ("Chloe Carter", "registered_not_certificated", None),
                        ("Dan Doyle", "conferred_not_claimed", "enr"), ("Eve Evans", "on_list_not_on_order", None)}


def test_every_list_and_order_case_is_reported_and_named():
    # A hand-made order and Exam Board list with one learner in each of the five cases.
    order = [OrderLine(1, "Aisha Ahmed", "UNB1000", True),     # claimed, conferred
             OrderLine(2, "Ben Baker", "UNB1001", True),       # claimed, not on the list
             OrderLine(3, "Lucy Lewis", "UNB1011", False),     # conferred, not claimed
             OrderLine(4, "Dan Doyle", "UNB1003", False)]      # on the order, neither
    listed = [Listed("Aisha Ahmed", "UNB1000"), Listed("Lucy Lewis", "UNB1011"),
              Listed("Eve Evans", "UNB9999")]                  # on the list, not on the order
    findings = sorted((f.item.name, f.finding) for f in reconcile(listed, order))
    assert findings == [("Aisha Ahmed", "conferred_and_claimed"), ("Ben Baker", "claimed_not_on_list"),
                        ("Dan Doyle", "registered_not_certificated"), ("Eve Evans", "on_list_not_on_order"),
                        ("Lucy Lewis", "conferred_not_claimed")]
    assert set(release_check.FINDINGS) == {finding for _, finding in findings}


def test_a_namesake_under_another_enr_is_another_person():
    # The list's Lucy Lewis is UNB9999; the order's is UNB1011: she is not on the list, and theirs is not on the order.
    order = [OrderLine(1, "Lucy Lewis", "UNB1011", True), OrderLine(2, "Omar Odell", "UNB1012", True)]
    listed = [Listed("Lucy Lewis", "UNB9999"), Listed("Omar O'Dell", "UNB1012")]
    findings = {(f.item.name, f.finding, f.matched_by) for f in reconcile(listed, order)}
    assert findings == {("Lucy Lewis", "claimed_not_on_list", None), ("Omar Odell", "conferred_and_claimed", "enr"),
                        ("Lucy Lewis", "on_list_not_on_order", None)}
    # One name-only line on the list confirms one learner of that name, not two.
    twins = [OrderLine(1, "Sam Smith", "UNB2001", True), OrderLine(2, "Sam Smith", "UNB2002", True)]
    findings = [(f.item.enr, f.finding) for f in reconcile([Listed("Sam Smith", None)], twins)]
    assert sorted(findings) == [("UNB2001", "conferred_and_claimed"), ("UNB2002", "claimed_not_on_list")]


def test_a_check_on_names_only_passes_with_a_warning_to_confirm(db, people):
    quality = people["quality"]
    names = [r[0] for r in db.query_all("""SELECT l.first_name || ' ' || l.last_name FROM hei_order_learners o
                                           JOIN learners l ON l.id = o.learner_id WHERE o.order_number = 'WG-271828'""")]
    check = run_bsc_check(db, quality, pd.DataFrame({"Name": names}))
    detail, learners = release_check.check_detail(db, quality, check)
    assert detail["passed"] and "Matched by name only" in detail["outcome"] and names[0] in detail["outcome"]
    assert set(learners["Matched by"]) == {"Name only: confirm"}
    enrs = [r[0] for r in db.query_all("""SELECT l.enr FROM hei_order_learners o JOIN learners l
                                          ON l.id = o.learner_id WHERE o.order_number = 'WG-271828'""")]
    wrong = [*enrs[:-1], "UNB9999"]  # the last learner's namesake under another ENR
    check = run_bsc_check(db, quality, pd.DataFrame({"Name": names, "ENR": wrong}))
    detail, learners = release_check.check_detail(db, quality, check)
    assert not detail["passed"] and f"claimed but not on the Exam Board list: {names[-1]}" in detail["outcome"]
    assert "Matched by name only" not in detail["outcome"]


def test_the_exam_board_list_is_read_from_csv_or_excel_with_either_name_columns():
    csv = Upload("board.csv", b"First name,Surname,Student ID\nAisha,Ahmed,unb1000\n,,\n")
    assert release_check.read_exam_board_list(csv) == [Listed("Aisha Ahmed", "UNB1000")]
    buffer = io.BytesIO()
    pd.DataFrame({"Name": ["Ben Baker"]}).to_excel(buffer, index=False)
    assert release_check.read_exam_board_list(Upload("board.xlsx", buffer.getvalue())) == [Listed("Ben Baker", None)]
    with pytest.raises(Refused, match="no Name column"):
        release_check.read_exam_board_list(Upload("board.csv", b"Learner,Grade\nA,1\n"))
    with pytest.raises(Refused, match="CSV .* or Excel"):
        release_check.read_exam_board_list(Upload("board.pdf", samples.pdf_document()))
    with pytest.raises(Refused, match="at most 2 MB"):
        release_check.read_exam_board_list(Upload("board.csv", b"Name\n" + b"x" * (3 * 1024 * 1024)))


@pytest.fixture
def people(db):
    return {name: load_user(db, f"{name}.demo") for name in ("quality", "university", "centre", "team")}


def programme(db, title: str) -> int:
    return db.query_one("SELECT id FROM hei_programmes WHERE title = ?", [title])[0]


MBA, BSC = "MBA Leadership and Management", "BSc Business Management"


def test_mapping_versions_keep_the_earlier_ones_readable(db, people):
    quality, university = people["quality"], people["university"]
    bsc = programme(db, BSC)
    versions = mapping.mapping_versions(db, university, bsc)
    assert versions.Version.tolist() == [2, 1] and versions["In force"].tolist() == ["Yes", ""]
    name, content = mapping.mapping_document(db, university, bsc, 1)
    assert name.endswith("v1.docx") and content[:2] == b"PK"
    assert mapping.mapping_table(db, quality, bsc, 1).equals(mapping.mapping_table(db, quality, bsc, 2))
    with pytest.raises(NotFound):
        mapping.mapping_document(db, university, bsc, 9)
    with pytest.raises(NotFound):
        mapping.mapping_versions(db, people["centre"], bsc)


def test_a_minor_change_is_a_new_version_and_a_remapping_holds_and_removes_dcs(db, people):
    quality, university = people["quality"], people["university"]
    mba = programme(db, MBA)
    assert len(mapping.route_learners(db, university, mba)) >= 6
    minor = mapping.submit_change(db, university, mba, ["title"], "Module 1 renamed 'Leading high-performing teams'.",
                                  TODAY, [], now=NOW)
    with pytest.raises(Refused, match="attach it"):
        mapping.decide_change(db, quality, minor, False, "A module title only.", None, now=NOW)
    with pytest.raises(NotAllowed):
        mapping.decide_change(db, university, minor, True, "We decide ourselves.", now=NOW)
    mapping.decide_change(db, quality, minor, False, "A module title only.",
                          Upload("MBA v2.docx", samples.word_document()), now=NOW)
    assert mapping.mapping_versions(db, quality, mba).Version.tolist()[0] == 2
    with pytest.raises(Refused, match="decided already"):
        mapping.decide_change(db, quality, minor, True, "Changed my mind.", now=NOW)
    # The demo's re-mapping removed the MBA's Direct Claim Status; finishing it gives it back and ends the hold.
    open_request = db.query_one("SELECT id FROM hei_change_requests WHERE status = 'remapping'")[0]
    assert mapping.mapped_programmes(db, quality).set_index("Programme").loc[mba, "Direct Claim Status"] == "No"
    assert len(mapping.held_learners(db, university)) == 3
    mapping.finish_remapping(db, quality, open_request, Upload("MBA v3.docx", samples.word_document()), None,
                             "Consultancy project mapped to units 2 and 3", now=NOW)
    assert mapping.mapped_programmes(db, quality).set_index("Programme").loc[mba, "Direct Claim Status"] == "Yes"
    assert mapping.held_learners(db, university).empty
    with pytest.raises(Refused, match="not waiting for a re-mapping"):
        mapping.finish_remapping(db, quality, open_request, Upload("MBA v4.docx", samples.word_document()), None, "",
                                 now=NOW)


def test_a_change_request_names_only_the_universitys_own_learners(db, people):
    university = people["university"]
    stranger = db.query_one("SELECT min(id) FROM learners WHERE centre_id = ?", [people["centre"].centre_id])[0]
    with pytest.raises(Refused, match="is not registered at your centre"):
        mapping.submit_change(db, university, programme(db, MBA), ["content"], "A new module on digital strategy.",
                              TODAY, [stranger], now=NOW)
    with pytest.raises(NotFound):
        mapping.submit_change(db, people["centre"], programme(db, MBA), ["content"],
                              "A new module on digital strategy.", TODAY, [], now=NOW)


def held_learner(db) -> int:
    return db.query_one("SELECT learner_ids[1] FROM hei_change_requests WHERE status = 'remapping'")[0]


def test_a_hold_blocks_release_and_claims_of_the_learners_items(db, people):
    team = people["team"]
    learner = held_learner(db)
    qualification, centre_id = db.query_one("""SELECT p.qualification_code, p.centre_id FROM hei_change_requests h
                                               JOIN hei_programmes p ON p.id = h.programme_id
                                               WHERE h.status = 'remapping'""")
    item = db.query_one("SELECT max(id) FROM submissions")[0] + 1
    with db.cursor() as cursor:  # an item of the held learner, marked and ready to release
        cursor.execute("""INSERT INTO submissions (id, centre_id, learner_id, qualification_code, type, stage,
                              category, unit_codes, uploaded_at, uploaded_by, submitted_at, sla_target)
                          VALUES (?, ?, ?, ?, 'Unit', 'ready', 'New', ?, ?, 1, ?, ?)""",
                       [item, centre_id, learner, qualification, "8000-250", NOW, NOW, TODAY])
        cursor.execute("INSERT INTO submission_units VALUES (?, '8000-250', 'Pass', 70, 'Fine', ?, 1)", [item, NOW])
    queue = release.release_queue(db, team).rows
    assert queue.set_index("ID").loc[item, "Hold"] == "Held"
    with pytest.raises(Refused, match="waiting for its re-mapping"):
        release.release(db, team, [item], now=NOW)
    with db.cursor() as cursor:
        cursor.execute("UPDATE submissions SET stage = 'released', released_at = ?, result = 'Pass' WHERE id = ?",
                       [NOW, item])
    assert item not in set(release.claims_to_make(db, team).ID)
    with pytest.raises(Refused, match="not a released pass"):
        release.mark_claimed(db, team, [(item, "8000-250")], now=NOW)


def test_a_failed_check_releases_nothing_and_a_passed_one_releases_its_order(db, people):
    quality = people["quality"]
    failed = db.query_one("SELECT id FROM release_checks WHERE NOT passed")[0]
    with pytest.raises(Refused, match="nothing of order WG-271828 is released"):
        release_check.release_order(db, quality, failed, now=NOW)
    detail, learners = release_check.check_detail(db, people["university"], failed)
    assert "claimed but not on the Exam Board list" in detail["outcome"]
    assert "not been externally quality assured" in detail["statement"]
    assert (learners.Finding == "Claimed, not on the Exam Board list").sum() == 1
    with pytest.raises(Refused, match="only after a check passes"):
        credentials.badge_claim_preview(db, quality, failed)


def run_bsc_check(db, quality, board: pd.DataFrame, changed: bool = False, change: str = ""):
    return release_check.run_check(db, quality, programme(db, BSC), TODAY, "BSc Exam Board, resit", "WG-271828", 2,
                                   changed, "part_way", Upload("board.csv", board.to_csv(index=False).encode()),
                                   change, now=NOW)


def test_a_check_that_finds_a_change_opens_a_request_and_fails(db, people):
    quality = people["quality"]
    names = [r[0] for r in db.query_all("""SELECT l.first_name || ' ' || l.last_name FROM hei_order_learners o
                                           JOIN learners l ON l.id = o.learner_id WHERE o.order_number = 'WG-271828'""")]
    check = run_bsc_check(db, quality, pd.DataFrame({"Name": names}), True,
                          "A new dissertation module replaces two taught modules from January.")
    detail, _ = release_check.check_detail(db, quality, check)
    assert not detail["passed"] and "changed since its mapping" in detail["outcome"]
    assert db.query_one("SELECT status FROM hei_change_requests WHERE id = ?", [detail["change_request_id"]])[0] == \
        "submitted"
    check = run_bsc_check(db, quality, pd.DataFrame({"Name": names}))
    assert release_check.check_detail(db, quality, check)[0]["passed"]
    assert release_check.release_order(db, quality, check, now=NOW) == (5, [])


def test_every_badge_claim_refusal_has_its_reason(db, people):
    quality = people["quality"]
    passed = db.query_one("SELECT id FROM release_checks WHERE passed")[0]
    rows, refused = credentials.badge_claim_preview(db, quality, passed)
    reasons = dict(zip(refused.Learner, refused.Reason))
    # The demo issued these already; one learner had no email; one on the order was not claimed (not listed).
    assert set(reasons.values()) == {"already holds this credential (same email or ENR)",
                                     "no email address: a credential is sent by email"}
    assert rows.empty
    candidates = pd.DataFrame([
        {"learner_id": 1, "first_name": "A", "last_name": "One", "enr": "E1", "email": "a@x.org", "held": False,
         "conferred": True, "issued": False},
        {"learner_id": 2, "first_name": "B", "last_name": "Two", "enr": "E2", "email": "A@X.ORG", "held": False,
         "conferred": True, "issued": False},
        {"learner_id": 3, "first_name": "C", "last_name": "Three", "enr": "E1", "email": "c@x.org", "held": False,
         "conferred": True, "issued": False},
        {"learner_id": 4, "first_name": "D", "last_name": "Four", "enr": "E4", "email": "d@x.org", "held": True,
         "conferred": True, "issued": False},
        {"learner_id": 5, "first_name": "E", "last_name": "Five", "enr": "E5", "email": "e@x.org", "held": False,
         "conferred": False, "issued": False},
        {"learner_id": 6, "first_name": "F", "last_name": "Six", "enr": "E6", "email": "not-an-email",
         "held": False, "conferred": True, "issued": False}])
    kept, refused = credentials.sort_claims(candidates)
    assert [row["learner_id"] for row in kept] == [1]
    assert [r["Reason"] for r in refused] == [
        "twice in this claim (same email or ENR)", "twice in this claim (same email or ENR)",
        "results held for a re-mapping", "not conferred and claimed on this passed check",
        "no email address: a credential is sent by email"]


def test_issuing_writes_the_sheet_once_and_the_assertions(db, people):
    quality = people["quality"]
    names = [r[0] for r in db.query_all("""SELECT l.first_name || ' ' || l.last_name FROM hei_order_learners o
                                           JOIN learners l ON l.id = o.learner_id WHERE o.order_number = 'WG-271828'""")]
    check = run_bsc_check(db, quality, pd.DataFrame({"Name": names}))
    with pytest.raises(Refused, match="no credential metadata"):
        credentials.issue_badge_claims(db, quality, check, today=TODAY)
    credentials.save_metadata(db, quality, programme(db, BSC), "ILM-UNB-BSC-L5", "BSc with ILM Level 5", "Dual",
                              "Conferred and claimed", ["Teams"], Upload("logo.png", samples_png()), now=NOW)
    claim = credentials.issue_badge_claims(db, quality, check, today=TODAY)
    # Credly's bulk-issue template, as its help article gives it: required columns A, B, C, E and F, every header
    # kept, dates mm/dd/yy.
    table = list(csv.reader(io.StringIO(claim.credly_csv.decode("utf-8"))))
    header, rows = table[0], table[1:]
    assert [header[i] for i in (0, 1, 2, 4, 5)] == ["Badge Template ID", "Recipient Email", "First Name", "Last Name",
                                                    "Issued at Date"]
    assert {"Expiration Date", "Issuer Earner ID", "Country", "State or Province", "Evidence Name", "Evidence URL",
            "ID Evidence Title", "ID Evidence Description", "Locale"} <= set(header)
    assert len(rows) == 4 and all(len(row) == len(header) for row in rows)  # the order's learner without an email
    first = dict(zip(header, rows[0]))
    assert first["Badge Template ID"] == "ILM-UNB-BSC-L5" and first["Issued at Date"] == f"{TODAY:%m/%d/%y}"
    assert first["Issuer Earner ID"].startswith("UNB") and "@" in first["Recipient Email"]
    assert [r["Reason"] for r in claim.refused] == ["no email address: a credential is sent by email"]
    sheet = openpyxl.load_workbook(io.BytesIO(claim.record_xlsx)).active
    assert [cell.value for cell in sheet[1]] == credentials.RECORD_COLUMNS and sheet.max_row - 1 == 4
    assert sheet["F2"].value == first["Issuer Earner ID"] and sheet["J2"].value == db.query_one(
        "SELECT qualification_code FROM hei_programmes WHERE title = ?", [BSC])[0]
    with pytest.raises(Refused, match="No learner of this check"):
        credentials.issue_badge_claims(db, quality, check, today=TODAY)
    documents = json.loads(credentials.assertions(db, people["university"], check, "https://ilm.example"))
    assert len(documents) == 4
    first = documents[0]
    assert first["type"] == "Assertion" and first["recipient"]["hashed"] is True
    assert first["recipient"]["identity"].startswith("sha256$") and "students.northbridge" not in json.dumps(first)
    assert {"id", "type", "recipient", "badge", "verification", "issuedOn"} <= set(first)


def samples_png() -> bytes:
    return bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                         "1f15c4890000000d49444154789c6360000000000200015e2b3e3d0000000049454e44ae426082")


def test_a_logo_must_be_an_image(db, people):
    with pytest.raises(Refused, match="not a PNG or JPEG"):
        credentials.save_metadata(db, people["quality"], programme(db, BSC), "T", "N", "D", "C", [],
                                  Upload("logo.png", b"<svg onload=alert(1)>"), now=NOW)


def test_only_quality_runs_checks_and_the_university_sees_only_its_own(db, people):
    with pytest.raises(NotAllowed):
        release_check.release_order(db, people["university"], 1)
    assert release_check.release_checks(db, people["centre"]).empty
    assert len(release_check.release_checks(db, people["university"])) == 2


def test_an_order_is_recorded_from_its_export_once_and_only_with_the_universitys_learners(db, people):
    quality = people["quality"]
    bsc = programme(db, BSC)
    free = [enr for (enr,) in db.query_all(
        """SELECT l.enr FROM learners l JOIN registrations r ON r.learner_id = l.id JOIN hei_programmes p
           ON p.qualification_code = r.qualification_code AND p.centre_id = l.centre_id WHERE p.id = ?
           AND l.id NOT IN (SELECT learner_id FROM hei_order_learners) ORDER BY 1""", [bsc])]
    export = "ENR,Email,Claimed\n" + "\n".join(f"{enr},{enr.lower()}@uni.example,{'yes' if i else 'no'}"
                                                for i, enr in enumerate(free[:3])) + "\n"
    assert release_check.import_order(db, quality, bsc, "WG-300001", Upload("order.csv", export.encode()),
                                      now=NOW) == 3
    listed = release_check.orders(db, people["university"], bsc).set_index("Order").loc["WG-300001"]
    assert (listed.Registered, listed.Claimed, listed.Released) == (3, 2, 0)
    with pytest.raises(Refused, match="recorded already"):
        release_check.import_order(db, quality, bsc, "WG-300001", Upload("order.csv", export.encode()), now=NOW)
    stranger = db.query_one("SELECT min(enr) FROM learners WHERE centre_id = ?", [people["centre"].centre_id])[0]
    with pytest.raises(Refused, match="not registered at the university"):
        release_check.import_order(db, quality, bsc, "WG-300002",
                                   Upload("order.csv", f"ENR,Claimed\n{stranger},yes\n".encode()), now=NOW)
    with pytest.raises(Refused, match="Claimed is yes or no"):
        release_check.import_order(db, quality, bsc, "WG-300003",
                                   Upload("order.csv", f"ENR,Claimed\n{free[0]},maybe\n".encode()), now=NOW)
    with pytest.raises(NotAllowed):
        release_check.import_order(db, people["university"], bsc, "WG-300004", Upload("o.csv", b"ENR"), now=NOW)
    assert db.query_one("SELECT count(*) FROM hei_order_learners WHERE order_number LIKE 'WG-30000_'")[0] == 3
