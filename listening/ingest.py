"""The nightly stage's batch, one named step at a time: validate, de-duplicate, redact, enrich, persist.

Each step takes what the step before accepted and returns a `Step`: what it accepted (passed on) and
what it rejected (a quarantine reason per record position); de-duplication also counts duplicates. The
steps hold raw text in memory only; `persist` writes redacted text, keyed hashes and derived fields,
through `store.repository`, in one transaction per batch.

`Ingest` runs the steps over a shard's batches. Redaction, the dominant cost, runs on a pool of
processes (`privacy.parallel`) while this process validates, de-duplicates, enriches and stores the
batches around it: `feed` hands a batch over, `finish` waits for the last ones. With one worker
everything runs in this process, one batch after the other.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from listening.config import ProgramConfig
from listening.enrich.sentiment import score
from listening.enrich.topics import TopicMatcher
from listening.periods import floor_hour, iso_week
from listening.privacy import keys
from listening.records import MentionIn, Reason, Rejected, validate_record
from listening.sources.base import RawRecord, Shard
from listening.store.db import session_scope
from listening.store.models import utcnow
from listening.store.repository import existing_post_keys, quarantine_records, store_mentions

T = TypeVar("T")


@dataclass
class Step(Generic[T]):
    """What one step accepted (in input order) and what it rejected, by record position."""

    accepted: list[T]
    rejected: list[tuple[int, Rejected]] = field(default_factory=list)
    duplicates: int = 0


@dataclass(frozen=True)
class ShardContext:
    """What every batch of one shard shares."""

    program: ProgramConfig
    unit: Shard
    label: str
    redactor: Any  # a privacy.parallel.RedactionPool (or anything with redact_batch and policy_version)
    residual_scan: Callable[[Sequence[str], Sequence[str]], list[int]]
    matcher: TopicMatcher
    zone: ZoneInfo
    run_id: str
    interval: tuple[dt.datetime, dt.datetime]
    now: dt.datetime


@dataclass(frozen=True)
class Fresh:
    """A valid record not stored before, inside the day, in a week still open."""

    position: int
    record: MentionIn
    post_key: str
    week: str
    week_secret: bytes


@dataclass(frozen=True)
class Cleaned:
    """A fresh record with its redaction and the residual scan's count on the redacted text."""

    fresh: Fresh
    redacted: Any  # privacy.redactor.Redacted
    residual_flags: int


@dataclass(frozen=True)
class Enriched:
    """A row ready to store: the mention's columns, its topics and its redacted entities."""

    row: dict[str, Any]
    topics: list[str]
    entities: tuple[Any, ...]


# ---- the steps ------------------------------------------------------------------------------------


def validate(ctx: ShardContext, chunk: Sequence[RawRecord]) -> Step[tuple[int, MentionIn]]:
    """Records that decode and pass the record checks; the others with their reason."""
    step: Step[tuple[int, MentionIn]] = Step([])
    for raw in chunk:
        outcome = (
            raw.payload
            if isinstance(raw.payload, Rejected)
            else validate_record(raw.payload, now=ctx.now, languages=ctx.program.languages)
        )
        if isinstance(outcome, Rejected):
            step.rejected.append((raw.position, outcome))
        else:
            step.accepted.append((raw.position, outcome))
    return step


def deduplicate(
    session: Session,
    ctx: ShardContext,
    records: Sequence[tuple[int, MentionIn]],
    pending: set[str] | frozenset[str] = frozenset(),
) -> Step[Fresh]:
    """Records not stored before (nor earlier in this batch, nor in `pending`, batches on their way to
    the store); of those, the ones inside the shard's day and in a week whose key still exists."""
    program = ctx.program.program
    post_secret = keys.post_key(session, program)
    keyed = [
        (pos, rec, keys.keyed_hash(post_secret, f"{rec.platform or ''}:{rec.id}")) for pos, rec in records
    ]
    stored_already = existing_post_keys(session, program, (k for _, _, k in keyed))
    step: Step[Fresh] = Step([])
    seen: set[str] = set()
    week_secrets: dict[str, bytes | None] = {}
    for pos, rec, post_key in keyed:
        # De-duplicate before the interval check: a copy of yesterday's post in today's file is a duplicate.
        if post_key in stored_already or post_key in seen or post_key in pending:
            step.duplicates += 1
            continue
        if not ctx.interval[0] <= rec.created_at < ctx.interval[1]:
            step.rejected.append((pos, Rejected(Reason.OUT_OF_INTERVAL, "created_at")))
            continue
        seen.add(post_key)
        week = iso_week(rec.created_at.astimezone(ctx.zone).date())
        if week not in week_secrets:
            try:
                week_secrets[week] = keys.week_key(session, program, week)
            except keys.KeyDestroyedError:
                week_secrets[week] = None
        secret = week_secrets[week]
        if secret is None:
            step.rejected.append((pos, Rejected(Reason.WEEK_RELEASED, "created_at")))
            continue
        step.accepted.append(Fresh(pos, rec, post_key, week, secret))
    return step


def redact(ctx: ShardContext, fresh: Sequence[Fresh], redacted: Sequence[Any] | None = None) -> Step[Cleaned]:
    """Every fresh record's text redacted (or `redacted`, the pool's results for them), with the
    residual scan's count. Nothing is rejected here: a text that cannot be cleaned fails the batch."""
    if redacted is None:
        redacted = ctx.redactor.redact_batch([f.record.text for f in fresh])
    assert redacted is not None
    residual = ctx.residual_scan([r.text for r in redacted], ctx.program.privacy.redaction.allow_list)
    return Step([Cleaned(f, r, n) for f, r, n in zip(fresh, redacted, residual, strict=True)])


