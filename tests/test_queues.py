"""Staff queues read a page at a time: the page, its counts, the search, the SLA filter and a heading's sort agree
with the whole queue, on both backends."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from lib.service import allocation, marking, quality_check, release, sampling
from lib.service.queues import EVERYTHING, QueueView, sla_bounds
from lib.service.sla import AT_RISK, BREACHED, ON_TRACK, sla_flags
from tests.conftest import load_user

TODAY = date(2026, 12, 3)


@pytest.fixture
def people(db):
    return {name: load_user(db, f"{name}.demo") for name in ("team", "assessor", "lead")}


def _queues(db, people):
    """Each queue as its page reads it: view -> QueuePage."""
    team = people["team"]
    return {
        "quality check": lambda view: quality_check.qc_queue(db, team, view, today=TODAY),
        "allocation": lambda view: allocation.allocation_queue(db, team, True, view, today=TODAY),
        "marking": lambda view: marking.my_queue(db, people["assessor"], view, today=TODAY),
        "sampling": lambda view: sampling.sampling_queue(db, people["lead"], view, today=TODAY),
        "release": lambda view: release.release_queue(db, team, view, today=TODAY),
    }


def _category(flags: pd.Series) -> pd.Series:
    return flags.fillna("").str.split(":").str[0].replace("", ON_TRACK)


@pytest.mark.parametrize("name", ["quality check", "allocation", "marking", "sampling", "release"])
def test_each_page_is_the_whole_queue_cut_in_its_order_with_the_whole_count(db, people, name):
    read = _queues(db, people)[name]
    whole = read(EVERYTHING).rows
    assert len(whole) > 0, "the demo has items in every queue"
    pages = []
    offset = 0
    while True:
        page = read(QueueView(offset=offset, limit=7))
        assert page.total == len(whole) and page.matched == len(whole)
        if offset >= len(whole):
            break
        pages.append(page.rows)
        offset += 7
    joined = pd.concat(pages, ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole, check_dtype=False)


def test_a_page_past_the_end_shows_the_last_page(db, people):
    read = _queues(db, people)["quality check"]
    whole = read(EVERYTHING).rows
    page = read(QueueView(offset=len(whole) + 50, limit=5))
    last = (len(whole) - 1) // 5 * 5
    assert page.offset == last
    assert list(page.rows.ID) == list(whole.ID[last:])


def test_the_search_finds_an_id_whole_and_names_and_centres_in_any_case(db, people):
    read = _queues(db, people)["quality check"]
    whole = read(EVERYTHING).rows
    item = whole.iloc[len(whole) - 1]  # the last row of the list
    by_id = read(QueueView(words=str(item.ID)))
    assert list(by_id.rows.ID) == [item.ID] and by_id.matched == 1
    surname = item.Learner.split()[-1]
    expected = whole[whole.Learner.str.lower().str.contains(surname.lower(), regex=False)
                     | whole.ENR.str.lower().str.startswith(surname.lower())
                     | whole["Centre name"].str.lower().str.contains(surname.lower(), regex=False)
                     | whole.Centre.str.startswith(surname)]
    found = read(QueueView(words=surname.upper(), limit=None))
    assert list(found.rows.ID) == list(expected.ID)
    assert found.total == len(whole)
    both = read(QueueView(words=f"{surname} {item.Centre}", limit=None))
    assert item.ID in set(both.rows.ID)
    assert set(both.rows.ID) <= set(found.rows.ID)
    assert all(row.Centre.startswith(item.Centre) or row.ENR.startswith(item.Centre) for _, row in both.rows.iterrows())
    by_enr = read(QueueView(words=item.ENR[:4].lower(), limit=None)).rows
    assert item.ID in set(by_enr.ID)
    assert item.ID not in set(read(QueueView(words=item.ENR[2:], limit=None)).rows.ID)  # not from its start


def test_a_number_finds_its_item_not_every_enr_with_those_digits_inside(db, people):
    read = _queues(db, people)["quality check"]
    for item_id in read(EVERYTHING).rows.ID:
        found = read(QueueView(words=str(item_id), limit=None)).rows
        assert item_id in set(found.ID)
        assert all(row.ID == item_id or row.ENR.startswith(str(item_id)) or row.Centre.startswith(str(item_id))
                   for _, row in found.iterrows())


@pytest.mark.parametrize("words", ["%", "_", "**bold**", "=1+1", "' OR 1=1 --", "no-such-learner-zz"])
def test_search_words_are_words_not_patterns_or_sql(db, people, words):
    page = _queues(db, people)["quality check"](QueueView(words=words))
    assert page.matched == 0 and page.rows.empty
    assert page.total > 0


def test_a_search_past_its_last_page_shows_its_last_page(db, people):
    read = _queues(db, people)["quality check"]
    whole = read(EVERYTHING).rows
    letter = "a"
    matching = read(QueueView(words=letter, limit=None)).rows
    page = read(QueueView(words=letter, offset=len(whole) + 10, limit=3))
    assert page.matched == len(matching)
    assert list(page.rows.ID) == list(matching.ID[page.offset:page.offset + 3])


@pytest.mark.parametrize("name", ["marking", "sampling", "release"])
def test_the_sla_counts_and_filter_agree_with_the_flags(db, people, name):
    read = _queues(db, people)[name]
    whole = read(EVERYTHING)
    categories = _category(whole.rows.SLA)
    assert whole.sla_counts == {flag: int((categories == flag).sum()) for flag in (BREACHED, AT_RISK, ON_TRACK)}
    for flag in (BREACHED, AT_RISK, ON_TRACK):
        page = read(QueueView(sla=flag, limit=None))
        assert list(page.rows.ID) == list(whole.rows.ID[categories == flag])
        assert page.matched == whole.sla_counts[flag]
        first = read(QueueView(sla=flag, limit=2))
        assert list(first.rows.ID) == list(page.rows.ID[:2]) and first.matched == page.matched


def test_sla_bounds_say_what_the_flags_say_across_weekends_and_bank_holidays():
    for today in (date(2026, 12, 3), date(2026, 12, 5), date(2026, 12, 23), date(2027, 4, 1)):
        for at_risk_days in (0, 3, 5):
            targets = [today + timedelta(days=d) for d in range(-10, 30)]
            start, first_safe = sla_bounds(today, at_risk_days)
            from_bounds = [BREACHED if t < start else AT_RISK if t < first_safe else ON_TRACK for t in targets]
            assert from_bounds == list(_category(pd.Series(sla_flags(targets, today, at_risk_days)))), \
                (today, at_risk_days)


def test_a_heading_sort_orders_the_whole_queue_before_it_is_cut(db, people):
    read = _queues(db, people)["quality check"]
    whole = read(EVERYTHING).rows
    expected = whole.sort_values("Learner", ascending=False, kind="stable")
    page = read(QueueView(sort=("Learner", True), offset=3, limit=4))
    assert list(page.rows.ID) == list(expected.ID[3:7])
    by_sla = _queues(db, people)["release"](QueueView(sort=("SLA", False), limit=None)).rows
    assert list(by_sla["SLA Target"]) == sorted(by_sla["SLA Target"])


def test_tallies_count_the_whole_queue(db, people):
    qc = _queues(db, people)["quality check"](QueueView(limit=1))
    whole = _queues(db, people)["quality check"](EVERYTHING).rows
    assert qc.tallies["overdue"] == int((whole.Overdue == "Overdue").sum())
    ready = _queues(db, people)["release"](EVERYTHING)
    assert ready.tallies["held"] == int((ready.rows.Hold == "Held").sum())
    assert release.releasable(db, people["team"]) == [int(i) for i in ready.rows.ID[ready.rows.Hold == ""]]


def test_awaiting_allocation_is_the_queue_without_the_allocated_items(db, people):
    whole = _queues(db, people)["allocation"](EVERYTHING).rows
    assert allocation.awaiting_allocation(db, people["team"]) == [
        int(i) for i in whole.ID[whole.Stage == "Awaiting allocation"]]
    only_awaiting = allocation.allocation_queue(db, people["team"]).rows
    assert set(only_awaiting.Stage) == {"Awaiting allocation"}


def test_ticked_items_that_left_the_queue_are_told_apart(db, people):
    team = people["team"]
    read = _queues(db, people)["quality check"]
    whole = read(EVERYTHING).rows
    kept, acted_on = int(whole.ID.iloc[-1]), int(whole.ID.iloc[0])
    quality_check.accept(db, team, acted_on)
    page = read(QueueView(limit=2, ticked=(kept, acted_on)))
    assert page.present == frozenset({kept})
    assert acted_on not in set(page.rows.ID)
    assert page.total == len(whole) - 1


def test_queues_are_only_for_their_roles(db, people):
    from lib.store.scope import NotAllowed

    with pytest.raises(NotAllowed):
        quality_check.qc_queue(db, people["assessor"], QueueView())
    with pytest.raises(NotAllowed):
        sampling.sampling_queue(db, people["team"], QueueView())
    with pytest.raises(NotAllowed):
        release.releasable(db, people["lead"])
