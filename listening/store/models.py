"""SQLAlchemy 2 models. No column holds a handle, author id, post id or post URL in the clear."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Mention(Base):
    """A redacted mention. `text_redacted` is erased after the retention window; the rest stays."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("program", "post_key", name="uq_mentions_program_post_key"),
        Index("ix_mentions_program_week", "program", "iso_week"),
        Index("ix_mentions_program_day", "program", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(String(64))
    post_key: Mapped[str] = mapped_column(String(64), doc="HMAC-SHA256 of the platform post id.")
    source: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(40))
    created_hour: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), doc="Hour precision, UTC.")
    day: Mapped[dt.date] = mapped_column(Date)
    iso_week: Mapped[str] = mapped_column(String(8), doc="e.g. 2026-W14")
    author_key: Mapped[str | None] = mapped_column(
        String(64), nullable=True, doc="HMAC under the week key; erased when the week is released."
    )
    text_redacted: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lang: Mapped[str | None] = mapped_column(String(16), nullable=True)
    sentiment_compound: Mapped[float] = mapped_column(Float)
    sentiment_label: Mapped[str] = mapped_column(String(8))
    entity_count: Mapped[int] = mapped_column(Integer, default=0)
    residual_flags: Mapped[int] = mapped_column(Integer, default=0)
    policy_version: Mapped[str] = mapped_column(String(32))
    run_id: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MentionTopic(Base):
    __tablename__ = "mention_topics"

    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)


