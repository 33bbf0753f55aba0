"""The pipeline stages that DAG tasks and the CLI run. Each returns counts, never text."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from listening.config import ProgramConfig
from listening.enrich.sentiment import score
from listening.enrich.topics import TopicMatcher
from listening.periods import floor_hour, iso_week
from listening.privacy import keys
from listening.records import MentionIn, Reason, Rejected, validate_record
from listening.settings import get_settings
from listening.sources.base import RawRecord, Shard
from listening.sources.files import FileDropSource
from listening.store.db import reclaim_erased, session_scope
from listening.store.models import MentionTopic, Quarantine, RedactionLog, Run, utcnow
from listening.store.repository import (
    existing_post_keys,
    insert_ignoring_conflicts,
    insert_new_mentions,
    record_run,
)

log = logging.getLogger(__name__)


class StageError(RuntimeError):
    """A stage failed; the message holds no record content."""


COUNT_FIELDS = ("read", "stored", "duplicates", "quarantined", "entities_redacted", "residual_flags")


def build_source(program: ProgramConfig, name: str, data_dir: Path | None = None) -> FileDropSource:
    """The connector for one configured source."""
    return FileDropSource(program.source(name), data_dir or get_settings().data_dir)


def day_interval(program: ProgramConfig, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day as a half-open interval in the program's time zone."""
    zone = ZoneInfo(program.schedules.timezone)
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return start, start + dt.timedelta(days=1)


def plan_shards(
    program: ProgramConfig, day: dt.date, data_dir: Path | None = None, *, today: dt.date | None = None
) -> list[dict[str, str]]:
    """One shard per source and slice holding the day's records; refused if the program may not collect."""
    from listening.governance import ensure_may_collect

    ensure_may_collect(program, today or dt.datetime.now(dt.UTC).date())
    data_dir = data_dir or get_settings().data_dir
    shards: list[dict[str, str]] = []
    for source in program.sources:
        connector = build_source(program, source.name, data_dir)
        for slice_name in connector.shards(day):
            shards.append(Shard(program.program, source.name, slice_name, day.isoformat()).as_dict())
    return shards


@dataclass
class _Batch:
    records: list[tuple[int, MentionIn]] = field(default_factory=list)
    rejected: list[tuple[int, Rejected]] = field(default_factory=list)


