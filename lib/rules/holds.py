"""An item with a malpractice case open is held: not released, not claimed. Its centre reads only that it is
under review (the case itself is for ILM's staff)."""

UNDER_REVIEW = ("Under review for suspected plagiarism or malpractice: ILM will send the centre a separate report. "
                "Do not re-submit until then.")
REVIEW_CLOSED = ("The review for suspected plagiarism or malpractice is closed: ILM's separate report says what "
                 "follows. Where it allows, re-submit with the reworked evidence.")


CASE_OPEN = "m.status <> 'closed'"


def open_case_condition(item: str = "s.id") -> str:
    """SQL that is true while the item (an SQL expression or ?) has a malpractice case open."""
    return f"EXISTS (SELECT 1 FROM malpractice_cases m WHERE m.submission_id = {item} AND {CASE_OPEN})"


def open_case_items(among: str) -> str:
    """SQL listing the items among a subquery's ids (`among`) that have a malpractice case open."""
    return f"SELECT m.submission_id FROM malpractice_cases m WHERE {CASE_OPEN} AND m.submission_id IN ({among})"


def open_enquiry_condition(item: str = "s.id") -> str:
    """SQL that is true while an enquiry about the item's result, or an appeal, waits for its decision."""
    return (f"EXISTS (SELECT 1 FROM enquiries e WHERE e.submission_id = {item} "
            "AND e.status IN ('awaiting_reviewer', 'in_review', 'appealed'))")


def hei_hold_condition(centre: str = "s.centre_id", qualification: str = "s.qualification_code",
                       learner: str = "s.learner_id") -> str:
    """SQL that is true while the learner is on a route of an HEI programme waiting for its re-mapping: nothing of
    theirs is released, claimed or credentialed until it is done."""
    return (f"EXISTS (SELECT 1 FROM hei_change_requests h JOIN hei_programmes p ON p.id = h.programme_id "
            f"WHERE h.status = 'remapping' AND p.centre_id = {centre} AND p.qualification_code = {qualification} "
            f"AND list_contains(h.learner_ids, {learner}))")


def held_condition() -> str:
    """An item (alias s) that is held, for a malpractice case or an HEI re-mapping."""
    return f"({open_case_condition()} OR {hei_hold_condition()})"


def held_items() -> str:
    """SQL listing the ids of every held item: the few under an open case or on a route being re-mapped. Over a
    long list (every released pass) `s.id NOT IN (held_items())` is one small hash lookup a row, where
    NOT held_condition() runs two correlated look-ups a row."""
    return (f"SELECT m.submission_id FROM malpractice_cases m WHERE {CASE_OPEN} "
            "UNION ALL SELECT held.id FROM submissions held JOIN ("
            "SELECT p.centre_id, p.qualification_code, unnest(h.learner_ids) AS learner_id "
            "FROM hei_change_requests h JOIN hei_programmes p ON p.id = h.programme_id "
            "WHERE h.status = 'remapping') route ON route.centre_id = held.centre_id "
            "AND route.qualification_code = held.qualification_code AND route.learner_id = held.learner_id")