def enrich(ctx: ShardContext, cleaned: Sequence[Cleaned]) -> Step[Enriched]:
    """Sentiment, topics, the hour, the day and the keyed author of every cleaned record."""
    # The configured platform is stored, never the record's own value: that is free text.
    platform = ctx.program.source(ctx.unit.source).platform
    policy_version = ctx.redactor.policy_version
    out: list[Enriched] = []
    for item in cleaned:
        rec, red = item.fresh.record, item.redacted
        sentiment = score(red.text)
        row = {
            "program": ctx.program.program,
            "post_key": item.fresh.post_key,
            "source": ctx.unit.source,
            "platform": platform,
            "created_hour": floor_hour(rec.created_at),
            "day": rec.created_at.astimezone(ctx.zone).date(),
            "iso_week": item.fresh.week,
            "author_key": keys.keyed_hash(
                item.fresh.week_secret, f"{rec.platform or platform}:{rec.author_id}"
            ),
            "text_redacted": red.text,
            "lang": rec.language,
            "sentiment_compound": sentiment.compound,
            "sentiment_label": sentiment.label,
            "entity_count": len(red.entities),
            "residual_flags": item.residual_flags,
            "policy_version": policy_version,
            "run_id": ctx.run_id,
            "stored_at": utcnow(),
        }
        out.append(Enriched(row, ctx.matcher.assign(red.text), red.entities))
    return Step(out)


def persist(
    session: Session,
    ctx: ShardContext,
    enriched: Sequence[Enriched],
    rejected: Sequence[tuple[int, Rejected]],
) -> Step[Enriched]:
    """Store the mentions with their topics and redaction log, and quarantine the rejected records.

    Accepted: the mentions stored. Another shard of the same day may have stored some of the same posts
    since `deduplicate` looked: those are skipped and counted as duplicates (never a second row).
    """
    stored = store_mentions(
        session,
        [e.row for e in enriched],
        [e.topics for e in enriched],
        [e.entities for e in enriched],
        policy_version=ctx.redactor.policy_version,
        run_id=ctx.run_id,
    )
    day = dt.date.fromisoformat(ctx.unit.day)
    quarantine_records(
        session,
        [
            {
                "program": ctx.program.program,
                "source": ctx.unit.source,
                "day": day,
                "shard": ctx.label,
                "position": pos,
                "reason": rej.reason.value,
                "field": rej.field,
                "run_id": ctx.run_id,
                "quarantined_at": utcnow(),
            }
            for pos, rej in rejected
        ],
    )
    kept = [e for e in enriched if e.row["post_key"] in stored]
    return Step(kept, duplicates=len(enriched) - len(kept))


# ---- the steps over a shard -----------------------------------------------------------------------


@dataclass
class _InFlight:
    fresh: list[Fresh]
    rejected: list[tuple[int, Rejected]]
    duplicates: int
    pending: Any  # privacy.parallel.Pending: the redaction on its way


class Ingest:
    """Runs the steps over a shard's batches, redaction on the pool, and keeps the counts.

    `feed` validates and de-duplicates a batch, then hands its texts to the redaction pool; batches
    whose redaction is done are enriched and persisted, in the order they were fed. At most `depth`
    batches are on their way at once, so memory is bounded by the batch size, not by the shard.
    """

    def __init__(
        self, ctx: ShardContext, counts: Counter[str], *, url: str | None = None, depth: int = 2
    ) -> None:
        self.ctx = ctx
        self.counts = counts
        self.url = url
        self.depth = max(1, depth)
        self._queue: deque[_InFlight] = deque()
        self._pending_keys: set[str] = set()

    def feed(self, chunk: Sequence[RawRecord]) -> None:
        """Take one batch of raw records; persists earlier batches as their redaction completes."""
        checked = validate(self.ctx, chunk)
        with session_scope(self.url) as session:
            fresh = deduplicate(session, self.ctx, checked.accepted, self._pending_keys)
        self._pending_keys.update(f.post_key for f in fresh.accepted)
        pending = self.ctx.redactor.submit([f.record.text for f in fresh.accepted])
        self._queue.append(
            _InFlight(fresh.accepted, checked.rejected + fresh.rejected, fresh.duplicates, pending)
        )
        while len(self._queue) > self.depth or (self._queue and self._queue[0].pending.done()):
            self._complete(self._queue.popleft())

    def finish(self) -> None:
        """Wait for every batch on its way and persist it."""
        while self._queue:
            self._complete(self._queue.popleft())

    def _complete(self, batch: _InFlight) -> None:
        cleaned = redact(self.ctx, batch.fresh, batch.pending.result())
        enriched = enrich(self.ctx, cleaned.accepted)
        with session_scope(self.url) as session:
            stored = persist(session, self.ctx, enriched.accepted, batch.rejected)
        self._pending_keys.difference_update(f.post_key for f in batch.fresh)
        self.counts["duplicates"] += batch.duplicates + stored.duplicates
        self.counts["stored"] += len(stored.accepted)
        self.counts["entities_redacted"] += sum(len(e.entities) for e in stored.accepted)
        self.counts["residual_flags"] += sum(e.row["residual_flags"] for e in stored.accepted)
        self.counts["quarantined"] += len(batch.rejected)
