"""The DAG factory: every `pipelines/*.yaml` becomes a nightly, a weekly and a retention DAG.

Tasks import the heavy parts (Presidio, spaCy, SQLAlchemy models) when they run, never at parse
time, and return only counts and shard descriptors: every return value lands in Airflow's XCom table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

import pendulum
from airflow.sdk import DAG, Asset, CronDataIntervalTimetable, Param, dag, get_current_context, task

from listening.config import ProgramConfig, load_programs
from listening.settings import get_settings

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "listening",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "retry_exponential_backoff": True,
}
START = dt.datetime(2026, 1, 1)
#: JSON Schema of the run parameters: checked when a run is triggered, and again by the tasks.
DAY_PARAM: dict[str, Any] = {"type": ["null", "string"], "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
WEEK_PARAM: dict[str, Any] = {"type": ["null", "string"], "pattern": r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"}


def dag_ids(program: str) -> dict[str, str]:
    return {
        "nightly": f"listening_{program}_nightly",
        "weekly": f"listening_{program}_weekly",
        "retention": f"listening_{program}_retention",
    }


def mentions_asset(program: str) -> Asset:
    """Updated by every nightly run; the weekly DAG's inputs."""
    return Asset(f"listening://{program}/mentions", group="listening")


def _program(path: str) -> ProgramConfig:
    from listening.config import load_program

    return load_program(Path(path))


def _period_end(context: Any, zone: str) -> pendulum.DateTime:
    end = context.get("data_interval_end") or context.get("logical_date") or pendulum.now("UTC")
    return pendulum.instance(end).in_timezone(zone)


def _refused(message: str) -> Exception:
    """A run whose parameters can never work fails at once: `AirflowFailException` is not retried."""
    from airflow.sdk.exceptions import AirflowFailException

    return AirflowFailException(message)


def _ensure_over(period: str, next_day: dt.date, zone: str) -> None:
    from listening.periods import not_over

    if problem := not_over(period, next_day, zone):
        raise _refused(problem)


def _target_day(context: Any, zone: str) -> dt.date:
    """The day a nightly run covers: the `day` param when given, else the day before the interval end.

    Refused unless the day is a real date that is over in the program's time zone.
    """
    override = (context.get("params") or {}).get("day")
    if override:
        try:
            day = dt.date.fromisoformat(str(override))
        except ValueError:
            raise _refused(f"day {str(override)!r} is not a date (YYYY-MM-DD)") from None
    else:
        day = _period_end(context, zone).date() - dt.timedelta(days=1)
    _ensure_over(f"day {day}", day + dt.timedelta(days=1), zone)
    return day


def _target_week(context: Any, zone: str) -> str:
    """The ISO week a weekly run covers: the `week` param, else the week before the interval end (for
    a run without a data interval, the newest week that is over). Refused unless the week is over."""
    from listening.periods import iso_week, week_start

    override = (context.get("params") or {}).get("week")
    if override:
        week = str(override)
        try:
            start = week_start(week)
        except ValueError:
            raise _refused(f"week {week!r} is not an ISO week (YYYY-Www)") from None
    else:
        end = _period_end(context, zone)
        if context.get("data_interval_end") is None:
            end = end.start_of("week")
        week = iso_week(end.date() - dt.timedelta(days=1))
        start = week_start(week)
    _ensure_over(f"week {week}", start + dt.timedelta(days=7), zone)
    return week


def _every_period(cron: str, program: ProgramConfig) -> CronDataIntervalTimetable:
    """A cron schedule whose data interval is the period since the previous run (not zero-length)."""
    return CronDataIntervalTimetable(cron, timezone=program.schedules.timezone)


def _dag_args(program: ProgramConfig, kind: str, doc: str) -> dict[str, Any]:
    """What every DAG of a program shares: id, start, no catch-up, retries, tags, docs."""
    zone = program.schedules.timezone
    return {
        "dag_id": dag_ids(program.program)[kind],
        "start_date": pendulum.instance(START, tz=zone),
        "catchup": False,
        "max_active_runs": 1,
        "default_args": DEFAULT_ARGS,
        "tags": ["listening", program.program, kind],
        "doc_md": f"### {program.title}: {doc}",
    }


