"""Shared fixtures: migrated databases on SQLite and, when configured, PostgreSQL; an Airflow home.

Airflow reads its configuration when first imported, so its environment is set here, before any
test module imports it: a throwaway AIRFLOW_HOME with a SQLite metadata database, never ~/airflow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from listening.airflow_env import airflow_env
from listening.store import db
from tests.support import POSTGRES_ENV

# Redaction runs in the test's own process unless a test asks for workers (tests/test_parallel.py):
# the suite runs on a shared 2-core machine, and a pool per test process would load the models again.
os.environ.setdefault("LISTENING_REDACTION_WORKERS", "1")

# Kept in the environment so that a second import of this module reuses the same folder.
AIRFLOW_TEST_HOME = Path(
    os.environ.setdefault("LISTENING_TEST_AIRFLOW_HOME", tempfile.mkdtemp(prefix="listening-airflow-"))
)
os.environ.update(airflow_env(AIRFLOW_TEST_HOME))
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "INFO"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(AIRFLOW_TEST_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Airflow's metadata database, migrated once per session (`airflow db migrate`)."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
    )
    return AIRFLOW_TEST_HOME / "airflow" / "airflow.db"


def postgres_server_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database with a unique name, dropped afterwards."""
    server = postgres_server_url()
    if server is None:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/postgres)"
        )
    name = f"listening_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        db.get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty project database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'listening.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    db.upgrade(url)
    yield url
    db.get_engine(url).dispose()
    db.get_engine.cache_clear()
