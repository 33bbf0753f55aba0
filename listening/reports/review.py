"""The privacy officer's weekly review, as one JSON-ready dict: every figure the HTML page shows.

Counts only, with one exception: low-confidence detections are shown as the redacted text around
them (the stored text, where the value is already a placeholder), so an officer can judge whether
the redactor was right, never the value itself.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from listening.aggregate.budget import spent, week_year
from listening.aggregate.release import decisions
from listening.aggregate.weekly import find_release, recorded_policy_versions
from listening.config import ProgramConfig
from listening.periods import previous_week, week_days, week_start
from listening.privacy.residual import KINDS, residual_kinds
from listening.store.models import Mention, Quarantine, RedactionLog, Run, WeeklyTrend, utcnow

#: Detections scoring below this are shown with their context for the officer to judge.
LOW_CONFIDENCE = 0.6
LOW_CONFIDENCE_EXAMPLES = 15
CONTEXT_CHARS = 60
COUNTS = ("read", "stored", "duplicates", "quarantined")
COLLECT_STAGES = ("nightly", "collect")


def score_bucket(score: float) -> str:
    """Scores in tenths: the review shows how confident redactions were without any values."""
    low = min(int(score * 10), 9) / 10
    return f"{low:.1f}-{low + 0.1:.1f}"


def _latest_runs(session: Session, program: str, days: list[dt.date]) -> dict[str, str]:
    """The latest run id of each day that has one (by its newest run-log row)."""
    rows = session.execute(
        select(Run.period, Run.run_id, func.max(Run.started_at), func.max(Run.id))
        .where(
            Run.program == program,
            Run.stage.in_(COLLECT_STAGES),
            Run.period.in_([d.isoformat() for d in days]),
        )
        .group_by(Run.period, Run.run_id)
    ).all()
    latest: dict[str, tuple[Any, int, str]] = {}
    for period, run_id, started, row_id in rows:
        key = (started, int(row_id), str(run_id))
        if period not in latest or key[:2] > latest[period][:2]:
            latest[period] = key
    return {period: run_id for period, (_, _, run_id) in latest.items()}


def accounting(session: Session, program: ProgramConfig, iso_week: str) -> dict[str, Any]:
    """read = stored + duplicates + quarantined for the week, from the latest run of each day only.

    A re-run of a day reads the same records again and finds the earlier run's as duplicates, so
    adding runs up would count records twice; the latest run says what the day holds now.
    """
    name = program.program
    days = week_days(iso_week)
    latest = _latest_runs(session, name, days)
    per_day: list[dict[str, Any]] = []
    totals = dict.fromkeys(COUNTS, 0)
    for day in days:
        period = day.isoformat()
        runs = int(
            session.scalar(
                select(func.count(func.distinct(Run.run_id))).where(
                    Run.program == name, Run.stage.in_(COLLECT_STAGES), Run.period == period
                )
            )
            or 0
        )
        run_id = latest.get(period)
        row: dict[str, Any] = {"day": period, "runs": runs, "latest_run": run_id, **dict.fromkeys(COUNTS, 0)}
        if run_id is not None:
            nightly = session.scalars(
                select(Run).where(
                    Run.program == name, Run.stage == "nightly", Run.run_id == run_id, Run.period == period
                )
            ).first()
            shards = (
                [nightly]
                if nightly is not None
                else list(
                    session.scalars(
                        select(Run).where(
                            Run.program == name,
                            Run.stage == "collect",
                            Run.run_id == run_id,
                            Run.period == period,
                        )
                    )
                )
            )
            for name_ in COUNTS:
                row[name_] = sum(int(getattr(r, name_) or 0) for r in shards)
            row["complete"] = nightly is not None
        for name_ in COUNTS:
            totals[name_] += row[name_]
        per_day.append(row)
    stored_now = int(
        session.scalar(select(func.count()).where(Mention.program == name, Mention.iso_week == iso_week)) or 0
    )
    return {
        **totals,
        "balanced": totals["read"] == totals["stored"] + totals["duplicates"] + totals["quarantined"],
        "mentions_in_database": stored_now,
        "days_without_run": [r["day"] for r in per_day if r["latest_run"] is None],
        "days": per_day,
    }


def _entity_counts(session: Session, program: str, iso_week: str) -> tuple[Counter[str], Counter[str]]:
    rows = session.execute(
        select(RedactionLog.entity_type, RedactionLog.recognizer, func.count())
        .where(RedactionLog.program == program, RedactionLog.day.in_(week_days(iso_week)))
        .group_by(RedactionLog.entity_type, RedactionLog.recognizer)
    ).all()
    by_type: Counter[str] = Counter()
    by_recognizer: Counter[str] = Counter()
    for entity_type, recognizer, count in rows:
        by_type[str(entity_type)] += int(count)
        by_recognizer[str(recognizer)] += int(count)
    return by_type, by_recognizer


def _with_change(now: Counter[str], before: Counter[str], key: str) -> list[dict[str, Any]]:
    names = sorted(set(now) | set(before), key=lambda n: (-now[n], n))
    return [{key: n, "count": now[n], "last_week": before[n], "change": now[n] - before[n]} for n in names]


def entities(session: Session, program: str, iso_week: str) -> dict[str, Any]:
    """Entities redacted by type and by recognizer, with last week's counts and the change."""
    types, recognizers = _entity_counts(session, program, iso_week)
    last_types, last_recognizers = _entity_counts(session, program, previous_week(iso_week))
    return {
        "total": sum(types.values()),
        "last_week_total": sum(last_types.values()),
        "by_type": _with_change(types, last_types, "type"),
        "by_recognizer": _with_change(recognizers, last_recognizers, "recognizer"),
    }


