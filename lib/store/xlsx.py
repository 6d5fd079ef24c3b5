"""A streaming .xlsx writer for plain tables: text, numbers and dates, nothing else.

openpyxl's write-only mode manages about 80,000 cells a second here, so a 100,000-row Centre
Report took 15 s. Reports need no formulas, merged cells or charts, so the sheet XML is written
straight into the zip as rows arrive, in constant memory. Text is always an inline string (never
a formula), and text that a spreadsheet would read as a formula also carries the quote-prefix
style so that editing the cell keeps it text.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
EXCEL_EPOCH = date(1899, 12, 30)
# Characters XML 1.0 does not allow at all; they cannot reach a cell.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Style indexes in STYLES below.
PLAIN, DATE_STYLE, DATETIME_STYLE, QUOTED, HEADER = 0, 1, 2, 3, 4

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_END = "</sheetData></worksheet>"


def column_letters(count: int) -> list[str]:
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, remainder = divmod(index - 1, 26)
            name = chr(65 + remainder) + name
        letters.append(name)
    return letters


def _text(reference: str, value: str, style: int = PLAIN) -> str:
    value = _ILLEGAL.sub("", value)
    if style == PLAIN and value.startswith(FORMULA_STARTS):
        style = QUOTED
    style_attr = f' s="{style}"' if style else ""
    return f'<c r="{reference}" t="inlineStr"{style_attr}><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def _cell(reference: str, value) -> str:
    if value is None or value != value:  # None, NaN and pandas' NA leave the cell empty
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        serial = (value - datetime(1899, 12, 30)).total_seconds() / 86400
        return f'<c r="{reference}" s="{DATETIME_STYLE}"><v>{serial}</v></c>'
    if isinstance(value, date):
        return f'<c r="{reference}" s="{DATE_STYLE}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return _text(reference, str(value))


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date, so the same rows always make the same file."""
    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def write(target, headers: Sequence[str], rows: Iterable[Sequence], title: str = "Report") -> None:
    """Write one sheet of bold headers and rows into target (a path or a binary file object)."""
    letters = column_letters(len(headers))
    safe_title = escape(re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Report", {'"': "&quot;"})
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(_entry("[Content_Types].xml"), CONTENT_TYPES)
        archive.writestr(_entry("_rels/.rels"), ROOT_RELS)
        archive.writestr(_entry("xl/workbook.xml"), WORKBOOK.format(title=safe_title))
        archive.writestr(_entry("xl/_rels/workbook.xml.rels"), WORKBOOK_RELS)
        archive.writestr(_entry("xl/styles.xml"), STYLES)
        with archive.open(_entry("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as sheet:
            header = "".join(_text(f"{letter}1", str(name), HEADER) for letter, name in zip(letters, headers))
            sheet.write(f'{SHEET_START}<row r="1">{header}</row>'.encode())
            buffer = []
            for number, row in enumerate(rows, start=2):
                cells = "".join(_cell(f"{letter}{number}", value) for letter, value in zip(letters, row))
                buffer.append(f'<row r="{number}">{cells}</row>')
                if len(buffer) == 2_000:
                    sheet.write("".join(buffer).encode())
                    buffer.clear()
            sheet.write(("".join(buffer) + SHEET_END).encode())
