"""Shared text between two pieces of evidence: the passages they have in common and the share of the shorter
one's words those passages cover.

Words are compared lower-cased, punctuation and layout ignored, in overlapping runs of SHINGLE_WORDS words: a
run found in both texts marks its words as shared in each. Reordered paragraphs keep their runs; a word changed
here and there breaks only the runs through it, so lightly edited copies still share most of their words, while
two texts written separately on the same unit share few runs of four words. The share is counted on the shorter
text, so a short answer copied into a long one counts in full."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

TOKEN = re.compile(r"[\w'’-]+")  # a word as the word count reads one

SHINGLE_WORDS = 4
MIN_PASSAGE_WORDS = 8  # shorter runs of shared words are common phrases, not passages
DEFAULT_THRESHOLD = 0.25  # lightly edited copies share 35% and more; texts written apart, none
# A fingerprint keeps the runs whose hash is a multiple of SAMPLE_EVERY: chosen by content, so two texts keep the
# same runs of the words they share, and a text keeps about one run in SAMPLE_EVERY.
SAMPLE_EVERY = 16
MAX_FINGERPRINT_WORDS = 100_000  # the evidence word cap: longer files are not compared
HASH_BITS = 63  # a signed 64-bit column holds every hash


@dataclass(frozen=True)
class Words:
    """A text's words as written (to show passages) and as compared."""

    shown: tuple[str, ...]  # each word as written, with the punctuation and space that follow it
    compared: tuple[str, ...]
    paragraph_starts: frozenset[int] = frozenset()  # the word positions a paragraph begins at, to lay it out


@dataclass(frozen=True)
class SharedText:
    share: float  # of the shorter text's words, in passages both have
    passages: tuple[str, ...]  # as the second text words them, in its order
    first_spans: tuple[tuple[int, int], ...] = ()  # (start, end) word positions of the passages in each text
    second_spans: tuple[tuple[int, int], ...] = ()


def words_of(paragraphs: list[str] | str) -> Words:
    shown: list[str] = []
    compared: list[str] = []
    starts = set()
    for paragraph in [paragraphs] if isinstance(paragraphs, str) else paragraphs:
        starts.add(len(shown))
        found = [match for match in TOKEN.finditer(paragraph) if any(c.isalnum() for c in match.group())]
        for number, match in enumerate(found):
            following = found[number + 1].start() if number + 1 < len(found) else len(paragraph)
            shown.append(paragraph[match.start():following].rstrip() + " ")
            compared.append(match.group().lower().replace("’", "'"))
    return Words(tuple(shown), tuple(compared), frozenset(starts))


def _run_hash(words: tuple[str, ...], start: int) -> int:
    joined = " ".join(words[start:start + SHINGLE_WORDS]).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(joined, digest_size=8).digest(), "big") >> (64 - HASH_BITS)


def run_hashes(words: Words) -> list[int]:
    """One hash per run of SHINGLE_WORDS words, in order."""
    return [_run_hash(words.compared, start) for start in range(len(words.compared) - SHINGLE_WORDS + 1)]


def fingerprint(words: Words) -> tuple[int, ...]:
    """The text's sampled run hashes, each once, in order of value: what is stored to find candidates."""
    return tuple(sorted({value for value in run_hashes(words) if value % SAMPLE_EVERY == 0}))


def estimated_share(shared_samples: int, first_samples: int, second_samples: int) -> float:
    """The share of the shorter text in shared runs, as the fingerprints estimate it."""
    shorter = min(first_samples, second_samples)
    return shared_samples / shorter if shorter else 0.0


def _covered(flags: list[bool]) -> list[tuple[int, int]]:
    """(start, end) of each stretch of shared words long enough to be a passage."""
    stretches, start = [], None
    for position, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = position
        elif not flag and start is not None:
            if position - start >= MIN_PASSAGE_WORDS:
                stretches.append((start, position))
            start = None
    return stretches


def shared_text(first: Words, second: Words) -> SharedText:
    first_runs, second_runs = run_hashes(first), run_hashes(second)
    where_in_first: dict[int, list[int]] = {}
    for start, value in enumerate(first_runs):
        where_in_first.setdefault(value, []).append(start)
    in_first = [False] * len(first.compared)
    in_second = [False] * len(second.compared)
    for start, value in enumerate(second_runs):
        for other in where_in_first.get(value, ()):
            in_second[start:start + SHINGLE_WORDS] = [True] * SHINGLE_WORDS
            in_first[other:other + SHINGLE_WORDS] = [True] * SHINGLE_WORDS
    first_stretches, second_stretches = _covered(in_first), _covered(in_second)
    shared_first = sum(end - start for start, end in first_stretches)
    shared_second = sum(end - start for start, end in second_stretches)
    shorter, shared = min((len(first.compared), shared_first), (len(second.compared), shared_second))
    share = shared / shorter if shorter else 0.0
    passages = tuple("".join(second.shown[start:end]).strip() for start, end in second_stretches)
    return SharedText(round(share, 4), passages, tuple(first_stretches), tuple(second_stretches))
