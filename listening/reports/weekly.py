"""Weekly outputs: analyst exports of released cells, and the privacy officer's review."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from listening.aggregate.queries import trend_rows
from listening.config import ProgramConfig
from listening.periods import week_days
from listening.reports.html import analyst_report, privacy_report
from listening.schemas import TrendRow
from listening.settings import get_settings
from listening.store.models import Mention, Quarantine, RedactionLog, Release, Run, WeeklyTrend

TREND_COLUMNS = tuple(TrendRow.model_fields)


def trend_frame(
    session: Session, program: str, *, weeks: int = 520, released_only: bool = True, source: str | None = None
) -> pd.DataFrame:
    """The newest `weeks` weeks of trend cells (`trend_rows`) as a data frame, newest week first."""
    rows = trend_rows(session, program, weeks=weeks, released_only=released_only, source=source)
    return pd.DataFrame(rows, columns=list(TREND_COLUMNS))


def score_bucket(score: float) -> str:
    """Scores in tenths: the review shows how confident redactions were without any values."""
    low = min(int(score * 10), 9) / 10
    return f"{low:.1f}-{low + 0.1:.1f}"


def privacy_review(session: Session, program: ProgramConfig, iso_week: str) -> dict[str, Any]:
    """Counts for the privacy officer: what was redacted, quarantined, flagged and suppressed."""
    days = week_days(iso_week)
    name = program.program
    by_type = session.execute(
        select(RedactionLog.entity_type, RedactionLog.recognizer, RedactionLog.score, func.count())
        .where(RedactionLog.program == name, RedactionLog.day.in_(days))
        .group_by(RedactionLog.entity_type, RedactionLog.recognizer, RedactionLog.score)
    ).all()
    entities: dict[str, int] = {}
    recognizers: dict[str, int] = {}
    buckets: dict[str, int] = {}
    for entity_type, recognizer, score, count in by_type:
        entities[entity_type] = entities.get(entity_type, 0) + count
        recognizers[recognizer] = recognizers.get(recognizer, 0) + count
        bucket = score_bucket(float(score))
        buckets[bucket] = buckets.get(bucket, 0) + count
    quarantine: dict[str, int] = {
        str(reason): int(count)
        for reason, count in session.execute(
            select(Quarantine.reason, func.count())
            .where(Quarantine.program == name, Quarantine.day.in_(days))
            .group_by(Quarantine.reason)
        )
    }
    mentions, residual = session.execute(
        select(func.count(), func.coalesce(func.sum(Mention.residual_flags), 0)).where(
            Mention.program == name, Mention.iso_week == iso_week
        )
    ).one()
    cells = session.execute(
        select(WeeklyTrend.suppression, func.count())
        .where(WeeklyTrend.program == name, WeeklyTrend.iso_week == iso_week)
        .group_by(WeeklyTrend.suppression)
    ).all()
    release = session.scalars(
        select(Release).where(Release.program == name, Release.iso_week == iso_week)
    ).one_or_none()
    runs = session.execute(
        select(func.count(), func.coalesce(func.sum(Run.read), 0)).where(
            Run.program == name, Run.stage == "nightly", Run.period.in_([d.isoformat() for d in days])
        )
    ).one()
    return {
        "program": name,
        "iso_week": iso_week,
        "policy_version": program.privacy.redaction.version,
        "k": program.privacy.k,
        "nightly_runs": int(runs[0]),
        "records_read": int(runs[1]),
        "mentions_stored": int(mentions),
        "entities_redacted": dict(sorted(entities.items())),
        "recognizers": dict(sorted(recognizers.items())),
        "score_buckets": dict(sorted(buckets.items())),
        "quarantined": dict(sorted(quarantine.items())),
        "residual_flags": int(residual),
        "cells": {str(k or "published"): int(v) for k, v in cells},
        "release": {
            "status": release.status if release else "none",
            "approved_by": release.approved_by if release else None,
            "released_at": release.released_at.isoformat() if release and release.released_at else None,
            "manifest": release.manifest if release else {},
        },
    }


def write_reports(
    session: Session, program: ProgramConfig, iso_week: str, out_dir: Path | None = None
) -> dict[str, Any]:
    """A week's outputs: trends.csv, trends.parquet and report.html (released cells only), and the
    privacy review as JSON and HTML."""
    folder = (out_dir or get_settings().export_dir) / program.program / iso_week
    folder.mkdir(parents=True, exist_ok=True)
    history = trend_frame(session, program.program, released_only=True)
    frame = history[history["iso_week"] == iso_week]
    frame.to_csv(folder / "trends.csv", index=False)
    frame.to_parquet(folder / "trends.parquet", index=False)
    review = privacy_review(session, program, iso_week)
    (folder / "privacy_review.json").write_text(json.dumps(review, indent=2, default=str) + "\n")
    (folder / "privacy_review.html").write_text(privacy_report(json.loads(json.dumps(review, default=str))))
    (folder / "report.html").write_text(analyst_report(program, iso_week, history))
    return {"iso_week": iso_week, "released_cells": len(frame), "files": 5}
