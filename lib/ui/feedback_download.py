"""The download button of a batch's Feedback Summary Report as a Word document."""

from __future__ import annotations

import streamlit as st

from lib.analytics.batch_review import FeedbackReport
from lib.analytics.feedback_docx import feedback_report_docx, report_file_name

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_download(report: FeedbackReport, key: str) -> None:
    st.download_button("Download Feedback Summary Report (Word)", key=key, icon=":material/description:",
                       on_click="ignore", file_name=report_file_name(report), mime=WORD,
                       data=lambda: feedback_report_docx(report))
