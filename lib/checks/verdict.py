"""What a check says about one file's content."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    # Why it is refused, with {name} where the file's name goes (verdicts are kept by content, not name).
    reason: str | None = None
    words: int | None = None
    # True when counting stopped at its cap or its time: the file has at least `words` words.
    words_capped: bool = False
    # A recording's length in seconds, measured from its packets, and its format as its content says (MP4, M4A,
    # MP3, WebM).
    seconds: float | None = None
    media_format: str | None = None
    # Evidence text's fingerprint (lib.rules.similarity.fingerprint), or why there is none, with {name}.
    samples: tuple[int, ...] | None = None
    not_compared: str | None = None
    # Peak resident memory of the check, and what it held when it started (benchmarks report the difference).
    peak_rss_bytes: int = 0
    start_rss_bytes: int = 0


def refused(reason: str) -> Verdict:
    return Verdict(False, reason)