def scores(session: Session, program: str, iso_week: str) -> dict[str, Any]:
    """A histogram of detection scores in tenths."""
    rows = session.execute(
        select(RedactionLog.score, func.count())
        .where(RedactionLog.program == program, RedactionLog.day.in_(week_days(iso_week)))
        .group_by(RedactionLog.score)
    ).all()
    buckets = Counter({score_bucket(i / 10): 0 for i in range(10)})
    low = 0
    for score, count in rows:
        buckets[score_bucket(float(score))] += int(count)
        low += int(count) if float(score) < LOW_CONFIDENCE else 0
    return {
        "histogram": [{"bucket": b, "count": buckets[b]} for b in sorted(buckets)],
        "low_confidence_below": LOW_CONFIDENCE,
        "low_confidence": low,
    }


def _context(text: str, start: int, end: int) -> dict[str, str]:
    """The redacted text around a placeholder, whitespace collapsed, trimmed to whole words."""

    def squash(part: str) -> str:
        return " ".join(part.split())

    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    if start - CONTEXT_CHARS > 0 and " " in before:
        before = "… " + before.split(" ", 1)[1]
    if end + CONTEXT_CHARS < len(text) and " " in after:
        after = after.rsplit(" ", 1)[0] + " …"
    return {"before": squash(before), "placeholder": text[start:end], "after": squash(after)}


