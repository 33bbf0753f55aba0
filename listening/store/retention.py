"""Retention: erase redacted text, redaction-log rows and quarantine rows past their windows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.orm import Session

from listening.config import ProgramConfig
from listening.store.models import Mention, Quarantine, RedactionLog


def _count(result: object) -> int:
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0


def purge(session: Session, program: ProgramConfig, now: dt.datetime) -> dict[str, int]:
    """Erase what is older than the program's windows. Derived fields and aggregates stay."""
    policy = program.privacy
    today = now.date()
    text_cutoff = today - dt.timedelta(days=policy.text_retention_days)
    log_cutoff = today - dt.timedelta(days=policy.log_retention_days)
    quarantine_cutoff = today - dt.timedelta(days=policy.quarantine_retention_days)
    texts = _count(
        session.execute(
            update(Mention)
            .where(
                Mention.program == program.program,
                Mention.day < text_cutoff,
                Mention.text_redacted.is_not(None),
            )
            .values(text_redacted=None, text_erased_at=now)
        )
    )
    logs = _count(
        session.execute(
            delete(RedactionLog).where(RedactionLog.program == program.program, RedactionLog.day < log_cutoff)
        )
    )
    quarantined = _count(
        session.execute(
            delete(Quarantine).where(
                Quarantine.program == program.program, Quarantine.day < quarantine_cutoff
            )
        )
    )
    return {
        "texts_erased": texts,
        "log_rows_deleted": logs,
        "quarantine_rows_deleted": quarantined,
    }
