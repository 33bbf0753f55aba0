"""PostgreSQL roles: analysts read released trends only; nobody but the pipeline reads keys or text."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from listening.store.db import get_engine, upgrade
from listening.store.roles import create_roles, role_names


@pytest.fixture
def roles(postgres_database: str) -> Iterator[tuple[str, dict[str, str]]]:
    upgrade(postgres_database)
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    engine = get_engine(postgres_database)
    with engine.begin() as conn:
        created = create_roles(conn, prefix)
        create_roles(conn, prefix)  # idempotent
    yield postgres_database, created
    with engine.begin() as conn:
        for role in created.values():
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    engine.dispose()


def _can_read(url: str, role: str, relation: str) -> bool:
    with get_engine(url).connect() as conn:
        conn.execute(text(f'SET ROLE "{role}"'))
        try:
            conn.execute(text(f"SELECT * FROM {relation} LIMIT 1"))
        except ProgrammingError:
            return False
        finally:
            conn.rollback()
        return True


def test_grants(roles: tuple[str, dict[str, str]]) -> None:
    url, names = roles
    assert _can_read(url, names["analyst"], "released_trends")
    assert _can_read(url, names["analyst"], "released_terms")
    for relation in (
        "weekly_trends",
        "weekly_terms",
        "release_decisions",
        "mentions",
        "pipeline_keys",
        "redaction_log",
        "quarantine",
    ):
        assert not _can_read(url, names["analyst"], relation), relation
    for relation in (
        "redaction_log",
        "quarantine",
        "runs",
        "releases",
        "release_decisions",
        "weekly_terms",
        "budget_ledger",
    ):
        assert _can_read(url, names["privacy"], relation), relation
    for relation in ("mentions", "pipeline_keys", "mention_topics"):
        assert not _can_read(url, names["privacy"], relation), relation
    assert _can_read(url, names["pipeline"], "pipeline_keys")
    assert _can_read(url, names["pipeline"], "mentions")


def test_role_prefix_is_checked() -> None:
    with pytest.raises(ValueError, match="role prefix"):
        role_names('x"; DROP TABLE mentions; --')
