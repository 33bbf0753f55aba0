"""Idempotent writes shared by the stages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from listening.store.models import (
    Base,
    Mention,
    MentionTopic,
    Quarantine,
    RedactionLog,
    Run,
    SourceCursor,
    utcnow,
)

if TYPE_CHECKING:
    from listening.sources.base import Window


def _insert(session: Session, model: type[Base]) -> Any:
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


def insert_ignoring_conflicts(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows; a row whose unique key already exists is left as it is."""
    if rows:
        session.execute(_insert(session, model).on_conflict_do_nothing(), list(rows))


def upsert(session: Session, model: type[Base], row: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Insert one row, or update the existing row with the same unique `keys`."""
    stmt = _insert(session, model).values(**row)
    updates = {k: stmt.excluded[k] for k in row if k not in keys}
    session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updates))


def existing_post_keys(session: Session, program: str, keys: Iterable[str]) -> set[str]:
    """The subset of `keys` already stored for the program."""
    wanted = list(set(keys))
    found: set[str] = set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        found.update(
            session.scalars(
                select(Mention.post_key).where(Mention.program == program, Mention.post_key.in_(chunk))
            )
        )
    return found


def insert_new_mentions(session: Session, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Insert mention rows whose (program, post key) is not stored yet; {post key: new id} of those inserted.

    Concurrent writers of overlapping posts neither fail nor deadlock: a row another transaction holds
    waits for it and is then skipped (`ON CONFLICT DO NOTHING`), and every writer inserts in post-key
    order, so two transactions never wait on each other's rows in opposite orders.
    """
    if not rows:
        return {}
    ordered = sorted(rows, key=lambda row: (row["program"], row["post_key"]))
    stmt = (
        _insert(session, Mention)
        .on_conflict_do_nothing(index_elements=["program", "post_key"])
        .returning(Mention.id, Mention.post_key)
    )
    return {post_key: mention_id for mention_id, post_key in session.execute(stmt, ordered)}


def store_mentions(
    session: Session,
    rows: Sequence[Mapping[str, Any]],
    topics: Sequence[Sequence[str]],
    entities: Sequence[Sequence[Any]],
    *,
    policy_version: str,
    run_id: str,
) -> dict[str, int]:
    """Insert redacted mentions not stored yet (`insert_new_mentions`) with their topics and redaction log
    (one row per redacted entity, never its value); {post key: new id} of the mentions inserted.

    Bulk statements: SQLAlchemy sends the mentions as multi-row `INSERT ... RETURNING` and the topic and
    log rows as `executemany` (SQLite) or multi-row `INSERT` pages (PostgreSQL, psycopg2's
    `execute_values`). The caller's session is the batch's one transaction.
    """
    stored = insert_new_mentions(session, rows)
    if not stored:
        return stored
    topic_rows = [
        {"mention_id": stored[row["post_key"]], "topic": topic}
        for row, names in zip(rows, topics, strict=True)
        if row["post_key"] in stored
        for topic in names
    ]
    logged_at = utcnow()
    log_rows = [
        {
            "program": row["program"],
            "mention_id": stored[row["post_key"]],
            "day": row["day"],
            "entity_type": e.type,
            "start": e.start,
            "end": e.end,
            "score": round(e.score, 2),
            "recognizer": e.recognizer[:80],
            "policy_version": policy_version,
            "run_id": run_id,
            "logged_at": logged_at,
        }
        for row, found in zip(rows, entities, strict=True)
        if row["post_key"] in stored
        for e in found
    ]
    if topic_rows:
        session.execute(insert(MentionTopic), topic_rows)
    if log_rows:
        session.execute(insert(RedactionLog), log_rows)
    return stored


def quarantine_records(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Quarantine rows (where a record came from and why, never its content), in position order; a row
    already there for the same run, shard and position is kept as it is (a retried batch)."""
    insert_ignoring_conflicts(session, Quarantine, sorted(rows, key=lambda row: row["position"]))


def record_run(session: Session, row: Mapping[str, Any]) -> None:
    """Write a run-log row, replacing the one of the same run, stage and shard (task retries)."""
    upsert(session, Run, row, ("run_id", "program", "stage", "shard"))


def advance_cursor(
    session: Session, *, program: str, source: str, query: str, window: Window, run_id: str, read: int
) -> None:
    """Record a fully fetched window of one query: the watermark only moves forward (a rerun of an
    earlier day fetches that day's window again and leaves the watermark where it is). Times are kept
    in UTC (SQLite keeps no offset)."""
    query = query[:200]
    window = window.as_utc()
    current = session.scalar(
        select(SourceCursor).where(
            SourceCursor.program == program, SourceCursor.source == source, SourceCursor.query == query
        )
    )
    if current is None:
        upsert(
            session,
            SourceCursor,
            {
                "program": program,
                "source": source,
                "query": query,
                "watermark": window.end,
                "last_window_start": window.start,
                "last_window_end": window.end,
                "last_run_id": run_id,
                "last_read": read,
                "updated_at": utcnow(),
            },
            ("program", "source", "query"),
        )
        return
    mark = current.watermark if current.watermark.tzinfo else current.watermark.replace(tzinfo=dt.UTC)
    current.watermark = max(mark, window.end)
    current.last_window_start = window.start
    current.last_window_end = window.end
    current.last_run_id = run_id
    current.last_read = read
    current.updated_at = utcnow()
