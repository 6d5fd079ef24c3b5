"""A frame drawn by st.dataframe with a CSS string per cell, without pandas rendering the table as HTML.

Streamlit reads a pandas Styler through two of its methods: `_compute` (apply the styling functions) and
`_translate` (every cell's CSS, grouped, and every cell's display text). pandas' own versions build the whole HTML
table, and Streamlit then writes each display value into a copy of the frame column by column; for a page of the
Tracker that was about a quarter of a rerun. A frame we draw is already text, so its display text is its value:
only the CSS is handed over, grouped the way pandas groups it. tests/test_cell_styles.py checks that Streamlit
draws the same table from this as from pandas' Styler.
"""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler


def _declarations(css: str) -> tuple[tuple[str, str], ...]:
    """'color: red; font-weight: 600' as pandas reads it: (property, value) pairs, stripped, empty ones left out."""
    pairs = (declaration.split(":", 1) for declaration in css.split(";") if ":" in declaration)
    return tuple((name.strip(), value.strip()) for name, value in pairs if name.strip())


def cell_styled(shown: pd.DataFrame, css: pd.DataFrame) -> Styler:
    """shown, to be drawn with each cell's CSS from css (same shape and order; '' for none)."""
    if css.shape != shown.shape:
        raise ValueError(f"one CSS string per cell: {css.shape} for a frame of {shown.shape}")
    styler = Styler(shown)
    groups: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for row, texts in enumerate(css.itertuples(index=False, name=None)):
        for column, text in enumerate(texts):
            if text and (declarations := _declarations(text)):
                groups.setdefault(declarations, []).append(f"row{row}_col{column}")
    translated = {"cellstyle": [{"props": list(declarations), "selectors": selectors}
                                for declarations, selectors in groups.items()],
                  "body": [], "table_styles": []}
    # Instance attributes: Streamlit only draws an object whose type is pandas' Styler itself, not a subclass.
    styler._compute = lambda: styler
    styler._translate = lambda *_args, **_kwargs: translated
    return styler
