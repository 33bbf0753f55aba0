"""Releasing a week: sign-off, budget, publication, then the week's author key and hashes are destroyed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from listening.aggregate.budget import charge, spent, week_year
from listening.aggregate.errors import BudgetExceeded, ReleaseRefused
from listening.aggregate.trends import PENDING, RELEASED, change_and_spike, released_history
from listening.aggregate.weekly import find_release
from listening.config import ProgramConfig
from listening.privacy.keys import destroy_week_key
from listening.store.models import Mention, WeeklyTrend, utcnow

__all__ = ["AUTO", "BudgetExceeded", "ReleaseRefused", "release_week"]

AUTO = "auto"


def release_week(
    session: Session,
    program: ProgramConfig,
    iso_week: str,
    *,
    approved_by: str,
    now: dt.datetime | None = None,
) -> dict[str, int | str]:
    """Publish the week's pending cells, charge the DP budget, destroy the week key, erase author hashes.

    Raises ReleaseRefused (or BudgetExceeded) with nothing changed. Releasing a released week returns
    its stored summary.
    """
    now = now or utcnow()
    name = program.program
    release = find_release(session, name, iso_week, lock=True)
    if release is None:
        raise ReleaseRefused(f"{name} {iso_week}: the week has not been aggregated")
    if release.status == RELEASED:
        return dict(release.manifest["release_summary"])  # type: ignore[call-overload]
    if not approved_by.strip():
        raise ReleaseRefused(f"{name} {iso_week}: a release needs an approver")
    if approved_by == AUTO and not program.privacy.auto_release:
        raise ReleaseRefused(f"{name} {iso_week}: the program requires a privacy officer's sign-off")
    manifest: dict[str, Any] = dict(release.manifest)
    if manifest.get("config_fingerprint") != program.fingerprint:
        raise ReleaseRefused(
            f"{name} {iso_week}: the configuration changed since aggregation; aggregate again"
        )

    dp_entry = manifest.get("differential_privacy") or {}
    epsilon = float(dp_entry["epsilon"]) if dp_entry.get("enabled") else 0.0
    if epsilon:
        charge(session, program, iso_week, epsilon)

    cells = list(
        session.scalars(
            select(WeeklyTrend).where(
                WeeklyTrend.program == name, WeeklyTrend.iso_week == iso_week, WeeklyTrend.status == PENDING
            )
        )
    )
    # Earlier weeks may have been released since aggregation: changes use what is released now.
    history = released_history(session, name, iso_week)
    for cell in cells:
        if not cell.suppressed and cell.mentions is not None:
            cell.wow_change, cell.spike = change_and_spike(
                cell.mentions, history.get((cell.topic, cell.source), {}), iso_week
            )
        cell.status = RELEASED

    key_destroyed = destroy_week_key(session, name, iso_week)
    erased = session.execute(
        update(Mention)
        .where(Mention.program == name, Mention.iso_week == iso_week, Mention.author_key.is_not(None))
        .values(author_key=None)
    )
    published = sum(1 for c in cells if not c.suppressed)
    result: dict[str, int | str] = {
        "program": name,
        "iso_week": iso_week,
        "status": RELEASED,
        "cells": len(cells),
        "cells_published": published,
        "cells_suppressed": len(cells) - published,
        "authors_erased": int(erased.rowcount or 0),  # type: ignore[attr-defined]
        "key_destroyed": int(key_destroyed),
    }
    release.status, release.approved_by, release.released_at = RELEASED, approved_by, now
    manifest["release"] = {
        "approved_by": approved_by,
        "released_at": now.isoformat(),
        "epsilon_charged": epsilon,
        "epsilon_spent_in_year": spent(session, name, week_year(iso_week)) if epsilon else None,
    }
    manifest["release_summary"] = result
    release.manifest = manifest
    session.flush()
    return result
