"""Week-over-week change and spike flags, computed from released, published cells only.

A cell's `wow_change` is (mentions - previous) / previous, where previous is the same cell in the
previous ISO week, if that week is released and the cell was published; otherwise None.

A cell is a spike when, over the same cell in the up-to-4 preceding ISO weeks that are released and
published (at least one), its mentions are at least SPIKE_FACTOR times their mean and at least
SPIKE_MIN_INCREASE above it. Under DP both compare released noisy values, never exact counts.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from listening.aggregate.cells import Key
from listening.periods import previous_week
from listening.store.models import WeeklyTrend

RELEASED = "released"
PENDING = "pending"
BASELINE_WEEKS = 4
SPIKE_FACTOR = 2.0
SPIKE_MIN_INCREASE = 20

History = dict[Key, dict[str, int]]


def preceding_weeks(iso_week: str, count: int = BASELINE_WEEKS) -> list[str]:
    """The `count` ISO weeks before `iso_week`, newest first."""
    weeks: list[str] = []
    week = iso_week
    for _ in range(count):
        week = previous_week(week)
        weeks.append(week)
    return weeks


def released_history(session: Session, program: str, iso_week: str) -> History:
    """Published mentions of released cells in the preceding weeks: {cell: {week: mentions}}."""
    rows = session.execute(
        select(WeeklyTrend.topic, WeeklyTrend.source, WeeklyTrend.iso_week, WeeklyTrend.mentions).where(
            WeeklyTrend.program == program,
            WeeklyTrend.iso_week.in_(preceding_weeks(iso_week)),
            WeeklyTrend.status == RELEASED,
            WeeklyTrend.suppressed.is_(False),
            WeeklyTrend.mentions.is_not(None),
        )
    )
    history: History = {}
    for topic, source, week, mentions in rows:
        history.setdefault((topic, source), {})[week] = int(mentions)
    return history


def change_and_spike(mentions: int, past: dict[str, int], iso_week: str) -> tuple[float | None, bool]:
    """(wow_change, spike) for one published cell, given its released history."""
    previous = past.get(previous_week(iso_week))
    wow = (mentions - previous) / previous if previous else None
    if not past:
        return wow, False
    baseline = sum(past.values()) / len(past)
    spike = mentions >= SPIKE_FACTOR * baseline and mentions - baseline >= SPIKE_MIN_INCREASE
    return wow, spike
