"""Copied-work figures on a generated set: 200 originals, 200 copies edited as learners edit (paragraphs
reordered, 10-20% of words changed, added or removed) and 200 texts written apart on the same topic; recall and
false matches at the default threshold, and the time one pair's comparison takes."""

from __future__ import annotations

import statistics
import time

from bench.timing import scaled
from lib.demo.essays import edited, original
from lib.rules.similarity import DEFAULT_THRESHOLD, shared_text, words_of

TEXTS = scaled(200, 20)


def figures(emit) -> None:
    originals = [words_of(original(seed)) for seed in range(TEXTS)]
    copies = [words_of(edited(original(seed), seed, 0.10 + 0.10 * (seed % 3) / 2)) for seed in range(TEXTS)]
    apart = [words_of(original(100_000 + seed)) for seed in range(TEXTS)]
    timings = []
    found = 0
    for first, copy in zip(originals, copies, strict=True):
        started = time.perf_counter()
        found += shared_text(first, copy).share >= DEFAULT_THRESHOLD
        timings.append((time.perf_counter() - started) * 1000)
    false_matches = sum(shared_text(first, other).share >= DEFAULT_THRESHOLD
                        for first in originals for other in apart[:scaled(20, 5)])
    emit("similarity_recall", round(found / TEXTS, 3), "fraction", pairs=TEXTS, threshold=DEFAULT_THRESHOLD)
    emit("similarity_false_matches", false_matches, "pairs", pairs=TEXTS * scaled(20, 5))
    emit("similarity_pair_ms", round(statistics.median(timings), 2), "ms", words=len(originals[0].compared))