class RedactionLog(Base):
    """One row per redacted entity: type, offsets, score and recognizer; never the value."""

    __tablename__ = "redaction_log"
    __table_args__ = (Index("ix_redaction_log_program_day", "program", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(String(64))
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    entity_type: Mapped[str] = mapped_column(String(40))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    recognizer: Mapped[str] = mapped_column(String(80))
    policy_version: Mapped[str] = mapped_column(String(32))
    run_id: Mapped[str] = mapped_column(String(64))
    logged_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Quarantine(Base):
    """A record that was not stored: where it came from and why; never its content."""

    __tablename__ = "quarantine"
    __table_args__ = (
        Index("ix_quarantine_program_day", "program", "day"),
        UniqueConstraint("program", "source", "shard", "position", name="uq_quarantine_record"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date)
    shard: Mapped[str] = mapped_column(String(200), doc="Shard descriptor, e.g. the file name.")
    position: Mapped[int] = mapped_column(Integer, doc="Line or row number in the shard (1-based).")
    reason: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(40), nullable=True)
    run_id: Mapped[str] = mapped_column(String(64))
    quarantined_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Run(Base):
    """The run log: one row per stage run (and per shard of a nightly run), with its counts."""

    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_program_stage", "program", "stage"),
        UniqueConstraint("run_id", "program", "stage", "shard", name="uq_runs_unit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(64))
    program: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(32))
    shard: Mapped[str] = mapped_column(String(200), default="", doc="Empty for a whole-stage row.")
    period: Mapped[str] = mapped_column(String(16), doc="The day (YYYY-MM-DD) or ISO week it covers.")
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    read: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    entities_redacted: Mapped[int] = mapped_column(Integer, default=0)
    residual_flags: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    config_fingerprint: Mapped[str] = mapped_column(String(16))


class WeeklyTrend(Base):
    """One cell of the weekly trend table. Suppressed cells carry no figures, only the flag."""

    __tablename__ = "weekly_trends"
    __table_args__ = (
        UniqueConstraint("program", "iso_week", "topic", "source", name="uq_weekly_trends_cell"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(String(64))
    iso_week: Mapped[str] = mapped_column(String(8))
    week_start: Mapped[dt.date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(64), doc="A topic id, or `all`.")
    source: Mapped[str] = mapped_column(String(64), doc="A source name, or `all`.")
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    suppression: Mapped[str | None] = mapped_column(
        String(16), nullable=True, doc="`primary` (fewer than k authors) or `complementary`."
    )
    mentions: Mapped[int | None] = mapped_column(Integer, nullable=True)
    distinct_authors: Mapped[int | None] = mapped_column(Integer, nullable=True)
    positive_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    neutral_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    negative_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    mean_compound: Mapped[float | None] = mapped_column(Float, nullable=True)
    wow_change: Mapped[float | None] = mapped_column(
        Float, nullable=True, doc="Relative change in mentions against the previous week's released cell."
    )
    spike: Mapped[bool] = mapped_column(Boolean, default=False)
    spike_z: Mapped[float | None] = mapped_column(
        Float,
        nullable=True,
        doc="(mentions - trailing mean) / trailing deviation over the released weeks before; null without "
        "enough history.",
    )
    noisy: Mapped[bool] = mapped_column(Boolean, default=False, doc="Counts carry DP noise.")
    status: Mapped[str] = mapped_column(String(16), default="pending", doc="`pending` or `released`.")
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Release(Base):
    """A weekly release: its status, sign-off and manifest (privacy unit, epsilon, bounds, k, policy)."""

    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("program", "iso_week", name="uq_releases_program_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(String(64))
    iso_week: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), doc="`pending`, `released` or `rejected`.")
    approved_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    manifest: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReleaseDecision(Base):
    """A privacy officer's decision on a weekly release: who, when, what, and their note."""

    __tablename__ = "release_decisions"
    __table_args__ = (Index("ix_release_decisions_program_week", "program", "iso_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(String(64))
    iso_week: Mapped[str] = mapped_column(String(8))
    decision: Mapped[str] = mapped_column(String(16), doc="`approve` or `reject`.")
    decided_by: Mapped[str] = mapped_column(String(120), doc="The officer's Airflow user id, or `auto`.")
    decided_by_name: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="", doc="The officer's note; the reason for a rejection.")
    channel: Mapped[str] = mapped_column(String(16), doc="`airflow` (Required Actions), `cli` or `auto`.")
    airflow_run_id: Mapped[str | None] = mapped_column(String(250), nullable=True)


class WeeklyTerm(Base):
    """A term (word, hashtag or two-word phrase) used by at least k distinct authors in a week.

    Counted at aggregation, while the week's author hashes still exist; only the counts are kept.
    `scope` is `all` (every mention) or `none` (mentions that match no topic).
    """

    __tablename__ = "weekly_terms"
    __table_args__ = (
        UniqueConstraint("program", "iso_week", "scope", "term", name="uq_weekly_terms_term"),
        Index("ix_weekly_terms_program_week", "program", "iso_week"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(String(64))
    iso_week: Mapped[str] = mapped_column(String(8))
    scope: Mapped[str] = mapped_column(String(8))
    term: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(8), doc="`word`, `hashtag` or `phrase`.")
    mentions: Mapped[int] = mapped_column(Integer)
    distinct_authors: Mapped[int] = mapped_column(Integer)
    scope_mentions: Mapped[int] = mapped_column(Integer, doc="Mentions in the scope that week.")
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BudgetEntry(Base):
    """The privacy-budget ledger: epsilon spent per program, year and release."""

    __tablename__ = "budget_ledger"
    __table_args__ = (UniqueConstraint("program", "iso_week", name="uq_budget_ledger_program_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    iso_week: Mapped[str] = mapped_column(String(8))
    epsilon: Mapped[float] = mapped_column(Float)
    spent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KeyRecord(Base):
    """Pipeline-only secrets: the program's post-dedup key and one author key per ISO week.

    `scope` is `post` (lives as long as the program) or an ISO week (destroyed at release).
    """

    __tablename__ = "pipeline_keys"
    __table_args__ = (UniqueConstraint("program", "scope", name="uq_pipeline_keys_program_scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[bytes | None] = mapped_column(LargeBinary(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SourceCursor(Base):
    """A watermark per program x source x query: how far each query has been fetched, and how the last
    fetch went. Holds no post or author ids (those are used only for keyed hashes) and no text."""

    __tablename__ = "source_cursors"
    __table_args__ = (UniqueConstraint("program", "source", "query", name="uq_source_cursors_query"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    program: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    query: Mapped[str] = mapped_column(String(200), doc="The query a slice belongs to (`tag:x`, a path).")
    watermark: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), doc="End (exclusive) of the latest window fetched in full."
    )
    last_window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_window_end: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_run_id: Mapped[str] = mapped_column(String(64))
    last_read: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
