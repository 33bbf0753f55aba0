"""The DAG files: they import, produce the expected DAGs, and stay light at parse time."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from listening.airflow_env import airflow_env
from listening.orchestration import dag_ids
from listening.periods import iso_week
from tests.conftest import AIRFLOW_TEST_HOME
from tests.support import DEMO_PROGRAM, ROOT

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
    # The day is summed up after every shard, failed ones too: a failing source cannot hide the others.
    assert dag.get_task("record_run").trigger_rule == "all_done"
    assert dag.get_task("record_run").upstream_task_ids == {"collect_redact_store"}


def test_parse_does_not_load_heavy_modules() -> None:
    probe = (
        "import runpy, sys; runpy.run_path(sys.argv[1]); "
        "heavy = [m for m in ('presidio_analyzer', 'spacy', 'vaderSentiment', 'listening.stages', "
        "'listening.store.models') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(ROOT / "dags" / "city_services.py")],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    assert out.stdout.strip() == ""


@pytest.fixture
def pipelines_with_a_bad_file(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The demo program next to an invalid copy of it (`k: 2`), and a DAG file for each."""
    from listening.dag_files import write_dag_files
    from listening.settings import get_settings

    pipelines, dags = tmp_path / "pipelines", tmp_path / "dags"
    pipelines.mkdir()
    (pipelines / DEMO_PROGRAM.name).write_text(DEMO_PROGRAM.read_text())
    (pipelines / "bad.yaml").write_text(DEMO_PROGRAM.read_text().replace("k: 10", "k: 2"))
    assert {p.name for p in write_dag_files(pipelines, dags)} == {"bad.py", "city_services.py"}
    monkeypatch.setenv("LISTENING_PIPELINES_DIR", str(pipelines))
    get_settings.cache_clear()
    yield dags
    get_settings.cache_clear()


def test_invalid_pipeline_file_is_an_import_error_of_its_own(pipelines_with_a_bad_file) -> None:  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(pipelines_with_a_bad_file))
    assert set(bag.import_errors) == {str(pipelines_with_a_bad_file / "bad.py")}
    (message,) = bag.import_errors.values()
    assert "bad.yaml" in message
    assert "privacy.k" in message
    assert set(bag.dag_ids) == EXPECTED


def test_a_program_id_used_twice_is_an_error_of_the_later_file(pipelines_with_a_bad_file) -> None:  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    from listening.dag_files import write_dag_files
    from listening.settings import get_settings

    pipelines = get_settings().pipelines_dir
    (pipelines / "zz_copy.yaml").write_text(DEMO_PROGRAM.read_text())
    write_dag_files(pipelines, pipelines_with_a_bad_file)
    bag = DagBag(dag_folder=str(pipelines_with_a_bad_file))
    assert "already used by" in bag.import_errors[str(pipelines_with_a_bad_file / "zz_copy.py")]
    assert set(bag.dag_ids) == EXPECTED
    assert {dag.fileloc for dag in bag.dags.values()} == {str(pipelines_with_a_bad_file / "city_services.py")}


def test_every_pipeline_file_has_its_dag_file() -> None:
    from listening.dag_files import dag_file_text

    pipelines = sorted((ROOT / "pipelines").glob("*.yaml"))
    assert {p.stem for p in pipelines} == {p.stem for p in (ROOT / "dags").glob("*.py")}
    for pipeline in pipelines:
        assert (ROOT / "dags" / f"{pipeline.stem}.py").read_text() == dag_file_text(pipeline), (
            f"run `listening dags` after adding {pipeline.name}"
        )


def _airflow(home: Path, *args: str, extra: dict[str, str]) -> None:
    env = {**os.environ, **airflow_env(home), **extra}
    subprocess.run(
        [sys.executable, "-m", "airflow", *args], check=True, capture_output=True, env=env, timeout=600
    )


def _parsed(home: Path) -> tuple[dict[str, tuple[int, int]], dict[str, str]]:
    with sqlite3.connect(home / "airflow" / "airflow.db") as conn:
        dags = {
            r[0]: (r[1], r[2]) for r in conn.execute("SELECT dag_id, is_stale, has_import_errors FROM dag")
        }
        errors = dict(conn.execute("SELECT filename, stacktrace FROM import_error").fetchall())
    return dags, errors


