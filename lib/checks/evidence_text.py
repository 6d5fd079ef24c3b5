"""The text a word count reads, kept (within a budget) to fingerprint the evidence for finding copied work."""

from __future__ import annotations

from lib.rules.similarity import MAX_FINGERPRINT_WORDS, fingerprint, words_of

# About 20 characters a word leaves room for any real text of MAX_FINGERPRINT_WORDS words.
MAX_KEPT_CHARACTERS = MAX_FINGERPRINT_WORDS * 20


class KeptText:
    """Text pieces as the word count receives them, up to MAX_KEPT_CHARACTERS; then only that it overflowed."""

    def __init__(self):
        self._pieces: list[str] = []
        self._characters = 0
        self.overflowed = False

    def feed(self, text: str) -> None:
        if self.overflowed or not text:
            return
        self._characters += len(text)
        if self._characters > MAX_KEPT_CHARACTERS:
            self.overflowed = True
            self._pieces.clear()
            return
        self._pieces.append(text)

    def gap(self) -> None:
        self.feed("\n")

    def fingerprint(self, words: int, capped: bool) -> tuple[tuple[int, ...] | None, str | None]:
        """(samples, None), or (None, why the file is not compared)."""
        if capped or self.overflowed or words > MAX_FINGERPRINT_WORDS:
            return None, f"{{name}} has more than {MAX_FINGERPRINT_WORDS:,} words: it is not compared for copying."
        found = words_of("".join(self._pieces).split("\n"))
        if not found.compared:
            return None, "{name} has no text to compare (a scan, or images only): it is not compared for copying."
        return fingerprint(found), None
