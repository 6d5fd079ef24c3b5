"""Funnel-plot limits from the binomial distribution itself (Spiegelhalter, "Funnel plots for comparing
institutional performance", 2005), so small groups are judged on exact chances, not a normal curve.

For a group of n results held against a service rate p, the number of referrals R is Binomial(n, p) when the
group is no different from the service. The upper limit at level q is the q-quantile of R: the smallest r with
P(R <= r) >= q. A group is above it only when its referrals exceed that quantile, which in-control groups do
with a chance of at most 1 - q. One referral in one result is never "above the 99.8% limit": it is the most
a single result can show, and it happens by chance with probability p.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

# Two-sided limits: 95% puts 2.5% in each tail, 99.8% puts 0.1% in each.
UPPER = {"95%": 0.975, "99.8%": 0.999}
LOWER = {"95%": 0.025, "99.8%": 0.001}
ABOVE_998, ABOVE_95, BELOW_998, BELOW_95, WITHIN, TOO_FEW = (
    "Above 99.8% limit", "Above 95% limit", "Below 99.8% limit", "Below 95% limit", "Within limits",
    "Too few results")
# Where a group stands, worst first: tables and charts colour and order by this.
STANDINGS = (ABOVE_998, ABOVE_95, BELOW_998, BELOW_95, WITHIN, TOO_FEW)
# The pmf is summed over the mean ± this many standard deviations (and a margin for small n): what lies
# outside is below 1e-30 and cannot move a quantile.
SPREAD = 12.0


@lru_cache(maxsize=65_536)
def _cdf(n: int, rate: float) -> tuple[int, np.ndarray]:
    """(first count k0, P(R <= k) for k = k0, k0 + 1, …) for R ~ Binomial(n, rate), over the counts that matter."""
    if rate <= 0.0 or rate >= 1.0 or n == 0:
        return (n if rate >= 1.0 else 0), np.ones(1)
    mean, sd = n * rate, math.sqrt(n * rate * (1 - rate))
    first = max(0, int(mean - SPREAD * sd - 10))
    last = min(n, int(mean + SPREAD * sd + 10))
    ks = np.arange(first, last + 1, dtype=float)
    log_first = (math.lgamma(n + 1) - math.lgamma(first + 1) - math.lgamma(n - first + 1)
                 + first * math.log(rate) + (n - first) * math.log1p(-rate))
    # log pmf(k + 1) - log pmf(k) = log((n - k) / (k + 1)) + log(p / (1 - p)); summed from the first count.
    steps = np.log(n - ks[:-1]) - np.log(ks[:-1] + 1) + math.log(rate) - math.log1p(-rate)
    log_pmf = log_first + np.concatenate(([0.0], np.cumsum(steps)))
    return first, np.cumsum(np.exp(log_pmf))


@lru_cache(maxsize=65_536)  # the funnel's 1,200 limit points are the same on every rerun of Referral rates
def binomial_quantile(results: int, rate: float, probability: float) -> int:
    """The smallest count r with P(R <= r) >= probability, R ~ Binomial(results, rate)."""
    first, cdf = _cdf(int(results), round(float(rate), 12))
    # A hair of tolerance: a sum of floats that should reach the probability exactly may fall 1e-15 short.
    index = int(np.searchsorted(cdf, probability - 1e-12, side="left"))
    return min(first + index, int(results))


def quantiles(results, rate, probability: float) -> np.ndarray:
    """binomial_quantile for each (results, rate) pair; rate may be one number for every group."""
    results = np.asarray(results, dtype=np.int64)
    rates = np.broadcast_to(np.asarray(rate, dtype=float), results.shape)
    if results.size == 0:
        return np.zeros(results.shape, dtype=np.int64)
    # Groups share sizes (a year's 50,000 batches have a few dozen) and rates (one, or one a month): each distinct
    # (size, rate) is worked out once.
    flat_results, flat_rates = results.ravel(), rates.ravel()
    found = np.empty(flat_results.shape, dtype=np.int64)
    for rate_value in np.unique(flat_rates):
        chosen = flat_rates == rate_value
        sizes, inverse = np.unique(flat_results[chosen], return_inverse=True)
        worked = np.array([binomial_quantile(n, float(rate_value), probability) for n in sizes.tolist()],
                          dtype=np.int64)
        found[chosen] = worked[inverse.ravel()]
    return found.reshape(results.shape)


def limit(rate, results, level: str, upper: bool = True) -> np.ndarray:
    """The funnel's limit as a proportion (the quantile's count over the group's size) for each group size."""
    results = np.asarray(results, dtype=np.int64)
    counts = quantiles(results, rate, UPPER[level] if upper else LOWER[level])
    return counts / np.maximum(results, 1)


def standing(referrals, results, rate, min_results: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each group stands against the service rate, and how far beyond its 95% limit it is (points of rate).

    The distance is the referral rate above the upper 95% limit, or below the lower one, whichever is larger:
    positive beyond a limit, negative (how far inside) within them, NaN for groups too small to judge.
    """
    referrals = np.asarray(referrals, dtype=np.int64)
    results = np.asarray(results, dtype=np.int64)
    observed = 100 * referrals / np.maximum(results, 1)
    up95, up998 = quantiles(results, rate, UPPER["95%"]), quantiles(results, rate, UPPER["99.8%"])
    low95, low998 = quantiles(results, rate, LOWER["95%"]), quantiles(results, rate, LOWER["99.8%"])
    judged = results >= max(int(min_results), 1)
    labels = np.select(
        [~judged, referrals > up998, referrals > up95, referrals < low998, referrals < low95],
        [TOO_FEW, ABOVE_998, ABOVE_95, BELOW_998, BELOW_95], default=WITHIN).astype(object)
    size = np.maximum(results, 1)
    beyond = np.maximum(observed - 100 * up95 / size, 100 * low95 / size - observed)
    return labels, np.where(judged, np.round(beyond, 1), np.nan)
