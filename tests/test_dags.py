"""The DAG files: they import, produce the expected DAGs, and stay light at parse time."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from listening.orchestration import dag_ids
from tests.conftest import AIRFLOW_TEST_HOME
from tests.support import ROOT

EXPECTED = set(dag_ids("city_services").values())


@pytest.fixture(scope="module")
def dagbag():  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_airflow_home_is_the_throwaway_one() -> None:
    from airflow.configuration import AIRFLOW_HOME, conf

    assert AIRFLOW_HOME.startswith(str(AIRFLOW_TEST_HOME))
    assert conf.get("database", "sql_alchemy_conn").startswith(f"sqlite:///{AIRFLOW_TEST_HOME}")


def test_no_import_errors_and_expected_dags(dagbag) -> None:  # type: ignore[no-untyped-def]
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == EXPECTED


def test_every_task_retries(dagbag) -> None:  # type: ignore[no-untyped-def]
    for dag in dagbag.dags.values():
        assert dag.tasks, dag.dag_id
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag.dag_id}.{task.task_id} has no retries"


def test_schedules_are_data_intervals(dagbag) -> None:  # type: ignore[no-untyped-def]
    for dag in dagbag.dags.values():
        assert type(dag.timetable).__name__ == "CronDataIntervalTimetable", dag.dag_id
        assert dag.catchup is False
        assert dag.doc_md


def test_nightly_shape(dagbag) -> None:  # type: ignore[no-untyped-def]
    dag = dagbag.dags["listening_city_services_nightly"]
    assert {t.task_id for t in dag.tasks} == {"plan_shards", "collect_redact_store", "record_run"}
    assert dag.get_task("record_run").outlets


def test_parse_does_not_load_heavy_modules() -> None:
    probe = (
        "import runpy, sys; runpy.run_path(sys.argv[1]); "
        "heavy = [m for m in ('presidio_analyzer', 'spacy', 'vaderSentiment', 'listening.stages', "
        "'listening.store.models') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(ROOT / "dags" / "listening_dags.py")],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    assert out.stdout.strip() == ""


def test_invalid_pipeline_file_is_an_import_error(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    from listening.settings import get_settings

    (tmp_path / "broken.yaml").write_text("program: Not-Valid\n")
    monkeypatch.setenv("LISTENING_PIPELINES_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        bag = DagBag(dag_folder=str(ROOT / "dags"))
    finally:
        get_settings.cache_clear()
    (message,) = bag.import_errors.values()
    assert "broken.yaml" in message
    assert "program" in message