def low_confidence(session: Session, program: ProgramConfig, iso_week: str) -> dict[str, Any]:
    """Up to LOW_CONFIDENCE_EXAMPLES low-scoring detections, each as the redacted text around it.

    The log's offsets index the original text; the placeholder's place in the stored (redacted)
    text follows from the mention's detections before it, each replaced by `<TYPE>` (or a mask of
    the same length).
    """
    name = program.program
    picked = session.execute(
        select(
            RedactionLog.id,
            RedactionLog.mention_id,
            RedactionLog.entity_type,
            RedactionLog.score,
            RedactionLog.recognizer,
        )
        .join(Mention, Mention.id == RedactionLog.mention_id)
        .where(
            RedactionLog.program == name,
            RedactionLog.day.in_(week_days(iso_week)),
            RedactionLog.score < LOW_CONFIDENCE,
            Mention.text_redacted.is_not(None),
        )
        .order_by(RedactionLog.score, RedactionLog.id)
        .limit(LOW_CONFIDENCE_EXAMPLES)
    ).all()
    mask = program.privacy.redaction.operator == "mask"
    examples: list[dict[str, Any]] = []
    for log_id, mention_id, entity_type, score, recognizer in picked:
        text = session.scalar(select(Mention.text_redacted).where(Mention.id == mention_id)) or ""
        spans = session.execute(
            select(RedactionLog.id, RedactionLog.entity_type, RedactionLog.start, RedactionLog.end)
            .where(RedactionLog.mention_id == mention_id)
            .order_by(RedactionLog.start)
        ).all()
        shift = 0
        for other_id, other_type, start, end in spans:
            width = end - start if mask else len(other_type) + 2
            if other_id == log_id:
                where = start + shift
                if where >= 0 and where + width <= len(text):
                    examples.append(
                        {
                            "entity_type": entity_type,
                            "score": round(float(score), 2),
                            "recognizer": recognizer,
                            **_context(text, where, where + width),
                        }
                    )
                break
            shift += width - (end - start)
    return {"below": LOW_CONFIDENCE, "shown": len(examples), "examples": examples}


def residual(session: Session, program: ProgramConfig, iso_week: str) -> dict[str, Any]:
    """Residual-scan findings by kind, from the week's stored redacted texts (while they are kept)."""
    allowed = {a.strip().lower() for a in program.privacy.redaction.allow_list}
    rows = session.execute(
        select(Mention.residual_flags, Mention.text_redacted).where(
            Mention.program == program.program, Mention.iso_week == iso_week, Mention.residual_flags > 0
        )
    ).all()
    by_kind = Counter(dict.fromkeys(KINDS, 0))
    unexamined = 0
    for flags, text in rows:
        if text is None:
            unexamined += int(flags)
            continue
        by_kind.update(residual_kinds(text, allowed))
    return {
        "mentions_flagged": len(rows),
        "findings": sum(by_kind.values()) + unexamined,
        "by_kind": dict(by_kind),
        "text_erased": unexamined,
    }


def quarantine(session: Session, program: str, iso_week: str) -> dict[str, Any]:
    """Records quarantined on the week's days, by reason code."""
    rows = session.execute(
        select(Quarantine.reason, func.count())
        .where(Quarantine.program == program, Quarantine.day.in_(week_days(iso_week)))
        .group_by(Quarantine.reason)
        .order_by(func.count().desc(), Quarantine.reason)
    ).all()
    return {"total": sum(int(c) for _, c in rows), "by_reason": {str(r): int(c) for r, c in rows}}


