"""Figures kept for every session (lib.ui.kept): only the first reading waits for the count; an old value is still
given at once while it is counted again, once, in the background; a failed recount keeps the older value."""

from __future__ import annotations

import threading
import time

from lib.ui.kept import Kept


def wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_first_reading_counts_and_the_next_ones_read_what_was_kept():
    kept, counts = Kept(60), []
    assert kept.get("k", lambda: counts.append(1) or "first") == "first"
    assert kept.get("k", lambda: counts.append(1) or "second") == "first"
    assert len(counts) == 1


def test_readers_of_a_new_key_at_the_same_moment_count_it_once():
    kept, counts, started = Kept(60), [], threading.Event()

    def slow():
        counts.append(1)
        started.set()
        time.sleep(0.2)
        return len(counts)

    results = []
    threads = [threading.Thread(target=lambda: results.append(kept.get("k", slow))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts == [1] and results == [1] * 8


def test_an_old_value_is_given_at_once_while_one_recount_runs_behind_it():
    kept = Kept(0.05)
    kept.get("k", lambda: "old")
    time.sleep(0.1)
    release, recounts = threading.Event(), []

    def recount():
        recounts.append(1)
        release.wait(5)
        return "new"

    started = time.monotonic()
    assert [kept.get("k", recount) for _ in range(5)] == ["old"] * 5
    assert time.monotonic() - started < 1  # nobody waited for the recount
    release.set()
    wait_until(lambda: kept.get("k", recount) == "new")
    assert len(recounts) == 1


def test_a_recount_that_fails_keeps_the_older_value_and_the_next_reader_tries_again():
    kept = Kept(0.05)
    kept.get("k", lambda: "old")
    time.sleep(0.1)
    attempts = []

    def broken():
        attempts.append(1)
        raise RuntimeError("database gone")

    assert kept.get("k", broken) == "old"
    wait_until(lambda: not kept._recounting)
    assert kept.get("k", lambda: "new") == "old"  # this reading starts the next recount
    wait_until(lambda: kept.get("k", lambda: "newer") in ("new", "newer"))
    assert attempts == [1]


def test_the_least_recently_read_keys_are_let_go():
    kept = Kept(60, max_entries=2)
    for key in "abc":
        kept.get(key, lambda key=key: key)
    assert kept.get("a", lambda: "counted again") == "counted again"
    assert kept.get("c", lambda: "not kept") == "c"


def test_after_clear_the_next_reading_counts_again():
    kept = Kept(60)
    kept.get("k", lambda: "old")
    kept.clear()
    assert kept.get("k", lambda: "new") == "new"
