"""Airflow settings that keep its files under the project and its behaviour offline.

Applied before Airflow is imported (the Makefile exports the same through `listening airflow-env`).
"""

from __future__ import annotations

import os
from pathlib import Path

from listening.settings import PROJECT_ROOT, get_settings


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
    }


def apply_airflow_env(home: Path | None = None, *, override: bool = False) -> dict[str, str]:
    """Set the variables in this process (keeping values already set unless `override`)."""
    env = airflow_env(home)
    for key, value in env.items():
        if override or key not in os.environ:
            os.environ[key] = value
    Path(os.environ["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    return env
