"""The breach forecast: when each open item will be released, and which will miss their SLA target.

From the open queue on a day, the working days each stage has recently taken, and each assessor's queue and
marking rate, every open item gets a central release date and a pessimistic one. An item already some days
into a stage is held against the recent items that took at least as long, for what they still needed (an item
past the usual time is one of the slow ones, not due at once): the median of that for the central date, the
slowest tenth for the pessimistic one; an assessor's queue is worked at their recent pace (three quarters of
it for the pessimistic date). An item whose central date falls after its SLA target is likely to breach; one
whose pessimistic date does may breach.

Working days are counted as numbers (lib.rules.workdays.working_day_numbers): a day's number is how many
working days there have been up to it, so durations are differences and a date is found by its number.
The same reconstruction of the queue from the items' timestamps serves today and any day in the past, so the
forecast can be back-tested against what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import pandas as pd

from lib.rules import workdays
from lib.rules.roles import ASSESSMENT_TEAM, LEAD_ASSESSOR, QUALITY, User
from lib.store.db import Database
from lib.store.figures import figures_db
from lib.store.scope import NotAllowed, reads_centre_data

# Stages an open item passes through, as the forecast sees them: a marked item waits for sampling and
# release together.
QUALITY_CHECK, ALLOCATION, MARKING, AFTER_MARKING = "Quality check", "Allocation", "Marking", "Sampling and release"
FORECAST_STAGES = (QUALITY_CHECK, ALLOCATION, MARKING, AFTER_MARKING)
HISTORY_DAYS = 90  # stage times are taken from items released in this many days before the forecast day
CENTRAL_QUANTILE = 0.5  # of each stage's recent working days: the central forecast
PESSIMISTIC_QUANTILE = 0.9  # and the pessimistic one
NO_HISTORY = {QUALITY_CHECK: (2, 3, 5), ALLOCATION: (0, 1, 3), MARKING: (8, 10, 15),
              AFTER_MARKING: (2, 3, 6)}  # nothing released yet: the service's own aims
RATE_WORKING_DAYS = 20  # an assessor's pace is their markings over this many working days
SLOWER_PACE = 0.75  # the pessimistic date has every assessor at three quarters of their recent pace
FALLBACK_RATE = 0.5  # items a working day for an assessor with no recent markings
WEEKS_AHEAD = 6
BACK_TEST_DAYS = 28


@dataclass(frozen=True, eq=False)
class StageTime:
    """The working days a stage took for each item released recently: what an open item's remaining time in
    that stage is forecast from."""

    durations: np.ndarray  # sorted
    # The quantiles below are kept once worked out: the SLA dashboard reads one shared forecast on every rerun,
    # and each was a quantile over every recent item.

    @cached_property
    def central(self) -> float:
        return float(np.quantile(self.durations, CENTRAL_QUANTILE))

    @cached_property
    def pessimistic(self) -> float:
        return float(np.quantile(self.durations, PESSIMISTIC_QUANTILE))

    def remaining(self, elapsed: np.ndarray, quantile: float) -> np.ndarray:
        """Working days still to go for items already `elapsed` working days into the stage: the quantile of what
        was left of the recent items that had taken longer than that. An item already past the usual time is
        not due at once; it is one of the slow ones. Past every recent item, one more day."""
        elapsed = np.asarray(elapsed, dtype=np.int64)
        left = np.ones(len(elapsed))
        for days in np.unique(elapsed):
            tail = self.durations[self.durations > days] - days if days > 0 else self.durations
            if len(tail):
                left[elapsed == days] = np.quantile(tail, quantile)
        return left


@dataclass(frozen=True)
class Forecast:
    as_of: date
    items: pd.DataFrame  # one row per open item, soonest SLA target first
    weekly: pd.DataFrame  # Week, Likely breaches, Possible breaches, for the next WEEKS_AHEAD weeks
    stage_times: dict[str, StageTime]

    @property
    def already_breached(self) -> int:
        return int((self.items["SLA Target"] < self.as_of).sum()) if len(self.items) else 0

    @cached_property
    def likely(self) -> pd.DataFrame:
        return self.items[self.items["Forecast"] != "On time"]


@dataclass(frozen=True)
class BackTest:
    as_of: date  # the day the forecast was made, BACK_TEST_DAYS before the last release
    checked_on: date  # the last release: what happened is known up to here
    items: int  # open items on as_of whose target fell by checked_on
    breached: int  # of those, how many breached
    predicted: int  # how many the central forecast called likely to breach
    caught: int  # breaches the forecast called
    median_error_days: float | None  # |central - actual| in working days, over items released by checked_on
    # share released on or before their pessimistic date, of the items released or past that date by checked_on
    within_pessimistic: float | None

    @property
    def recall(self) -> float | None:
        return self.caught / self.breached if self.breached else None

    @property
    def precision(self) -> float | None:
        return self.caught / self.predicted if self.predicted else None


def _staff_only(user: User) -> None:
    if user.role not in (ASSESSMENT_TEAM, LEAD_ASSESSOR, QUALITY):
        raise NotAllowed("The breach forecast is for the ILM Assessment Service.")


def _day_numbers() -> tuple[np.ndarray, np.datetime64]:
    table = workdays.working_day_numbers()
    return table.n.to_numpy(), table.day.to_numpy().astype("datetime64[D]")[0]


def _numbers(days) -> np.ndarray:
    """Working-day numbers of dates (NaT gives -1)."""
    numbers, first = _day_numbers()
    values = pd.to_datetime(pd.Series(days)).to_numpy().astype("datetime64[D]")
    missing = np.isnat(values)
    index = np.where(missing, 0, (values - first).astype(np.int64))
    return np.where(missing, -1, numbers[np.clip(index, 0, len(numbers) - 1)])


def _date_of_number(number: np.ndarray) -> np.ndarray:
    """The first day whose working-day number is `number`: the working day that many working days in."""
    numbers, first = _day_numbers()
    return first + np.searchsorted(numbers, number, side="left").astype("timedelta64[D]")


def stage_times(db: Database, as_of: date, history_days: int = HISTORY_DAYS) -> dict[str, StageTime]:
    """The working days each stage took, for the items released in the days before as_of."""
    with db.cursor() as cursor:
        cursor.register("workday_numbers", workdays.working_day_numbers())
        frame = cursor.execute(
            """WITH done AS (
                   SELECT checked.n - received.n AS qc, allocated.n - checked.n AS allocation,
                          marked.n - allocated.n AS marking, released.n - marked.n AS after_marking
                   FROM submissions s
                   JOIN workday_numbers received ON received.day = s.received_on
                   JOIN workday_numbers checked ON checked.day = CAST(s.quality_checked_at AS DATE)
                   JOIN workday_numbers allocated ON allocated.day = CAST(s.allocated_at AS DATE)
                   JOIN workday_numbers marked ON marked.day = CAST(s.marked_at AS DATE)
                   JOIN workday_numbers released ON released.day = CAST(s.released_at AS DATE)
                   WHERE s.released_at >= $since AND s.released_at < $until)
               SELECT * FROM done""",
            {"since": as_of - timedelta(days=history_days), "until": as_of + timedelta(days=1)}).df()
    if not len(frame):  # no history: the service's own aims (5 days to check, the rest of 25 shared out)
        return {stage: StageTime(np.array(days, dtype=float)) for stage, days in NO_HISTORY.items()}
    return {stage: StageTime(np.sort(np.maximum(frame[column].dropna().to_numpy(dtype=float), 0)))
            for stage, column in zip(FORECAST_STAGES, ("qc", "allocation", "marking", "after_marking"))}


def assessor_rates(db: Database, as_of: date) -> dict[int, float]:
    """Items each assessor marked per working day over the RATE_WORKING_DAYS working days up to as_of."""
    since = workdays.offset_working_days(np.datetime64(as_of, "D"), -RATE_WORKING_DAYS).item()
    rows = db.query_all(
        """SELECT assessor_id, count(*) FROM submissions
           WHERE marked_at IS NOT NULL AND CAST(marked_at AS DATE) > ? AND CAST(marked_at AS DATE) <= ?
             AND assessor_id IS NOT NULL GROUP BY 1""", [since, as_of])
    return {int(assessor): count / RATE_WORKING_DAYS for assessor, count in rows}


def open_queue(db: Database, as_of: date, live: bool) -> pd.DataFrame:
    """The items open at the end of as_of, with the stage each was in then, from their timestamps.

    live: today's queue (the stage column says which items are open); otherwise the queue of a past day,
    rebuilt from when each item was submitted, checked, allocated, marked, rejected and released.
    """
    open_then = ("s.stage IN ('submitted', 'accepted', 'allocated', 'marked', 'sampling', 'ready')" if live else
                 """CAST(s.submitted_at AS DATE) <= ?
                    AND (s.released_at IS NULL OR CAST(s.released_at AS DATE) > ?)
                    AND (s.rejected_at IS NULL OR CAST(s.rejected_at AS DATE) > ?)""")
    params = [] if live else [as_of, as_of, as_of]
    frame = db.query_df(
        f"""SELECT s.id AS "ID", c.number AS "Centre", c.name AS "Centre name",
                   l.first_name || ' ' || l.last_name AS "Learner", s.unit_codes AS "Unit(s)",
                   s.received_on, s.sla_target AS "SLA Target",
                   CASE WHEN s.quality_checked_at IS NOT NULL AND CAST(s.quality_checked_at AS DATE) <= ?
                        THEN CAST(s.quality_checked_at AS DATE) END AS checked_on,
                   CASE WHEN s.allocated_at IS NOT NULL AND CAST(s.allocated_at AS DATE) <= ?
                        THEN CAST(s.allocated_at AS DATE) END AS allocated_on,
                   CASE WHEN s.marked_at IS NOT NULL AND CAST(s.marked_at AS DATE) <= ?
                        THEN CAST(s.marked_at AS DATE)
                        -- Live, the stage says an item is marked (waiting for sampling or release) even where
                        -- its marking time is not known: it is past marking, as of today at the latest.
                        WHEN ? AND s.stage IN ('marked', 'sampling', 'ready') THEN ? END AS marked_on,
                   CASE WHEN s.allocated_at IS NOT NULL AND CAST(s.allocated_at AS DATE) <= ?
                        THEN s.assessor_id END AS assessor_id, a.name AS "Assessor",
                   CAST(s.released_at AS DATE) AS released_on, CAST(s.rejected_at AS DATE) AS rejected_on
            FROM submissions s JOIN centres c ON c.id = s.centre_id JOIN learners l ON l.id = s.learner_id
            LEFT JOIN users a ON a.id = s.assessor_id
            WHERE s.submitted_at IS NOT NULL AND {open_then}
            ORDER BY s.sla_target, s.id""", [as_of, as_of, as_of, live, as_of, as_of] + params)
    frame["stage"] = np.select(
        [frame.marked_on.notna(), frame.allocated_on.notna(), frame.checked_on.notna()],
        [AFTER_MARKING, MARKING, ALLOCATION], default=QUALITY_CHECK)
    frame.loc[frame.stage != MARKING, "Assessor"] = None
    return frame


def predict(queue: pd.DataFrame, times: dict[str, StageTime], rates: dict[int, float], as_of: date) -> pd.DataFrame:
    """Each open item's central and pessimistic release dates, and whether it is likely to breach."""
    items = queue.copy()
    today = _numbers([as_of])[0]
    started = np.select(
        [items.stage == AFTER_MARKING, items.stage == MARKING, items.stage == ALLOCATION],
        [_numbers(items.marked_on), _numbers(items.allocated_on), _numbers(items.checked_on)],
        default=_numbers(items.received_on))
    elapsed = np.maximum(today - started, 0)
    order = {stage: i for i, stage in enumerate(FORECAST_STAGES)}
    position = items.stage.map(order).to_numpy()

    def remaining(quantile: float) -> np.ndarray:
        """Working days left in the current stage and all later ones, except marking (queued below)."""
        total = np.zeros(len(items))
        for stage, i in order.items():
            if stage == MARKING:
                continue
            total += np.where(position == i, times[stage].remaining(elapsed, quantile), 0)
            total += np.where(position < i, times[stage].remaining(np.zeros(len(items)), quantile), 0)
        return total

    # Marking waits in a queue: an allocated item behind the assessor's earlier targets, at the assessor's pace;
    # an item not yet allocated behind every unmarked item, at the whole team's pace.
    service_rate = max(sum(rates.values()), FALLBACK_RATE)
    allocated = items.stage == MARKING
    in_assessor_queue = items[allocated].groupby("assessor_id").cumcount() + 1
    assessor_rate = items.assessor_id.map(lambda a: rates.get(int(a), FALLBACK_RATE) if pd.notna(a) else np.nan)
    waiting = (~items.stage.isin([MARKING, AFTER_MARKING])).cumsum() + int(allocated.sum())
    queue_days = np.where(allocated, in_assessor_queue.reindex(items.index).fillna(0) / assessor_rate,
                          waiting / service_rate)
    marking_left = position <= order[MARKING]
    marking_elapsed = np.where(allocated, elapsed, 0)

    def marking(quantile: float, pace: float) -> np.ndarray:
        return np.where(marking_left, np.maximum(queue_days / pace, times[MARKING].remaining(marking_elapsed,
                                                                                              quantile)), 0)

    central = remaining(CENTRAL_QUANTILE) + marking(CENTRAL_QUANTILE, 1.0)
    pessimistic = np.maximum(remaining(PESSIMISTIC_QUANTILE) + marking(PESSIMISTIC_QUANTILE, SLOWER_PACE), central)
    first_day = today if workdays.is_working_day(as_of) else today + 1
    items["Forecast release"] = _date_of_number(first_day + np.ceil(central).astype(np.int64))
    items["Pessimistic release"] = _date_of_number(first_day + np.ceil(pessimistic).astype(np.int64))
    target = pd.to_datetime(items["SLA Target"]).to_numpy().astype("datetime64[D]")
    items["Forecast"] = np.select(
        [target < np.datetime64(as_of, "D"), items["Forecast release"].to_numpy() > target,
         items["Pessimistic release"].to_numpy() > target],
        ["Breached", "Likely to breach", "May breach"], default="On time")
    items["Stage"] = items.stage
    for column in ("Forecast release", "Pessimistic release"):
        items[column] = pd.to_datetime(items[column]).dt.date
    items["SLA Target"] = pd.to_datetime(items["SLA Target"]).dt.date
    return items


