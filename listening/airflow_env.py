"""Airflow settings that keep its files under the project and its behaviour offline.

Applied before Airflow is imported (the Makefile exports the same through `listening airflow-env`).
"""

from __future__ import annotations

import os
from pathlib import Path

from listening.settings import PROJECT_ROOT, get_settings


def airflow_users() -> str:
    """Logins for Airflow's simple auth manager: `admin`, and every program's privacy officers with the
    `user` role (enough to answer Required Actions; the sign-off task accepts only its program's)."""
    from listening.config import ProgramConfigError, load_programs

    users = {"admin": "admin"}
    try:
        programs = load_programs(get_settings().pipelines_dir)
    except ProgramConfigError:
        programs = []  # the DAG processor reports the broken file; logins need not fail with it
    for _, program in programs:
        for officer in program.governance.privacy_officers:
            users.setdefault(officer.id, "user")
    return ",".join(f"{name}:{role}" for name, role in users.items())


def airflow_env(home: Path | None = None) -> dict[str, str]:
    """Environment for Airflow: a project-local AIRFLOW_HOME with a SQLite metadata database."""
    airflow_home = (home or get_settings().home) / "airflow"
    return {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES_REGEXP": r"^(airflow|listening)\..*",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__METRICS__STATSD_ON": "False",
        "AIRFLOW__TRACES__OTEL_ON": "False",
        "AIRFLOW__METRICS__OTEL_ON": "False",
        "AIRFLOW__CORE__MAX_MAP_LENGTH": "4096",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": airflow_users(),
    }


def apply_airflow_env(home: Path | None = None, *, override: bool = False) -> dict[str, str]:
    """Set the variables in this process (keeping values already set unless `override`)."""
    env = airflow_env(home)
    for key, value in env.items():
        if override or key not in os.environ:
            os.environ[key] = value
    Path(os.environ["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    return env
