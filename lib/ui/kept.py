"""Figures counted once for every session and kept: when they are older than they should be, the next reader still
gets them at once while they are counted again in the background, one count at a time.

st.cache_resource with a ttl makes the first reader after the ttl count again while it waits, and every other
reader of the same figures waits behind it: on a busy service each minute began with a queue of SLA dashboards
held up for seconds. Here only the very first reading waits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class Kept(Generic[T]):
    """Values by key, each counted again in the background once older than fresh_seconds; the max_entries
    read least recently are let go."""

    def __init__(self, fresh_seconds: float, max_entries: int = 32):
        self.fresh_seconds = fresh_seconds
        self.max_entries = max_entries
        self._values: OrderedDict[Hashable, tuple[T, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._first_counts: dict[Hashable, threading.Lock] = {}
        self._recounting: set[Hashable] = set()

    def get(self, key: Hashable, count: Callable[[], T]) -> T:
        """The value kept under key; count() makes it (the caller waits the first time only)."""
        with self._lock:
            entry = self._values.get(key)
            if entry is not None:
                self._values.move_to_end(key)
                if time.monotonic() - entry[1] > self.fresh_seconds and key not in self._recounting:
                    self._recounting.add(key)
                    threading.Thread(target=self._recount, args=(key, count), name="kept-recount",
                                     daemon=True).start()
                return entry[0]
            first = self._first_counts.setdefault(key, threading.Lock())
        try:
            with first:  # two readers of a key never kept count it once, the second waiting for the first
                with self._lock:
                    entry = self._values.get(key)
                if entry is not None:
                    return entry[0]
                value = count()
                self._keep(key, value)
                return value
        finally:
            with self._lock:
                self._first_counts.pop(key, None)

    def clear(self) -> None:
        """Forget every value: the next reading of each counts it again, waiting for it."""
        with self._lock:
            self._values.clear()

    def _recount(self, key: Hashable, count: Callable[[], T]) -> None:
        try:
            self._keep(key, count())
        except Exception:  # the older value is still right to show; the next reader tries again
            log.exception("Counting %r again failed", key)
        finally:
            with self._lock:
                self._recounting.discard(key)

    def _keep(self, key: Hashable, value: T) -> None:
        with self._lock:
            self._values[key] = (value, time.monotonic())
            self._values.move_to_end(key)
            while len(self._values) > self.max_entries:
                self._values.popitem(last=False)
