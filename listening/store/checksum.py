"""A checksum of what a program stored: the same rows give the same digest, whatever ran them.

Reruns, crashed shards, Celery workers and single-process runs are compared by this digest. It covers
every stored column that the input and the keys decide (keyed hashes, redacted text, enrichment, the
redaction log of each mention, its topics, the quarantine) and leaves out what only says when or by
which run a row was written (surrogate ids, run ids, timestamps).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from listening.store.models import Mention, MentionTopic, Quarantine, RedactionLog


@dataclass(frozen=True)
class Digest:
    mentions: int
    redactions: int
    quarantined: int
    sha256: str


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Stored times are UTC; SQLite hands them back naive, PostgreSQL aware: one form for both.
        return (value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return value


def stored_rows(session: Session, program: str, day: dt.date | None = None) -> dict[str, list[Any]]:
    """The program's stored rows (of one day, when given) in a canonical order, without ids or times."""
    mentions = select(Mention).where(Mention.program == program)
    quarantine = select(Quarantine).where(Quarantine.program == program)
    if day is not None:
        mentions, quarantine = mentions.where(Mention.day == day), quarantine.where(Quarantine.day == day)
    found = list(session.scalars(mentions))
    ids = [m.id for m in found]
    topics: dict[int, list[str]] = defaultdict(list)
    entities: dict[int, list[list[Any]]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for mention_id, topic in session.execute(
            select(MentionTopic.mention_id, MentionTopic.topic).where(MentionTopic.mention_id.in_(chunk))
        ):
            topics[mention_id].append(topic)
        for log in session.scalars(select(RedactionLog).where(RedactionLog.mention_id.in_(chunk))):
            entities[log.mention_id].append(
                [log.entity_type, log.start, log.end, _value(log.score), log.recognizer, log.policy_version]
            )
    columns = [c.key for c in Mention.__table__.columns if c.key not in {"id", "run_id", "stored_at"}]
    mention_rows = sorted(
        [_value(getattr(m, c)) for c in columns] + [sorted(topics[m.id]), sorted(entities[m.id])]
        for m in found
    )
    quarantine_rows = sorted(
        [q.source, _value(q.day), q.shard, q.position, q.reason, q.field] for q in session.scalars(quarantine)
    )
    return {"mention_columns": columns, "mentions": mention_rows, "quarantine": quarantine_rows}


def digest(session: Session, program: str, day: dt.date | None = None) -> Digest:
    rows = stored_rows(session, program, day)
    blob = json.dumps(rows, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")
    return Digest(
        mentions=len(rows["mentions"]),
        redactions=sum(len(r[-1]) for r in rows["mentions"]),
        quarantined=len(rows["quarantine"]),
        sha256=hashlib.sha256(blob).hexdigest(),
    )


def differing_columns(first: dict[str, list[Any]], second: dict[str, list[Any]]) -> list[str]:
    """Which columns (or `topics`, `redaction_log`, `quarantine`) differ between two `stored_rows`
    results: names only, never values, so that a report of the difference holds no stored text."""
    names = [*first["mention_columns"], "topics", "redaction_log"]
    found: set[str] = set()
    for a, b in zip(first["mentions"], second["mentions"], strict=False):
        found.update(name for name, x, y in zip(names, a, b, strict=True) if x != y)
    if len(first["mentions"]) != len(second["mentions"]):
        found.add("mentions (count)")
    if first["quarantine"] != second["quarantine"]:
        found.add("quarantine")
    return sorted(found)
