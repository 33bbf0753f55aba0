"""Releasing a week: sign-off, budget, publication, then the week's author key and hashes are destroyed.

`decide` is the one gate for a privacy officer's decision, whichever way it arrives (Airflow's
Required Actions or `listening release approve|reject`): it checks who decides and what state the
week is in, records the decision, and publishes on approval. `release_week` publishes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from listening.aggregate.budget import charge, spent, week_year
from listening.aggregate.errors import AlreadyReleased, BudgetExceeded, ReleaseRefused
from listening.aggregate.trends import PENDING, REJECTED, RELEASED, change_and_spike, released_history
from listening.aggregate.weekly import find_release
from listening.config import ProgramConfig
from listening.privacy.keys import destroy_week_key
from listening.store.models import Mention, Release, ReleaseDecision, WeeklyTrend, utcnow

__all__ = [
    "APPROVE",
    "AUTO",
    "REJECT",
    "AlreadyReleased",
    "BudgetExceeded",
    "ReleaseRefused",
    "decide",
    "decisions",
    "release_week",
]

AUTO = "auto"
APPROVE, REJECT = "approve", "reject"
CHANNELS = ("airflow", "cli", AUTO)


def _when(moment: dt.datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "an unknown time"


def _last_decision(session: Session, program: str, iso_week: str) -> ReleaseDecision | None:
    return session.scalars(
        select(ReleaseDecision)
        .where(ReleaseDecision.program == program, ReleaseDecision.iso_week == iso_week)
        .order_by(ReleaseDecision.decided_at.desc(), ReleaseDecision.id.desc())
        .limit(1)
    ).one_or_none()


def _check_open(session: Session, release: Release | None, name: str, iso_week: str) -> Release:
    """The week's pending release, or ReleaseRefused saying why no decision can be taken on it."""
    if release is None:
        raise ReleaseRefused(f"{name} {iso_week}: the week has not been aggregated")
    if release.status == RELEASED:
        raise AlreadyReleased(
            f"{name} {iso_week}: already released on {_when(release.released_at)}, approved by "
            f"{release.approved_by}; a released week cannot be released or rejected again"
        )
    if release.status == REJECTED:
        last = _last_decision(session, name, iso_week)
        who = f" by {last.decided_by_name} on {_when(last.decided_at)}" if last else ""
        raise ReleaseRefused(
            f"{name} {iso_week}: rejected{who}; aggregate the week again to ask for a new sign-off"
        )
    return release


def _mentions_read(release: Release) -> int:
    manifest: dict[str, Any] = dict(release.manifest or {})
    summary: dict[str, Any] = manifest.get("summary") or {}
    return int(summary.get("mentions_read", 0))


def release_week(
    session: Session,
    program: ProgramConfig,
    iso_week: str,
    *,
    approved_by: str,
    now: dt.datetime | None = None,
) -> dict[str, int | str]:
    """Publish the week's pending cells, charge the DP budget, destroy the week key, erase author hashes.

    Raises ReleaseRefused (or BudgetExceeded, AlreadyReleased) with nothing changed: for a week not
    aggregated, released or rejected already, empty, or aggregated under another configuration.
    """
    now = now or utcnow()
    name = program.program
    release = _check_open(session, find_release(session, name, iso_week, lock=True), name, iso_week)
    if not approved_by.strip():
        raise ReleaseRefused(f"{name} {iso_week}: a release needs an approver")
    if approved_by == AUTO and not program.privacy.auto_release:
        raise ReleaseRefused(f"{name} {iso_week}: the program requires a privacy officer's sign-off")
    manifest: dict[str, Any] = dict(release.manifest)
    if manifest.get("config_fingerprint") != program.fingerprint:
        raise ReleaseRefused(
            f"{name} {iso_week}: the configuration changed since aggregation; aggregate again"
        )
    if _mentions_read(release) == 0:
        raise ReleaseRefused(f"{name} {iso_week}: the week has no mentions; there is nothing to release")

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
    history = released_history(session, name, iso_week, program.trends.spike_window_weeks)
    for cell in cells:
        if not cell.suppressed and cell.mentions is not None:
            change = change_and_spike(
                cell.mentions, history.get((cell.topic, cell.source), {}), iso_week, program.trends
            )
            cell.wow_change, cell.spike, cell.spike_z = change.wow_change, change.spike, change.spike_z
        cell.status = RELEASED

    in_week = (Mention.program == name, Mention.iso_week == iso_week, Mention.author_key.is_not(None))
    authors = int(session.scalar(select(func.count(func.distinct(Mention.author_key))).where(*in_week)) or 0)
    key_destroyed = destroy_week_key(session, name, iso_week)
    unlinked = session.execute(update(Mention).where(*in_week).values(author_key=None))
    published = sum(1 for c in cells if not c.suppressed)
    result: dict[str, int | str] = {
        "program": name,
        "iso_week": iso_week,
        "status": RELEASED,
        "cells": len(cells),
        "cells_published": published,
        "cells_suppressed": len(cells) - published,
        "authors_erased": authors,
        "mentions_unlinked": int(unlinked.rowcount or 0),  # type: ignore[attr-defined]
        "key_destroyed": int(key_destroyed),
    }
    release.status, release.approved_by, release.released_at = RELEASED, approved_by, now
    manifest["release"] = {
        "approved_by": approved_by,
        "released_at": now.isoformat(),
        "epsilon_charged": epsilon,
        "epsilon_spent_in_year": spent(session, name, week_year(iso_week)) if epsilon else None,
    }
    manifest["summary"] = {**(manifest.get("summary") or {}), "status": RELEASED}
    manifest["release_summary"] = result
    release.manifest = manifest
    session.flush()
    return result


