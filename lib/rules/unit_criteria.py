"""What an assessor marks each unit against: its assessment criteria, as the unit specifications number them,
and the guidance the service policy gives on length and evidence."""

from __future__ import annotations

import re

from lib.errors import Refused

CRITERION_LINE = re.compile(r"(\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+(\S.*)")
MAX_CRITERIA = 40
MAX_CRITERION_CHARS = 300

CRITERIA: dict[str, tuple[tuple[str, str], ...]] = {
    "8000-250": (("1.1", "Describe the role and responsibilities of a team leader"),
                 ("1.2", "Identify own strengths and areas for development as a team leader"),
                 ("2.1", "Agree a personal development plan with own line manager")),
    "8000-251": (("1.1", "Describe how to set targets for the work team"),
                 ("1.2", "Explain how to monitor the team's performance against its targets"),
                 ("2.1", "Identify ways to improve the team's performance")),
    "8000-255": (("1.1", "Describe methods of communication used in own workplace"),
                 ("1.2", "Explain barriers to effective communication and how to overcome them"),
                 ("2.1", "Review own effectiveness in communicating with others")),
    "8600-300": (("1.1", "Explain the purpose of the leadership role"),
                 ("1.2", "Compare leadership styles and when each is appropriate"),
                 ("2.1", "Assess own leadership behaviours against a recognised model"),
                 ("2.2", "Identify actions to develop own leadership practice")),
    "8600-301": (("1.1", "Explain factors that motivate and demotivate team members"),
                 ("1.2", "Apply a motivation theory to own team"),
                 ("2.1", "Describe how to build trust and commitment in a team"),
                 ("2.2", "Evaluate own approach to leading and motivating the team")),
    "8600-302": (("1.1", "Explain how to agree objectives with team members"),
                 ("1.2", "Describe methods of monitoring and reviewing performance"),
                 ("2.1", "Explain how to address under-performance fairly"),
                 ("2.2", "Plan a performance review for a team member")),
    "8600-303": (("1.1", "Explain the reasons for a change in own area of work"),
                 ("1.2", "Plan the implementation of the change, with its risks"),
                 ("2.1", "Describe how to communicate the change to those affected"),
                 ("2.2", "Review how the change was delivered and what was learned")),
    "8607-500": (("1.1", "Evaluate own leadership against a leadership theory or model"),
                 ("1.2", "Analyse how own values and behaviours affect others"),
                 ("2.1", "Assess the organisation's expectations of its leaders"),
                 ("3.1", "Produce a development plan to become a more effective leader")),
    "8607-501": (("1.1", "Explain the factors that make a high-performing team"),
                 ("2.1", "Evaluate models of team development against own team's situation"),
                 ("2.2", "Analyse the impact of team roles on the team's performance"),
                 ("3.1", "Recommend actions to develop and lead the team, with a rationale")),
    "8607-502": (("1.1", "Identify the organisation's stakeholders and their interests"),
                 ("1.2", "Analyse stakeholders' influence using a recognised tool"),
                 ("2.1", "Evaluate approaches to engaging stakeholders"),
                 ("2.2", "Develop a plan to manage a stakeholder relationship")),
    "8607-503": (("1.1", "Analyse the drivers for innovation and change in the organisation"),
                 ("2.1", "Evaluate a change model against a change in own organisation"),
                 ("2.2", "Assess how to overcome resistance to change"),
                 ("3.1", "Plan how to lead a change, with measures of its success")),
    "8585-300": (("1.1", "Explain the purpose of coaching and of mentoring and how they differ"),
                 ("1.2", "Describe the skills and principles of effective coaching and mentoring"),
                 ("2.1", "Explain the ethical and professional boundaries of the role")),
    "8585-301": (("1.1", "Plan coaching or mentoring sessions with agreed objectives"),
                 ("1.2", "Conduct sessions using appropriate models and techniques"),
                 ("2.1", "Record and review the sessions against the portfolio evidence matrix")),
    "8585-302": (("1.1", "Reflect on own coaching and mentoring practice"),
                 ("1.2", "Analyse feedback received from coachees or mentees"),
                 ("2.1", "Plan the development of own practice")),
    "8585-303": (("1.1", "Identify the organisation's needs for a coaching and mentoring programme"),
                 ("1.2", "Plan the programme's resources, roles and timescales"),
                 ("2.1", "Describe how the programme will be evaluated")),
    "8588-500": (("1.1", "Critically review theories and models of management coaching"),
                 ("1.2", "Analyse the skills and principles of effective management coaching"),
                 ("2.1", "Evaluate the place of coaching in the organisation's culture"),
                 ("2.2", "Assess the ethical issues of coaching in an organisation")),
    "8588-501": (("1.1", "Contract coaching and mentoring relationships with clear boundaries"),
                 ("1.2", "Undertake a series of sessions using a range of models"),
                 ("2.1", "Evidence the sessions in the portfolio, signposted by the evidence matrix")),
    "8588-502": (("1.1", "Reflect critically on own management coaching practice"),
                 ("1.2", "Use supervision and feedback to improve own practice"),
                 ("2.1", "Plan continuing development as a coach")),
    "8588-503": (("1.1", "Analyse how management coaching can meet the organisation's objectives"),
                 ("1.2", "Plan the introduction of management coaching in the organisation"),
                 ("2.1", "Explain how its impact will be measured")),
}

