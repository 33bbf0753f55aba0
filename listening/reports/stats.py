"""95% intervals for the analyst report: Wilson for shares, Poisson for counts.

A week-over-week change is called significant only when this week's interval and last week's do not
overlap: a conservative test (non-overlap implies a difference at well under the 5% level), chosen
because analysts can read it off the two intervals themselves.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a share `successes / n`; None when n is not positive."""
    if n <= 0:
        return None
    p = min(max(successes / n, 0.0), 1.0)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def poisson(count: float, z: float = Z95) -> tuple[float, float]:
    """The exact (Garwood) Poisson interval for a count, by the Wilson-Hilferty approximation of the
    chi-square quantiles it is defined by (within 1% of exact from a count of 1 up)."""
    count = max(count, 0.0)
    lower = 0.0
    if count > 0:
        lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper_n = count + 1
    upper = upper_n * (1 - 1 / (9 * upper_n) + z / (3 * math.sqrt(upper_n))) ** 3
    return max(0.0, lower), upper


def overlap(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool | None:
    """Whether two intervals overlap; None when either is missing."""
    if a is None or b is None:
        return None
    return a[0] <= b[1] and b[0] <= a[1]


def significant(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool | None:
    """A change is significant when the intervals do not overlap; None when one is missing."""
    apart = overlap(a, b)
    return None if apart is None else not apart
