"""ILM-side figures: the quality-check queue, the SLA dashboard's queries, a million SLA targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.timing import median_ms
from lib.accounts.auth import user_by_username
from lib.rules import workdays
from lib.service.quality_check import qc_queue
from lib.service.queues import QueueView
from lib.service.sla import on_time_by_month, open_items
from lib.store.db import Database


def figures(db_path: Path, emit) -> None:
    db = Database.open(db_path)
    try:
        team = user_by_username(db, "team.demo")
        # The first page with the queue's counts, as the page reads it.
        emit("qc_queue_ms", median_ms(lambda: qc_queue(db, team, QueueView())), "ms")
        emit("sla_dashboard_ms", median_ms(lambda: open_items(db, team)), "ms", query="open items by stage")
        emit("sla_dashboard_ms", median_ms(lambda: on_time_by_month(db, team)), "ms", query="on-time rate by month")
    finally:
        db.close()
    days = np.datetime64("2023-11-23") + np.random.default_rng(1).integers(0, 3 * 365, 1_000_000).astype("timedelta64[D]")
    emit("sla_targets_1m_ms", median_ms(lambda: workdays.sla_targets(days), runs=7), "ms", dates=len(days))
