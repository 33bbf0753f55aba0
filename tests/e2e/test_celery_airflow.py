"""`make celery-smoke` as CI runs it: the demo nightly DAG on the CeleryExecutor with two workers.

The smoke itself checks and reports (see `listening/celery_smoke.py`); this test runs the make target
in a fresh session, reads the JSON it wrote, checks the figures again, and checks that the databases it
created are gone and that no process it started is left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import psutil
import pytest
from sqlalchemy import create_engine, text

from listening.airflow_ui import CELERY_WORKERS
from tests.support import POSTGRES_ENV, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
REDIS_ENV = "LISTENING_TEST_REDIS_URL"
#: Generous: on a loaded 2-core machine Airflow's six processes take minutes to start.
TIMEOUT = 2700


def test_make_celery_smoke(tmp_path: Path) -> None:
    server, broker = os.environ.get(POSTGRES_ENV), os.environ.get(REDIS_ENV)
    if not server or not broker:
        pytest.skip(f"the Celery smoke needs {POSTGRES_ENV} and {REDIS_ENV} (e.g. redis://127.0.0.1:6379/0)")
    result = tmp_path / "smoke.json"
    env = {**os.environ, "LISTENING_CELERY_POSTGRES_URL": server, "LISTENING_CELERY_BROKER_URL": broker}
    make = subprocess.Popen(
        ["make", "celery-smoke", f"CELERY_SMOKE_ARGS=--result {result}"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = make.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        family = psutil.Process(make.pid).children(recursive=True)
        os.killpg(make.pid, signal.SIGTERM)  # the smoke stops Airflow and drops its databases on SIGTERM
        out, _ = make.communicate(timeout=300)
        for process in family:
            if process.is_running():
                process.kill()
        pytest.fail(f"make celery-smoke took over {TIMEOUT} s:\n{out.decode(errors='replace')[-4000:]}")
    output = out.decode(errors="replace")
    seen = json.loads(result.read_text()) if result.exists() else {}
    assert make.returncode == 0, f"make celery-smoke failed: {seen.get('problems')}\n{output[-4000:]}"

    shards = [t for t in seen["task_instances"] if t["task_id"] == "collect_redact_store"]
    assert len(shards) >= 4
    assert all(t["state"] == "success" for t in seen["task_instances"])
    assert {t["hostname"] for t in shards} == set(CELERY_WORKERS), shards
    celery, single = seen["digest"]["celery"], seen["digest"]["single"]
    assert celery["mentions"] > 200
    assert celery["redactions"] > 0
    assert celery == single
    assert seen["leftover"] == []
    assert len(seen["databases_dropped"]) == 3
    admin = create_engine(server)
    with admin.connect() as conn:
        names = conn.execute(text("SELECT datname FROM pg_database")).scalars().all()
    admin.dispose()
    assert not set(seen["databases_dropped"]) & set(names)
    left = [
        p.pid for p in psutil.process_iter() if _environ(p).get("AIRFLOW_HOME", "").startswith(seen["home"])
    ]
    assert left == [], f"processes left running: {left}"
    assert not Path(seen["home"]).exists()
    assert "ok: " in output


def _environ(process: psutil.Process) -> dict[str, str]:
    try:
        return dict(process.environ())
    except (psutil.Error, OSError):
        return {}
