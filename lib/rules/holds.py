"""An item with a malpractice case open is held: not released, not claimed. Its centre reads only that it is
under review (the case itself is for ILM's staff)."""

UNDER_REVIEW = ("Under review for suspected plagiarism or malpractice: ILM will send the centre a separate report. "
                "Do not re-submit until then.")
REVIEW_CLOSED = ("The review for suspected plagiarism or malpractice is closed: ILM's separate report says what "
                 "follows. Where it allows, re-submit with the reworked evidence.")


def open_case_condition(item: str = "s.id") -> str:
    """SQL that is true while the item (an SQL expression or ?) has a malpractice case open."""
    return (f"EXISTS (SELECT 1 FROM malpractice_cases m WHERE m.submission_id = {item} "
            "AND m.status <> 'closed')")


def open_enquiry_condition(item: str = "s.id") -> str:
    """SQL that is true while an enquiry about the item's result, or an appeal, waits for its decision."""
    return (f"EXISTS (SELECT 1 FROM enquiries e WHERE e.submission_id = {item} "
            "AND e.status IN ('awaiting_reviewer', 'in_review', 'appealed'))")
