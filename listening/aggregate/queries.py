"""Reading the trend table for the CLI, reports and exports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from listening.aggregate.cells import ALL, NO_TOPIC
from listening.aggregate.trends import RELEASED
from listening.store.models import WeeklyTrend

FIGURES = (
    "mentions",
    "distinct_authors",
    "positive_share",
    "neutral_share",
    "negative_share",
    "mean_compound",
    "wow_change",
)


def trend_rows(
    session: Session,
    program: str,
    *,
    weeks: int = 4,
    released_only: bool = False,
    topic: str | None = None,
    source: str | None = None,
) -> list[dict[str, Any]]:
    """Cells of the newest `weeks` weeks, newest week first; within a week `all` rows first and `none`
    (no topic) last.

    Suppressed cells carry `suppressed=True` and None for every figure (and for `spike`, `spike_z`).
    """
    filters = [WeeklyTrend.program == program]
    if released_only:
        filters.append(WeeklyTrend.status == RELEASED)
    if topic is not None:
        filters.append(WeeklyTrend.topic == topic)
    if source is not None:
        filters.append(WeeklyTrend.source == source)
    newest = list(
        session.scalars(
            select(WeeklyTrend.iso_week)
            .where(*filters)
            .distinct()
            .order_by(WeeklyTrend.iso_week.desc())
            .limit(weeks)
        )
    )
    if not newest:
        return []
    stmt = (
        select(WeeklyTrend)
        .where(*filters, WeeklyTrend.iso_week.in_(newest))
        .order_by(
            WeeklyTrend.iso_week.desc(),
            case((WeeklyTrend.topic == ALL, 0), (WeeklyTrend.topic == NO_TOPIC, 2), else_=1),
            WeeklyTrend.topic,
            case((WeeklyTrend.source == ALL, 0), else_=1),
            WeeklyTrend.source,
        )
    )
    rows: list[dict[str, Any]] = []
    for cell in session.scalars(stmt):
        row: dict[str, Any] = {
            "iso_week": cell.iso_week,
            "week_start": cell.week_start.isoformat(),
            "topic": cell.topic,
            "source": cell.source,
            "status": cell.status,
            "suppressed": cell.suppressed,
            "suppression": cell.suppression,
            "noisy": cell.noisy,
        }
        for name in FIGURES:
            row[name] = None if cell.suppressed else getattr(cell, name)
        row["spike"] = None if cell.suppressed else cell.spike
        row["spike_z"] = None if cell.suppressed else cell.spike_z
        rows.append(row)
    return rows
