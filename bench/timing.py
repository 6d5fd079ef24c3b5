"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time


def median_ms(work, runs: int = 15) -> float:
    """Median milliseconds of work() over runs, after one warm-up call."""
    work()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def rerun_ms(app, runs: int) -> float:
    """Median milliseconds of an AppTest rerun; a run that raised makes the figure meaningless."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        app.run()
        timings.append((time.perf_counter() - started) * 1000)
    if app.exception:
        raise RuntimeError(app.exception[0].message)
    return statistics.median(timings)
