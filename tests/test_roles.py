"""PostgreSQL roles, as a matrix: every role against every table and view, for every privilege.

The expected matrix is written here, independently of `listening.store.roles`; a table added to the
models fails `test_every_table_is_in_the_matrix` until someone decides who may do what with it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from listening.store.db import get_engine, upgrade
from listening.store.models import Base
from listening.store.roles import GRANTS, VIEWS, create_roles, role_names

OPS = {"S": "SELECT", "I": "INSERT", "U": "UPDATE", "D": "DELETE"}
#                          pipeline  analyst  privacy
MATRIX: dict[str, tuple[str, str, str]] = {
    "mentions":           ("SIU",    "",      ""),
    "mention_topics":     ("SI",     "",      ""),
    "redaction_log":      ("SID",    "",      "S"),
    "quarantine":         ("SID",    "",      "S"),
    "runs":               ("SIU",    "",      "S"),
    "weekly_trends":      ("SIUD",   "",      ""),
    "releases":           ("SIU",    "",      "S"),
    "budget_ledger":      ("SI",     "",      "S"),
    "release_decisions":  ("SI",     "",      "S"),
    "weekly_terms":       ("SID",    "",      ""),
    "pipeline_keys":      ("SIU",    "",      ""),
    "source_cursors":     ("SIU",    "",      "S"),
    "alembic_version":    ("",       "",      ""),
    "released_trends":    ("",       "S",     "S"),
    "released_manifests": ("",       "S",     ""),
    "released_terms":     ("",       "S",     "S"),
}  # fmt: skip
KINDS = ("pipeline", "analyst", "privacy")


def test_every_table_is_in_the_matrix() -> None:
    relations = set(Base.metadata.tables) | {"alembic_version"} | set(VIEWS)
    unplaced = sorted(relations - set(MATRIX))
    assert not unplaced, f"place {unplaced} in MATRIX here and in GRANTS (listening/store/roles.py)"
    assert set(GRANTS) == set(MATRIX)


@pytest.fixture
def roles(postgres_database: str) -> Iterator[tuple[str, dict[str, str]]]:
    upgrade(postgres_database)
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    engine = get_engine(postgres_database)
    with engine.begin() as conn:
        created = create_roles(conn, prefix)
        create_roles(conn, prefix)  # idempotent
    yield postgres_database, created
    engine.dispose()
    with get_engine(postgres_database).begin() as conn:
        for role in created.values():
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    get_engine(postgres_database).dispose()


def _allowed(conn: Connection, relation: str, column: str, op: str) -> bool:
    statement = {
        "S": f"SELECT * FROM {relation} LIMIT 0",
        "I": f"INSERT INTO {relation} ({column}) SELECT NULL WHERE false",
        "U": f"UPDATE {relation} SET {column} = NULL WHERE false",
        "D": f"DELETE FROM {relation} WHERE false",
    }[op]
    savepoint = conn.begin_nested()
    try:
        conn.execute(text(statement))
    except ProgrammingError as exc:
        savepoint.rollback()
        if "permission denied" not in str(exc.orig):
            raise
        return False
    savepoint.rollback()
    return True


def test_role_matrix(roles: tuple[str, dict[str, str]]) -> None:
    url, names = roles
    with get_engine(url).connect() as conn:
        relations = set(
            conn.scalars(
                text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                    "UNION SELECT table_name FROM information_schema.views WHERE table_schema = 'public'"
                )
            )
        )
        assert relations == set(MATRIX), "every relation in the database is in the matrix"
        columns = {
            relation: conn.scalar(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                    "AND table_name = :t ORDER BY ordinal_position LIMIT 1"
                ),
                {"t": relation},
            )
            for relation in MATRIX
        }
        actual: dict[str, tuple[str, ...]] = {}
        for relation in sorted(MATRIX):
            row = []
            for kind in KINDS:
                conn.execute(text(f'SET ROLE "{names[kind]}"'))
                row.append("".join(op for op in OPS if _allowed(conn, relation, columns[relation], op)))
                conn.execute(text("RESET ROLE"))
            actual[relation] = tuple(row)
        conn.rollback()
    assert actual == MATRIX


def test_grants_are_replaced_not_added(roles: tuple[str, dict[str, str]]) -> None:
    """A privilege granted by hand (or by an older version) is gone after `create_roles` again."""
    url, names = roles
    prefix = names["pipeline"].removesuffix("pipeline")
    with get_engine(url).begin() as conn:
        conn.execute(text(f'GRANT SELECT ON weekly_trends, mentions TO "{names["privacy"]}"'))
        create_roles(conn, prefix)
        for relation in ("weekly_trends", "mentions"):
            assert not conn.scalar(
                text("SELECT has_table_privilege(:r, :t, 'SELECT')"), {"r": names["privacy"], "t": relation}
            )


def _as_role(url: str, role: str) -> str:
    """The same database, every connection under `role` (libpq's `options`, like SET ROLE)."""
    as_role = make_url(url).update_query_dict({"options": f"-c role={role}"})
    return as_role.render_as_string(hide_password=False)


def test_the_pipeline_role_runs_every_stage(roles: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    """What the pipeline must do, it may: a day collected, a week aggregated, released, reported, purged."""
    from listening import stages
    from listening.config import load_program
    from listening.demo import file_drop_program
    from listening.periods import iso_week
    from tests.support import DEMO_PROGRAM

    url, names = roles
    pipeline = _as_role(url, names["pipeline"])
    with get_engine(pipeline).connect() as conn:
        assert conn.scalar(text("SELECT current_user")) == names["pipeline"]
    demo = file_drop_program(load_program(DEMO_PROGRAM))
    program = type(demo).model_validate(
        {
            **demo.model_dump(),
            "privacy": {**demo.privacy.model_dump(), "auto_release": False},
            # A file drop: the demo's platform sources would need its replay server.
            "sources": [
                {
                    "name": "drop",
                    "kind": "file",
                    "path": "city_services/mastodon/{date}.jsonl",
                    "platform": "mastodon",
                }
            ],
        }
    )
    day = dt.date(2026, 10, 5)
    folder = tmp_path / "city_services" / "mastodon"
    folder.mkdir(parents=True)
    posts = [
        {
            "id": f"p{i}",
            "platform": "mastodon",
            "author_id": f"a{i}",
            "text": "The bus was late again on route 7",
            "created_at": "2026-10-05T08:00:00+00:00",
            "lang": "en",
        }
        for i in range(12)
    ]
    (folder / f"{day}.jsonl").write_text("\n".join(json.dumps(p) for p in [*posts, {"id": "bad"}]) + "\n")
    shards = stages.plan_shards(program, day, tmp_path, today=day)
    counts = [
        stages.collect_redact_store(program, shard, run_id="r1", url=pipeline, data_dir=tmp_path)
        for shard in shards
    ]
    assert stages.summarise_day(program, day, counts, run_id="r1", url=pipeline)["stored"] == 12
    week = iso_week(day)
    assert stages.aggregate(program, week, url=pipeline)["status"] == "pending"
    stages.review(program, week, url=pipeline)
    officer = program.governance.privacy_officers[0].id
    signed = stages.decide(program, week, decision="approve", user_id=officer, channel="cli", url=pipeline)
    assert signed["status"] == "released"
    stages.reports(program, week, url=pipeline)
    later = dt.datetime(2027, 11, 1, tzinfo=dt.UTC)
    assert stages.purge(program, now=later, run_id="p1", url=pipeline)["texts_erased"] == 12
    with get_engine(url).connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM released_manifests")) == 1
        assert conn.scalar(text("SELECT count(*) FROM release_decisions")) == 1
        assert conn.scalar(text("SELECT count(*) FROM released_terms")) > 0


def test_role_prefix_is_checked() -> None:
    with pytest.raises(ValueError, match="role prefix"):
        role_names('x"; DROP TABLE mentions; --')