def _batches(records: Iterator[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    while chunk := list(islice(records, size)):
        yield chunk


def _shard_label(slice_name: str, data_dir: Path) -> str:
    path = Path(slice_name)
    try:
        return str(path.resolve().relative_to(data_dir.resolve()))
    except ValueError:
        return path.name


def collect_redact_store(
    program: ProgramConfig,
    shard: dict[str, str],
    *,
    run_id: str,
    url: str | None = None,
    data_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Fetch one shard, validate, de-duplicate, redact, enrich and store it. Returns counts only.

    Raw text exists only in this function's memory: what is written is redacted text, keyed hashes
    and derived fields, in one transaction per batch together with the redaction log.
    """
    from listening.privacy.redactor import get_redactor, topic_terms
    from listening.privacy.residual import residual_scan

    settings = get_settings()
    data_dir = data_dir or settings.data_dir
    now = now or dt.datetime.now(dt.UTC)
    unit = Shard.from_dict(shard)
    day = dt.date.fromisoformat(unit.day)
    source = build_source(program, unit.source, data_dir)
    label = _shard_label(unit.slice, data_dir)
    redactor = get_redactor(program.privacy.redaction, terms=topic_terms(program.topics))
    matcher = TopicMatcher(program.topics)
    interval = day_interval(program, day)
    zone = ZoneInfo(program.schedules.timezone)
    ctx = _ShardContext(program, unit, label, redactor, residual_scan, matcher, zone, run_id, interval)
    counts: Counter[str] = Counter(dict.fromkeys(COUNT_FIELDS, 0))
    started = utcnow()

    try:
        for chunk in _batches(source.read(unit.slice), settings.redaction_batch_size):
            batch = _Batch()
            for raw in chunk:
                outcome = (
                    raw.payload
                    if isinstance(raw.payload, Rejected)
                    else validate_record(raw.payload, now=now, languages=program.languages)
                )
                if isinstance(outcome, Rejected):
                    batch.rejected.append((raw.position, outcome))
                else:
                    batch.records.append((raw.position, outcome))
            with session_scope(url) as session:
                _store_batch(session, ctx, batch, counts)
            counts["read"] += len(chunk)
    except Exception as exc:
        # Raw text is in memory here: an error message (a database error's parameters, say) could carry
        # it into the task log. Only the error's type and the shard go out; the batch was rolled back.
        raise StageError(f"{label}: {type(exc).__name__} after {counts['read']} records") from None

    summary = {name: int(counts[name]) for name in COUNT_FIELDS}
    if summary["read"] != summary["stored"] + summary["duplicates"] + summary["quarantined"]:
        raise RuntimeError(f"{label}: counts do not add up: {summary}")
    with session_scope(url) as session:
        record_run(
            session,
            {
                "run_id": run_id,
                "program": program.program,
                "stage": "collect",
                "shard": label,
                "period": unit.day,
                "status": "success",
                "started_at": started,
                "finished_at": utcnow(),
                "config_fingerprint": program.fingerprint,
                "details": {"source": unit.source, "policy_version": redactor.policy_version},
                **summary,
            },
        )
    log.info("shard %s stored: %s", label, summary)
    return summary


@dataclass(frozen=True)
class _ShardContext:
    program: ProgramConfig
    unit: Shard
    label: str
    redactor: Any
    residual_scan: Any
    matcher: TopicMatcher
    zone: ZoneInfo
    run_id: str
    interval: tuple[dt.datetime, dt.datetime]


def _store_batch(session: Session, ctx: _ShardContext, batch: _Batch, counts: Counter[str]) -> None:
    program, unit, label, redactor, zone, run_id = (
        ctx.program,
        ctx.unit,
        ctx.label,
        ctx.redactor,
        ctx.zone,
        ctx.run_id,
    )
    post_secret = keys.post_key(session, program.program)
    fresh: list[tuple[int, MentionIn, str]] = []
    seen: set[str] = set()
    keyed = [
        (pos, rec, keys.keyed_hash(post_secret, f"{rec.platform or ''}:{rec.id}"))
        for pos, rec in batch.records
    ]
    stored_already = existing_post_keys(session, program.program, (k for _, _, k in keyed))
    for pos, rec, post_key in keyed:
        # De-duplicate before the interval check: a copy of yesterday's post in today's file is a duplicate.
        if post_key in stored_already or post_key in seen:
            counts["duplicates"] += 1
            continue
        if not ctx.interval[0] <= rec.created_at < ctx.interval[1]:
            batch.rejected.append((pos, Rejected(Reason.OUT_OF_INTERVAL, "created_at")))
            continue
        seen.add(post_key)
        fresh.append((pos, rec, post_key))

    week_secrets: dict[str, bytes | None] = {}
    accepted: list[tuple[int, MentionIn, str, str]] = []
    for pos, rec, post_key in fresh:
        week = iso_week(rec.created_at.astimezone(zone).date())
        if week not in week_secrets:
            try:
                week_secrets[week] = keys.week_key(session, program.program, week)
            except keys.KeyDestroyedError:
                week_secrets[week] = None
        if week_secrets[week] is None:
            batch.rejected.append((pos, Rejected(Reason.WEEK_RELEASED, "created_at")))
            continue
        accepted.append((pos, rec, post_key, week))

    redacted = redactor.redact_batch([rec.text for _, rec, _, _ in accepted])
    residual = ctx.residual_scan([r.text for r in redacted], program.privacy.redaction.allow_list)
    rows: list[dict[str, Any]] = []
    for (_pos, rec, post_key, week), red, flags in zip(accepted, redacted, residual, strict=True):
        secret = week_secrets[week]
        assert secret is not None
        # The configured platform is stored, never the record's own value: that is free text.
        platform = program.source(unit.source).platform
        sentiment = score(red.text)
        rows.append(
            {
                "program": program.program,
                "post_key": post_key,
                "source": unit.source,
                "platform": platform,
                "created_hour": floor_hour(rec.created_at),
                "day": rec.created_at.astimezone(zone).date(),
                "iso_week": week,
                "author_key": keys.keyed_hash(secret, f"{rec.platform or platform}:{rec.author_id}"),
                "text_redacted": red.text,
                "lang": rec.language,
                "sentiment_compound": sentiment.compound,
                "sentiment_label": sentiment.label,
                "entity_count": len(red.entities),
                "residual_flags": flags,
                "policy_version": redactor.policy_version,
                "run_id": run_id,
                "stored_at": utcnow(),
            }
        )
    # Another shard of the same day may be storing the same posts right now: rows it committed first are
    # skipped here as duplicates (never a second row, never a failed batch).
    stored = insert_new_mentions(session, rows)
    kept = [
        (row, red, flags)
        for row, red, flags in zip(rows, redacted, residual, strict=True)
        if row["post_key"] in stored
    ]
    topic_rows = [
        {"mention_id": stored[row["post_key"]], "topic": topic}
        for row, red, _ in kept
        for topic in ctx.matcher.assign(red.text)
    ]
    log_rows = [
        {
            "program": program.program,
            "mention_id": stored[row["post_key"]],
            "day": row["day"],
            "entity_type": e.type,
            "start": e.start,
            "end": e.end,
            "score": round(e.score, 2),
            "recognizer": e.recognizer[:80],
            "policy_version": redactor.policy_version,
            "run_id": run_id,
            "logged_at": utcnow(),
        }
        for row, red, _ in kept
        for e in red.entities
    ]
    if topic_rows:
        session.execute(insert(MentionTopic), topic_rows)
    if log_rows:
        session.execute(insert(RedactionLog), log_rows)
    counts["stored"] += len(kept)
    counts["duplicates"] += len(rows) - len(kept)
    counts["entities_redacted"] += sum(len(red.entities) for _, red, _ in kept)
    counts["residual_flags"] += sum(flags for _, _, flags in kept)

    insert_ignoring_conflicts(
        session,
        Quarantine,
        [
            {
                "program": program.program,
                "source": unit.source,
                "day": dt.date.fromisoformat(unit.day),
                "shard": label,
                "position": pos,
                "reason": rej.reason.value,
                "field": rej.field,
                "run_id": run_id,
                "quarantined_at": utcnow(),
            }
            for pos, rej in sorted(batch.rejected, key=lambda item: item[0])
        ],
    )
    counts["quarantined"] += len(batch.rejected)


def summarise_day(
    program: ProgramConfig,
    day: dt.date,
    shard_counts: Sequence[dict[str, int]],
    *,
    run_id: str,
    url: str | None = None,
) -> dict[str, int]:
    """Add up the shards of one nightly run and record the day in the run log."""
    total = {name: sum(int(c.get(name, 0)) for c in shard_counts) for name in COUNT_FIELDS}
    total["shards"] = len(shard_counts)
    with session_scope(url) as session:
        record_run(
            session,
            {
                "run_id": run_id,
                "program": program.program,
                "stage": "nightly",
                "shard": "",
                "period": day.isoformat(),
                "status": "success",
                "started_at": utcnow(),
                "finished_at": utcnow(),
                "config_fingerprint": program.fingerprint,
                "details": {"shards": len(shard_counts)},
                **{k: total[k] for k in COUNT_FIELDS},
            },
        )
    return total


def run_log(session: Session, program: str, stage: str | None = None) -> list[Run]:
    stmt = select(Run).where(Run.program == program).order_by(Run.started_at)
    if stage:
        stmt = stmt.where(Run.stage == stage)
    return list(session.scalars(stmt))


def aggregate(program: ProgramConfig, iso_week: str, *, url: str | None = None) -> dict[str, Any]:
    """Compute the week's trend cells as a pending release (disclosure control applied)."""
    from listening.aggregate.weekly import aggregate_week

    with session_scope(url) as session:
        summary = dict(aggregate_week(session, program, iso_week))
    summary["iso_week"] = iso_week
    return summary


def release(program: ProgramConfig, iso_week: str, *, url: str | None = None) -> dict[str, Any]:
    """Release a week automatically when the program allows it (`privacy.auto_release`).

    Otherwise the week waits for a privacy officer (`decide`) and the summary says so. A week released
    already returns its stored summary, so that a re-run of the weekly DAG is not a failure; a refusal
    (an empty week, a changed configuration, the budget) comes back as `refused` with its reason.
    """
    from listening.aggregate.release import AlreadyReleased, ReleaseRefused, auto_release
    from listening.aggregate.weekly import find_release

    if not program.privacy.auto_release:
        return {"iso_week": iso_week, "status": "awaiting_signoff"}
    try:
        with session_scope(url) as session:
            summary = auto_release(session, program, iso_week)
    except AlreadyReleased:
        with session_scope(url) as session:
            stored = find_release(session, program.program, iso_week)
            assert stored is not None
            return {**dict(stored.manifest.get("release_summary") or {}), "already_released": True}  # type: ignore[call-overload]
    except ReleaseRefused as exc:
        return {"iso_week": iso_week, "status": "refused", "reason": str(exc)}
    summary["iso_week"] = iso_week
    return summary


def decide(
    program: ProgramConfig,
    iso_week: str,
    *,
    decision: str,
    user_id: str,
    note: str = "",
    channel: str,
    airflow_run_id: str | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """A privacy officer approves or rejects a pending week (raises ReleaseRefused with the reason)."""
    from listening.aggregate.release import decide as record_decision

    with session_scope(url) as session:
        return record_decision(
            session,
            program,
            iso_week,
            decision=decision,
            user_id=user_id,
            note=note,
            channel=channel,
            airflow_run_id=airflow_run_id,
        )


def review(program: ProgramConfig, iso_week: str, *, url: str | None = None) -> dict[str, Any]:
    """Write the week's privacy review (HTML and JSON) for the sign-off; its headline figures."""
    from listening.reports.weekly import write_review

    with session_scope(url) as session:
        return write_review(session, program, iso_week)


def reports(program: ProgramConfig, iso_week: str, *, url: str | None = None) -> dict[str, Any]:
    """The privacy officer's weekly review and, once the week is released, the analyst exports."""
    from listening.reports.weekly import write_reports

    with session_scope(url) as session:
        return write_reports(session, program, iso_week)


def purge(program: ProgramConfig, *, now: dt.datetime, run_id: str, url: str | None = None) -> dict[str, int]:
    """Erase expired text, logs and quarantine rows and record the purge in the run log."""
    from listening.store.retention import purge as erase

    started = utcnow()
    with session_scope(url) as session:
        counts = erase(session, program, now)
        record_run(
            session,
            {
                "run_id": run_id,
                "program": program.program,
                "stage": "purge",
                "shard": "",
                "period": now.date().isoformat(),
                "status": "success",
                "started_at": started,
                "finished_at": utcnow(),
                "config_fingerprint": program.fingerprint,
                "details": dict(counts),
            },
        )
    reclaim_erased(url)
    return counts