def decide(
    session: Session,
    program: ProgramConfig,
    iso_week: str,
    *,
    decision: str,
    user_id: str,
    note: str = "",
    channel: str,
    airflow_run_id: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """A privacy officer approves (publishes) or rejects (keeps unpublished) a pending week.

    Refused with ReleaseRefused, nothing changed and nothing recorded, when the user is not one of
    the program's privacy officers, the week is not pending (never aggregated, released, rejected),
    an approval would publish an empty week, or a rejection gives no reason.
    """
    now = now or utcnow()
    name = program.program
    if decision not in (APPROVE, REJECT):
        raise ValueError(f"decision must be {APPROVE!r} or {REJECT!r}")
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    officer = program.governance.officer(user_id)
    if officer is None:
        named = ", ".join(o.id for o in program.governance.privacy_officers) or "none"
        raise ReleaseRefused(
            f"{name} {iso_week}: {user_id!r} is not a privacy officer of this program "
            f"(governance.privacy_officers: {named})"
        )
    note = note.strip()
    release = _check_open(session, find_release(session, name, iso_week, lock=True), name, iso_week)
    if decision == REJECT:
        if not note:
            raise ReleaseRefused(f"{name} {iso_week}: a rejection needs a reason in its note")
        release.status = REJECTED
        manifest: dict[str, Any] = dict(release.manifest)
        manifest["summary"] = {**(manifest.get("summary") or {}), "status": REJECTED}
        release.manifest = manifest
        result: dict[str, Any] = {"program": name, "iso_week": iso_week, "status": REJECTED}
    else:
        result = dict(release_week(session, program, iso_week, approved_by=officer.name, now=now))
    session.add(
        ReleaseDecision(
            program=name,
            iso_week=iso_week,
            decision=decision,
            decided_by=officer.id,
            decided_by_name=officer.name,
            decided_at=now,
            note=note,
            channel=channel,
            airflow_run_id=airflow_run_id,
        )
    )
    session.flush()
    return {**result, "decision": decision, "decided_by": officer.name, "decided_at": now.isoformat()}


def decisions(session: Session, program: str, iso_week: str) -> list[dict[str, Any]]:
    """Every recorded decision on a week, oldest first."""
    rows = session.scalars(
        select(ReleaseDecision)
        .where(ReleaseDecision.program == program, ReleaseDecision.iso_week == iso_week)
        .order_by(ReleaseDecision.decided_at, ReleaseDecision.id)
    )
    return [
        {
            "decision": r.decision,
            "decided_by": r.decided_by,
            "decided_by_name": r.decided_by_name,
            "decided_at": r.decided_at.isoformat(),
            "note": r.note,
            "channel": r.channel,
            "airflow_run_id": r.airflow_run_id,
        }
        for r in rows
    ]


def auto_release(session: Session, program: ProgramConfig, iso_week: str) -> dict[str, Any]:
    """Release a week the program lets release itself, recording the decision as `auto`."""
    now = utcnow()
    result = dict(release_week(session, program, iso_week, approved_by=AUTO, now=now))
    session.add(
        ReleaseDecision(
            program=program.program,
            iso_week=iso_week,
            decision=APPROVE,
            decided_by=AUTO,
            decided_by_name="automatic release (privacy.auto_release)",
            decided_at=now,
            note="",
            channel=AUTO,
        )
    )
    session.flush()
    return result
