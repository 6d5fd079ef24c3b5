"""Funnel limits from the binomial distribution, against values worked out by hand for small groups."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from lib.analytics.funnel import (
    ABOVE_95,
    ABOVE_998,
    BELOW_95,
    BELOW_998,
    TOO_FEW,
    WITHIN,
    binomial_quantile,
    limit,
    standing,
)


def by_hand(n: int, p: float, probability: float) -> int:
    """The quantile from the binomial formula term by term, in exact fractions: the smallest r with
    P(R <= r) >= probability."""
    p, wanted = Fraction(p).limit_denominator(1000), Fraction(probability).limit_denominator(10_000)
    total = Fraction(0)
    for r in range(n + 1):
        total += math.comb(n, r) * p ** r * (1 - p) ** (n - r)
        if total >= wanted:
            return r
    return n


@pytest.mark.parametrize(("n", "p", "probability", "expected"), [
    (1, 0.2, 0.999, 1),     # P(R <= 0) = 0.8: short of 0.999, so the quantile is 1, all a single result can show
    (1, 0.2, 0.975, 1),
    (1, 0.2, 0.001, 0),
    (3, 0.2, 0.999, 3),     # P(R <= 2) = 1 - 0.2^3 = 0.992
    (3, 0.2, 0.975, 2),     # P(R <= 1) = 0.896, P(R <= 2) = 0.992
    (3, 0.05, 0.999, 2),    # P(R <= 1) = 0.99275, P(R <= 2) = 0.999875
    (5, 0.2, 0.999, 4),     # P(R <= 3) = 0.99328, P(R <= 4) = 0.99968
    (10, 0.5, 0.025, 2),    # P(R <= 1) = 11/1024 = 0.0107, P(R <= 2) = 56/1024 = 0.0547
    (10, 0.5, 0.975, 8),    # P(R <= 7) = 968/1024 = 0.945, P(R <= 8) = 1013/1024 = 0.989
    (20, 0.0, 0.999, 0),
    (20, 1.0, 0.001, 20),
])
def test_quantiles_match_the_binomial_worked_by_hand(n, p, probability, expected):
    assert binomial_quantile(n, p, probability) == expected
    if 0 < p < 1:
        assert by_hand(n, p, probability) == expected


@pytest.mark.parametrize("n", [1, 2, 3, 7, 30, 200, 700])
@pytest.mark.parametrize("p", [0.01, 0.173, 0.5, 0.9])
def test_quantiles_agree_with_the_formula_for_every_size(n, p):
    for probability in (0.001, 0.025, 0.975, 0.999):
        assert binomial_quantile(n, p, probability) == by_hand(n, p, probability)


def test_large_groups_are_close_to_the_normal_approximation():
    n, p = 100_000, 0.2
    upper = binomial_quantile(n, p, 0.999) / n
    assert upper == pytest.approx(p + 3.090232 * math.sqrt(p * (1 - p) / n), abs=2e-4)


def test_one_of_one_and_three_of_three_are_not_beyond_the_998_limit():
    # 1 of 1 at 20%: q(0.975) = 1, so it is within; 3 of 3: q(0.975) = 2 and q(0.999) = 3, so above 95% only.
    labels, _ = standing([1, 3], [1, 3], 0.2, min_results=1)
    assert labels.tolist() == [WITHIN, ABOVE_95]


def test_every_standing_and_the_minimum_number_of_results():
    referrals = [5, 4, 0, 1, 10, 9]
    results = [5, 5, 40, 40, 50, 9]
    labels, beyond = standing(referrals, results, 0.2, min_results=10)
    # 5 of 5 and 4 of 5 have too few results; 0 of 40: P(R = 0) = 0.8^40 = 0.00013 < 0.001;
    # 1 of 40: P(R <= 1) = 0.0015, under q(0.025) = 3 but not q(0.001) = 1.
    assert labels.tolist() == [TOO_FEW, TOO_FEW, BELOW_998, BELOW_95, WITHIN, TOO_FEW]
    assert np.isnan(beyond[0]) and beyond[2] > beyond[3] > 0 > beyond[4]
    assert binomial_quantile(40, 0.2, 0.001) == 1 and binomial_quantile(40, 0.2, 0.025) == 3
    labels, _ = standing([5, 4], [5, 5], 0.2, min_results=1)
    assert labels.tolist() == [ABOVE_998, ABOVE_95]


def test_limits_are_proportions_that_narrow_as_groups_grow():
    upper = limit(0.2, [5, 50, 500, 5000], "99.8%")
    assert list(upper) == sorted(upper, reverse=True) and upper[-1] > 0.2
    lower = limit(0.2, [5, 50, 500, 5000], "99.8%", upper=False)
    assert list(lower) == sorted(lower) and lower[-1] < 0.2
