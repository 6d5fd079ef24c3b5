"""Real files for upload tests: Word documents, PDFs, and crafted bad ones."""

from __future__ import annotations

import io
import zipfile

import docx
from pypdf import PdfWriter


def word_document(text: str = "My reflective account of leading the team.", words: int | None = None) -> bytes:
    document = docx.Document()
    document.add_paragraph(text if words is None else " ".join(["word"] * words))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def result_sheet() -> bytes:
    return word_document("ILM result sheet. Learner: ______ Centre: ______ Assessor feedback: ______")


def pdf_document() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def legacy_doc() -> bytes:
    """Enough of a Word 97-2003 compound file for content sniffing."""
    return b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\x00" * 504 + b"\xEC\xA5\xC1\x00" + b"\x00" * 2000


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a Word document")
    return buffer.getvalue()


def macro_document() -> bytes:
    """A .docm's parts: a Word package that declares itself macro-enabled and carries vbaProject.bin."""
    source = zipfile.ZipFile(io.BytesIO(word_document()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
            archive.writestr(item, data)
        archive.writestr("word/vbaProject.bin", b"\x00" * 64)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A Word package with one part that inflates from a few KB to 50 MB."""
    source = zipfile.ZipFile(io.BytesIO(word_document()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item.filename, source.read(item.filename))
        archive.writestr("word/media/filler.bin", b"\x00" * (50 * 1024 * 1024))
    return buffer.getvalue()


def path_traversal_document() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(word_document()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            archive.writestr(item.filename, source.read(item.filename))
        archive.writestr("../../etc/evil.xml", b"<x/>")
    return buffer.getvalue()


def broken_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\nthis is not really a pdf\n%%EOF"


def evidence_name(db, item: int, extension: str = ".docx") -> str:
    """A name by the file naming protocol for more evidence on pending item `item` (its learner's ENR; (2) on a
    re-submission)."""
    enr, resubmits = db.query_one("""SELECT l.enr, s.resubmits_id FROM submissions s
                                     JOIN learners l ON l.id = s.learner_id WHERE s.id = ?""", [item])
    return f"S.Smith-{enr}({1 if resubmits is None else 2}){extension}"


def learner_file_name(db, learner_id: int, resubmission: bool = False, extension: str = ".docx") -> str:
    """A name by the file naming protocol for evidence of this learner."""
    enr = db.query_one("SELECT enr FROM learners WHERE id = ?", [learner_id])[0]
    return f"S.Smith-{enr}({2 if resubmission else 1}){extension}"


def text_pdf(paragraphs: list[str], line_chars: int = 90) -> bytes:
    """A PDF whose pages carry these paragraphs as real text (Helvetica, wrapped), as a word processor exports."""
    import textwrap

    lines = []
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, line_chars) + [""])
    pages = [lines[start:start + 50] for start in range(0, len(lines), 50)] or [[]]
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", None, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for page_lines in pages:
        escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in page_lines]
        stream = "BT /F1 10 Tf 14 TL 50 800 Td " + " ".join(f"({line}) '" for line in escaped) + " ET"
        objects.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {len(objects)} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>")
        kids.append(len(objects))
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
