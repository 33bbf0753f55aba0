"""`make celery-smoke`: the demo nightly DAG on Airflow's CeleryExecutor, on this machine.

1. Writes one demo day into a temporary LISTENING_HOME and serves its Mastodon and Bluesky posts with
   the demo's replay server (`listening demo serve`, in this process), as `make run` does. The forum's
   file is planned in slices of SLICE_LINES rows (`LISTENING_SLICE_LINES`), so the day has six shards:
   one per platform query, four forum slices.
2. Creates two PostgreSQL databases (Airflow's metadata, the project's) and starts `make airflow-ui`'s
   components with the CeleryExecutor: API server, scheduler, DAG processor, triggerer and two Celery
   workers (`listening-worker-1`, `-2`) on a queue of this run's own, with the local Redis as broker.
3. Triggers `listening_city_services_nightly` for the day through the REST API, waits for success, and
   reads which worker ran each shard (the task instances' hostname).
4. Stops Airflow, then runs the same day again in one process (`listening run-day`) into a third
   database that holds the same keys, and compares the checksums of the stored rows.
5. Drops the databases, deletes the keys it made on the broker (its queue, Kombu's bindings) and the
   temporary folder, and checks that no process it started is left.

Every check that fails is one line on stderr and exit status 1. `--result FILE` writes what was seen as
JSON (the slow test reads it).

    python -m listening.celery_smoke [--day YYYY-MM-DD] [--port N] [--postgres URL] [--broker URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import Any

from listening.airflow_ui import (
    CELERY_WORKERS,
    Airflow,
    UIError,
    celery_components,
    celery_env,
    ui_env,
)

PROGRAM = "city_services"
NIGHTLY = f"listening_{PROGRAM}_nightly"
#: Rows per slice: the demo day's forum file (about 45 rows) makes four slices.
SLICE_LINES = 12
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
MIN_SHARDS = 4


class SmokeError(RuntimeError):
    """A check failed; the message says which and what was seen."""


def say(message: str) -> None:
    print(f"[celery-smoke {dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_day(home: Path, day: dt.date) -> Path:
    """The demo day's three files under `home`/data; returns the data folder."""
    from listening.demo import generate

    data_dir = home / "data"
    generate(data_dir, start=day, days=1)
    return data_dir


class Databases:
    """PostgreSQL databases with this run's prefix, created on demand and all dropped by `drop`."""

    def __init__(self, server: str, prefix: str) -> None:
        from sqlalchemy import create_engine

        self.server, self.prefix = server, prefix
        self.admin = create_engine(server, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self, suffix: str) -> str:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = f"{self.prefix}_{suffix}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        url = make_url(self.server).set(drivername="postgresql+psycopg2", database=name)
        return url.render_as_string(hide_password=False)

    def drop(self) -> list[str]:
        from sqlalchemy import text

        from listening.store import db

        db.get_engine.cache_clear()
        dropped = []
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                dropped.append(name)
            left = conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": f"{self.prefix}%"}
            ).scalars()
            if remaining := list(left):
                raise SmokeError(f"databases not dropped: {remaining}")
        self.admin.dispose()
        self.created = []
        return dropped


