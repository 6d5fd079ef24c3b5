"""ILM Mapped in the demo, taken through lib as the team, quality and the university would: one HEI centre with two
mapped programmes (the ILM award at the end of one degree, part way through the other), a minor change done, a
re-mapping open that holds three learners' results, a passed release check with its Badge Claim issued, and a
failed check where a claimed learner is missing from the Exam Board list."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import docx
import pandas as pd

from lib.accounts.auth import user_by_username
from lib.admin import accounts as admin_accounts
from lib.admin import centres as admin_centres
from lib.admin.registrations import apply_import
from lib.centre.uploads import Upload
from lib.hei import credentials, mapping, release_check
from lib.hei.mapping import MappingRow
from lib.store.db import Database, Writer

HEI_NUMBER, HEI_NAME = "091234", "University of Northbridge"
HEI_UKPRN = 10_089_999  # beside the demo centres' (lib.demo.DEMO_UKPRN_BASE + centre id)
FIRST = ["Aisha", "Ben", "Chloe", "Daniel", "Ella", "Finn", "Grace", "Hassan", "Isla", "Jack", "Kiran", "Lucy",
         "Mason", "Nina", "Omar", "Poppy", "Rhys", "Sofia"]
LAST = ["Ahmed", "Baker", "Carter", "Doyle", "Evans", "Foster", "Gill", "Hughes", "Iqbal", "Jones", "Khan", "Lewis",
        "Morgan", "Nash", "Owen", "Price", "Reid", "Shaw"]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour))


def mapping_document(title: str, version: int, rows: list[MappingRow]) -> bytes:
    """A real Word mapping document: the programme, the version, and the modules mapped to units."""
    document = docx.Document()
    document.add_heading(f"{title}: mapping to the ILM qualification", level=1)
    document.add_paragraph(f"Mapping document version {version}, issued by ILM's Quality Delivery Team.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "HEI module", "ILM unit"
    for row in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = row.hei_module, row.unit_code
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _university(db: Database, today: date) -> list[str]:
    """The HEI centre, its approvals and its account; returns the qualifications it is approved for."""
    team = user_by_username(db, "team.demo")
    qualifications = [code for (code,) in db.query_all(
        """SELECT q.qualification_code FROM qualification_units q GROUP BY 1 HAVING count(*) >= 3
           ORDER BY 1 LIMIT 2""")]
    admin_centres.create_centre(db, team, HEI_NUMBER, HEI_NAME, "Dr Helen Marsh", "h.marsh@northbridge.example",
                                is_hei=True, now=_at(today - timedelta(days=700), 9))
    admin_centres.set_ukprn(db, team, HEI_NUMBER, HEI_UKPRN)
    for code in qualifications:
        admin_centres.set_approval(db, team, HEI_NUMBER, code, True, today=today - timedelta(days=690))
    admin_accounts.create_account(db, team, "university.demo", "Helen Marsh", "university@demo.ilm-assessment.example",
                                  "centre", HEI_NUMBER, "Dr Helen Marsh", now=_at(today - timedelta(days=680), 9))
    demo_hash = db.query_one("SELECT password_hash FROM users WHERE username = 'centre.demo'")[0]

    def demo_password(writer: Writer) -> None:
        writer.execute("UPDATE users SET password_hash = ?, must_change_password = FALSE WHERE username = ?",
                       [demo_hash, "university.demo"])
        writer.audit("demo_passwords", "user", None, after={"accounts": 1, "password": "the README's"})

    db.transact(team, demo_password)
    rows = []
    for index in range(18):
        code = qualifications[index % len(qualifications)]
        rows.append({"Centre Number": HEI_NUMBER, "ENR": f"UNB{1000 + index}", "First Name": FIRST[index],
                     "Last Name": LAST[index], "Qualification Code": code,
                     "Registration Date": (today - timedelta(days=400)).strftime("%d/%m/%Y"),
                     "Expiry Date": (today + timedelta(days=700)).strftime("%d/%m/%Y")})
    apply_import(db, team, "walled-garden-university.csv", pd.DataFrame(rows).to_csv(index=False).encode(),
                 now=_at(today - timedelta(days=400), 10))
    return qualifications


def _learners(db: Database, qualification: str) -> list[tuple[int, str, str]]:
    return db.query_all("""SELECT l.id, l.first_name || ' ' || l.last_name, l.enr FROM learners l
                           JOIN registrations r ON r.learner_id = l.id JOIN centres c ON c.id = l.centre_id
                           WHERE c.number = ? AND r.qualification_code = ? ORDER BY l.enr""",
                        [HEI_NUMBER, qualification])


def _order(db: Database, order_number: str, programme_id: int, learners: list, claimed: int) -> None:
    """A Walled Garden order: every learner registered on it, the first `claimed` claimed for ILM achievement."""
    def work(writer: Writer) -> None:
        for index, (learner_id, name, _) in enumerate(learners):
            email = None if index == 1 else f"{name.lower().replace(' ', '.')}@students.northbridge.example"
            writer.execute("INSERT INTO hei_order_learners VALUES (?, ?, ?, ?, ?, NULL)",
                           [order_number, programme_id, learner_id, email, index < claimed])
        writer.audit("demo_walled_garden_order", "hei_programme", programme_id, None, {"order": order_number})

    db.transact(None, work, actor_name="demo seeding")


def add_hei(db: Database, today: date) -> None:
    quality = user_by_username(db, "quality.demo")
    qualifications = _university(db, today)
    university = user_by_username(db, "university.demo")
    units = {code: [u for (u,) in db.query_all("SELECT unit_code FROM qualification_units WHERE qualification_code = ? "
                                               "ORDER BY 1 LIMIT 3", [code])] for code in qualifications}
    ids = {}
    for (title, point, dcs), code in zip((("MBA Leadership and Management", "end_of_degree", True),
                                          ("BSc Business Management", "part_way", False)), qualifications):
        rows = [MappingRow(f"Module {index + 1}: {name}", unit) for index, (name, unit) in enumerate(zip(
            ("Leading teams", "Managing change", "Strategic planning"), units[code]))]
        ids[title] = mapping.create_programme(
            db, quality, HEI_NUMBER, title, code, point, dcs,
            Upload(f"{title} mapping v1.docx", mapping_document(title, 1, rows)), rows, today - timedelta(days=600),
            now=_at(today - timedelta(days=600), 10))
    mba, bsc = ids["MBA Leadership and Management"], ids["BSc Business Management"]
    mba_learners, bsc_learners = _learners(db, qualifications[0]), _learners(db, qualifications[1])
    # A minor change: a module renamed; the Quality Delivery Team issued version 2.
    minor = mapping.submit_change(db, university, bsc, ["title"], "Module 2 is renamed 'Leading change in "
                                  "organisations'; its content and assessment are unchanged.",
                                  today - timedelta(days=200), [], now=_at(today - timedelta(days=210), 11))
    bsc_rows = [MappingRow(r[0], r[1]) for r in db.query_all(
        "SELECT hei_module, unit_code FROM mapping_rows WHERE programme_id = ? AND version = 1", [bsc])]
    mapping.decide_change(db, quality, minor, False, "A module title only: a minor change to the mapping document.",
                          Upload("BSc Business Management mapping v2.docx",
                                 mapping_document("BSc Business Management", 2, bsc_rows)),
                          now=_at(today - timedelta(days=205), 15))
    # A passed check on the MBA and its Badge Claim.
    credentials.save_metadata(db, quality, mba, "ILM-UNB-MBA-L7", "MBA Leadership and Management with ILM Level 7",
                              "Dual accreditation: the University of Northbridge MBA and the ILM Level 7 "
                              "qualification.", "Conferred the MBA by the Exam Board and claimed for the ILM award.",
                              ["Strategic leadership", "Change management", "Coaching"], None,
                              now=_at(today - timedelta(days=120), 10))
    _order(db, "WG-481516", mba, mba_learners[:6], claimed=5)
    board = pd.DataFrame({"Name": [name for _, name, _ in mba_learners[:5]],
                          "ID": [enr for _, _, enr in mba_learners[:5]]})
    passed = release_check.run_check(db, quality, mba, today - timedelta(days=60), "MBA Exam Board minutes, "
                                     "summer session", "WG-481516", 1, False, "end_of_degree",
                                     Upload("MBA Exam Board list.csv", board.to_csv(index=False).encode()),
                                     now=_at(today - timedelta(days=50), 14))
    release_check.release_order(db, quality, passed, now=_at(today - timedelta(days=50), 15))
    credentials.issue_badge_claims(db, quality, passed, today=today - timedelta(days=49))
    # A failed check on the BSc: one claimed learner is not on the Exam Board list.
    _order(db, "WG-271828", bsc, bsc_learners[:5], claimed=5)
    short = pd.DataFrame({"Name": [name for _, name, _ in bsc_learners[:4]]})
    release_check.run_check(db, quality, bsc, today - timedelta(days=20), "BSc Exam Board minutes, autumn",
                            "WG-271828", 2, False, "part_way",
                            Upload("BSc Exam Board list.csv", short.to_csv(index=False).encode()),
                            now=_at(today - timedelta(days=15), 10))
    # A re-mapping open: the MBA's assessments change for three learners, whose results are held.
    remap = mapping.submit_change(db, university, mba, ["content", "assessments"],
                                  "Strategic planning is now assessed by a consultancy project instead of an exam; "
                                  "the project covers different criteria.", today - timedelta(days=30),
                                  [learner_id for learner_id, _, _ in mba_learners[6:9]],
                                  now=_at(today - timedelta(days=10), 9))
    mapping.decide_change(db, quality, remap, True, "The new assessment covers different criteria: re-mapping "
                          "needed before the results of the learners on it are released.",
                          cost_note="Re-mapping fee to be agreed with the Business Partner.",
                          now=_at(today - timedelta(days=8), 11))
    # A change waiting for quality's decision: the BSc's module 3 renamed again.
    mapping.submit_change(db, university, bsc, ["title"], "Module 3 is renamed 'Strategy and planning in "
                          "practice'; its content and assessment are unchanged.", today + timedelta(days=30), [],
                          now=_at(today - timedelta(days=2), 10))
