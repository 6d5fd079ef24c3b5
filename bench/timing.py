"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import os
import statistics
import time

SMOKE = "BENCH_SMOKE"


def scaled(full: int, smoke: int) -> int:
    """The benchmark's size, or a small one when the bench runs as a smoke test (python -m bench --smoke)."""
    return smoke if os.environ.get(SMOKE) else full


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


def signed_in_app(env: dict, username: str):
    """The app in AppTest, signed in as username and on its home page (env: the server's environment)."""
    import os

    from streamlit.testing.v1 import AppTest

    from lib.config import PROJECT_ROOT
    from lib.demo import DEMO_PASSWORD

    os.environ.update(env)
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
    app.run()
    app.text_input(key="sign_in_username").input(username)
    app.text_input(key="sign_in_password").input(DEMO_PASSWORD)
    app.button(key="sign_in_submit").click().run()
    app.switch_page("pages/common/home_page.py").run()
    return app
