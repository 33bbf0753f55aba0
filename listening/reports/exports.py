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


def ordered(frame: pd.DataFrame, program: ProgramConfig) -> pd.DataFrame:
    """Rows in the pipeline file's order within a week (newest week first): `all` first, then the topics
    as listed (no topic last), and within a topic `all` sources first, then the sources as listed."""
    topics = ["all", *(t.id for t in program.topics), "none"]
    sources = ["all", *(s.name for s in program.sources)]
    rank = frame["topic"].map({t: i for i, t in enumerate(topics)}).fillna(len(topics)) * 1000
    rank += frame["source"].map({s: i for i, s in enumerate(sources)}).fillna(len(sources))
    return (
        frame.assign(_rank=rank)
        .sort_values(["iso_week", "_rank", "topic", "source"], ascending=[False, True, True, True])
        .drop(columns="_rank")
    )


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
    """The week's terms whose share of mentions rose significantly against the trailing released weeks.

    Share: the fraction of the scope's mentions that use the term. Baseline: the pooled share over the
    trailing `spike_window_weeks` released weeks, where a week that did not store the term (fewer
    than k authors used it) counts it as 0. A rise is significant when the two Wilson 95% intervals
    do not overlap, as for every change in the report. Ranked by the rise in share; a word that
    mostly appears inside a listed phrase ("garage" in "garage sale") is left out. Without any
    released week before, terms are ranked by share and `significant` is null.
    """
    name = program.program
    limit = program.trends.emerging_terms if limit is None else limit
    released = set(released_weeks(session, name))
    window = [w for w in preceding_weeks(iso_week, program.trends.spike_window_weeks) if w in released]
    rows = session.scalars(
        select(WeeklyTerm).where(
            WeeklyTerm.program == name,
            WeeklyTerm.scope == scope,
            WeeklyTerm.iso_week.in_([iso_week, *window]),
        )
    )
    this_week: list[WeeklyTerm] = []
    before: dict[str, int] = {}
    totals: dict[str, int] = {}
    for term in rows:
        if term.iso_week == iso_week:
            this_week.append(term)
        else:
            before[term.term] = before.get(term.term, 0) + term.mentions
            totals[term.iso_week] = term.scope_mentions
    trailing = sum(totals.values())  # weeks that stored no term at all have no known denominator
    ranked: list[dict[str, Any]] = []
    for term in this_week:
        share = term.mentions / max(term.scope_mentions, 1)
        baseline = before.get(term.term, 0) / trailing if trailing else None
        significant_: bool | None = None
        if baseline is not None:
            significant_ = significant(
                wilson(term.mentions, term.scope_mentions), wilson(before.get(term.term, 0), trailing)
            )
            if share <= baseline or not significant_:
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
                "baseline_weeks": len(totals),
                "rise": round(share - (baseline or 0.0), 6),
                "significant": significant_,
            }
        )
    ranked.sort(key=lambda r: (-r["rise"], -r["distinct_authors"], r["term"]))
    ranked = _without_words_inside_phrases(ranked)[:limit]
    for i, row in enumerate(ranked, start=1):
        row["rank"] = i
    frame = pd.DataFrame(ranked, columns=list(TERM_COLUMNS))
    frame["baseline_share"] = frame["baseline_share"].astype("Float64")
    frame["significant"] = frame["significant"].astype("boolean")
    return frame


def _without_words_inside_phrases(ranked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop a word when a listed phrase holds most of its mentions: the phrase says more."""
    phrases = [r for r in ranked if r["kind"] == "phrase"]
    kept = []
    for row in ranked:
        if row["kind"] == "word" and any(
            row["term"] in p["term"].split() and p["mentions"] >= 0.8 * row["mentions"] for p in phrases
        ):
            continue
        kept.append(row)
    return kept
