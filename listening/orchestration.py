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
            from airflow.sdk.exceptions import AirflowFailException

            from listening import stages

            run_id = str(get_current_context()["run_id"])
            try:
                return stages.collect_redact_store(_program(str(path)), shard, run_id=run_id)
            except stages.SourceFailed as exc:
                # The connector retried already: this source's shard fails now, the others go on.
                raise AirflowFailException(str(exc)) from None

        @task(outlets=[mentions_asset(program.program)], trigger_rule="all_done")
        def record_run() -> dict[str, Any]:
            """Record each source's outcome (success, missing, failed) and the day in the run log.

            Runs when every shard has finished, failed ones included; then fails, without retries, if a
            source failed or delivered nothing, so such a night is never a silent success.
            """
            from airflow.sdk.exceptions import AirflowFailException

            from listening import stages

            context = get_current_context()
            planned = context["ti"].xcom_pull(task_ids="plan_shards")
            if planned is None:
                raise AirflowFailException("no shards were planned: see the plan_shards task")
            day = _target_day(context, zone)
            summary = stages.summarise_day(
                _program(str(path)), day, run_id=str(context["run_id"]), planned=list(planned)
            )
            if problem := stages.day_problems(summary):
                raise AirflowFailException(f"{program.program} {day}: {problem} (see `listening runs`)")
            return summary

        planned = plan_shards()
        cast(Any, collect_redact_store.expand(shard=planned)) >> record_run()

    return nightly()


SIGN_OFF_TASK = "sign_off"
NOTE_PARAM = "note"


RESPONSE_KEY = "response"


def sign_off_operator(program: ProgramConfig) -> Any:
    """The privacy officer's approval in Airflow's Required Actions (standard provider's HITL).

    Subject and body are rendered from the review task's return value (figures only); only the
    program's privacy officers may respond, each with a note. The response is also pushed under the
    XCom key `response`: on Reject the operator skips its downstream and returns no value.
    """
    from airflow.providers.standard.operators.hitl import ApprovalOperator

    class SignOffOperator(ApprovalOperator):
        def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
            if "error" not in event:
                context["ti"].xcom_push(
                    key=RESPONSE_KEY,
                    value={
                        "chosen_options": list(event["chosen_options"]),
                        "params_input": dict(event["params_input"] or {}),
                        "responded_by_user": dict(event["responded_by_user"] or {}),
                    },
                )
            return super().execute_complete(context=context, event=event)

    return SignOffOperator(
        task_id=SIGN_OFF_TASK,
        subject="{{ ti.xcom_pull(task_ids='review_week')['subject'] }}",
        body="{{ ti.xcom_pull(task_ids='review_week')['body'] }}",
        assigned_users=[{"id": o.id, "name": o.name} for o in program.governance.privacy_officers],
        params={
            # A default, because task params resolve when the task starts; `decide` refuses a
            # rejection without a reason.
            NOTE_PARAM: Param(
                "",
                type="string",
                maxLength=2000,
                title="Note",
                description="What you checked, or why you reject the week (required to reject); recorded "
                "with your decision.",
            )
        },
        doc_md=(
            "Approve publishes the week (analyst exports written, the week's author key destroyed); "
            "Reject keeps it unpublished with your note as the reason."
        ),
    )