def nightly_dag(program: ProgramConfig, path: Path) -> DAG:
    zone = program.schedules.timezone
    doc = (
        "nightly collection\n\nCollects the previous day from every source, redacts personal identifiers "
        "in the same process, and stores redacted mentions, the redaction log and run counts. Tasks "
        "return counts only."
    )

    @dag(
        schedule=_every_period(program.schedules.nightly, program),
        **_dag_args(program, "nightly", doc),
        params={"day": Param(None, **DAY_PARAM, description="Day to collect (YYYY-MM-DD), if not the last.")},
    )
    def nightly() -> None:
        @task
        def plan_shards() -> list[dict[str, str]]:
            """Shard descriptors (source x slice) for the day."""
            from airflow.sdk.exceptions import AirflowFailException

            from listening import stages
            from listening.governance import ProgramRefused

            day = _target_day(get_current_context(), zone)
            try:
                return stages.plan_shards(_program(str(path)), day)
            except ProgramRefused as exc:
                raise AirflowFailException(str(exc)) from None  # a governance refusal is not retried

        @task(max_active_tis_per_dagrun=2)
        def collect_redact_store(shard: dict[str, str]) -> dict[str, int]:
            """Fetch, validate, de-duplicate, redact, enrich and store one shard."""
            from listening import stages

            run_id = str(get_current_context()["run_id"])
            return stages.collect_redact_store(_program(str(path)), shard, run_id=run_id)

        @task(outlets=[mentions_asset(program.program)])
        def record_run(counts: list[dict[str, int]]) -> dict[str, int]:
            """Add up the shards and write the day's run-log row."""
            from listening import stages

            context = get_current_context()
            day = _target_day(context, zone)
            # One slice request for every shard's counts; iterating would probe one index past the end.
            shard_counts = list(counts[:])
            return stages.summarise_day(_program(str(path)), day, shard_counts, run_id=str(context["run_id"]))

        record_run(cast(Any, collect_redact_store.expand(shard=plan_shards())))

    return nightly()


def weekly_dag(program: ProgramConfig, path: Path) -> DAG:
    zone = program.schedules.timezone
    doc = (
        "weekly trends\n\nAggregates the previous ISO week into the trend table, applies disclosure "
        "control (k distinct authors, complementary suppression, optional differential privacy), then "
        "releases it when the program allows automatic release, destroying the week's author key."
    )

    @dag(
        schedule=_every_period(program.schedules.weekly, program),
        **_dag_args(program, "weekly", doc),
        params={"week": Param(None, **WEEK_PARAM, description="ISO week (YYYY-Www), if not the last one.")},
    )
    def weekly() -> None:
        @task
        def aggregate_week() -> dict[str, Any]:
            """Compute the week's cells as a pending release."""
            from listening import stages

            week = _target_week(get_current_context(), zone)
            return stages.aggregate(_program(str(path)), week)

        @task
        def release_week(summary: dict[str, Any]) -> dict[str, Any]:
            """Release the week when the program allows it; otherwise leave it for sign-off."""
            from listening import stages

            return stages.release(_program(str(path)), str(summary["iso_week"]), approved_by="auto")

        @task
        def render_reports(summary: dict[str, Any]) -> dict[str, Any]:
            """Write the analyst exports and the privacy officer's review for the week."""
            from listening import stages

            return stages.reports(_program(str(path)), str(summary["iso_week"]))

        render_reports(cast(Any, release_week(cast(Any, aggregate_week()))))

    return weekly()


def retention_dag(program: ProgramConfig, path: Path) -> DAG:
    zone = program.schedules.timezone
    doc = (
        "retention\n\nErases redacted text, redaction-log rows and quarantine rows older than the "
        "program's retention windows, and records the purge in the run log."
    )

    @dag(schedule=_every_period(program.schedules.retention, program), **_dag_args(program, "retention", doc))
    def retention() -> None:
        @task
        def purge() -> dict[str, int]:
            """Erase what is past its retention window; record the purge."""
            from listening import stages

            context = get_current_context()
            return stages.purge(
                _program(str(path)), now=_period_end(context, zone), run_id=str(context["run_id"])
            )

        purge()

    return retention()


def program_dags(program: ProgramConfig, path: Path) -> dict[str, DAG]:
    """The nightly, weekly and retention DAGs of one program, keyed by DAG id."""
    built = (nightly_dag(program, path), weekly_dag(program, path), retention_dag(program, path))
    return {dag.dag_id: dag for dag in built}


def build_dags(pipelines_dir: Path | None = None) -> dict[str, DAG]:
    """Every DAG of every program in `pipelines_dir`, keyed by DAG id (for `dag.test()` runs)."""
    dags: dict[str, DAG] = {}
    for path, program in load_programs(pipelines_dir or get_settings().pipelines_dir):
        dags |= program_dags(program, path)
    return dags
