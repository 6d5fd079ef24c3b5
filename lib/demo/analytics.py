"""The demo's follow-up work, done through the same lib calls people use: past weeks invoiced, Feedback
Summary Reports on each centre's most-referred batch, EQA alerts raised and one already followed up."""

from __future__ import annotations

from datetime import date, datetime, timedelta

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
    eqa.raise_alerts(db, quality, today)
    open_alerts = eqa.alerts(db, quality, include_closed=False)
    long_ago = f"{today.year - 1}-{today.month:02d}"
    for alert_id in open_alerts[open_alerts.To < long_ago].Alert:
        eqa.follow_up(db, quality, int(alert_id), "closed",
                      "EQA visit held and tutor guidance updated; the centre's rate came back in line.")
    open_alerts = eqa.alerts(db, quality, include_closed=False)
    if len(open_alerts):
        eqa.follow_up(db, quality, int(open_alerts.Alert.iloc[0]), "contacted",
                      "Called the centre's quality contact; a review of tutor guidance on evaluation is booked.")