PORTFOLIO_UNITS = {"8585-301", "8585-302", "8585-303", "8588-501", "8588-502", "8588-503"}


def criteria(unit_code: str, kept: str | None = None) -> tuple[tuple[str, str], ...]:
    """The unit's criteria: those kept on Reference data (kept, as criteria_text wrote them), else the published."""
    return parse_criteria(kept) if kept else CRITERIA.get(unit_code, ())


def parse_criteria(text: str | None) -> tuple[tuple[str, str], ...]:
    """'1.1 Describe ...' per line as (number, criterion) pairs; blank lines are skipped. A line without its
    number first, a number given twice, or too many or too long lines are refused, saying which."""
    pairs: list[tuple[str, str]] = []
    for line_number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        matched = CRITERION_LINE.fullmatch(line.strip())
        if not matched:
            raise Refused(f"Line {line_number} of the criteria does not start with its number (for example "
                          f"\"1.1 Describe the role of a team leader\"): {line.strip()[:60]}")
        number, criterion = matched.group(1), " ".join(matched.group(2).split())
        if len(criterion) > MAX_CRITERION_CHARS:
            raise Refused(f"Criterion {number} is longer than {MAX_CRITERION_CHARS} characters.")
        if number in {known for known, _ in pairs}:
            raise Refused(f"Criterion {number} is given twice.")
        pairs.append((number, criterion))
    if len(pairs) > MAX_CRITERIA:
        raise Refused(f"A unit has at most {MAX_CRITERIA} criteria; these are {len(pairs)}.")
    return tuple(pairs)


def criteria_text(pairs: tuple[tuple[str, str], ...]) -> str:
    """The criteria one per line, as parse_criteria reads them back."""
    return "\n".join(f"{number} {criterion}" for number, criterion in pairs)


def marking_guidance(unit_code: str, limit: int | None, words: int | None, resubmission: bool) -> list[str]:
    """The policy's points an assessor keeps in mind for this unit's evidence."""
    points = []
    if limit:
        counted = f" This evidence has {words:,} words." if words else ""
        points.append(f"About {limit:,} words.{counted} Word counts are guidance, not a criterion: never refer on "
                      "length alone, but a long answer may lose focus on the criteria.")
    if unit_code in PORTFOLIO_UNITS:
        points.append("No word count: the portfolio's completed documents with the evidence matrix signposting "
                      "each criterion, and enough narrative that every criterion and verb is met. Audio "
                      "recordings of sessions are not required.")
    points.append("Every criterion must be met for a Pass; give developmental feedback against each one.")
    if resubmission:
        points.append("A re-submission: re-assess only the criteria referred last time.")
    return points
