"""Invariant 2 (no profiles) at the schema: every column is reviewed, none holds an identifier in the clear.

A new column fails `test_every_column_is_reviewed` until it is added to REVIEWED below, by someone who
checked that it cannot hold a handle, author id, post id, post URL, or any other identifier of a person.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from listening import stages
from listening.config import ProgramConfig, load_program
from listening.periods import floor_hour, iso_week
from listening.store.db import get_engine, session_scope
from listening.store.models import Mention
from tests.support import DEMO_PROGRAM

#: (table, column) pairs reviewed for identifiers. Keyed hashes are `author_key` and `post_key` only.
REVIEWED: frozenset[tuple[str, str]] = frozenset(
    [("alembic_version", "version_num")]
    + [
        ("budget_ledger", c)
        for c in ("id", "program", "year", "iso_week", "epsilon", "spent_at")
    ]
    + [("mention_topics", c) for c in ("mention_id", "topic")]
    # Source cursors hold the pipeline file's public queries and window times; platform post ids (which
    # could serve as paging cursors) are deliberately not kept.
    + [
        ("source_cursors", c)
        for c in (
            "id", "program", "source", "query", "watermark", "last_window_start", "last_window_end",
            "last_run_id", "last_read", "updated_at",
        )
    ]
    + [
        ("mentions", c)
        for c in (
            "id", "program", "post_key", "source", "platform", "created_hour", "day", "iso_week",
            "author_key", "text_redacted", "text_erased_at", "lang", "sentiment_compound",
            "sentiment_label", "entity_count", "residual_flags", "policy_version", "run_id", "stored_at",
        )
    ]
    + [("pipeline_keys", c) for c in ("id", "program", "scope", "key", "created_at", "destroyed_at")]
    + [
        ("quarantine", c)
        for c in (
            "id", "program", "source", "day", "shard", "position", "reason", "field", "run_id",
            "quarantined_at",
        )
    ]
    + [
        ("redaction_log", c)
        for c in (
            "id", "program", "mention_id", "day", "entity_type", "start", "end", "score", "recognizer",
            "policy_version", "run_id", "logged_at",
        )
    ]
    + [
        ("releases", c)
        for c in (
            "id", "program", "iso_week", "status", "approved_by", "released_at", "manifest", "created_at",
        )
    ]
    + [
        ("runs", c)
        for c in (
            "id", "run_id", "program", "stage", "shard", "period", "status", "started_at", "finished_at",
            "read", "stored", "duplicates", "quarantined", "entities_redacted", "residual_flags", "details",
            "config_fingerprint",
        )
    ]
    + [
        ("weekly_trends", c)
        for c in (
            "id", "program", "iso_week", "week_start", "topic", "source", "suppressed", "suppression",
            "mentions", "distinct_authors", "positive_share", "neutral_share", "negative_share",
            "mean_compound", "wow_change", "spike", "spike_z", "noisy", "status", "computed_at",
        )
    ]
    # Who decided is a privacy officer (staff accountability), never a resident.
    + [
        ("release_decisions", c)
        for c in (
            "id", "program", "iso_week", "decision", "decided_by", "decided_by_name", "decided_at", "note",
            "channel", "airflow_run_id",
        )
    ]
    # Terms used by at least k distinct authors, screened by the residual scan and the redactor.
    + [
        ("weekly_terms", c)
        for c in (
            "id", "program", "iso_week", "scope", "term", "kind", "mentions", "distinct_authors",
            "scope_mentions", "computed_at",
        )
    ]
)  # fmt: skip
IDENTIFIER_NAME = re.compile(r"handle|author_id|post_id|url|user(name)?|email|phone", re.IGNORECASE)
KEYED_HASHES = {"author_key", "post_key"}

SUNDAY = dt.date(2026, 10, 11)  # ISO week 2026-W41
MONDAY = dt.date(2026, 10, 12)  # ISO week 2026-W42
NOW = dt.datetime(2026, 10, 14, 3, tzinfo=dt.UTC)
AUTHOR = "109773100007731999"


def _columns(url: str) -> set[tuple[str, str]]:
    inspector = inspect(get_engine(url))
    return {(t, c["name"]) for t in inspector.get_table_names() for c in inspector.get_columns(t)}


def test_every_column_is_reviewed(db_url: str) -> None:
    columns = _columns(db_url)
    new = sorted(columns - REVIEWED)
    assert not new, (
        f"new columns {new}: review each for identifiers (handle, author id, post id, URL, name, contact) "
        "and, when it cannot hold one, add it to REVIEWED in tests/e2e/test_schema_identifiers.py"
    )
    gone = sorted(REVIEWED - columns)
    assert not gone, f"columns {gone} are reviewed but no longer exist: drop them from REVIEWED"


def test_no_column_is_named_like_an_identifier(db_url: str) -> None:
    named = sorted(
        (table, column)
        for table, column in _columns(db_url)
        if IDENTIFIER_NAME.search(column) and column not in KEYED_HASHES
    )
    assert not named, f"columns named like identifiers: {named}"
    # The pattern is live: it matches what it must refuse, and the keyed hashes are the only exception.
    assert all(IDENTIFIER_NAME.search(n) for n in ("author_handle", "post_url", "username", "user", "Email"))
    assert {c for _, c in _columns(db_url)} & KEYED_HASHES == KEYED_HASHES


@pytest.fixture
def program() -> ProgramConfig:
    from listening.demo import file_drop_program

    return file_drop_program(load_program(DEMO_PROGRAM))


def _record(post_id: str, when: dt.datetime) -> str:
    return json.dumps(
        {
            "id": post_id,
            "platform": "mastodon",
            "author_id": AUTHOR,
            "author_handle": "@zebq7731@mastodon.example",
            "text": "The route 9 bus was late again this morning.",
            "created_at": when.isoformat(),
            "url": f"https://mastodon.example/@zebq7731/{post_id}",
            "lang": "en",
        }
    )


def test_author_keys_differ_across_weeks_and_times_are_hours(
    program: ProgramConfig, db_url: str, tmp_path: Path
) -> None:
    """The same author gets one key within a week and an unrelated key the next week."""
    folder = tmp_path / "data" / "city_services" / "mastodon"
    folder.mkdir(parents=True)
    moments = {
        SUNDAY: [dt.datetime(2026, 10, 11, 9, 17, 42, 123456, tzinfo=dt.UTC)],
        MONDAY: [
            dt.datetime(2026, 10, 12, 8, 41, 5, tzinfo=dt.UTC),
            dt.datetime(2026, 10, 12, 21, 59, 59, tzinfo=dt.UTC),
        ],
    }
    for day, whens in moments.items():
        lines = [_record(f"11677731{day:%d}{i}", when) for i, when in enumerate(whens)]
        (folder / f"{day}.jsonl").write_text("\n".join(lines) + "\n")
    for day, whens in moments.items():
        (shard,) = stages.plan_shards(program, day, tmp_path / "data")
        counts = stages.collect_redact_store(
            program, shard, run_id=f"run-{day}", url=db_url, data_dir=tmp_path / "data", now=NOW
        )
        assert counts["stored"] == len(whens)

    with session_scope(db_url) as session:
        rows = session.scalars(select(Mention).order_by(Mention.created_hour)).all()
    assert [r.iso_week for r in rows] == [iso_week(SUNDAY), iso_week(MONDAY), iso_week(MONDAY)]
    sunday, monday, monday_night = (r.author_key for r in rows)
    assert sunday
    assert monday
    assert monday == monday_night  # same week, same key: distinct-author counting works
    assert sunday != monday  # next week, a new key: no link across weeks
    assert AUTHOR not in {sunday, monday}

    exact = [w for whens in moments.values() for w in whens]
    for row, when in zip(rows, exact, strict=True):
        stored = row.created_hour.replace(tzinfo=row.created_hour.tzinfo or dt.UTC)
        assert stored == floor_hour(when)
        assert (stored.minute, stored.second, stored.microsecond) == (0, 0, 0)
        for column in Mention.__table__.columns:
            value = getattr(row, column.key)
            if isinstance(value, dt.datetime):
                value = value.replace(tzinfo=value.tzinfo or dt.UTC)
                assert value != when, f"mentions.{column.key} holds the exact publication time"
