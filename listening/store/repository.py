"""Idempotent writes shared by the stages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from listening.store.models import Base, Mention, Run, SourceCursor, utcnow

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


def record_run(session: Session, row: Mapping[str, Any]) -> None:
    """Write a run-log row, replacing the one of the same run, stage and shard (task retries)."""
    upsert(session, Run, row, ("run_id", "program", "stage", "shard"))


def advance_cursor(
    session: Session, *, program: str, source: str, query: str, window: Window, run_id: str, read: int
) -> None:
    """Record a fully fetched window of one query: the watermark only moves forward (a rerun of an
    earlier day fetches that day's window again and leaves the watermark where it is)."""
    query = query[:200]
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
