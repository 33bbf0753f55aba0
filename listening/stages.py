"""The pipeline stages that DAG tasks and the CLI run. Each returns counts, never text."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from listening.config import ProgramConfig
from listening.enrich.topics import TopicMatcher
from listening.settings import get_settings
from listening.sources.base import Connector, RawRecord, Shard, SourceError, Window
from listening.sources.registry import build_connector, context_for
from listening.store.db import reclaim_erased, session_scope
from listening.store.models import Run, utcnow
from listening.store.repository import advance_cursor, record_run

log = logging.getLogger(__name__)


class StageError(RuntimeError):
    """A stage failed; the message holds no record content."""


class SourceFailed(StageError):
    """A source kept failing (its connector gave up): the message names the source and the reason."""


COUNT_FIELDS = ("read", "stored", "duplicates", "quarantined", "entities_redacted", "residual_flags")


def build_source(program: ProgramConfig, name: str, data_dir: Path | None = None) -> Connector:
    """The connector for one configured source, through the registry of source kinds."""
    return build_connector(program, name, context_for(program, name, data_dir))


def day_interval(program: ProgramConfig, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day as a half-open interval in the program's time zone."""
    zone = ZoneInfo(program.schedules.timezone)
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return start, start + dt.timedelta(days=1)


def day_window(program: ProgramConfig, day: dt.date) -> Window:
    """The window a nightly run fetches for a day: the day in the program's time zone (a rerun of the
    day fetches the same window again; the keyed post hash de-duplicates what was stored already)."""
    start, end = day_interval(program, day)
    return Window(start, end)


def plan_shards(
    program: ProgramConfig, day: dt.date, data_dir: Path | None = None, *, today: dt.date | None = None
) -> list[dict[str, str]]:
    """One shard per source and slice holding the day's records; refused if the program may not collect."""
    from listening.governance import ensure_may_collect

    ensure_may_collect(program, today or dt.datetime.now(dt.UTC).date())
    window = day_window(program, day)
    shards: list[dict[str, str]] = []
    for source in program.sources:
        try:
            slices = build_source(program, source.name, data_dir).plan(window)
        except SourceError as exc:
            # One source that cannot be planned fails its own shard; the program's other sources run.
            log.warning("source %s cannot be planned: %s", source.name, exc)
            failed = Shard(program.program, source.name, "", day.isoformat()).as_dict()
            shards.append({**failed, "error": str(exc)})
            continue
        for slice_name in slices:
            shards.append(Shard(program.program, source.name, slice_name, day.isoformat()).as_dict())
    return shards


