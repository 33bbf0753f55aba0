"""`airflow backfill create` over three days of the demo nightly DAG, as the README's "Backfills" says.

Airflow runs as `make airflow-ui` starts it (scheduler, DAG processor, triggerer, API server; the
LocalExecutor on a SQLite metadata database) in a throwaway home, with the scheduler's own schedule off
so that only the backfill's runs exist. The test checks the three runs through the REST API and the
project database, then stops every process it started.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from listening.airflow_env import airflow_env
from listening.airflow_ui import Airflow, processes_with_home, ui_env
from listening.celery_smoke import NIGHTLY, api, free_port, login, wait_for
from listening.demo import generate
from listening.demo_replay import replaying
from listening.sources.platform import REPLAY_PORT_ENV
from listening.store.db import get_engine, session_scope
from listening.store.models import Mention, Run

pytestmark = pytest.mark.slow

FIRST, LAST = dt.date(2026, 10, 5), dt.date(2026, 10, 7)
#: Generous: on a loaded 2-core machine every task process loads spaCy and Presidio.
TIMEOUT = 1800


def test_backfill_create_over_three_days(tmp_path: Path) -> None:
    data = tmp_path / "data"
    generate(data, start=FIRST - dt.timedelta(days=1), days=5)
    project = f"sqlite:///{tmp_path / 'listening.db'}"
    # The demo's Mastodon and Bluesky sources read from the replay server, as under `make run`.
    with replaying(data) as replay:
        base = {
            **os.environ,
            **airflow_env(tmp_path),
            "LISTENING_HOME": str(tmp_path),
            "LISTENING_DATA_DIR": str(data),
            "LISTENING_DATABASE_URL": project,
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            REPLAY_PORT_ENV: str(replay.port),
        }
        env = ui_env("127.0.0.1", free_port(), 1, base=base)
        home = env["AIRFLOW_HOME"]
        url = env["AIRFLOW__API__BASE_URL"]
        airflow = Airflow(env)
        try:
            airflow.migrate()
            airflow.start()
            airflow.wait_ready(url, TIMEOUT)
            token = login(url, Path(home), TIMEOUT)
            dag_url = f"{url}/api/v2/dags/{NIGHTLY}"

            def listed() -> bool:
                try:
                    return bool(api("GET", dag_url, token)["dag_id"])
                except Exception:
                    return False

            wait_for(f"{NIGHTLY} to be parsed", TIMEOUT, listed, airflow)
            api("PATCH", dag_url, token, {"is_paused": False})
            # A nightly run's logical date is the start of its data interval (02:30 UTC) and it covers that
            # day: the window's end is inclusive, so 02:30 on the last day takes in its run.
            window = ["--from-date", f"{FIRST}T00:00:00+00:00", "--to-date", f"{LAST}T02:30:00+00:00"]
            backfill = subprocess.run(
                [
                    str(Path(sys.executable).parent / "airflow"),
                    "backfill",
                    "create",
                    "--dag-id",
                    NIGHTLY,
                    *window,
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert backfill.returncode == 0, backfill.stdout[-3000:] + backfill.stderr[-3000:]

            def runs() -> list[dict[str, Any]]:
                return list(api("GET", f"{dag_url}/dagRuns?limit=100", token)["dag_runs"])

            def finished() -> list[dict[str, Any]] | None:
                found = runs()
                done = [r for r in found if r["state"] in {"success", "failed"}]
                return found if len(found) == 3 and len(done) == 3 else None

            done = wait_for("the backfill's three runs", TIMEOUT, finished, airflow, interval=5)
            assert {r["run_type"] for r in done} == {"backfill"}, done
            assert [r["state"] for r in done] == ["success"] * 3, done
        finally:
            airflow.stop()
        assert processes_with_home(home) == [], "processes left running"

    days = [(FIRST + dt.timedelta(days=i)).isoformat() for i in range(3)]
    with session_scope(project) as session:
        nightly = session.scalars(select(Run).where(Run.stage == "nightly").order_by(Run.period)).all()
        per_day = dict(session.execute(select(Mention.day, func.count()).group_by(Mention.day)).all())  # type: ignore[arg-type]
    get_engine(project).dispose()
    assert [r.period for r in nightly] == days
    assert all(r.read == r.stored + r.duplicates + r.quarantined for r in nightly)
    assert all(r.details["shards"] == 3 for r in nightly)
    assert sorted(d.isoformat() for d in per_day) == days
    assert all(per_day[d] == r.stored for d, r in zip(sorted(per_day), nightly, strict=True))
