"""Finding items in a queue by what a person remembers of them: an ID, a learner's name, a centre."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Columns a queue may have that a search looks in; an ID must match whole, the rest contain the words.
WHOLE = ("ID",)
CONTAINS = ("Learner", "ENR", "Centre", "Centre name")


def search(frame: pd.DataFrame, words: str | None) -> pd.DataFrame:
    """The rows in which every word is found: as the whole ID, or inside the learner, ENR or centre (any case)."""
    kept = np.ones(len(frame), dtype=bool)
    for word in (words or "").split():
        lowered = word.lower()
        found = np.zeros(len(frame), dtype=bool)
        for column in WHOLE:
            if column in frame:
                found |= (frame[column].astype(str) == word).to_numpy()
        for column in CONTAINS:
            if column in frame:
                text = frame[column].astype("string").str.lower()
                found |= text.str.contains(lowered, regex=False).fillna(False).to_numpy(dtype=bool)
        kept &= found
    return frame[kept]
