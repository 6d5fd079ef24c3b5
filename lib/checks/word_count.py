"""Counting words in text that arrives in pieces, without holding the text."""

from __future__ import annotations

import re

TOKEN = re.compile(r"[\w'’-]+")
WORD_CHARACTER = re.compile(r"\w")


class WordCounter:
    """Words (runs of letters, digits, apostrophes and hyphens with at least one letter or digit) in a stream of
    text pieces; a word split across pieces counts once."""

    def __init__(self, cap: int):
        self.cap = cap
        self.count = 0
        self._open_run_has_word: bool | None = None  # the run the last piece ended in, if it ended in one

    @property
    def capped(self) -> bool:
        return self.count >= self.cap

    @property
    def words(self) -> int:
        """The count, never past the cap (a piece may take it beyond before counting stops)."""
        return min(self.count, self.cap)

    def feed(self, text: str) -> None:
        if not text or self.capped:
            return
        runs = TOKEN.finditer(text)
        for run in runs:
            has_word = WORD_CHARACTER.search(run.group()) is not None
            joins_previous = run.start() == 0 and self._open_run_has_word is not None
            if joins_previous:
                if has_word and not self._open_run_has_word:
                    self.count += 1
                has_word = has_word or self._open_run_has_word
            elif has_word:
                self.count += 1
            self._open_run_has_word = has_word if run.end() == len(text) else None
        if not text or not TOKEN.fullmatch(text[-1]):
            self._open_run_has_word = None

    def gap(self) -> None:
        """A boundary that ends any word (a paragraph, a tab, a line break)."""
        self._open_run_has_word = None
