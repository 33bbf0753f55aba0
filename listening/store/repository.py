"""Idempotent writes shared by the stages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from listening.store.models import Base, Mention, MentionTopic, Quarantine, RedactionLog, Run, utcnow


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


def record_run(session: Session, row: Mapping[str, Any]) -> None:
    """Write a run-log row, replacing the one of the same run, stage and shard (task retries)."""
    upsert(session, Run, row, ("run_id", "program", "stage", "shard"))


def store_mentions(
    session: Session,
    rows: Sequence[Mapping[str, Any]],
    topics: Sequence[Sequence[str]],
    entities: Sequence[Sequence[Any]],
    *,
    policy_version: str,
    run_id: str,
) -> list[int]:
    """Insert redacted mentions with their topics and redaction log (one row per redacted entity,
    never its value); returns the new mention ids in the order of `rows`.

    Bulk statements: SQLAlchemy sends the mentions as multi-row `INSERT ... RETURNING` and the topic and
    log rows as `executemany` (SQLite) or multi-row `INSERT` pages (PostgreSQL, psycopg2's
    `execute_values`). The caller's session is the batch's one transaction.
    """
    if not rows:
        return []
    ids = list(
        session.scalars(insert(Mention).returning(Mention.id, sort_by_parameter_order=True), list(rows)).all()
    )
    topic_rows = [
        {"mention_id": mention_id, "topic": topic}
        for mention_id, names in zip(ids, topics, strict=True)
        for topic in names
    ]
    logged_at = utcnow()
    log_rows = [
        {
            "program": row["program"],
            "mention_id": mention_id,
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
        for mention_id, row, found in zip(ids, rows, entities, strict=True)
        for e in found
    ]
    if topic_rows:
        session.execute(insert(MentionTopic), topic_rows)
    if log_rows:
        session.execute(insert(RedactionLog), log_rows)
    return ids


def quarantine_records(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Quarantine rows (where a record came from and why, never its content); a row already there for
    the same run, shard and position is kept as it is (a retried batch)."""
    insert_ignoring_conflicts(session, Quarantine, rows)
