"""`make airflow-ui`: Airflow's scheduler, DAG processor, triggerer and UI on the project's DAGs.

Runs the virtual environment's own Airflow with the project-local AIRFLOW_HOME, binds the UI to
127.0.0.1 unless told otherwise, sizes the workers to the machine, prints the URL and the login once
Airflow reports itself healthy, and stops every process it started (one process group) on Ctrl-C,
SIGTERM or when a component dies.

With `--executor celery` the tasks run on Airflow's CeleryExecutor instead: two Celery workers
(`listening-worker-1` and `-2`, one task slot each, each recording its own name as the task instances'
hostname) take them from the broker (`AIRFLOW__CELERY__BROKER_URL`, the local Redis by default); the
metadata database must then be PostgreSQL (`AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`).

    python -m listening.airflow_ui [--host 127.0.0.1] [--port 8080] [--workers N] [--executor celery]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

import psutil

from listening.airflow_env import airflow_env
from listening.sources.platform import REPLAY_PORT_ENV

COMPONENTS: dict[str, list[str]] = {
    "scheduler": ["scheduler", "--skip-serve-logs"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer", "--skip-serve-logs"],
    "api-server": ["api-server"],
}
HEALTHY = ("metadatabase", "scheduler", "triggerer", "dag_processor")
#: The CeleryExecutor's workers: names recorded as task instances' hostnames.
CELERY_WORKERS = ("listening-worker-1", "listening-worker-2")
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
DEFAULT_QUEUE = "listening"
WORKER_NAME_ENV = "LISTENING_CELERY_WORKER"
SIMPLE_AUTH = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


class UIError(RuntimeError):
    """Airflow could not be started; the message says why in one line."""


def default_workers() -> int:
    """API-server workers for this machine: one per two cores, at least one, at most four."""
    return max(1, min(4, (os.cpu_count() or 1) // 2))


def ui_env(host: str, port: int, workers: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment every component runs with: the venv's `airflow` first on PATH, a project-local
    home (kept if the caller set one), the UI's address, and executor slots sized to the machine."""
    env = dict(os.environ if base is None else base)
    home = Path(env.get("AIRFLOW_HOME") or airflow_env()["AIRFLOW_HOME"])
    defaults = airflow_env() | {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__CORE__PARALLELISM": str(max(2, os.cpu_count() or 1)),
    }
    for key, value in defaults.items():
        env.setdefault(key, value)
    local = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104 (a name, not a bind)
    address = f"[{local}]" if ":" in local else local
    env |= {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        "AIRFLOW__API__HOST": host,
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": str(workers),
        "AIRFLOW__API__BASE_URL": f"http://{address}:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{address}:{port}/execution/",
    }
    return env


def worker_hostname() -> str:
    """Airflow's `hostname_callable` on a Celery worker: the worker's own name, so that the task instances
    of two workers on one machine say which one ran them (elsewhere the machine's name, as Airflow's)."""
    return os.environ.get(WORKER_NAME_ENV) or socket.getfqdn()


def celery_env(env: dict[str, str], *, broker: str | None = None, queue: str | None = None) -> dict[str, str]:
    """The CeleryExecutor on top of `ui_env`: the broker, the queue tasks go to, results in the metadata
    database, one task at a time per worker process. Refused unless the metadata database is PostgreSQL."""
    metadata = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
    if not metadata.startswith("postgresql"):
        raise UIError(
            "the CeleryExecutor needs a PostgreSQL metadata database (workers cannot share SQLite): set "
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg2://..."
        )
    queue = queue or env.get("AIRFLOW__OPERATORS__DEFAULT_QUEUE") or DEFAULT_QUEUE
    backend = metadata.replace("postgresql+psycopg2://", "postgresql://", 1)
    return env | {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker or env.get("AIRFLOW__CELERY__BROKER_URL") or DEFAULT_BROKER,
        "AIRFLOW__CELERY__RESULT_BACKEND": env.get("AIRFLOW__CELERY__RESULT_BACKEND") or f"db+{backend}",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": env.get("AIRFLOW__CELERY__WORKER_CONCURRENCY") or "1",
        "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
    }


def celery_components(env: dict[str, str]) -> dict[str, list[str]]:
    """The four components and one `airflow celery worker` per name in CELERY_WORKERS, on the queue."""
    queue = env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"]
    workers = {
        name: ["celery", "worker", "--celery-hostname", f"{name}@%h", "--queues", queue, "--skip-serve-logs"]
        for name in CELERY_WORKERS
    }
    return COMPONENTS | workers