@pytest.mark.slow
def test_dag_processor_keeps_valid_programs_next_to_a_bad_file(tmp_path, pipelines_with_a_bad_file) -> None:  # type: ignore[no-untyped-def]
    """The real DAG processor, as the UI sees it: the bad file is one import error, nothing goes stale."""
    from listening.settings import get_settings

    home, dags = tmp_path / "home", pipelines_with_a_bad_file
    extra = {
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "LISTENING_PIPELINES_DIR": str(get_settings().pipelines_dir),
    }
    _airflow(home, "db", "migrate", extra=extra)
    _airflow(home, "dag-processor", "--num-runs", "1", extra=extra)
    state, errors = _parsed(home)
    assert state == dict.fromkeys(EXPECTED, (0, 0))
    assert list(errors) == ["bad.py"]
    assert "privacy.k" in errors["bad.py"]

    fixed = DEMO_PROGRAM.read_text().replace("program: city_services", "program: other_program")
    (get_settings().pipelines_dir / "bad.yaml").write_text(fixed)
    _airflow(home, "dag-processor", "--num-runs", "1", extra=extra)
    state, errors = _parsed(home)
    assert errors == {}
    assert state == dict.fromkeys(EXPECTED | set(dag_ids("other_program").values()), (0, 0))


@pytest.mark.parametrize(
    ("dag_id", "name", "good", "bad"),
    [
        ("listening_city_services_nightly", "day", "2026-11-20", ["2026-02-30", "20261120", "2026-11-20x"]),
        ("listening_city_services_weekly", "week", "2026-W47", ["2026-W54", "2026-47", "2026-W7"]),
    ],
)
def test_run_params_are_checked_when_triggered(dagbag, dag_id, name, good, bad) -> None:  # type: ignore[no-untyped-def]
    from airflow.sdk.definitions.param import ParamValidationError

    param = dagbag.dags[dag_id].params.get_param(name)
    assert param.resolve(good) == good
    assert param.resolve(None) is None
    for value in bad:
        with pytest.raises(ParamValidationError):
            param.resolve(value)


def _today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"day": "2026-02-30"}, "day '2026-02-30' is not a date (YYYY-MM-DD)"),
        ({"day": "tomorrow"}, "day 'tomorrow' is not a date"),
        ({"day": str(_today_utc())}, f"day {_today_utc()} is not over yet"),
        ({"day": str(_today_utc() + dt.timedelta(days=400))}, "is not over yet"),
    ],
)
def test_impossible_days_fail_without_retry(params, message) -> None:  # type: ignore[no-untyped-def]
    from airflow.sdk.exceptions import AirflowFailException

    from listening.orchestration import _target_day

    with pytest.raises(AirflowFailException, match=re.escape(message)):
        _target_day({"params": params}, "UTC")
    assert _target_day({"params": {"day": "2026-11-20"}}, "UTC") == dt.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("2025-W53", "week '2025-W53' is not an ISO week (YYYY-Www)"),
        ("2026-w01", "is not an ISO week"),
        (iso_week(_today_utc()), f"week {iso_week(_today_utc())} is not over yet"),
    ],
)
def test_impossible_weeks_fail_without_retry(week, message) -> None:  # type: ignore[no-untyped-def]
    from airflow.sdk.exceptions import AirflowFailException

    from listening.orchestration import _target_week

    with pytest.raises(AirflowFailException, match=re.escape(message)):
        _target_week({"params": {"week": week}}, "UTC")
    assert _target_week({"params": {"week": "2026-W47"}}, "UTC") == "2026-W47"


def test_a_run_without_data_interval_covers_the_newest_week_that_is_over() -> None:
    from listening.orchestration import _target_week

    last_sunday = _today_utc() - dt.timedelta(days=_today_utc().weekday() + 1)
    assert _target_week({"params": {}}, "UTC") == iso_week(last_sunday)


@pytest.mark.slow
def test_weekly_run_of_a_week_not_over_fails_at_once(airflow_db, dagbag) -> None:  # type: ignore[no-untyped-def]
    """Through Airflow: the task fails on its first try and is not queued for a retry."""
    dag = dagbag.dags["listening_city_services_weekly"]
    run = dag.test(run_conf={"week": iso_week(_today_utc())})
    assert str(run.state) == "failed"
    (first,) = (ti for ti in run.get_task_instances() if ti.task_id == "aggregate_week")
    assert str(first.state) == "failed"
    assert first.try_number == 1