def sources(
    session: Session, program: ProgramConfig, iso_week: str, latest: dict[str, str]
) -> dict[str, Any]:
    """Per configured source and day (latest run): collected, missing (no data) or failed, with reasons."""
    name = program.program
    problems: list[dict[str, Any]] = []
    per_source: dict[str, dict[str, Any]] = {
        s.name: {
            "source": s.name,
            "label": program.source_label(s.name),
            "collected": 0,
            "missing": 0,
            "failed": 0,
        }
        for s in program.sources
    }
    for period, run_id in sorted(latest.items()):
        rows = session.scalars(
            select(Run).where(
                Run.program == name, Run.stage == "collect", Run.run_id == run_id, Run.period == period
            )
        ).all()
        seen: dict[str, list[Run]] = {}
        for row in rows:
            source = str((row.details or {}).get("source") or "")
            seen.setdefault(source, []).append(row)
        # The nightly summary's outcome per source (`source` rows), when the run wrote them.
        outcomes = {
            r.shard: r
            for r in session.scalars(
                select(Run).where(
                    Run.program == name, Run.stage == "source", Run.run_id == run_id, Run.period == period
                )
            )
        }
        for source_name, entry in per_source.items():
            outcome = outcomes.get(source_name)
            if outcome is not None and outcome.status != "success":
                details: dict[str, Any] = dict(outcome.details or {})
                errors = [str(e) for e in details.get("errors") or [] if e]
                status = "failed" if outcome.status == "failed" else "missing"
                entry[status] += 1
                problems.append(
                    {
                        "day": period,
                        "source": source_name,
                        "label": entry["label"],
                        "status": status,
                        "reason": "; ".join(sorted(set(errors)))
                        or ("failed" if status == "failed" else "no data"),
                    }
                )
                continue
            if outcome is not None:
                entry["collected"] += 1
                continue
            found = seen.get(source_name, [])
            failed = [r for r in found if r.status == "failed"]
            missing = [r for r in found if r.status == "missing"]
            if failed:
                status = "failed"
                reasons = [
                    str((r.details or {}).get("reason") or (r.details or {}).get("error") or "failed")
                    for r in failed
                ]
            elif missing or not found:
                status = "missing"
                reasons = [str((r.details or {}).get("reason") or "no data") for r in missing] or ["no data"]
            else:
                entry["collected"] += 1
                continue
            entry[status] += 1
            problems.append(
                {
                    "day": period,
                    "source": source_name,
                    "label": entry["label"],
                    "status": status,
                    "reason": "; ".join(sorted(set(reasons))),
                }
            )
    return {
        "missing": [p for p in problems if p["status"] == "missing"],
        "failed": [p for p in problems if p["status"] == "failed"],
        "per_source": list(per_source.values()),
    }


def cells(session: Session, program: str, iso_week: str) -> dict[str, int]:
    rows = session.execute(
        select(WeeklyTrend.suppression, func.count())
        .where(WeeklyTrend.program == program, WeeklyTrend.iso_week == iso_week)
        .group_by(WeeklyTrend.suppression)
    ).all()
    found = {str(k or "published"): int(v) for k, v in rows}
    return {
        "total": sum(found.values()),
        "published": found.get("published", 0),
        "suppressed_primary": found.get("primary", 0),
        "suppressed_complementary": found.get("complementary", 0),
    }


def budget(session: Session, program: ProgramConfig, iso_week: str) -> dict[str, Any]:
    dp = program.privacy.differential_privacy
    year = week_year(iso_week)
    used = spent(session, program.program, year)
    return {
        "enabled": dp.enabled,
        "year": year,
        "epsilon_per_release": dp.epsilon_per_release if dp.enabled else None,
        "yearly_cap": dp.yearly_epsilon_cap if dp.enabled else None,
        "spent": round(used, 6),
        "left": round(max(dp.yearly_epsilon_cap - used, 0.0), 6) if dp.enabled else None,
    }


def _flatten(value: Any, prefix: str = "") -> list[dict[str, str]]:
    """A nested manifest as (field path, value) rows: `cells.total`, `differential_privacy.enabled`."""
    if isinstance(value, dict):
        rows: list[dict[str, str]] = []
        for key, inner in value.items():
            rows += _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(value, list):
        return [{"field": prefix, "value": ", ".join(str(v) for v in value) or "(none)"}]
    if isinstance(value, bool):
        return [{"field": prefix, "value": "yes" if value else "no"}]
    return [{"field": prefix, "value": "" if value is None else str(value)}]


def release_section(session: Session, program: ProgramConfig, iso_week: str) -> dict[str, Any]:
    release = find_release(session, program.program, iso_week)
    if release is None:
        return {"status": "not aggregated", "decisions": [], "manifest": []}
    manifest: dict[str, Any] = dict(release.manifest or {})
    summary: dict[str, Any] = manifest.get("release_summary") or {}
    return {
        "status": release.status,
        "approved_by": release.approved_by,
        "released_at": release.released_at.isoformat() if release.released_at else None,
        "authors_erased": summary.get("authors_erased"),
        "key_destroyed": bool(summary.get("key_destroyed")) if summary else False,
        "decisions": decisions(session, program.program, iso_week),
        "manifest": _flatten({k: v for k, v in manifest.items() if k != "release_summary"}),
    }


