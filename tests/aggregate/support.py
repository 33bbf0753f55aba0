"""Helpers for aggregation tests: programs with chosen privacy settings, mentions inserted directly."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from listening.config import ProgramConfig
from listening.periods import week_start
from listening.privacy import keys
from listening.store.db import session_scope
from listening.store.models import Mention, MentionTopic, WeeklyTrend

PROGRAM = "test_program"
SOURCES = ("forum", "social")
TOPICS = ("roads", "transit", "snow")
OFFICER = {"id": "privacy.officer", "name": "P. Officer"}
SECOND_OFFICER = {"id": "deputy.officer", "name": "D. Deputy"}
COMPOUND = {"positive": 0.5, "neutral": 0.0, "negative": -0.5}


@dataclass(frozen=True)
class Post:
    """One synthetic mention: author (a plain id, hashed under the week key on insert)."""

    author: str
    source: str = "forum"
    topics: tuple[str, ...] = ("roads",)
    label: str = "neutral"
    compound: float | None = None


def make_program(
    *,
    k: int = 5,
    auto_release: bool = True,
    dp: dict[str, Any] | None = None,
    topics: Sequence[str] = TOPICS,
    sources: Sequence[str] = SOURCES,
) -> ProgramConfig:
    """A program with the given privacy settings (k 5 is the smallest the config allows)."""
    return ProgramConfig.model_validate(
        {
            "program": PROGRAM,
            "title": "Test program",
            "governance": {
                "purpose": "Testing the weekly aggregation.",
                "approver": "Test office",
                "review_date": "2030-01-01",
                "privacy_officers": [OFFICER, SECOND_OFFICER],
            },
            "sources": [{"kind": "file", "name": s, "path": f"{s}/{{date}}.jsonl"} for s in sources],
            "topics": [{"id": t, "label": t.title(), "phrases": [t]} for t in topics],
            "privacy": {
                "k": k,
                "auto_release": auto_release,
                "differential_privacy": dp or {"enabled": False},
            },
        }
    )


def insert_posts(url: str, iso_week: str, posts: Iterable[Post], program: str = PROGRAM) -> None:
    """Insert mentions the way the pipeline stores them: author hashed under the week key."""
    day = week_start(iso_week) + dt.timedelta(days=2)
    hour = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    with session_scope(url) as session:
        key = keys.week_key(session, program, iso_week)
        for post in posts:
            mention = Mention(
                program=program,
                post_key=uuid.uuid4().hex,
                source=post.source,
                platform="test",
                created_hour=hour,
                day=day,
                iso_week=iso_week,
                author_key=keys.keyed_hash(key, post.author),
                text_redacted="redacted",
                sentiment_compound=COMPOUND[post.label] if post.compound is None else post.compound,
                sentiment_label=post.label,
                policy_version="1",
                run_id="test",
            )
            session.add(mention)
            session.flush()
            for topic in post.topics:
                session.add(MentionTopic(mention_id=mention.id, topic=topic))


def authors(count: int, *, prefix: str = "a", **kwargs: Any) -> list[Post]:
    """One post from each of `count` distinct authors."""
    return [Post(author=f"{prefix}{i}", **kwargs) for i in range(count)]


def stored_cells(url: str, iso_week: str, program: str = PROGRAM) -> dict[tuple[str, str], WeeklyTrend]:
    with session_scope(url) as session:
        rows = session.scalars(
            select(WeeklyTrend).where(WeeklyTrend.program == program, WeeklyTrend.iso_week == iso_week)
        )
        return {(r.topic, r.source): r for r in rows}
