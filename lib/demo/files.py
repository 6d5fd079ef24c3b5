"""Files for the demo: marked result sheets for the demo centre's latest released items, so the Tracker's
downloads work; and evidence, result sheets and (once marked) marked result sheets for the work a demo walks
through (quality check, the demo assessor's marking queue, sampling and release), so no screen says "No files"."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from functools import lru_cache
from xml.sax.saxutils import escape

import docx

from lib.demo.essays import copied_paragraphs
from lib.rules.similarity import fingerprint, words_of
from lib.store.db import Database, Writer
from lib.store.files import EVIDENCE, MARKED_RESULT_SHEET, RESULT_SHEET, FileStore
from lib.store.fingerprints import store_fingerprint


def _marked_template(document) -> None:
    document.add_heading("ILM Assessment Service: Result Sheet", level=1)
    table = document.add_table(rows=0, cols=2)
    for label, value in (("Learner", "LEARNER_NAME (LEARNER_ENR)"), ("Unit", "UNIT_CODE"), ("Result", "UNIT_RESULT"),
                         ("Mark", "UNIT_MARK"), ("Assessor", "ASSESSOR_NAME")):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_heading("Assessor feedback", level=2)
    document.add_paragraph("ASSESSOR_FEEDBACK")


@lru_cache(maxsize=4)
def _template(build) -> bytes:
    """A .docx made once by python-docx, with placeholders in its text for each file's own values."""
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def marked_sheet(learner: str, enr: str, unit: str, result: str, mark: int, feedback: str, assessor: str) -> bytes:
    return _personalised(_template(_marked_template), {
        "LEARNER_NAME": learner, "LEARNER_ENR": enr, "UNIT_CODE": unit, "UNIT_RESULT": result, "UNIT_MARK": str(mark),
        "ASSESSOR_NAME": assessor, "ASSESSOR_FEEDBACK": feedback})


def add_marked_sheets(db: Database, store: FileStore, centre_number: str, items: int = 40) -> int:
    """Write a marked result sheet for each unit of the centre's latest released items; return how many."""
    rows = db.query_all(
        """SELECT s.id, u.unit_code, l.first_name || ' ' || l.last_name, l.enr, u.result, u.mark, u.feedback,
                  a.name, s.released_at, a.id
           FROM submissions s JOIN submission_units u ON u.submission_id = s.id JOIN learners l ON l.id = s.learner_id
           JOIN centres c ON c.id = s.centre_id LEFT JOIN users a ON a.id = s.assessor_id
           WHERE c.number = ? AND s.stage = 'released'
             AND s.id IN (SELECT s2.id FROM submissions s2 JOIN centres c2 ON c2.id = s2.centre_id
                          WHERE c2.number = ? AND s2.stage = 'released' ORDER BY s2.id DESC LIMIT ?)
           ORDER BY s.id, u.unit_code""", [centre_number, centre_number, items])
    stored_names: list[str] = []

    def work(writer: Writer) -> int:
        for submission_id, unit, learner, enr, result, mark, feedback, assessor, released_at, assessor_id in rows:
            data = marked_sheet(learner, enr, unit, result, mark, feedback, assessor or "ILM assessor")
            stored = store.put(data)
            stored_names.append(stored)
            writer.execute(
                """INSERT INTO files (id, submission_id, unit_code, kind, original_name, stored_name, size_bytes, sha256,
                                      uploaded_at, uploaded_by)
                   VALUES (nextval('seq_files'), ?, ?, ?, ?, ?, ?, sha256(?::BLOB), ?, ?)""",
                [submission_id, unit, MARKED_RESULT_SHEET, f"{learner.split()[0][0]}.{learner.split()[-1]}-{enr}"
                 f" {unit} marked.docx", stored, len(data), data, released_at or datetime.now(), assessor_id or 0])
        writer.audit("demo_marked_sheets", "files", None, after={"files": len(rows)})
        return len(rows)

    try:
        return db.transact(None, work, actor_name="demo seeding")
    except BaseException:
        store.discard(stored_names)
        raise


def evidence_document(title: str, paragraphs: list[str], signed: str) -> bytes:
    """A learner's evidence as a .docx: a heading, the account, and who wrote it."""
    document = docx.Document()
    document.add_heading(title, level=1)
    for paragraph in [*paragraphs, signed]:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _result_sheet(document) -> None:
    document.add_heading("ILM Assessment Service: Result Sheet (centre)", level=1)
    table = document.add_table(rows=0, cols=2)
    for label, value in (("Learner", "LEARNER_NAME (LEARNER_ENR)"), ("Centre", "CENTRE_NAME"),
                         ("Unit", "UNIT_CODE UNIT_NAME"), ("Tutor's comments", "Evidence covers every criterion; "
                                                                              "submitted for assessment.")):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value


def _personalised(template: bytes, values: dict[str, str]) -> bytes:
    """The template .docx with its placeholders replaced in the document text (XML-escaped)."""
    source = zipfile.ZipFile(io.BytesIO(template))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                for placeholder, value in values.items():
                    text = text.replace(placeholder, escape(value))
                data = text.encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()


