"""Days and ISO weeks: the periods that runs and releases cover."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def iso_week(day: dt.date) -> str:
    """`2026-W07` for any day of that ISO week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> dt.date:
    """The Monday of an ISO week given as `YYYY-Www`."""
    match = _WEEK.match(week)
    if match is None:
        raise ValueError(f"not an ISO week (YYYY-Www): {week!r}")
    return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)


def week_days(week: str) -> list[dt.date]:
    start = week_start(week)
    return [start + dt.timedelta(days=i) for i in range(7)]


def previous_week(week: str) -> str:
    return iso_week(week_start(week) - dt.timedelta(days=7))


def floor_hour(moment: dt.datetime) -> dt.datetime:
    """UTC, truncated to the hour: the precision timestamps are stored at."""
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def not_over(period: str, next_day: dt.date, zone: str, now: dt.datetime | None = None) -> str | None:
    """Why a period that ends when `next_day` begins (in time zone `zone`) cannot run yet; None once over."""
    ends = dt.datetime.combine(next_day, dt.time(), tzinfo=ZoneInfo(zone))
    if (now or dt.datetime.now(dt.UTC)) >= ends:
        return None
    return f"{period} is not over yet: it ends {ends:%Y-%m-%d %H:%M} {zone}; run it after that"