def weekly_dag(program: ProgramConfig, path: Path) -> DAG:
    zone = program.schedules.timezone
    auto = program.privacy.auto_release
    doc = (
        "weekly trends\n\nAggregates the previous ISO week into the trend table and applies disclosure "
        "control (k distinct authors, complementary suppression, optional differential privacy). "
        + (
            "The program releases automatically: the week is published and its author key destroyed."
            if auto
            else "A privacy officer named in the pipeline file then approves or rejects the release under "
            "Required Actions (task `sign_off`), reading the privacy review; approval publishes the week "
            "and destroys its author key, rejection keeps it unpublished with the reason. Reports are "
            "written after the decision."
        )
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

        @task(trigger_rule="none_failed")
        def render_reports(summary: dict[str, Any]) -> dict[str, Any]:
            """Write the privacy officer's review and, for a released week, the analyst report and exports."""
            from listening import stages

            out = stages.reports(_program(str(path)), str(summary["iso_week"]))
            return {k: v for k, v in out.items() if k != "summary"}

        summary = aggregate_week()
        if auto:

            @task
            def release_week(summary: dict[str, Any]) -> dict[str, Any]:
                """Release the week (the program allows automatic release)."""
                from listening import stages

                return stages.release(_program(str(path)), str(summary["iso_week"]))

            render_reports(cast(Any, release_week(cast(Any, summary))))
            return

        @task
        def review_week(summary: dict[str, Any]) -> dict[str, Any]:
            """Write the privacy review and build the sign-off request; skip when nothing is to decide."""
            from airflow.sdk.exceptions import AirflowSkipException

            from listening import stages

            program_ = _program(str(path))
            week = str(summary["iso_week"])
            if summary.get("status") == "released":
                raise AirflowSkipException(f"{week} is released already: nothing to sign off")
            if not int(summary.get("mentions_read", 0)):
                raise AirflowSkipException(f"{week} has no mentions: nothing to release")
            review = stages.review(program_, week)
            return {
                "iso_week": week,
                "subject": f"Release {program_.title}, week {week}?",
                "body": sign_off_body(program_, week, review),
            }

        @task(trigger_rule="none_failed")
        def apply_decision() -> dict[str, Any]:
            """Record the officer's decision; approval publishes the week, rejection keeps it unpublished."""
            from airflow.sdk.exceptions import AirflowFailException

            from listening import stages
            from listening.aggregate.errors import ReleaseRefused

            context = get_current_context()
            response = context["ti"].xcom_pull(task_ids=SIGN_OFF_TASK, key=RESPONSE_KEY)
            week = _target_week(context, zone)
            if not response:
                return {"iso_week": week, "status": "no decision needed"}
            chosen = list(response.get("chosen_options") or [])
            user = response.get("responded_by_user") or {}
            try:
                return stages.decide(
                    _program(str(path)),
                    week,
                    decision="approve" if chosen == ["Approve"] else "reject",
                    user_id=str(user.get("id") or ""),
                    note=str((response.get("params_input") or {}).get(NOTE_PARAM) or ""),
                    channel="airflow",
                    airflow_run_id=str(context["run_id"]),
                )
            except ReleaseRefused as exc:
                raise AirflowFailException(f"decision refused: {exc}") from None

        from airflow.providers.standard.operators.empty import EmptyOperator

        review = review_week(cast(Any, summary))
        sign_off = sign_off_operator(program)
        # Reject skips the operator's direct downstream; the gate takes that skip so the decision is
        # still recorded (apply_decision runs on none_failed) and the reports are still written.
        approved = EmptyOperator(task_id="approved")
        decision = apply_decision()
        cast(Any, review) >> sign_off >> approved >> cast(Any, decision)
        render_reports(cast(Any, decision))

    return weekly()


def sign_off_body(program: ProgramConfig, iso_week: str, review: dict[str, Any]) -> str:
    """The sign-off request's body (Markdown): the review's figures and where the full review is."""
    lines = "\n".join(f"- {line}" for line in review["summary"])
    officers = ", ".join(o.name for o in program.governance.privacy_officers)
    return (
        f"**{program.title}, week {iso_week}**: the aggregated week waits for your sign-off.\n\n"
        f"{lines}\n\n"
        f"Full review: `{review['review']}` (and `privacy_review.json` beside it).\n\n"
        "**Approve** publishes the week: the analyst report and exports are written and the week's author "
        "key is destroyed. **Reject** keeps it unpublished; your note is recorded as the reason. "
        f"Respondents: {officers}."
    )


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
