"""What analysts get: released trend cells with labels, intervals and changes, and emerging terms.

Both the HTML report and the CSV/Parquet exports are built from these frames, so they cannot
disagree. Columns are the fields of `TrendRow` and `EmergingTermRow` (schemas/).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from listening.aggregate.queries import trend_rows
from listening.aggregate.terms import SCOPE_ALL
from listening.aggregate.trends import RELEASED, preceding_weeks
from listening.config import ProgramConfig
from listening.periods import previous_week
from listening.reports.formatting import missing
from listening.reports.stats import poisson, significant, wilson
from listening.schemas import EmergingTermRow, TrendRow
from listening.store.models import Release, WeeklyTerm

TREND_COLUMNS = tuple(TrendRow.model_fields)
TERM_COLUMNS = tuple(EmergingTermRow.model_fields)
LABELS = ("positive", "neutral", "negative")


def cell_frame(
    session: Session,
    program: str,
    *,
    weeks: int = 520,
    released_only: bool = True,
    topic: str | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """The newest `weeks` weeks of stored cells (`trend_rows`), newest week first."""
    rows = trend_rows(session, program, weeks=weeks, released_only=released_only, topic=topic, source=source)
    columns = [
        "iso_week", "week_start", "topic", "source", "status", "suppressed", "suppression", "noisy",
        "mentions", "distinct_authors", "positive_share", "neutral_share", "negative_share",
        "mean_compound", "wow_change", "spike", "spike_z",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _interval(row: dict[str, Any], label: str) -> tuple[float, float] | None:
    share, n = row.get(f"{label}_share"), row.get("mentions")
    if share is None or n is None or missing(share) or missing(n) or not n:
        return None
    return wilson(round(float(share) * float(n)), float(n))


def _count_interval(row: dict[str, Any]) -> tuple[float, float] | None:
    return None if missing(row.get("mentions")) else poisson(float(row["mentions"]))


def _clean(value: Any) -> Any:
    return None if missing(value) else value


def enrich(cells: pd.DataFrame, program: ProgramConfig) -> pd.DataFrame:
    """Stored cells -> export rows: labels, 95% intervals, and changes against the week before.

    The previous week counts only when it is in `cells` (so released, when `cells` holds released
    weeks) and the cell was published there.
    """
    records = [{k: _clean(v) for k, v in r.items()} for r in cells.to_dict("records")]
    by_key = {(r["iso_week"], r["topic"], r["source"]): r for r in records}
    out: list[dict[str, Any]] = []
    for row in records:
        this = {label: _interval(row, label) for label in LABELS}
        counts = _count_interval(row)
        before = by_key.get((previous_week(row["iso_week"]), row["topic"], row["source"]))
        published_before = before is not None and not before["suppressed"] and before["mentions"] is not None
        export: dict[str, Any] = {
            "iso_week": row["iso_week"],
            "week_start": row["week_start"],
            "topic": row["topic"],
            "topic_label": program.topic_label(row["topic"]),
            "source": row["source"],
            "source_label": program.source_label(row["source"]),
            "status": row["status"],
            "suppressed": bool(row["suppressed"]),
            "suppression": row["suppression"],
            "noisy": bool(row["noisy"]),
            "mentions": None if row["mentions"] is None else int(row["mentions"]),
            "mentions_low": None if counts is None else round(counts[0], 2),
            "mentions_high": None if counts is None else round(counts[1], 2),
            "distinct_authors": None if row["distinct_authors"] is None else int(row["distinct_authors"]),
            "mean_compound": row["mean_compound"],
            "previous_mentions": int(before["mentions"]) if published_before and before else None,
            "wow_change": row["wow_change"],
            "wow_significant": None,
            "spike": None if row["suppressed"] else bool(row["spike"]),
            "spike_z": row["spike_z"],
        }
        for label in LABELS:
            interval = this[label]
            export[f"{label}_share"] = row[f"{label}_share"]
            export[f"{label}_low"] = None if interval is None else round(interval[0], 4)
            export[f"{label}_high"] = None if interval is None else round(interval[1], 4)
            export[f"{label}_change"] = None
            export[f"{label}_change_significant"] = None
        if published_before and before and not row["suppressed"]:
            export["wow_significant"] = significant(counts, _count_interval(before))
            for label in LABELS:
                now, then = row[f"{label}_share"], before[f"{label}_share"]
                if now is not None and then is not None:
                    export[f"{label}_change"] = round(float(now) - float(then), 6)
                    export[f"{label}_change_significant"] = significant(this[label], _interval(before, label))
        out.append(export)
    frame = pd.DataFrame(out, columns=list(TREND_COLUMNS))
    for name in ("mentions", "distinct_authors", "previous_mentions"):
        frame[name] = frame[name].astype("Int64")
    for name in ("wow_significant", "spike", *(f"{label}_change_significant" for label in LABELS)):
        frame[name] = frame[name].astype("boolean")
    return frame


def released_weeks(session: Session, program: str) -> list[str]:
    """Every released week of a program, oldest first."""
    return list(
        session.scalars(
            select(Release.iso_week)
            .where(Release.program == program, Release.status == RELEASED)
            .order_by(Release.iso_week)
        )
    )


def emerging_terms(
    session: Session, program: ProgramConfig, iso_week: str, scope: str = SCOPE_ALL, limit: int | None = None
) -> pd.DataFrame:
    """The week's terms ranked by how much their share rose against the trailing released weeks.

    Share is the fraction of the scope's mentions that use the term. The baseline is the mean share
    over the trailing `spike_window_weeks` released weeks, where a term not stored for a week (fewer
    than k authors used it) counts as 0. Only terms whose share rose are listed; without any released
    week before, terms are ranked by share.
    """
    name = program.program
    limit = program.trends.emerging_terms if limit is None else limit
    released = set(released_weeks(session, name))
    trailing = [w for w in preceding_weeks(iso_week, program.trends.spike_window_weeks) if w in released]
    rows = session.execute(
        select(WeeklyTerm).where(
            WeeklyTerm.program == name,
            WeeklyTerm.scope == scope,
            WeeklyTerm.iso_week.in_([iso_week, *trailing]),
        )
    ).scalars()
    this_week: list[WeeklyTerm] = []
    shares: dict[str, dict[str, float]] = {}
    for term in rows:
        if term.iso_week == iso_week:
            this_week.append(term)
        else:
            shares.setdefault(term.term, {})[term.iso_week] = term.mentions / max(term.scope_mentions, 1)
    ranked: list[dict[str, Any]] = []
    for term in this_week:
        share = term.mentions / max(term.scope_mentions, 1)
        baseline = sum(shares.get(term.term, {}).values()) / len(trailing) if trailing else None
        rise = share - (baseline or 0.0)
        if trailing and rise <= 0:
            continue
        ranked.append(
            {
                "iso_week": iso_week,
                "scope": scope,
                "term": term.term,
                "kind": term.kind,
                "mentions": term.mentions,
                "distinct_authors": term.distinct_authors,
                "share": round(share, 6),
                "baseline_share": None if baseline is None else round(baseline, 6),
                "baseline_weeks": len(trailing),
                "rise": round(rise, 6),
            }
        )
    ranked.sort(key=lambda r: (-r["rise"], -r["distinct_authors"], r["term"]))
    for i, row in enumerate(ranked[:limit], start=1):
        row["rank"] = i
    frame = pd.DataFrame(ranked[:limit], columns=list(TERM_COLUMNS))
    frame["baseline_share"] = frame["baseline_share"].astype("Float64")
    return frame
