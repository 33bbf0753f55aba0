"""Differential privacy for weekly cells: contribution bounds, OpenDP noise and the manifest entry.

Privacy unit: one author in one ISO week (author-week). After bounding, an author touches at most
`max_cells_per_author` cells, with at most `max_posts_per_author_per_cell` posts in each. Two queries
are released per week, each as a vector over the week's fixed cell grid:

- mentions by sentiment label (positive, neutral, negative per cell): each kept post lands in one
  label of one cell, so the L1 sensitivity is cells x posts;
- distinct authors per cell: an author changes each of their cells by one, so the sensitivity is cells.

Each query gets half of `epsilon_per_release` and discrete-Laplace noise with scale
sensitivity / epsilon (OpenDP checks the privacy map); by sequential composition under pure DP the
release costs `epsilon_per_release`, which the budget ledger charges. Mentions, shares, changes and
spikes are post-processing of the noisy vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import opendp.prelude as dp

from listening.config import DifferentialPrivacy

MECHANISM = "discrete_laplace"
PRIVACY_UNIT = "author-week"

dp.enable_features("contrib")


@lru_cache(maxsize=32)
def measurement(scale: float) -> dp.Measurement:
    """Discrete-Laplace noise on a vector of integer counts under the L1 distance."""
    return dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=scale)


def calibrate(sensitivity: int, epsilon: float) -> float:
    """The noise scale sensitivity / epsilon, checked against OpenDP's privacy map."""
    scale = sensitivity / epsilon
    if measurement(scale).map(sensitivity) > epsilon:
        # Float rounding in the map: take the smallest scale OpenDP itself accepts.
        scale = dp.binary_search_param(measurement, d_in=sensitivity, d_out=epsilon)
    return float(scale)


def add_noise(counts: Sequence[int], scale: float) -> list[int]:
    """Counts plus independent discrete-Laplace noise (may be negative; callers clamp)."""
    if not counts:
        return []
    return [int(v) for v in measurement(scale)([int(c) for c in counts])]


def discrete_laplace_variance(scale: float) -> float:
    """Theoretical variance of discrete-Laplace noise with this scale."""
    import math

    q = math.exp(-1.0 / scale)
    return 2.0 * q / (1.0 - q) ** 2


@dataclass(frozen=True)
class DpPlan:
    """How one week's counts are bounded and noised."""

    epsilon: float
    max_posts: int
    max_cells: int
    scale_mentions: float
    scale_authors: float

    @property
    def epsilon_mentions(self) -> float:
        return self.epsilon / 2

    @property
    def epsilon_authors(self) -> float:
        return self.epsilon / 2

    @property
    def sensitivity_mentions(self) -> int:
        return self.max_cells * self.max_posts

    @property
    def sensitivity_authors(self) -> int:
        return self.max_cells

    def manifest(self) -> dict[str, Any]:
        return {
            "enabled": True,
            "privacy_unit": PRIVACY_UNIT,
            "mechanism": MECHANISM,
            "epsilon": self.epsilon,
            "composition": "sequential (pure DP): mentions_by_label + distinct_authors",
            "queries": {
                "mentions_by_label": {
                    "epsilon": self.epsilon_mentions,
                    "l1_sensitivity": self.sensitivity_mentions,
                    "scale": self.scale_mentions,
                },
                "distinct_authors": {
                    "epsilon": self.epsilon_authors,
                    "l1_sensitivity": self.sensitivity_authors,
                    "scale": self.scale_authors,
                },
            },
            "bounds": {
                "max_posts_per_author_per_cell": self.max_posts,
                "max_cells_per_author": self.max_cells,
            },
        }


def plan(policy: DifferentialPrivacy) -> DpPlan:
    """Noise scales for a program's policy: epsilon split evenly over the two queries."""
    posts, cells = policy.max_posts_per_author_per_cell, policy.max_cells_per_author
    half = policy.epsilon_per_release / 2
    return DpPlan(
        epsilon=policy.epsilon_per_release,
        max_posts=posts,
        max_cells=cells,
        scale_mentions=calibrate(cells * posts, half),
        scale_authors=calibrate(cells, half),
    )
