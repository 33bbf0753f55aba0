"""`make airflow-ui`: Airflow's scheduler, DAG processor, triggerer and UI on the project's DAGs.

Runs the virtual environment's own Airflow with the project-local AIRFLOW_HOME, binds the UI to
127.0.0.1 unless told otherwise, sizes the workers to the machine, prints the URL and the login once
Airflow reports itself healthy, and stops every process it started (one process group) on Ctrl-C,
SIGTERM or when a component dies.

    python -m listening.airflow_ui [--host 127.0.0.1] [--port 8080] [--workers N]
"""

from __future__ import annotations

import argparse
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

from listening.airflow_env import airflow_env

COMPONENTS: dict[str, list[str]] = {
    "scheduler": ["scheduler", "--skip-serve-logs"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer", "--skip-serve-logs"],
    "api-server": ["api-server"],
}
HEALTHY = ("metadatabase", "scheduler", "triggerer", "dag_processor")
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
    """The four components in one process group of their own, logs in files under AIRFLOW_HOME."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.log_dir = Path(env["AIRFLOW_HOME"]) / "logs" / "ui"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.group: int | None = None

    def _airflow(self, args: Sequence[str], log: Path, tool: str = "airflow") -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen(  # noqa: S603 (our own venv's tools, fixed arguments)
                [str(Path(sys.executable).parent / tool), *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                process_group=self.group or 0,
            )

    def migrate(self) -> None:
        """Airflow's metadata database and the project database, so that a triggered run can write."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / "db-migrate.log"
        for tool, args in (("airflow", ["db", "migrate"]), ("listening", ["db", "upgrade"])):
            if self._airflow(args, log, tool).wait() != 0:
                raise UIError(f"`{tool} {' '.join(args)}` failed; see {log}")

    def start(self) -> None:
        for name, args in COMPONENTS.items():
            process = self._airflow(args, self.log_dir / f"{name}.log")
            self.group = self.group or process.pid
            self.processes[name] = process

    def dead(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def stop(self, grace: float = 30.0) -> None:
        """SIGTERM to the whole group, SIGKILL to whatever is left after `grace` seconds."""
        if self.group is None:
            return
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

    def tail(self, name: str, lines: int = 15) -> str:
        try:
            text = (self.log_dir / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


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


def run(host: str, port: int, workers: int, *, ready_timeout: float = 300.0) -> int:
    """Start Airflow, print where and how to log in, and keep it running until interrupted."""
    from listening.dag_files import orphan_dag_files, write_dag_files

    env = ui_env(host, port, workers)
    check_port_free(host, port)
    for path in write_dag_files(dags_dir=Path(env["AIRFLOW__CORE__DAGS_FOLDER"])):
        print(f"wrote the DAG file {path}")
    for path in orphan_dag_files(dags_dir=Path(env["AIRFLOW__CORE__DAGS_FOLDER"])):
        print(f"warning: no pipeline file for {path} (it shows as an import error)")
    airflow = Airflow(env)
    url = env["AIRFLOW__API__BASE_URL"]
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGINT may arrive ignored (`&`)
        signal.signal(signum, _stop_on_signal)
    print(f"Airflow home {env['AIRFLOW_HOME']}; component logs in {airflow.log_dir}")
    try:
        print("migrating Airflow's metadata database and the project database ...", flush=True)
        airflow.migrate()
        print(f"starting {', '.join(COMPONENTS)} ({workers} API worker(s)) ...", flush=True)
        airflow.start()
        deadline = time.monotonic() + ready_timeout
        while set(health(url).values()) != {"healthy"}:
            if dead := airflow.dead():
                raise UIError(f"{dead[0]} exited:\n{airflow.tail(dead[0])}")
            if time.monotonic() > deadline:
                raise UIError(f"Airflow was not healthy after {ready_timeout:.0f} s: {health(url)}")
            time.sleep(1)
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make airflow-ui", description="Airflow on the project's DAGs.")
    parser.add_argument("--host", default=os.environ.get("AIRFLOW_UI_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("AIRFLOW_UI_PORT") or 8080))
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("AIRFLOW_UI_WORKERS") or default_workers())
    )
    args = parser.parse_args(argv)
    try:
        return run(args.host, args.port, args.workers)
    except UIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