def add_work_files(db: Database, store: FileStore, assessor_username: str = "assessor.demo",
                   also: list[int] | tuple[int, ...] = ()) -> int:
    """Evidence and a result sheet for each unit of every item in quality check, in the demo assessor's marking
    queue, in sampling and ready to release, and of the released items also named (whose enquiries are
    reviewed); marked items also get their marked result sheets. Returns how many files were written."""
    work_items = """((s.stage IN ('submitted', 'sampling', 'ready') OR (s.stage = 'allocated' AND a.username = ?))
                     OR list_contains(?, s.id))
                    AND NOT EXISTS (SELECT 1 FROM files f WHERE f.submission_id = s.id
                                    AND f.kind <> 'marked_result_sheet')"""
    # A re-submission's earlier attempt gets its evidence too: the demo shows the two sharing text.
    earlier = [row[0] for row in db.query_all(
        f"""SELECT s.resubmits_id FROM submissions s LEFT JOIN users a ON a.id = s.assessor_id
            WHERE {work_items} AND s.resubmits_id IS NOT NULL ORDER BY s.id LIMIT 1""", [assessor_username, list(also)])]
    rows = db.query_all(
        f"""SELECT s.id, s.stage, u.unit_code, coalesce(un.name, u.unit_code), l.first_name, l.last_name,
                  l.enr, c.name, s.submitted_at, s.uploaded_by, u.result, u.mark, u.feedback, u.marked_at,
                  coalesce(a.name, 'ILM assessor'), s.assessor_id, s.resubmits_id IS NOT NULL,
                  s.learner_id, s.batch_id, s.centre_id, s.resubmits_id
           FROM submissions s JOIN submission_units u ON u.submission_id = s.id
           JOIN learners l ON l.id = s.learner_id JOIN centres c ON c.id = s.centre_id
           LEFT JOIN units un ON un.code = u.unit_code LEFT JOIN users a ON a.id = s.assessor_id
           WHERE {work_items} ORDER BY s.id, u.unit_code""", [assessor_username, [*also, *earlier]])
    marked_already = {(item, unit) for item, unit in db.query_all(
        "SELECT submission_id, unit_code FROM files WHERE kind = 'marked_result_sheet' AND removed_at IS NULL")}
    sheet = _template(_result_sheet)
    bodies = copied_paragraphs(list({row[0]: (row[0], row[1], *row[17:]) for row in rows}.values()))
    stored_names: list[str] = []
    files = []
    evidence_done = set()
    for (item_id, stage, unit, unit_name, first, last, enr, centre, submitted_at, uploaded_by, result, mark,
         feedback, marked_at, assessor, assessor_id, resubmission, *_) in rows:
        values = {"UNIT_CODE": unit, "UNIT_NAME": unit_name, "LEARNER_NAME": f"{first} {last}", "LEARNER_ENR": enr,
                  "CENTRE_NAME": centre}
        base = f"{first[0]}.{last}-{enr}({2 if resubmission else 1})"
        uploaded = (submitted_at or datetime.now()) - timedelta(hours=1)
        if item_id not in evidence_done:  # one piece of evidence for the item (an integrated one covers every unit)
            evidence_done.add(item_id)
            signed = f"Learner: {first} {last} ({enr}), {centre}."
            words = words_of([*bodies[item_id], signed])
            data = evidence_document(f"Reflective account for unit {unit}: {unit_name}", bodies[item_id], signed)
            files.append((item_id, None, EVIDENCE, f"{base}.docx", data, (len(words.shown), fingerprint(words)),
                          uploaded, uploaded_by))
        files.append((item_id, unit, RESULT_SHEET, f"{base} {unit} result sheet.docx", _personalised(sheet, values),
                      None, uploaded, uploaded_by))
        if result is not None and stage in ("sampling", "ready", "released") and (item_id, unit) not in marked_already:
            files.append((item_id, unit, MARKED_RESULT_SHEET, f"{base} {unit} marked.docx",
                          marked_sheet(f"{first} {last}", enr, unit, result, int(mark or 0), feedback or "", assessor),
                          None, marked_at or datetime.now(), assessor_id or 0))

    def work(writer: Writer) -> int:
        for item_id, unit, kind, name, data, counted, uploaded, uploaded_by in files:
            stored = store.put(data)
            stored_names.append(stored)
            file_id = writer.execute("SELECT nextval('seq_files')").fetchone()[0]
            writer.execute(
                """INSERT INTO files (id, submission_id, unit_code, kind, original_name, stored_name, size_bytes,
                                      sha256, word_count, uploaded_at, uploaded_by)
                   VALUES (?, ?, ?, ?, ?, ?, ?, sha256(?::BLOB), ?, ?, ?)""",
                [file_id, item_id, unit, kind, name, stored, len(data), data, counted[0] if counted else None,
                 uploaded, uploaded_by or 0])
            if counted:
                store_fingerprint(writer, file_id, counted[1], None)
        writer.audit("demo_work_files", "files", None, after={"files": len(files)})
        return len(files)

    try:
        return db.transact(None, work, actor_name="demo seeding")
    except BaseException:
        store.discard(stored_names)
        raise
