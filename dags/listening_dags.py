"""Listening programs as Airflow DAGs: one nightly, one weekly and one retention DAG per pipeline file.

Wiring only: the factory reads `pipelines/*.yaml` (or `LISTENING_PIPELINES_DIR`); tasks import the
library when they run.
"""

from __future__ import annotations

from listening.orchestration import build_dags

globals().update(build_dags())