def _batches(records: Iterator[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    while chunk := list(islice(records, size)):
        yield chunk


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
    from listening.ingest import Ingest, ShardContext
    from listening.privacy.parallel import redaction_pool
    from listening.privacy.redactor import topic_terms
    from listening.privacy.residual import residual_scan

    settings = get_settings()
    data_dir = data_dir or settings.data_dir
    now = now or dt.datetime.now(dt.UTC)
    unit = Shard.from_dict(shard)
    day = dt.date.fromisoformat(unit.day)
    started = utcnow()
    counts: Counter[str] = Counter(dict.fromkeys(COUNT_FIELDS, 0))
    if shard.get("error"):  # the source could not even be planned: its shard fails, the others run
        _record_failure(program, unit, unit.source, str(shard["error"]), counts, run_id, started, url)
        raise SourceFailed(str(shard["error"]))
    source = build_source(program, unit.source, data_dir)
    label = source.label(unit.slice)[:200]
    window = day_window(program, day)
    redactor = redaction_pool(program.privacy.redaction, topic_terms(program.topics))
    matcher = TopicMatcher(program.topics)
    interval = day_interval(program, day)
    zone = ZoneInfo(program.schedules.timezone)
    ctx = ShardContext(program, unit, label, redactor, residual_scan, matcher, zone, run_id, interval, now)

    try:
        ingest = Ingest(ctx, counts, url=url)
        for chunk in _batches(source.read(unit.slice, window), settings.redaction_batch_size):
            ingest.feed(chunk)
            counts["read"] += len(chunk)
        ingest.finish()
    except SourceError as exc:
        # The connector's message names the source and the reason only (its contract).
        message = f"{label}: {exc} (after {counts['read']} records)"
        _record_failure(program, unit, label, message, counts, run_id, started, url)
        raise SourceFailed(message) from None
    except Exception as exc:
        # Raw text is in memory here: an error message (a database error's parameters, say) could carry
        # it into the task log. Only the error's type and the shard go out; the batch was rolled back.
        message = f"{label}: {type(exc).__name__} after {counts['read']} records"
        _record_failure(program, unit, label, message, counts, run_id, started, url)
        raise StageError(message) from None

    summary = {name: int(counts[name]) for name in COUNT_FIELDS}
    if summary["read"] != summary["stored"] + summary["duplicates"] + summary["quarantined"]:
        raise RuntimeError(f"{label}: counts do not add up: {summary}")
    with session_scope(url) as session:
        record_run(
            session,
            _shard_run(
                program,
                unit,
                label,
                run_id,
                started,
                "success",
                summary,
                policy_version=redactor.policy_version,
            ),
        )
        advance_cursor(
            session,
            program=program.program,
            source=unit.source,
            query=source.cursor_key(unit.slice),
            window=window,
            run_id=run_id,
            read=summary["read"],
        )
    log.info("shard %s stored (%d redaction workers): %s", label, redactor.workers, summary)
    return summary


def _shard_run(  # noqa: PLR0917 - the run-log row's own fields
    program: ProgramConfig,
    unit: Shard,
    label: str,
    run_id: str,
    started: dt.datetime,
    status: str,
    counts: dict[str, int],
    **details: str,
) -> dict[str, Any]:
    """One shard's run-log row: its outcome, its counts and (in `details`) what the row needs beyond them."""
    return {
        "run_id": run_id,
        "program": program.program,
        "stage": "collect",
        "shard": label[:200],
        "period": unit.day,
        "status": status,
        "started_at": started,
        "finished_at": utcnow(),
        "config_fingerprint": program.fingerprint,
        "details": {"source": unit.source, "slice": unit.slice, **details},
        **counts,
    }


def _record_failure(  # noqa: PLR0917 - one private call site per failure kind
    program: ProgramConfig,
    unit: Shard,
    label: str,
    message: str,
    counts: Counter[str],
    run_id: str,
    started: dt.datetime,
    url: str | None,
) -> None:
    """A failed shard's run-log row (what was stored before the failure stays; a rerun dedupes it)."""
    try:
        with session_scope(url) as session:
            totals = {name: int(counts[name]) for name in COUNT_FIELDS}
            record_run(
                session,
                _shard_run(program, unit, label, run_id, started, "failed", totals, error=message[:500]),
            )
    except Exception:  # the database itself may be what failed; the task fails with the message anyway
        log.warning("shard %s: the failure could not be recorded in the run log", label)


#: What the run log says of a source for a day.
SOURCE_SUCCESS, SOURCE_MISSING, SOURCE_FAILED = "success", "missing", "failed"


def summarise_day(
    program: ProgramConfig,
    day: dt.date,
    shard_counts: Sequence[dict[str, int]] | None = None,
    *,
    run_id: str,
    url: str | None = None,
    planned: Sequence[dict[str, str]] | None = None,
    data_dir: Path | None = None,
) -> dict[str, Any]:
    """Add up one nightly run, record each source's outcome and the day in the run log.

    With `planned` (the shards `plan_shards` returned), the figures come from the run log's shard
    rows, so shards that failed count too: each source of the program gets a `source` row for the day
    with status `success`, `missing` (it delivered nothing) or `failed` (a shard of it failed, or never
    ran), and the day's row is `success` only when every source succeeded. A source whose every shard
    was stored then gets to clean up (the file source deletes its files when `delete_after_store`).
    """
    if planned is None:
        total = {name: sum(int(c.get(name, 0)) for c in shard_counts or []) for name in COUNT_FIELDS}
        total["shards"] = len(shard_counts or [])
        _record_day(program, day, total, {}, run_id=run_id, url=url)
        return total
    with session_scope(url) as session:
        rows = list(
            session.scalars(
                select(Run).where(
                    Run.program == program.program,
                    Run.stage == "collect",
                    Run.run_id == run_id,
                    Run.period == day.isoformat(),
                )
            )
        )
    stored: dict[str, list[Run]] = {}
    failed_rows: dict[str, list[Run]] = {}
    for row in rows:
        source = str((row.details or {}).get("source", ""))
        (stored if row.status == "success" else failed_rows).setdefault(source, []).append(row)
    statuses: dict[str, str] = {}
    source_rows: list[dict[str, Any]] = []
    window = day_window(program, day)
    for config in program.sources:
        shards = [s for s in planned if s["source"] == config.name]
        ok = stored.get(config.name, [])
        # A failed shard's batches stored before the failure count too (a rerun finds them as duplicates).
        counted = ok + failed_rows.get(config.name, [])
        totals = {name: sum(int(getattr(r, name)) for r in counted) for name in COUNT_FIELDS}
        errors = [str((r.details or {}).get("error", "")) for r in failed_rows.get(config.name, [])]
        if len(ok) < len(shards) or any(s.get("error") for s in shards):
            status = SOURCE_FAILED
        elif not shards or totals["read"] == 0:
            status = SOURCE_MISSING
        else:
            status = SOURCE_SUCCESS
        cleaned = 0
        if status != SOURCE_FAILED and shards:
            connector = build_source(program, config.name, data_dir)
            stored_slices = [str((r.details or {}).get("slice", "")) for r in ok]
            cleaned = connector.after_day_stored(window, stored_slices, [s["slice"] for s in shards])
        statuses[config.name] = status
        source_rows.append(
            {
                "run_id": run_id,
                "program": program.program,
                "stage": "source",
                "shard": config.name,
                "period": day.isoformat(),
                "status": status,
                "started_at": utcnow(),
                "finished_at": utcnow(),
                "config_fingerprint": program.fingerprint,
                "details": {
                    "kind": config.kind,
                    "shards": len(shards),
                    "shards_stored": len(ok),
                    "errors": errors[:5],
                    "inputs_deleted": cleaned,
                },
                **totals,
            }
        )
    total = {name: sum(int(r[name]) for r in source_rows) for name in COUNT_FIELDS}
    total["shards"] = len(planned)
    with session_scope(url) as session:
        for source_row in source_rows:
            record_run(session, source_row)
    _record_day(program, day, total, statuses, run_id=run_id, url=url)
    failed = sorted(n for n, st in statuses.items() if st == SOURCE_FAILED)
    missing = sorted(n for n, st in statuses.items() if st == SOURCE_MISSING)
    return {**total, "sources": statuses, "failed": failed, "missing": missing}


def _record_day(
    program: ProgramConfig,
    day: dt.date,
    total: dict[str, int],
    statuses: dict[str, str],
    *,
    run_id: str,
    url: str | None,
) -> None:
    incomplete = any(status != SOURCE_SUCCESS for status in statuses.values())
    with session_scope(url) as session:
        record_run(
            session,
            {
                "run_id": run_id,
                "program": program.program,
                "stage": "nightly",
                "shard": "",
                "period": day.isoformat(),
                "status": "incomplete" if incomplete else "success",
                "started_at": utcnow(),
                "finished_at": utcnow(),
                "config_fingerprint": program.fingerprint,
                "details": {"shards": total["shards"], "sources": statuses},
                **{k: total[k] for k in COUNT_FIELDS},
            },
        )


def day_problems(summary: dict[str, Any]) -> str | None:
    """One line naming the sources that failed or delivered nothing, or None when every one delivered."""
    parts = []
    if summary.get("failed"):
        parts.append(f"failed: {', '.join(summary['failed'])}")
    if summary.get("missing"):
        parts.append(f"delivered nothing: {', '.join(summary['missing'])}")
    return "; ".join(parts) or None


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
