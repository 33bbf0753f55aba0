"""What came in: each source's outcome per day, from the run log (`listening runs`, the privacy review)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from listening.config import ProgramConfig
from listening.store.models import Run

NOTES = {
    "missing": "delivered nothing",
    "failed": "failed",
}


def source_rows(
    session: Session, program: ProgramConfig, days: list[str] | None = None
) -> list[dict[str, Any]]:
    """The newest `source` row per source and day (a rerun of a day replaces the earlier outcome),
    newest day first; `days` limits them to those days."""
    stmt = select(Run).where(Run.program == program.program, Run.stage == "source")
    if days is not None:
        stmt = stmt.where(Run.period.in_(days))
    latest: dict[tuple[str, str], Run] = {}
    for row in session.scalars(stmt.order_by(Run.finished_at)):
        latest[(row.period, row.shard)] = row
    out = []
    for (day, source), row in sorted(latest.items(), key=lambda kv: (kv[0][0], kv[0][1]), reverse=True):
        details: dict[str, Any] = dict(row.details or {})
        errors = [str(e) for e in details.get("errors") or [] if e]
        note = NOTES.get(row.status, "")
        if errors:
            note = f"{note}: {errors[0]}" + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else "")
        out.append(
            {
                "day": day,
                "source": source,
                "source_label": program.source_label(source),
                "status": row.status,
                "read": row.read,
                "stored": row.stored,
                "duplicates": row.duplicates,
                "quarantined": row.quarantined,
                "shards": int(details.get("shards", 0)),
                "shards_stored": int(details.get("shards_stored", 0)),
                "note": note,
                "run_id": row.run_id,
            }
        )
    return out


def day_sources(program: ProgramConfig, *, days: int, url: str | None = None) -> list[dict[str, Any]]:
    """Source outcomes of the newest `days` days that have any."""
    from listening.store.db import session_scope

    with session_scope(url) as session:
        rows = source_rows(session, program)
    wanted = sorted({r["day"] for r in rows}, reverse=True)[:days]
    return [r for r in rows if r["day"] in wanted]


def cursors(program: ProgramConfig, *, url: str | None = None) -> list[dict[str, Any]]:
    """Each query's watermark: how far it has been fetched in full, by which run, and what it read."""
    from listening.store.db import session_scope
    from listening.store.models import SourceCursor

    with session_scope(url) as session:
        rows = session.scalars(
            select(SourceCursor)
            .where(SourceCursor.program == program.program)
            .order_by(SourceCursor.source, SourceCursor.query)
        ).all()
        return [
            {
                "source": r.source,
                "source_label": program.source_label(r.source),
                "query": r.query,
                "fetched_until": r.watermark.isoformat(),
                "last_window": f"{r.last_window_start.isoformat()} / {r.last_window_end.isoformat()}",
                "last_run": r.last_run_id,
                "last_read": r.last_read,
            }
            for r in rows
        ]
