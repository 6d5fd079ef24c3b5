"""The ILM qualifications and units the service assesses, as the seeds and the policy name them."""

from __future__ import annotations

# (code, name, level, [(unit code, unit name, credits)])
LEADERSHIP_WORD_LIMIT = 5_000

QUALIFICATIONS = [
    ("8000-14", "Level 2 Award in Leadership and Team Skills", 2, [
        ("8000-250", "Level 2 Developing Yourself as a Team Leader", 1),
        ("8000-251", "Level 2 Improving Performance of the Work Team", 1),
        ("8000-255", "Level 2 Communicating Effectively in the Workplace", 1),
    ]),
    ("8600-31", "Level 3 Award in Leadership and Management", 3, [
        ("8600-300", "Level 3 Understanding the Leadership Role", 3),
        ("8600-301", "Level 3 Leading and Motivating a Team", 3),
        ("8600-302", "Level 3 Managing Team Performance", 3),
        ("8600-303", "Level 3 Planning and Delivering Change", 3),
    ]),
    ("8607-51", "Level 5 Certificate in Leadership and Management", 5, [
        ("8607-500", "Level 5 Becoming an Effective Leader", 5),
        ("8607-501", "Level 5 Developing and Leading Teams", 4),
        ("8607-502", "Level 5 Managing Stakeholder Relationships", 4),
        ("8607-503", "Level 5 Leading Innovation and Change", 5),
    ]),
    ("8585-31", "Level 3 Certificate in Effective Coaching and Mentoring", 3, [
        ("8585-300", "Level 3 Understanding the Skills and Principles of Coaching and Mentoring", 3),
        ("8585-301", "Level 3 Undertaking Coaching and Mentoring Sessions", 4),
        ("8585-302", "Level 3 Reviewing Own Coaching and Mentoring Practice", 3),
        ("8585-303", "Level 3 Planning a Coaching and Mentoring Programme", 2),
    ]),
    ("8588-51", "Level 5 Certificate in Effective Management Coaching and Mentoring", 5, [
        ("8588-500", "Level 5 Understanding the Skills, Principles and Practice of Management Coaching", 4),
        ("8588-501", "Level 5 Undertaking Management Coaching and Mentoring", 4),
        ("8588-502", "Level 5 Reflecting on Own Management Coaching Practice", 3),
        ("8588-503", "Level 5 Planning Management Coaching in an Organisation", 3),
    ]),
]

# Policy, "Word Count": L&M units at levels 2-5 and 8585-300 at most 5,000 words; 8588-500 at most
# 8,000; the other coaching and mentoring units carry no limit.
WORD_LIMIT_EXCEPTIONS = {
    "8585-300": 5_000,
    "8588-500": 8_000,
    "8585-301": None, "8585-302": None, "8585-303": None,
    "8588-501": None, "8588-502": None, "8588-503": None,
}


def word_limit(unit_code: str) -> int | None:
    """The unit's word-count guidance; None where the policy sets none."""
    if unit_code in WORD_LIMIT_EXCEPTIONS:
        return WORD_LIMIT_EXCEPTIONS[unit_code]
    return LEADERSHIP_WORD_LIMIT


def unit_rows() -> list[tuple]:
    """(code, name, level, credits, word_limit) for every unit."""
    return [
        (code, name, level, credits, word_limit(code))
        for _, _, level, units in QUALIFICATIONS
        for code, name, credits in units
    ]