def celery_worker_env(env: dict[str, str], name: str) -> dict[str, str]:
    return env | {WORKER_NAME_ENV: name, "AIRFLOW__CORE__HOSTNAME_CALLABLE": f"{__name__}.worker_hostname"}


def check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise UIError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another with AIRFLOW_UI_PORT=..."
            ) from None


def health(base_url: str, timeout: float = 5.0) -> dict[str, str]:
    """Each component's status from `/api/v2/monitor/health` (empty while the server is down)."""
    try:
        with urllib.request.urlopen(f"{base_url}/api/v2/monitor/health", timeout=timeout) as response:  # noqa: S310
            body = json.load(response)
    except (OSError, ValueError, urllib.error.URLError):
        return {}
    return {name: str((body.get(name) or {}).get("status")) for name in HEALTHY}


def login_lines(env: dict[str, str]) -> list[str]:
    """How to log in: the simple auth manager's users and their generated passwords."""
    manager = env.get("AIRFLOW__CORE__AUTH_MANAGER", SIMPLE_AUTH)
    if manager != SIMPLE_AUTH:
        return [f"login: with the users of {manager.rsplit('.', 1)[-1]}"]
    if env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "").lower() == "true":
        return ["login: none needed (every visitor is an admin)"]
    home = Path(env["AIRFLOW_HOME"])
    password_file = Path(
        env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
        or home / "simple_auth_manager_passwords.json.generated"
    )
    try:
        passwords = json.loads(password_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [f"login: the passwords are in {password_file} once the API server has written them"]
    return [f"login: {user} / {password}" for user, password in sorted(passwords.items())] + [
        f"       (generated once, kept in {password_file})"
    ]


class Airflow:
    """The components in one process group of their own, logs in files under AIRFLOW_HOME.

    `components` maps a name to its `airflow` arguments (the four of COMPONENTS by default); with the
    CeleryExecutor's environment, the Celery workers of `celery_components` come along, each with its
    own name as the hostname its task instances record.
    """

    def __init__(self, env: dict[str, str], components: dict[str, list[str]] | None = None) -> None:
        self.env = env
        self.components = components or COMPONENTS
        self.log_dir = Path(env["AIRFLOW_HOME"]) / "logs" / "ui"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.group: int | None = None

    def _airflow(
        self, args: Sequence[str], log: Path, tool: str = "airflow", env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen(  # noqa: S603 (our own venv's tools, fixed arguments)
                [str(Path(sys.executable).parent / tool), *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env or self.env,
                process_group=self.group or 0,
            )

    def migrate(self) -> None:
        """Airflow's metadata database and the project database, so that a triggered run can write."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / "db-migrate.log"
        for tool, args in (("airflow", ["db", "migrate"]), ("listening", ["db", "upgrade"])):
            if self._airflow(args, log, tool).wait() != 0:
                tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
                raise UIError(f"`{tool} {' '.join(args)}` failed; see {log}:\n{tail}")

    def start(self) -> None:
        for name, args in self.components.items():
            env = celery_worker_env(self.env, name) if name in CELERY_WORKERS else self.env
            process = self._airflow(args, self.log_dir / f"{name}.log", env=env)
            self.group = self.group or process.pid
            self.processes[name] = process

    def workers_waited_for(self) -> list[str]:
        """The Celery workers that have not yet connected to the broker and said `ready` in their log."""
        return [n for n in self.components if n in CELERY_WORKERS and " ready." not in self.tail(n, 400)]

    def wait_ready(self, url: str, timeout: float) -> None:
        """Until the health endpoint reports every component healthy and the workers are ready; a
        component that exits, or a timeout, is a UIError with the component's last log lines."""
        deadline = time.monotonic() + timeout
        while set(health(url).values()) != {"healthy"} or self.workers_waited_for():
            if dead := self.dead():
                raise UIError(f"{dead[0]} exited:\n{self.tail(dead[0])}")
            if time.monotonic() > deadline:
                waiting = [
                    n for n in self.components if n in CELERY_WORKERS and " ready." not in self.tail(n, 400)
                ]
                raise UIError(
                    f"Airflow was not ready after {timeout:.0f} s: health {health(url)}, "
                    f"workers not ready: {waiting or 'none'}"
                )
            time.sleep(1)

    def dead(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def descendants(self) -> list[psutil.Process]:
        """Every process the components started, at any depth (task runners included)."""
        found: list[psutil.Process] = []
        for process in self.processes.values():
            with contextlib.suppress(psutil.Error):
                found.extend(psutil.Process(process.pid).children(recursive=True))
        return found

    def stop(self, grace: float = 30.0) -> list[int]:
        """SIGTERM to the whole group, SIGKILL to whatever is left after `grace` seconds; then the same
        for the descendants that left the group (a task runner makes a process group of its own).
        Returns the ids of such descendants that were still running."""
        if self.group is None:
            return []
        family = self.descendants()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.group, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and not _group_gone(self.group):
                for process in self.processes.values():
                    process.poll()  # reap, so that exited components stop counting as members
                time.sleep(0.2)
            if _group_gone(self.group):
                break
        self.group = None
        stray = [p for p in family if _running(p)]
        for process in stray:
            with contextlib.suppress(psutil.Error):
                process.terminate()
        _, alive = psutil.wait_procs(stray, timeout=grace)
        for process in alive:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(alive, timeout=grace)
        return [p.pid for p in stray]

    def tail(self, name: str, lines: int = 15) -> str:
        try:
            text = (self.log_dir / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def processes_with_home(home: str) -> list[int]:
    """Running processes, other than this one and its ancestors, whose AIRFLOW_HOME is `home`."""
    me = psutil.Process()
    skip = {me.pid, *(p.pid for p in me.parents())}
    found = []
    for process in psutil.process_iter():
        if process.pid in skip:
            continue
        try:
            if process.environ().get("AIRFLOW_HOME") == home and _running(process):
                found.append(process.pid)
        except (psutil.Error, OSError):
            continue
    return found


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _group_gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(host: str, port: int, workers: int, *, executor: str = "local", ready_timeout: float = 300.0) -> int:
    """Start Airflow, print where and how to log in, and keep it running until interrupted."""
    from listening.dag_files import orphan_dag_files, write_dag_files

    env = ui_env(host, port, workers)
    components = None
    if executor == "celery":
        env = celery_env(env)
        components = celery_components(env)
    check_port_free(host, port)
    for path in write_dag_files(dags_dir=Path(env["AIRFLOW__CORE__DAGS_FOLDER"])):
        print(f"wrote the DAG file {path}")
    for path in orphan_dag_files(dags_dir=Path(env["AIRFLOW__CORE__DAGS_FOLDER"])):
        print(f"warning: no pipeline file for {path} (it shows as an import error)")
    replay = contextlib.ExitStack()
    if REPLAY_PORT_ENV not in env:
        # The demo pipeline's Mastodon and Bluesky sources read from the replay server, as in `make run`.
        from listening.demo_replay import replaying
        from listening.settings import get_settings

        server = replay.enter_context(replaying(get_settings().data_dir))
        env[REPLAY_PORT_ENV] = str(server.port)
        print(f"the demo's replay server (Mastodon, Bluesky, RSS): http://127.0.0.1:{server.port}")
    airflow = Airflow(env, components)
    url = env["AIRFLOW__API__BASE_URL"]
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGINT may arrive ignored (`&`)
        signal.signal(signum, _stop_on_signal)
    print(f"Airflow home {env['AIRFLOW_HOME']}; component logs in {airflow.log_dir}")
    try:
        print("migrating Airflow's metadata database and the project database ...", flush=True)
        airflow.migrate()
        print(f"starting {', '.join(airflow.components)} ({workers} API worker(s)) ...", flush=True)
        airflow.start()
        airflow.wait_ready(url, ready_timeout)
        print(f"\nAirflow is ready: {url}", *login_lines(env), "Ctrl-C stops every component.", sep="\n")
        sys.stdout.flush()
        while not (dead := airflow.dead()):
            time.sleep(1)
        raise UIError(f"{dead[0]} exited:\n{airflow.tail(dead[0])}")
    except KeyboardInterrupt:
        print("\nstopping Airflow ...", flush=True)
        return 0
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not leave components behind
        airflow.stop()
        replay.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make airflow-ui", description="Airflow on the project's DAGs.")
    parser.add_argument("--host", default=os.environ.get("AIRFLOW_UI_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("AIRFLOW_UI_PORT") or 8080))
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("AIRFLOW_UI_WORKERS") or default_workers())
    )
    parser.add_argument(
        "--executor",
        choices=["local", "celery"],
        default=os.environ.get("AIRFLOW_UI_EXECUTOR") or "local",
        help="local: the LocalExecutor; celery: the CeleryExecutor with two Celery workers",
    )
    args = parser.parse_args(argv)
    try:
        return run(args.host, args.port, args.workers, executor=args.executor)
    except UIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
