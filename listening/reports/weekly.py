"""Weekly outputs: the privacy officer's review, and, for a released week, the analyst's report and exports.

Folder: `<export dir>/<program>/<week>/`:
- privacy_review.json, privacy_review.html: written for every aggregated week (before the sign-off,
  so the officer can read it, and again after the decision);
- report.html, trends.csv, trends.parquet, terms.csv, terms.parquet: only once the week is released.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from listening.aggregate.errors import ReleaseRefused
from listening.aggregate.terms import SCOPE_ALL, SCOPE_NO_TOPIC
from listening.aggregate.trends import RELEASED
from listening.aggregate.weekly import find_release
from listening.config import ProgramConfig
from listening.reports.exports import (
    TERM_COLUMNS,
    TREND_COLUMNS,
    cell_frame,
    emerging_terms,
    enrich,
    ordered,
)
from listening.reports.html import analyst_report, privacy_report
from listening.reports.review import privacy_review, score_bucket, summary_lines
from listening.settings import get_settings

__all__ = [
    "TERM_COLUMNS",
    "TREND_COLUMNS",
    "NotAggregated",
    "export_frame",
    "report_folder",
    "score_bucket",
    "write_reports",
    "write_review",
]

REVIEW_FILES = ("privacy_review.json", "privacy_review.html")
ANALYST_FILES = ("report.html", "trends.csv", "trends.parquet", "terms.csv", "terms.parquet")


class NotAggregated(ReleaseRefused):
    """A week that was never aggregated has no outputs to write."""


def report_folder(program: ProgramConfig, iso_week: str, out_dir: Path | None = None) -> Path:
    return (out_dir or get_settings().export_dir) / program.program / iso_week


def export_frame(
    session: Session,
    program: ProgramConfig,
    *,
    weeks: int = 520,
    released_only: bool = True,
    topic: str | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """Export rows (`TrendRow` columns) for the newest `weeks` weeks, with one extra week read for changes."""
    cells = cell_frame(
        session, program.program, weeks=weeks + 1, released_only=released_only, topic=topic, source=source
    )
    frame = enrich(cells, program)
    newest = sorted(frame["iso_week"].unique(), reverse=True)[:weeks]
    return ordered(frame[frame["iso_week"].isin(newest)], program).reset_index(drop=True)


def write_review(
    session: Session, program: ProgramConfig, iso_week: str, out_dir: Path | None = None
) -> dict[str, Any]:
    """The week's privacy review as JSON and HTML; returns its headline figures and where it is."""
    if find_release(session, program.program, iso_week) is None:
        raise NotAggregated(f"{program.program} {iso_week}: the week was never aggregated")
    folder = report_folder(program, iso_week, out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    review = json.loads(json.dumps(privacy_review(session, program, iso_week), default=str))
    (folder / "privacy_review.json").write_text(json.dumps(review, indent=2) + "\n")
    (folder / "privacy_review.html").write_text(privacy_report(review))
    return {
        "iso_week": iso_week,
        "status": review["release"]["status"],
        "review": str(folder / "privacy_review.html"),
        "summary": summary_lines(review),
        "accounting": {k: review["accounting"][k] for k in ("read", "stored", "duplicates", "quarantined")},
    }


def write_reports(
    session: Session, program: ProgramConfig, iso_week: str, out_dir: Path | None = None
) -> dict[str, Any]:
    """The privacy review, and for a released week the analyst report and its CSV/Parquet exports."""
    reviewed = write_review(session, program, iso_week, out_dir)
    folder = report_folder(program, iso_week, out_dir)
    release = find_release(session, program.program, iso_week)
    assert release is not None
    written = list(REVIEW_FILES)
    if release.status != RELEASED:
        for name in ANALYST_FILES:  # a week aggregated again after a release cannot exist; stale files can
            (folder / name).unlink(missing_ok=True)
        return {**reviewed, "folder": str(folder), "files": written, "released_cells": 0}
    history = export_frame(session, program, weeks=max(program.trends.report_weeks, 2))
    history = history[history["iso_week"] <= iso_week]
    week = history[history["iso_week"] == iso_week]
    week.to_csv(folder / "trends.csv", index=False)
    week.to_parquet(folder / "trends.parquet", index=False)
    terms = emerging_terms(session, program, iso_week, SCOPE_ALL)
    untagged = emerging_terms(session, program, iso_week, SCOPE_NO_TOPIC)
    both = pd.concat([terms, untagged], ignore_index=True) if len(untagged) else terms
    both.to_csv(folder / "terms.csv", index=False)
    both.to_parquet(folder / "terms.parquet", index=False)
    released = {"approved_by": release.approved_by, "released_at": release.released_at}
    (folder / "report.html").write_text(
        analyst_report(program, iso_week, history, terms=terms, untagged_terms=untagged, release=released)
    )
    written += list(ANALYST_FILES)
    return {
        **reviewed,
        "folder": str(folder),
        "files": written,
        "released_cells": len(week),
        "emerging_terms": len(terms),
    }