def api(method: str, url: str, token: str | None = None, body: dict[str, Any] | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (our own API server)
            return json.load(response)
    except urllib.error.HTTPError as exc:
        raise SmokeError(f"{method} {url}: HTTP {exc.code} {exc.read()[:300]!r}") from None


def login(base: str, home: Path, timeout: float) -> str:
    """A JWT from the simple auth manager, as the UI gets one (user `admin`)."""
    passwords = home / "simple_auth_manager_passwords.json.generated"
    deadline = time.monotonic() + timeout
    while not passwords.exists():
        if time.monotonic() > deadline:
            raise SmokeError(f"the API server wrote no passwords file ({passwords})")
        time.sleep(1)
    password = json.loads(passwords.read_text(encoding="utf-8"))["admin"]
    body = {"username": "admin", "password": password}
    return str(api("POST", f"{base}/auth/token", body=body)["access_token"])


def wait_for(what: str, timeout: float, probe: Any, airflow: Airflow, interval: float = 3.0) -> Any:
    """Call `probe` until it returns something true; a component that died or a timeout is a SmokeError."""
    deadline = time.monotonic() + timeout
    while True:
        if found := probe():
            return found
        if dead := airflow.dead():
            raise SmokeError(f"{dead[0]} exited while waiting for {what}:\n{airflow.tail(dead[0], 30)}")
        if time.monotonic() > deadline:
            raise SmokeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def run_on_celery(seen: dict[str, Any], env: dict[str, str], day: dt.date, timeout: float) -> None:
    """Start Airflow on the CeleryExecutor, run the nightly DAG for `day`, stop Airflow; what was seen
    goes into `seen`."""
    airflow = Airflow(env, celery_components(env))
    base = env["AIRFLOW__API__BASE_URL"]
    seen["log_dir"] = str(airflow.log_dir)
    started = time.monotonic()
    try:
        say("migrating Airflow's metadata database and the project database (PostgreSQL) ...")
        airflow.migrate()
        say(f"starting {', '.join(airflow.components)} ...")
        airflow.start()
        airflow.wait_ready(base, timeout)
        seen["ready_s"] = round(time.monotonic() - started, 1)
        say(f"Airflow is healthy and both workers are ready ({seen['ready_s']} s): {base}")
        token = login(base, Path(env["AIRFLOW_HOME"]), timeout)
        dag_url = f"{base}/api/v2/dags/{NIGHTLY}"

        def listed() -> bool:
            try:
                return bool(api("GET", dag_url, token)["dag_id"])
            except SmokeError:
                return False

        wait_for(f"the DAG processor to list {NIGHTLY}", timeout, listed, airflow)
        api("PATCH", dag_url, token, {"is_paused": False})
        run = api(
            "POST", f"{dag_url}/dagRuns", token, {"logical_date": None, "conf": {"day": day.isoformat()}}
        )
        run_url = f"{dag_url}/dagRuns/{run['dag_run_id']}"
        say(f"triggered {NIGHTLY} for {day}: run {run['dag_run_id']}")

        def finished() -> str | None:
            state = str(api("GET", run_url, token)["state"])
            return state if state in {"success", "failed"} else None

        state = wait_for(f"the run {run['dag_run_id']}", timeout, finished, airflow, interval=5)
        seen["run_s"] = round(time.monotonic() - started - seen["ready_s"], 1)
        instances = api("GET", f"{run_url}/taskInstances?limit=1000", token)["task_instances"]
        seen["task_instances"] = [
            {k: ti.get(k) for k in ("task_id", "map_index", "state", "hostname", "try_number")}
            for ti in instances
        ]
        if state != "success":
            failed = [f"{t['task_id']}[{t['map_index']}]" for t in instances if t["state"] != "success"]
            raise SmokeError(f"the run ended {state}; not successful: {failed}; logs in {airflow.log_dir}")
        say(f"the run succeeded in {seen['run_s']} s")
    finally:
        say("stopping Airflow ...")
        seen["strays_ended"] = airflow.stop()


def copy_keys(source_url: str, target_url: str) -> int:
    """The program's keys from one project database into another, so that keyed hashes can be compared."""
    from sqlalchemy import insert, select

    from listening.store.db import session_scope
    from listening.store.models import KeyRecord

    with session_scope(source_url) as session:
        rows = [
            {c.key: getattr(k, c.key) for c in KeyRecord.__table__.columns}
            for k in session.scalars(select(KeyRecord))
        ]
    with session_scope(target_url) as session:
        session.execute(insert(KeyRecord), rows)
    return len(rows)


def run_single_process(env: dict[str, str], url: str, day: dt.date, log: Path) -> None:
    """`listening run-day` in one process, into `url`."""
    single = env | {"LISTENING_DATABASE_URL": url}
    listening = str(Path(sys.executable).parent / "listening")
    with log.open("ab") as out:
        for args in (["db", "upgrade"], ["run-day", "-p", PROGRAM, "--day", day.isoformat()]):
            if args[0] == "run-day":
                copy_keys(env["LISTENING_DATABASE_URL"], url)
            done = subprocess.run(  # noqa: S603 (our own CLI, fixed arguments)
                [listening, *args], env=single, stdin=subprocess.DEVNULL, stdout=out, stderr=out, check=False
            )
            if done.returncode != 0:
                raise SmokeError(f"`listening {' '.join(args)}` failed (exit {done.returncode}); see {log}")


def check(seen: dict[str, Any]) -> list[str]:
    """What must hold; each problem in one line."""
    problems = []
    shards = [t for t in seen["task_instances"] if t["task_id"] == "collect_redact_store"]
    if len(shards) < MIN_SHARDS:
        problems.append(f"{len(shards)} shards, fewer than {MIN_SHARDS}")
    hosts = {str(t["hostname"]) for t in shards}
    if hosts != set(CELERY_WORKERS):
        problems.append(f"shards ran on {sorted(hosts)}, not on both of {list(CELERY_WORKERS)}")
    celery, single = seen["digest"]["celery"], seen["digest"]["single"]
    if not celery["mentions"]:
        problems.append("the Celery run stored no mentions")
    if celery != single:
        columns = ", ".join(seen.get("differing_columns") or ["?"])
        problems.append(f"stored rows differ in {columns}: Celery {celery}, single process {single}")
    if seen["leftover"]:
        problems.append(f"processes left running: {seen['leftover']}")
    return problems


def smoke(
    seen: dict[str, Any],
    *,
    day: dt.date,
    port: int,
    postgres: str,
    broker: str,
    timeout: float,
    keep: bool = False,
) -> dict[str, Any]:
    """Run the smoke, recording what was seen in `seen` as it goes (so a failure still reports it)."""
    from listening.airflow_env import airflow_env
    from listening.airflow_ui import processes_with_home
    from listening.demo_replay import replaying
    from listening.store.checksum import differing_columns, digest, stored_rows
    from listening.store.db import session_scope

    run_tag = uuid.uuid4().hex[:10]
    home = Path(tempfile.mkdtemp(prefix=f"listening-celery-{run_tag}-"))
    databases = Databases(postgres, f"celery_smoke_{run_tag}")
    queue = f"listening_smoke_{run_tag}"
    seen |= {"day": day.isoformat(), "queue": queue, "home": str(home)}
    keys_before = broker_keys(broker)
    try:
        data_dir = write_day(home, day)
        seen["files"] = sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*.*"))
        say(
            f"demo day {day}: {len(seen['files'])} files under {data_dir}; forum slices of {SLICE_LINES} rows"
        )
        project_url, metadata_url = databases.create("listening"), databases.create("airflow")
        single_url = databases.create("single")
        with replaying(data_dir) as replay:
            say(f"the demo's replay server serves Mastodon and Bluesky on 127.0.0.1:{replay.port}")
            base = {
                **os.environ,
                **airflow_env(home),
                "LISTENING_HOME": str(home),
                "LISTENING_DATA_DIR": str(data_dir),
                "LISTENING_SLICE_LINES": str(SLICE_LINES),
                "LISTENING_DATABASE_URL": project_url,
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
                # Only the triggered run: no scheduled run of the latest interval beside it.
                "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
                "AIRFLOW__API__EXPOSE_CONFIG": "False",
            }
            env = celery_env(ui_env("127.0.0.1", port, 1, base=base), broker=broker, queue=queue)
            run_on_celery(seen, env, day, timeout)
            say("the same day in one process (`listening run-day`) ...")
            run_single_process(env, single_url, day, home / "run-day.log")
        seen["digest"], rows = {}, {}
        for name, url in (("celery", project_url), ("single", single_url)):
            with session_scope(url) as session:
                seen["digest"][name] = asdict(digest(session, PROGRAM, day))
                rows[name] = stored_rows(session, PROGRAM, day)
        seen["differing_columns"] = differing_columns(rows["celery"], rows["single"])
        say(f"stored rows: Celery {seen['digest']['celery']}")
        say(f"             one process {seen['digest']['single']}")
    finally:
        seen["leftover"] = processes_with_home(str(home / "airflow"))
        try:
            seen["databases_dropped"] = databases.drop()
        finally:  # the other clean-ups happen even when a database could not be dropped
            seen["broker_keys_removed"] = forget_new_keys(broker, keys_before)
            if not keep:
                shutil.rmtree(home, ignore_errors=True)
    return seen


def broker_keys(broker: str) -> set[bytes] | None:
    """The broker's keys now (None when it is not a Redis that answers)."""
    try:
        import redis

        with redis.Redis.from_url(broker) as client:
            return set(client.scan_iter())
    except Exception:
        return None


def forget_new_keys(broker: str, before: set[bytes] | None) -> int:
    """Delete the keys this run made on the broker (its queue, Kombu's bindings); others are left alone."""
    if before is None:
        return 0
    import redis

    with redis.Redis.from_url(broker) as client:
        new = [key for key in client.scan_iter() if key not in before]
        return int(client.delete(*new)) if new else 0


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    for other in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(other, signal.SIG_IGN)  # a second signal must not cut the clean-up short
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make celery-smoke", description=__doc__.split("\n\n")[0])
    parser.add_argument("--day", type=dt.date.fromisoformat, default=None, help="default: three days ago")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CELERY_SMOKE_PORT") or 0))
    parser.add_argument(
        "--postgres",
        default=os.environ.get("LISTENING_CELERY_POSTGRES_URL")
        or os.environ.get("LISTENING_TEST_POSTGRES_URL")
        or DEFAULT_POSTGRES,
        help="a PostgreSQL server's maintenance database URL; databases are created there and dropped",
    )
    parser.add_argument(
        "--broker",
        default=os.environ.get("LISTENING_CELERY_BROKER_URL")
        or os.environ.get("LISTENING_TEST_REDIS_URL")
        or DEFAULT_BROKER,
    )
    parser.add_argument(
        "--timeout", type=float, default=float(os.environ.get("CELERY_SMOKE_TIMEOUT") or 1800)
    )
    parser.add_argument("--result", type=Path, default=None, help="write what was seen as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args(argv)
    day = args.day or dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)
    seen: dict[str, Any] = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):  # stop Airflow and drop the databases then too
        signal.signal(signum, _interrupt)
    try:
        smoke(
            seen,
            day=day,
            port=args.port or free_port(),
            postgres=args.postgres,
            broker=args.broker,
            timeout=args.timeout,
            keep=args.keep,
        )
        problems = check(seen)
    except (SmokeError, UIError) as exc:
        problems = [str(exc)]
    except KeyboardInterrupt:
        problems = ["interrupted"]
    seen["problems"] = problems
    if args.result:
        args.result.write_text(json.dumps(seen, indent=2, default=str), encoding="utf-8")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    shards = [t for t in seen["task_instances"] if t["task_id"] == "collect_redact_store"]
    hosts = ", ".join(sorted({str(t["hostname"]) for t in shards}))
    say(
        f"ok: {len(shards)} shards on {hosts}; stored rows equal a single-process run "
        f"(sha256 {seen['digest']['celery']['sha256'][:16]}); databases dropped, nothing left running"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
