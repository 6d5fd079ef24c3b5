"""A Feedback Summary Report as the Word document a centre downloads."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt

from lib.analytics.batch_review import FeedbackReport


def report_file_name(report: FeedbackReport) -> str:
    safe_batch = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in report.batch_name).strip()
    return f"Feedback Summary Report {report.centre_number} {safe_batch}.docx"


def feedback_report_docx(report: FeedbackReport) -> bytes:
    """The report: who wrote it and when, the batch's figures, the trends, and advice per unit."""
    document = Document()
    document.core_properties.title = f"Feedback Summary Report: {report.batch_name}"
    document.core_properties.author = report.author
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading("ILM Assessment Service: Feedback Summary Report", level=1)
    document.add_paragraph(f"Centre: {report.centre_number} {report.centre_name}\n"
                           f"Batch: {report.batch_name}\n"
                           f"Lead assessor: {report.author}\n"
                           f"Written: {report.written_at:%d/%m/%Y}"
                           + (f" (updated {report.updated_at:%d/%m/%Y})"
                              if report.updated_at.date() != report.written_at.date() else ""))
    results = sum(r for _, r, _ in report.unit_figures)
    referrals = sum(f for _, _, f in report.unit_figures)
    if results:
        document.add_paragraph(f"Released unit results in this batch: {results}; referred: {referrals} "
                               f"({100 * referrals / results:.1f}%).")
    document.add_heading("Trends", level=2)
    for paragraph in report.trends.split("\n\n"):
        document.add_paragraph(paragraph.strip())
    document.add_heading("Advice by unit", level=2)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, ("Unit", "Results", "Referrals", "Advice")):
        cell.text = heading
    figures = {unit: (results, referrals) for unit, results, referrals in report.unit_figures}
    for unit in sorted(set(figures) | set(report.unit_advice)):
        unit_results, unit_referrals = figures.get(unit, (0, 0))
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = unit, str(unit_results), str(unit_referrals)
        row[3].text = report.unit_advice.get(unit, "")
    document.add_paragraph()
    document.add_paragraph("If you would like further support, our Technical Advisors can offer dedicated support "
                           "for your centre: contact ilmassessmentservices@i-l-m.com.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
