"""`make airflow-ui` as a new user runs it: the venv's Airflow, healthy, on 127.0.0.1, demo DAGs listed."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest

from listening.airflow_env import airflow_env
from listening.airflow_ui import default_workers, health
from listening.orchestration import dag_ids
from tests.support import ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _send(method: str, url: str, token: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _token(base: str, home: Path) -> str:
    """Log in as the UI does: the simple auth manager issues a JWT at /auth/token."""
    password = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())["admin"]
    request = urllib.request.Request(
        f"{base}/auth/token",
        data=json.dumps({"username": "admin", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["access_token"])


def _processes_with_home(home: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("AIRFLOW_HOME") == str(home):
                found.append(process)
        except (psutil.Error, OSError):
            continue
    return found


def _wait_gone(processes: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return alive


def test_make_airflow_ui(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, **airflow_env(tmp_path), "LISTENING_HOME": str(tmp_path)}
    env.pop("LISTENING_DATABASE_URL", None)
    home = Path(env["AIRFLOW_HOME"])
    # A fresh shell: the venv's bin is not on PATH (Airflow's components were not found that way).
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env.pop("VIRTUAL_ENV", None)
    out = tmp_path / "make-airflow-ui.out"
    with out.open("wb") as sink:
        make = subprocess.Popen(
            ["make", "airflow-ui", f"AIRFLOW_UI_PORT={port}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 420
        while set(health(base).values()) != {"healthy"}:
            assert make.poll() is None, out.read_text()
            assert time.monotonic() < deadline, f"not healthy: {health(base)}\n{out.read_text()}"
            time.sleep(2)
        while "login: admin / " not in out.read_text():
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(1)
        started = psutil.Process(make.pid).children(recursive=True)
        assert f"Airflow is ready: {base}" in out.read_text()

        listeners = {c.laddr.ip for c in psutil.net_connections("tcp") if c.laddr and c.laddr.port == port}
        assert listeners == {"127.0.0.1"}
        workers = [p for p in started if "LocalExecutor" in " ".join(p.cmdline())]
        assert len(workers) <= max(2, os.cpu_count() or 1)
        assert default_workers() <= max(1, (os.cpu_count() or 1) // 2)

        token = _token(base, home)
        expected = set(dag_ids("city_services").values())
        listed: dict[str, Any] = {}
        while set(listed) != expected:  # the DAG processor may still be writing them
            listed = {d["dag_id"]: d for d in _get(f"{base}/api/v2/dags", token)["dags"]}
            assert time.monotonic() < deadline, listed
            time.sleep(2)
        assert not any(d["has_import_errors"] or d["is_stale"] for d in listed.values())
        assert _get(f"{base}/api/v2/importErrors", token)["total_entries"] == 0

        # Tasks run too: the weekly DAG, unpaused, runs its latest week through the API server.
        weekly = f"{base}/api/v2/dags/{dag_ids('city_services')['weekly']}"
        _send("PATCH", weekly, token, {"is_paused": False})
        states: list[str] = []
        while "success" not in states:
            states = [r["state"] for r in _get(f"{weekly}/dagRuns", token)["dag_runs"]]
            assert "failed" not in states
            assert time.monotonic() < deadline, states
            time.sleep(3)
        with sqlite3.connect(tmp_path / "listening.db") as conn:
            assert conn.execute("SELECT count(*) FROM releases").fetchone() == (1,)
    finally:
        started = started or psutil.Process(make.pid).children(recursive=True)
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=300)  # the launcher's stop may take 4 x 30 s of grace on a loaded machine
        alive = _wait_gone(started + _processes_with_home(home), timeout=90)
        for process in alive:
            process.kill()
    assert alive == [], f"left running: {[p.pid for p in alive]}"
    assert "stopping Airflow" in out.read_text()
