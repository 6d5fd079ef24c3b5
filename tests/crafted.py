"""Crafted Word and PDF files for the upload checks: inflation bombs with honest and with lying sizes, and PDFs
carrying active content in different places and spellings."""

from __future__ import annotations

import io
import random
import struct
import zipfile

from tests import samples

LOCAL, CENTRAL = b"PK\x03\x04", b"PK\x01\x02"


def docx_with(parts: dict[str, bytes], level: int = 9) -> bytes:
    """A real Word document with extra or replaced parts, deflated."""
    source = zipfile.ZipFile(io.BytesIO(samples.word_document("A short real document.")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for item in source.infolist():
            if item.filename not in parts:
                archive.writestr(item.filename, source.read(item.filename))
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def lie_about_sizes(data: bytes, declared: int) -> bytes:
    """Every part declares `declared` bytes uncompressed, in its local header and in the central directory."""
    patched = bytearray(data)
    position = 0
    while (position := patched.find(LOCAL, position)) != -1:
        patched[position + 22:position + 26] = struct.pack("<I", declared)
        position += 4
    position = 0
    while (position := patched.find(CENTRAL, position)) != -1:
        patched[position + 24:position + 28] = struct.pack("<I", declared)
        position += 4
    return bytes(patched)


def document_xml(words: int) -> bytes:
    """A document.xml whose text is `words` words: it inflates to about 7 bytes a word."""
    body = b"<w:p><w:r><w:t>" + b"word " * words + b"</w:t></w:r></w:p>"
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            + body + b"</w:body></w:document>")


def inflating_docx(megabytes: int, lying: bool = False) -> bytes:
    """A Word document whose text part inflates to `megabytes` MB of real XML; optionally lying about it."""
    data = docx_with({"word/document.xml": document_xml(megabytes * 1024 * 1024 // 5)})
    return lie_about_sizes(data, 1000) if lying else data


def zero_bomb_docx(megabytes: int, part: str = "word/media/image1.png", lying: bool = False) -> bytes:
    data = docx_with({part: b"\x00" * (megabytes * 1024 * 1024)})
    return lie_about_sizes(data, 1000) if lying else data


def write_pdf(body: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1; the first is the catalog) with its cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, content in enumerate(body, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + content + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref))
    return out.getvalue()


def pdf(objects: list[bytes], catalog_extra: bytes = b"", page_extra: bytes = b"") -> bytes:
    """A PDF with one page, its catalog and page dictionaries extended, and extra objects after them."""
    return write_pdf([b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
                      b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page_extra + b" >>", *objects])


JAVASCRIPT = b"<< /S /JavaScript /JS (app.alert(1)) >>"
ACTIVE_PDFS = {
    "open action javascript": pdf([JAVASCRIPT], catalog_extra=b"/OpenAction 4 0 R"),
    "launch": pdf([b"<< /S /Launch /F (cmd.exe) >>"], catalog_extra=b"/OpenAction 4 0 R"),
    "page additional action": pdf([JAVASCRIPT], page_extra=b"/AA << /O 4 0 R >>"),
    "names javascript": pdf([b"<< /Names [(x) 5 0 R] >>", JAVASCRIPT], catalog_extra=b"/Names << /JavaScript 4 0 R >>"),
    "embedded file": pdf([b"<< /Type /EmbeddedFile /Length 3 >>\nstream\nabc\nendstream"],
                         catalog_extra=b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>"),
    "xfa form": pdf([b"<< /Fields [] /XFA 5 0 R >>", b"<< /Length 3 >>\nstream\nabc\nendstream"],
                    catalog_extra=b"/AcroForm 4 0 R"),
    "hex-escaped name": pdf([b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"], catalog_extra=b"/OpenAction 4 0 R"),
    "orphan object": pdf([JAVASCRIPT]),
    "annotation launch": pdf([b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /Launch /F (x) >> >>"],
                             page_extra=b"/Annots [4 0 R]"),
}
HARMLESS_PDFS = {
    "go to a page on open": pdf([], catalog_extra=b"/OpenAction [3 0 R /Fit]"),
    "link to a page": pdf([b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /GoTo /D [3 0 R /Fit] >> >>"],
                          page_extra=b"/Annots [4 0 R]"),
}


def flate_bomb_pdf(megabytes: int, lying_length: bool = False) -> bytes:
    """A page whose content stream inflates to `megabytes` MB (of spaces); optionally a lying /Length."""
    import zlib

    packed = zlib.compress(b" " * (megabytes * 1024 * 1024), 9)
    length = 10 if lying_length else len(packed)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % length + packed + b"\nendstream"
    return pdf([stream], page_extra=b"/Contents 4 0 R")


# Spreadsheets (registration imports, Exam Board lists, order exports): bombs in a cell, in the shared strings, in
# empty rows and in nesting, each optionally padded with incompressible bytes up to an upload's size limit.
SHEET_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
XLSX_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook ' + SHEET_NS + b' xmlns:r="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
    b'</sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    b'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>',
}
HEADING_ROW = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>ENR</t>'
               b'</is></c></row>')


def _repeat(piece: bytes, megabytes: float):
    chunk = piece * max(1, (1024 * 1024) // len(piece))
    for _ in range(int(megabytes)):
        yield chunk


def xlsx_streamed(sheet_parts, shared_parts=(b'<sst ' + SHEET_NS + b' count="0" uniqueCount="0"></sst>',),
                  pad_to: int = 0) -> bytes:
    """A workbook whose sheet and shared strings are written from iterables of bytes (so a bomb is never held
    whole); pad_to adds an incompressible part until the file is that many bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in XLSX_PARTS.items():
            archive.writestr(name, data)
        for name, parts in (("xl/worksheets/sheet1.xml", sheet_parts), ("xl/sharedStrings.xml", shared_parts)):
            with archive.open(name, "w", force_zip64=True) as part:
                for piece in parts:
                    part.write(piece)
        if pad_to:
            missing = max(0, pad_to - buffer.tell() - 2048)
            archive.writestr(zipfile.ZipInfo("xl/media/image1.png"), random.Random(5).randbytes(missing))
    return buffer.getvalue()


def _sheet(*rows) -> list:
    return [b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + SHEET_NS + b"><sheetData>", HEADING_ROW, *rows,
            b"</sheetData></worksheet>"]


def cell_bomb_xlsx(megabytes: int, pad_to: int = 0) -> bytes:
    """One inline-string cell that inflates to `megabytes` MB."""
    cell = [b'<row r="2"><c r="A2" t="inlineStr"><is><t>', *_repeat(b"A", megabytes), b"</t></is></c></row>"]
    return xlsx_streamed(_sheet(*cell), pad_to=pad_to)


def shared_strings_bomb_xlsx(megabytes: int, pad_to: int = 0) -> bytes:
    """One shared string of `megabytes` MB, used by one cell."""
    shared = [b'<sst ' + SHEET_NS + b' count="1" uniqueCount="1"><si><t>', *_repeat(b"B", megabytes), b"</t></si></sst>"]
    return xlsx_streamed(_sheet(b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'), shared, pad_to)


def empty_rows_xlsx(rows: int, pad_to: int = 0) -> bytes:
    """A heading, then `rows` empty rows (each one element), as a table left with millions of blank rows."""
    empty = (f'<row r="{n}"/>'.encode() for n in range(2, rows + 2))
    return xlsx_streamed(_sheet(*empty), pad_to=pad_to)


def deep_xml_xlsx(depth: int, pad_to: int = 0) -> bytes:
    """A sheet whose XML nests `depth` elements deep."""
    return xlsx_streamed(_sheet(b"<x>" * depth, b"</x>" * depth), pad_to=pad_to)


def spreadsheet_bombs(pad_to: int = 0) -> dict[str, bytes]:
    """The crafted spreadsheets, each padded to pad_to bytes when given (an upload's size limit)."""
    return {
        "cell bomb 500 MB": cell_bomb_xlsx(500, pad_to),
        "shared-strings bomb 500 MB": shared_strings_bomb_xlsx(500, pad_to),
        "2,000,000 empty rows": empty_rows_xlsx(2_000_000, pad_to),
        "XML nested 1,000,000 deep": deep_xml_xlsx(1_000_000, pad_to),
    }


def time_scaled_mp4(data: bytes, factor: int = 100) -> bytes:
    """An MP4 or M4A whose movie and track timescales are multiplied by factor: every timestamp in it, and the
    length its header declares, are factor times shorter than the sound it holds."""
    out = bytearray(data)
    for box in (b"mdhd", b"mvhd"):
        at = 0
        while (at := out.find(box, at)) != -1:
            offset = at + 8 + (16 if out[at + 4] == 1 else 8)  # version 1 has 64-bit times before the timescale
            timescale = struct.unpack(">I", out[offset:offset + 4])[0]
            out[offset:offset + 4] = struct.pack(">I", timescale * factor)
            at += 4
    return bytes(out)
