"""The demo's follow-up work, done through the same lib calls people use: past weeks invoiced, Feedback
Summary Reports on each centre's most-referred batch, EQA alerts raised and one already followed up."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from lib.accounts.auth import user_by_username
from lib.analytics import batch_review, eqa, invoicing
from lib.analytics.referrals import Period
from lib.store.db import Database

# Every week of the last six months is invoiced except the one the next Wednesday run will bill.
INVOICED_WEEKS = 26
TRENDS = ("Several learners described theory without linking it to their own workplace, and the reflective "
          "sections were brief.\n\nWhere criteria were referred it was mostly for missing evaluation: learners "
          "explained what they did but not how well it worked or what they would change.")
ADVICE = ("Ask learners to evaluate, not only describe: for each criterion, what happened, how well it worked "
          "and what they would do differently, with a workplace example.")


def add_follow_up_work(db: Database, today: date, reported_centres: list[str]) -> None:
    """reported_centres: the centres whose most-referred batch gets a Feedback Summary Report."""
    team, lead, quality = (user_by_username(db, name) for name in ("team.demo", "lead.demo", "quality.demo"))
    for weeks_back in range(INVOICED_WEEKS, 1, -1):
        invoicing.run_week(db, team, invoicing.week_to_bill(today - timedelta(weeks=weeks_back - 1)), today)
    reviewed = batch_review.batches(db, lead, Period(today - timedelta(days=365), today))
    named = reviewed[reviewed.Centre.isin(reported_centres)]
    worst = (named[named.Referrals > 0].sort_values(["Referrals", "Batch ID"], ascending=False)
             .drop_duplicates("Centre"))
    written = datetime.combine(today - timedelta(days=7), datetime.min.time()) + timedelta(hours=10)
    for batch_id, units in zip(worst["Batch ID"], worst["Most referred units"]):
        codes = [part.split(" (")[0] for part in units.split(", ") if part]
        batch_review.save_feedback_report(db, lead, int(batch_id), TRENDS, dict.fromkeys(codes, ADVICE), written)
    raise_alerts_as_they_came(db, quality, today)
    follow_up_as_it_happened(db, quality, today)


def raise_alerts_as_they_came(db: Database, quality, today: date) -> None:
    """The monthly check run on the morning of the first of each month since the first release, so each alert is
    raised (and dated) in the month after the months it describes."""
    earliest = db.query_one("SELECT min(CAST(released_at AS DATE)) FROM submissions")[0] or today
    first = date(earliest.year, earliest.month, 1)
    for months in range(12 * (today.year - first.year + 1) + 1):
        year, month = divmod(first.month - 1 + months, 12)
        check_day = date(first.year + year, month + 1, 1)
        if check_day > today:
            break
        eqa.raise_alerts(db, quality, check_day, now=datetime.combine(check_day, time(9, 15)))
    eqa.raise_alerts(db, quality, today)


STEPS = (  # (days after the alert, the step, the note)
    (6, "contacted", "Called the centre's quality contact; a review of tutor guidance on evaluation is booked."),
    (27, "action_plan", "Action plan agreed: tutors add an evaluation checklist to every unit; EQA visit in 6 weeks."),
    (75, "closed", "EQA visit held and tutor guidance updated; the centre's rate came back in line."),
)


def follow_up_as_it_happened(db: Database, quality, today: date) -> None:
    """Alerts whose run ended over a year ago went the whole way to closed; the newest open one has been
    contacted. Each step is dated as it happened, after the alert was raised."""
    every = eqa.alerts(db, quality, include_closed=False)
    long_ago = f"{today.year - 1}-{today.month:02d}"
    for alert_id, raised in zip(every[every.To < long_ago].Alert, every[every.To < long_ago].Raised):
        for days, step, note in STEPS:
            when = datetime.combine(raised, time(10, 30)) + timedelta(days=days)
            eqa.follow_up(db, quality, int(alert_id), step, note, min(when, datetime.combine(today, time(9))))
    still_open = eqa.alerts(db, quality, include_closed=False)
    if len(still_open):
        raised = still_open.Raised.iloc[0]
        when = min(datetime.combine(raised, time(11)) + timedelta(days=STEPS[0][0]), datetime.combine(today, time(9)))
        eqa.follow_up(db, quality, int(still_open.Alert.iloc[0]), *STEPS[0][1:], when)
