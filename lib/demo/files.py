"""Marked result sheets for the demo centre's latest released items, so the Tracker's downloads work in a demo."""

from __future__ import annotations

import io
from datetime import datetime

import docx

from lib.store.db import Database, Writer
from lib.store.files import MARKED_RESULT_SHEET, FileStore


def marked_sheet(learner: str, enr: str, unit: str, result: str, mark: int, feedback: str, assessor: str) -> bytes:
    document = docx.Document()
    document.add_heading("ILM Assessment Service: Result Sheet", level=1)
    table = document.add_table(rows=0, cols=2)
    for label, value in (("Learner", f"{learner} ({enr})"), ("Unit", unit), ("Result", result), ("Mark", str(mark)),
                         ("Assessor", assessor)):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_heading("Assessor feedback", level=2)
    document.add_paragraph(feedback)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


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
