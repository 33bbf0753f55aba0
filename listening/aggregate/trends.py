"""Week-over-week change and spike flags, computed from released, published cells only.

A cell's `wow_change` is (mentions - previous) / previous, where previous is the same cell in the
previous ISO week, if that week is released and the cell was published; otherwise None.

A cell's `spike_z` compares its mentions with the same cell in the trailing `spike_window_weeks` ISO
weeks that are released and published: (mentions - mean) / deviation, where the deviation is the
sample standard deviation of those weeks but at least the Poisson one, sqrt(mean), so that a quiet,
steady series does not turn every small wobble into a spike. It needs `spike_min_weeks` such weeks;
with fewer it is None. The cell is a spike when `spike_z` reaches `spike_z_threshold`. All three
settings come from the pipeline file (`trends:`). Under DP both compare released noisy values.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from listening.aggregate.cells import Key
from listening.config import TrendSettings
from listening.periods import previous_week
from listening.store.models import WeeklyTrend

RELEASED = "released"
PENDING = "pending"
REJECTED = "rejected"

History = dict[Key, dict[str, int]]


@dataclass(frozen=True)
class Change:
    """What the released history says about one published cell."""

    wow_change: float | None
    spike: bool
    spike_z: float | None


def preceding_weeks(iso_week: str, count: int) -> list[str]:
    """The `count` ISO weeks before `iso_week`, newest first."""
    weeks: list[str] = []
    week = iso_week
    for _ in range(count):
        week = previous_week(week)
        weeks.append(week)
    return weeks


def released_history(session: Session, program: str, iso_week: str, window: int) -> History:
    """Published mentions of released cells in the `window` weeks before: {cell: {week: mentions}}."""
    rows = session.execute(
        select(WeeklyTrend.topic, WeeklyTrend.source, WeeklyTrend.iso_week, WeeklyTrend.mentions).where(
            WeeklyTrend.program == program,
            WeeklyTrend.iso_week.in_(preceding_weeks(iso_week, window)),
            WeeklyTrend.status == RELEASED,
            WeeklyTrend.suppressed.is_(False),
            WeeklyTrend.mentions.is_not(None),
        )
    )
    history: History = {}
    for topic, source, week, mentions in rows:
        history.setdefault((topic, source), {})[week] = int(mentions)
    return history


def spike_score(mentions: int, past: list[int]) -> float:
    """(mentions - mean) / max(sample deviation, sqrt(mean), 1) over the trailing values."""
    mean = statistics.fmean(past)
    spread = statistics.stdev(past) if len(past) > 1 else 0.0
    return (mentions - mean) / max(spread, math.sqrt(mean), 1.0)


def change_and_spike(mentions: int, past: dict[str, int], iso_week: str, settings: TrendSettings) -> Change:
    """Week-over-week change and spike flag for one published cell, given its released history."""
    previous = past.get(previous_week(iso_week))
    wow = (mentions - previous) / previous if previous else None
    trailing = [past[w] for w in preceding_weeks(iso_week, settings.spike_window_weeks) if w in past]
    if len(trailing) < settings.spike_min_weeks:
        return Change(wow, False, None)
    z = round(spike_score(mentions, trailing), 3)
    return Change(wow, z >= settings.spike_z_threshold, z)
