"""The weekly aggregation: the week's cells as a pending release, disclosure control applied."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from listening.aggregate import noise
from listening.aggregate.cells import MENTION_COLUMNS, TOPIC_COLUMNS, Cell, compute_cells
from listening.aggregate.disclosure import COMPLEMENTARY, PRIMARY, suppress
from listening.aggregate.terms import store_week_terms
from listening.aggregate.trends import PENDING, RELEASED, change_and_spike, released_history
from listening.config import ProgramConfig
from listening.periods import week_start
from listening.store.models import Mention, MentionTopic, Release, WeeklyTrend, utcnow


def load_week(session: Session, program: str, iso_week: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The week's mentions (id, source, author hash, sentiment) and their topics, as two frames."""
    in_week = (Mention.program == program, Mention.iso_week == iso_week)
    mentions = pd.DataFrame(
        session.execute(
            select(
                Mention.id,
                Mention.source,
                Mention.author_key,
                Mention.sentiment_compound,
                Mention.sentiment_label,
            ).where(*in_week)
        ).all(),
        columns=MENTION_COLUMNS,
    )
    topics = pd.DataFrame(
        session.execute(
            select(MentionTopic.mention_id, MentionTopic.topic)
            .join(Mention, Mention.id == MentionTopic.mention_id)
            .where(*in_week)
        ).all(),
        columns=TOPIC_COLUMNS,
    )
    # Compact codes make COUNT DISTINCT cheap; a missing hash stays missing (it counts no author).
    codes = pd.Series(pd.factorize(mentions["author"])[0], index=mentions.index)
    mentions["author"] = codes.where(codes >= 0).astype("Int64")
    return mentions, topics


def cell_row(cell: Cell, *, program: str, iso_week: str, now: dt.datetime, noisy: bool) -> dict[str, Any]:
    """The stored row: suppressed cells carry NULL figures, never zeros."""
    row: dict[str, Any] = {
        "program": program,
        "iso_week": iso_week,
        "week_start": week_start(iso_week),
        "topic": cell.topic,
        "source": cell.source,
        "suppressed": cell.suppressed,
        "suppression": cell.suppression,
        "mentions": None,
        "distinct_authors": None,
        "positive_share": None,
        "neutral_share": None,
        "negative_share": None,
        "mean_compound": None,
        "wow_change": None,
        "spike": False,
        "spike_z": None,
        "noisy": noisy,
        "status": PENDING,
        "computed_at": now,
    }
    if cell.suppressed:
        return row
    shares = cell.shares()
    row.update(
        mentions=cell.mentions,
        distinct_authors=cell.distinct_authors,
        mean_compound=cell.mean_compound(),
        wow_change=cell.wow_change,
        spike=cell.spike,
        spike_z=cell.spike_z,
    )
    if shares is not None:
        row.update(positive_share=shares[0], neutral_share=shares[1], negative_share=shares[2])
    return row


def summary(
    program: str, iso_week: str, *, status: str, counts: dict[str, int], mentions_read: int, noisy: bool
) -> dict[str, int | str]:
    return {
        "program": program,
        "iso_week": iso_week,
        "status": status,
        "mentions_read": mentions_read,
        "cells": counts["cells"],
        "published": counts["published"],
        "suppressed_primary": counts[PRIMARY],
        "suppressed_complementary": counts[COMPLEMENTARY],
        "noisy": int(noisy),
    }


def recorded_policy_versions(session: Session, program: str, iso_week: str) -> list[str]:
    """The redaction policy versions recorded with the week's stored mentions ("2026.11-1+ner1.0.0"): the
    policy's version and the NER model's, as the redactor wrote them."""
    rows = session.scalars(
        select(Mention.policy_version)
        .where(Mention.program == program, Mention.iso_week == iso_week)
        .distinct()
    )
    return sorted(rows)


def find_release(session: Session, program: str, iso_week: str, *, lock: bool = False) -> Release | None:
    stmt = select(Release).where(Release.program == program, Release.iso_week == iso_week)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def aggregate_week(
    session: Session, program: ProgramConfig, iso_week: str, *, now: dt.datetime | None = None
) -> dict[str, int | str]:
    """Compute the week's cells as a pending release, replacing earlier pending cells.

    A released week is never recomputed (no fresh noise): its stored summary comes back unchanged.
    """
    now = now or utcnow()
    week_start(iso_week)
    release = find_release(session, program.program, iso_week, lock=True)
    if release is not None and release.status == RELEASED:
        return {**release.manifest["summary"], "status": RELEASED}  # type: ignore[dict-item]

    policy = program.privacy
    dp_plan = noise.plan(policy.differential_privacy) if policy.differential_privacy.enabled else None
    mentions, topics = load_week(session, program.program, iso_week)
    cells = compute_cells(
        mentions,
        topics,
        topic_ids=[t.id for t in program.topics],
        source_ids=[s.name for s in program.sources],
        dp_plan=dp_plan,
    )
    counts = suppress(cells, policy.k)
    settings = program.trends
    history = released_history(session, program.program, iso_week, settings.spike_window_weeks)
    for cell in cells.values():
        if not cell.suppressed:
            change = change_and_spike(cell.mentions, history.get(cell.key, {}), iso_week, settings)
            cell.wow_change, cell.spike, cell.spike_z = change.wow_change, change.spike, change.spike_z

    session.execute(
        delete(WeeklyTrend).where(
            WeeklyTrend.program == program.program,
            WeeklyTrend.iso_week == iso_week,
            WeeklyTrend.status == PENDING,
        )
    )
    rows = [
        cell_row(c, program=program.program, iso_week=iso_week, now=now, noisy=dp_plan is not None)
        for c in sorted(cells.values(), key=lambda c: c.key)
    ]
    if rows:
        session.execute(insert(WeeklyTrend), rows)
    terms = store_week_terms(session, program, iso_week, now=now)

    result = summary(
        program.program,
        iso_week,
        status=PENDING,
        counts=counts,
        mentions_read=len(mentions),
        noisy=dp_plan is not None,
    )
    manifest: dict[str, Any] = {
        "privacy_unit": noise.PRIVACY_UNIT,
        "k": policy.k,
        "policy_version": policy.redaction.version,
        "redaction_policy_versions": recorded_policy_versions(session, program.program, iso_week),
        "config_fingerprint": program.fingerprint,
        "computed_at": now.isoformat(),
        "cells": {
            "total": counts["cells"],
            "published": counts["published"],
            "primary_suppressed": counts[PRIMARY],
            "complementary_suppressed": counts[COMPLEMENTARY],
        },
        "differential_privacy": dp_plan.manifest() if dp_plan else {"enabled": False},
        "terms": terms,
        "summary": result,
    }
    if release is None:
        session.add(
            Release(
                program=program.program, iso_week=iso_week, status=PENDING, manifest=manifest, created_at=now
            )
        )
    else:
        # A rejected week aggregated again asks for a new sign-off.
        release.status, release.approved_by, release.released_at = PENDING, None, None
        release.manifest = manifest
    session.flush()
    return result
