"""Tolerances for stated rates at test scale: exact binomial bounds, no slack chosen by eye.

A dirty-row rate p (DirtyRates) drawn independently over n rows gives a Binomial(n, p) count.
`binomial_bounds(n, p)` is the central interval holding the count with probability 1 - alpha
(alpha = 1e-4 by default: a correct generator fails about once in ten thousand seeds, and a
rate off by a factor of two or more fails at the test scale's n).
"""

from __future__ import annotations

import math


def _log_pmf(k: int, n: int, p: float) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) \
        + (n - k) * math.log1p(-p)


def binomial_bounds(n: int, p: float, alpha: float = 1e-4) -> tuple[int, int]:
    """(lo, hi): P(X < lo) <= alpha/2 and P(X > hi) <= alpha/2 for X ~ Binomial(n, p)."""
    if not (n > 0 and 0 < p < 1):
        raise ValueError(f"need n > 0 and 0 < p < 1, got n={n}, p={p}")
    pmf = [math.exp(_log_pmf(k, n, p)) for k in range(n + 1)]
    lo, below = 0, 0.0
    while below + pmf[lo] <= alpha / 2:
        below += pmf[lo]
        lo += 1
    hi, above = n, 0.0
    while above + pmf[hi] <= alpha / 2:
        above += pmf[hi]
        hi -= 1
    return lo, hi


def within_rate(count: int, n: int, p: float, alpha: float = 1e-4) -> tuple[bool, str]:
    """Whether `count` of `n` is what rate p gives, and a sentence saying so for the failure message."""
    lo, hi = binomial_bounds(n, p, alpha)
    return lo <= count <= hi, f"{count} of {n} ({count / n:.4%}); rate {p:.4%} gives {lo}..{hi}"
