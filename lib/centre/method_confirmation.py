"""The change of assessment method confirmation (Word): the agreed methods, units, formats and limits, the
conditions, and what ILM and the centre each undertake, as the service policy says the confirmation outlines."""

from __future__ import annotations

import io

import docx

from lib.centre.methods import METHODS, request_detail
from lib.errors import Refused
from lib.rules.roles import User
from lib.store.db import Database
from lib.store.scope import reads_centre_data

ILM_RESPONSIBILITIES = (
    "Mark the recordings against the unit's assessment criteria, as for written evidence, within the 25 working-day "
    "service level.",
    "Give feedback against each assessment criterion on the result sheet, with the time in the recording where "
    "the evidence was found or was missing.",
    "Sample the marking of recordings as for any other assessment, and keep the recordings for the retention "
    "period in the service policy, then archive them.",
    "Review this agreement if the service's fees or the methods it offers change.",
)
CENTRE_RESPONSIBILITIES = (
    "Upload only recordings in the agreed formats, within the agreed largest file and longest recording.",
    "Make sure each recording shows the learner clearly and can be heard throughout; say at the start who the "
    "learner is and which unit and criteria the recording covers.",
    "Obtain the consent of everyone who appears or is heard in a recording, and keep it.",
    "Send each learner's signed statement of authenticity with a first submission, and the ILM result sheet with "
    "the learner's details completed, as for written evidence.",
    "Use recordings only for the units this agreement names; other units are assessed as before.",
)


@reads_centre_data(probes={"request_id": "method_request"})
def confirmation_docx(db: Database, user: User, request_id: int) -> bytes:
    """The confirmation of an approved change of assessment method, as a Word document."""
    detail = request_detail(db, user, request_id)
    if detail["status"] != "approved":
        raise Refused(f"Request {request_id} is not approved: there is no confirmation to download.")
    document = docx.Document()
    document.add_heading("Change of assessment method: confirmation", level=1)
    document.add_paragraph(f"ILM Assessment Service · agreement {request_id} · confirmed on "
                           f"{detail['decided']:%d/%m/%Y} by {detail['decided_by']}")
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in (
            ("Centre", f"{detail['centre']} {detail['centre_name']}"),
            ("Qualification", f"{detail['qualification']} {detail['qualification_name']}"),
            ("Units", ", ".join(detail["units"])),
            ("Assessment methods", "; ".join(METHODS[m] for m in detail["methods"])),
            ("Formats", ", ".join(detail["allowed_formats"])),
            ("Largest file", f"{detail['max_mb']:,} MB a recording"),
            ("Longest recording", f"{detail['max_minutes']:,} minute{'' if detail['max_minutes'] == 1 else 's'}"),
            ("Fees", "No additional fee: the usual learner registration and re-assessment fees apply."),
    ):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_heading("Conditions", level=2)
    document.add_paragraph(detail["decision_note"])
    document.add_heading("ILM undertakes to", level=2)
    for line in ILM_RESPONSIBILITIES:
        document.add_paragraph(line, style="List Bullet")
    document.add_heading("The centre undertakes to", level=2)
    for line in CENTRE_RESPONSIBILITIES:
        document.add_paragraph(line, style="List Bullet")
    document.add_paragraph("Offering change of assessment methods is new to the ILMA Service: depending on how the "
                           "service evolves, ILM may review this agreement and its fees in the future.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