def _policy_version(session: Session, program: ProgramConfig, iso_week: str) -> str:
    """The redaction policy versions recorded with the week's mentions (policy and NER model,
    "2026.11-1+ner1.0.0"), or, before anything is stored, the one the redactor records now."""
    recorded = recorded_policy_versions(session, program.program, iso_week)
    if recorded:
        return ", ".join(recorded)
    from listening.privacy.redactor import policy_version

    return policy_version(program.privacy.redaction)


def privacy_review(session: Session, program: ProgramConfig, iso_week: str) -> dict[str, Any]:
    """Everything the privacy officer reviews for one week, as plain JSON-ready values."""
    name = program.program
    start = week_start(iso_week)
    counts = accounting(session, program, iso_week)
    latest = {d["day"]: d["latest_run"] for d in counts["days"] if d["latest_run"]}
    release = release_section(session, program, iso_week)
    return {
        "program": name,
        "title": program.title,
        "iso_week": iso_week,
        "week_start": start.isoformat(),
        "week_end": (start + dt.timedelta(days=6)).isoformat(),
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "policy_version": _policy_version(session, program, iso_week),
        "k": program.privacy.k,
        "privacy_officers": [o.model_dump() for o in program.governance.privacy_officers],
        "accounting": counts,
        "entities": entities(session, name, iso_week),
        "scores": scores(session, name, iso_week),
        "low_confidence": low_confidence(session, program, iso_week),
        "residual": residual(session, program, iso_week),
        "quarantine": quarantine(session, name, iso_week),
        "sources": sources(session, program, iso_week, latest),
        "cells": cells(session, name, iso_week),
        "privacy_budget": budget(session, program, iso_week),
        "release": release,
        "authors_erased": release.get("authors_erased"),
    }


def summary_lines(review: dict[str, Any]) -> list[str]:
    """The review's headline figures as short lines: the sign-off request's body and the CLI."""
    a, cells_ = review["accounting"], review["cells"]
    res, q, src = review["residual"], review["quarantine"], review["sources"]
    types = ", ".join(f"{e['type']} {e['count']:,}" for e in review["entities"]["by_type"][:6]) or "none"
    lines = [
        f"Records read {a['read']:,} = stored {a['stored']:,} + duplicates {a['duplicates']:,} + "
        f"quarantined {a['quarantined']:,} (latest run of each day; {a['mentions_in_database']:,} "
        "mentions in the database)",
        f"Entities redacted: {review['entities']['total']:,} "
        f"(last week {review['entities']['last_week_total']:,}): {types}",
        f"Low-confidence detections (score below {review['scores']['low_confidence_below']}): "
        f"{review['scores']['low_confidence']:,}",
        f"Residual-scan findings: {res['findings']:,} in {res['mentions_flagged']:,} mentions",
        f"Quarantined: {q['total']:,}"
        + (f" ({', '.join(f'{k} {v}' for k, v in q['by_reason'].items())})" if q["by_reason"] else ""),
        f"Sources missing: {len(src['missing'])} source-days; failed: {len(src['failed'])}",
        f"Cells: {cells_['published']:,} published, {cells_['suppressed_primary']:,} suppressed (fewer than "
        f"k = {review['k']} authors), {cells_['suppressed_complementary']:,} suppressed to protect them",
    ]
    if a["days_without_run"]:
        lines.append(f"Days without a nightly run: {', '.join(a['days_without_run'])}")
    budget_ = review["privacy_budget"]
    if budget_["enabled"]:
        lines.append(
            f"Privacy budget {budget_['year']}: spent {budget_['spent']:g} of {budget_['yearly_cap']:g}, "
            f"left {budget_['left']:g}; this release costs {budget_['epsilon_per_release']:g}"
        )
    return lines
