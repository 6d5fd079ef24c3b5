"""Searching a queue by ID, learner or centre."""

import pandas as pd

from lib.rules.search import search

QUEUE = pd.DataFrame({"ID": [12, 123, 1234], "Learner": ["Lisa Simpson", "Bart Simpson", "Ned Flanders"],
                      "Centre": ["023456", "034567", "023456"], "Centre name": ["Harbourside", "Pennine", "Harbourside"]})


def test_an_id_matches_whole_not_as_part_of_a_longer_one():
    assert search(QUEUE, "123").ID.tolist() == [123]


def test_every_word_must_match_somewhere_in_any_case():
    assert search(QUEUE, "simpson").ID.tolist() == [12, 123]
    assert search(QUEUE, "SIMP harbour").ID.tolist() == [12]
    assert search(QUEUE, "023456 ned").ID.tolist() == [1234]


def test_nothing_typed_keeps_every_row_and_text_that_looks_like_a_pattern_is_literal():
    assert search(QUEUE, "  ").ID.tolist() == [12, 123, 1234]
    assert search(QUEUE, ".*").empty and search(QUEUE, "[").empty