def weekly_breaches(items: pd.DataFrame, as_of: date, weeks: int = WEEKS_AHEAD) -> pd.DataFrame:
    """Forecast breaches by the week their SLA target falls in, for the coming weeks."""
    monday = as_of - timedelta(days=as_of.weekday())
    starts = [monday + timedelta(weeks=w) for w in range(weeks)]
    targets = pd.to_datetime(items["SLA Target"]) if len(items) else pd.Series(dtype="datetime64[ns]")
    rows = []
    for start in starts:
        in_week = (targets >= pd.Timestamp(max(start, as_of))) & (targets < pd.Timestamp(start + timedelta(days=7)))
        rows.append({"Week": start, "Likely breaches": int((in_week & (items.Forecast == "Likely to breach")).sum()),
                     "Possible breaches": int((in_week & items.Forecast.isin(["Likely to breach", "May breach"])).sum())})
    return pd.DataFrame(rows)


SHOWN = ["ID", "Centre", "Centre name", "Learner", "Unit(s)", "Stage", "Assessor", "SLA Target", "Forecast release",
         "Pessimistic release", "Forecast"]


@reads_centre_data()
def forecast(db: Database, user: User, today: date | None = None) -> Forecast:
    """Today's open items with their forecast release dates, and the breaches expected week by week."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    _staff_only(user)
    today = today or date.today()
    times = stage_times(db, today)
    items = predict(open_queue(db, today, live=True), times, assessor_rates(db, today), today)
    return Forecast(today, items[SHOWN], weekly_breaches(items, today), times)


@reads_centre_data()
def back_test(db: Database, user: User, days_before: int = BACK_TEST_DAYS) -> BackTest | None:
    """What the forecast would have said days_before the last release, against what then happened."""
    db = figures_db(db)  # counted in the figures copy on PostgreSQL (lib/store/figures.py)
    _staff_only(user)
    last = db.query_one("SELECT max(CAST(released_at AS DATE)) FROM submissions")[0]
    if last is None:
        return None
    as_of = last - timedelta(days=days_before)
    items = predict(open_queue(db, as_of, live=False), stage_times(db, as_of), assessor_rates(db, as_of), as_of)
    items = items[(items["SLA Target"] >= as_of) & (items["SLA Target"] <= last)]
    # A rejected item left the SLA clock: neither a breach nor on time.
    items = items[items.rejected_on.isna() | (pd.to_datetime(items.rejected_on) > pd.Timestamp(last))]
    released = items.released_on.notna() & (pd.to_datetime(items.released_on).dt.date <= last)
    actual = pd.to_datetime(items.released_on).dt.date.where(released)
    breached = np.where(released, actual > items["SLA Target"], True)  # still open at the last release: late
    called = items.Forecast.eq("Likely to breach").to_numpy()
    done = items[released]
    errors = np.abs(_numbers(done["Forecast release"]) - _numbers(done.released_on))
    # Coverage of the pessimistic date over every item whose outcome is known by the last release: released on
    # or before it is a hit; released after it, or still open past it, a miss. One still open before its
    # pessimistic date has passed is not known yet.
    pessimistic = pd.to_datetime(items["Pessimistic release"])
    known = released | (pessimistic < pd.Timestamp(last))
    hit = released & (pd.to_datetime(items.released_on) <= pessimistic)
    return BackTest(
        as_of, last, len(items), int(breached.sum()), int(called.sum()), int((breached & called).sum()),
        float(np.median(errors)) if len(done) else None,
        float(hit[known].mean()) if known.any() else None)
