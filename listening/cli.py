"""`listening ...`: run a stage, redact JSONL, show trends, render reports, migrate the database."""

from __future__ import annotations

import datetime as dt
import os
import sys
import uuid
from pathlib import Path
from typing import IO, Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from listening.config import ProgramConfig, ProgramConfigError, load_program
from listening.settings import get_settings

app = typer.Typer(help="Privacy-preserving social listening.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="The project database.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo program: data and a full run through Airflow.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")


def make_console(file: IO[str] | None = None) -> Console:
    """A console that is wide enough for the trend table even when output is not a terminal.

    Markup is off: file names, program titles and messages are printed as they are, never read as Rich
    markup (`[a-z]` in a pattern, `[/x]` in a key); styled words are `Text` objects.
    """
    stream = file or sys.stdout
    width = None if stream.isatty() else 140
    return Console(file=file, width=width, markup=False)


console = make_console()
err = Console(stderr=True, markup=False, highlight=False)

ProgramOpt = Annotated[str, typer.Option("--program", "-p", help="Program id or pipeline file.")]


def one_line(message: str) -> str:
    return " ".join(message.split())


def say(target: Console, label: str, style: str, message: str) -> None:
    """`label message`, the label styled, the message printed as it is, on one line."""
    target.print(Text.assemble((label, style), " ", one_line(message)), soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    say(err, "error:", "red", message)
    return typer.Exit(code=2)


def resolve_program(ref: str) -> ProgramConfig:
    """A program by file path or by id among the pipeline files (an invalid file hides no other)."""
    path = Path(ref)
    try:
        if path.suffix in {".yaml", ".yml"} and path.is_file():
            return load_program(path)
    except ProgramConfigError as exc:
        raise _fail(str(exc)) from None
    folder = get_settings().pipelines_dir
    unreadable = []
    for candidate in sorted(folder.glob("*.yaml")):
        try:
            program = load_program(candidate)
        except ProgramConfigError:
            unreadable.append(candidate.name)
            continue
        if program.program == ref:
            return program
    hint = f" ({', '.join(unreadable)} invalid: see `listening validate`)" if unreadable else ""
    raise _fail(f"no program {ref!r} in {folder}{hint}")


def _parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"not a date (YYYY-MM-DD): {value!r}") from None


def _ensure_over(period: str, next_day: dt.date, program: ProgramConfig) -> None:
    from listening.periods import not_over

    if problem := not_over(period, next_day, program.schedules.timezone):
        raise _fail(problem)


def _run_id(stage: str) -> str:
    return f"cli__{stage}__{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}_{uuid.uuid4().hex[:6]}"


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the project database to the newest schema."""
    from listening.store.db import upgrade

    upgrade()
    console.print(f"database at head: {_safe_url(get_settings().database_url)}")


@db_app.command("roles")
def db_roles(
    prefix: Annotated[str, typer.Option(help="Role name prefix.")] = "listening_",
) -> None:
    """PostgreSQL: create the pipeline, analyst and privacy roles and grant them their tables."""
    from listening.store.db import get_engine
    from listening.store.roles import create_roles

    engine = get_engine()
    if engine.dialect.name != "postgresql":
        raise _fail("database roles need PostgreSQL (set LISTENING_DATABASE_URL)")
    with engine.begin() as conn:
        roles = create_roles(conn, prefix)
    console.print(roles)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command("validate")
def validate(paths: Annotated[list[Path] | None, typer.Argument(help="Pipeline files.")] = None) -> None:
    """Validate pipeline files (default: every file in the pipelines folder) and their governance."""
    from listening.governance import check_program

    files = paths or sorted(get_settings().pipelines_dir.glob("*.yaml"))
    failed = False
    for path in files:
        try:
            program = load_program(path)
        except ProgramConfigError as exc:
            say(err, "invalid", "red", str(exc))
            failed = True
            continue
        problems = check_program(program, dt.datetime.now(dt.UTC).date())
        if problems:
            say(err, "refused", "red", f"{path}: " + "; ".join(problems))
            failed = True
        else:
            say(console, "ok", "green", f"{path}: {program.program} ({program.fingerprint})")
    if failed:
        raise typer.Exit(code=2)


@app.command("dags")
def dags(
    dags_dir: Annotated[
        Path | None, typer.Option(help="Airflow's DAGs folder (default: $AIRFLOW__CORE__DAGS_FOLDER, dags/).")
    ] = None,
) -> None:
    """Write the thin Airflow DAG file of every pipeline file that has none (one DAG file per program)."""
    from listening.dag_files import orphan_dag_files, write_dag_files

    for path in write_dag_files(dags_dir=dags_dir):
        console.print(f"wrote {path}")
    for path in orphan_dag_files(dags_dir=dags_dir):
        say(
            err, "warning:", "yellow", f"no pipeline file for {path}: delete it, or restore the pipeline file"
        )


@app.command("schemas")
def schemas() -> None:
    """Regenerate the JSON Schemas in schemas/ from the pydantic models."""
    from listening.schemas import write_schemas

    for path in write_schemas():
        console.print(f"wrote {path}")


@app.command("run-day")
def run_day(program: ProgramOpt, day: Annotated[str, typer.Option(help="YYYY-MM-DD")]) -> None:
    """Collect, redact and store one day of every source, without Airflow."""
    from listening import stages

    config = resolve_program(program)
    target = _parse_day(day)
    _ensure_over(f"day {target}", target + dt.timedelta(days=1), config)
    run_id = _run_id("run-day")
    counts = [
        stages.collect_redact_store(config, shard, run_id=run_id)
        for shard in stages.plan_shards(config, target)
    ]
    total = stages.summarise_day(config, target, counts, run_id=run_id)
    console.print(total)


@app.command("aggregate-week")
def aggregate_week(program: ProgramOpt, week: Annotated[str, typer.Option(help="YYYY-Www")]) -> None:
    """Compute one ISO week's trend cells as a pending release."""
    from listening import stages

    config = resolve_program(program)
    _ensure_over(f"week {week}", _week_start(week) + dt.timedelta(days=7), config)
    console.print(stages.aggregate(config, week))


@app.command("release")
def release(
    program: ProgramOpt,
    week: Annotated[str, typer.Option(help="YYYY-Www")],
    approved_by: Annotated[str, typer.Option(help="The privacy officer signing off.")],
) -> None:
    """Sign off and release a week: publishes its cells and destroys the week's author key."""
    from listening import stages

    if approved_by.strip().lower() == "auto":
        raise _fail("a sign-off needs the privacy officer's name, not 'auto'")
    summary = stages.release(resolve_program(program), _check_week(week), approved_by=approved_by)
    if summary.get("status") == "refused":
        say(err, "refused:", "red", str(summary.get("reason")))
        raise typer.Exit(code=1)
    console.print(summary)


def _week_start(week: str) -> dt.date:
    from listening.periods import week_start

    try:
        return week_start(week)
    except ValueError:
        raise _fail(f"not an ISO week (YYYY-Www): {week!r}") from None


def _check_week(week: str) -> str:
    _week_start(week)
    return week


def _ensure_aggregated(program: ProgramConfig, week: str) -> None:
    from listening.aggregate.weekly import find_release
    from listening.store.db import session_scope

    with session_scope() as session:
        if find_release(session, program.program, week) is None:
            raise _fail(
                f"{program.program} {week}: the week has not been aggregated (listening aggregate-week)"
            )


@app.command("purge")
def purge(program: ProgramOpt) -> None:
    """Erase text, log and quarantine rows past their retention windows now."""
    from listening import stages

    console.print(
        stages.purge(resolve_program(program), now=dt.datetime.now(dt.UTC), run_id=_run_id("purge"))
    )


@app.command("report")
def report(program: ProgramOpt, week: Annotated[str, typer.Option(help="YYYY-Www")]) -> None:
    """Write a week's analyst exports and privacy review to the export folder."""
    from listening import stages

    config = resolve_program(program)
    _ensure_aggregated(config, _check_week(week))
    console.print(stages.reports(config, week))
    console.print(f"written to {get_settings().export_dir / config.program / week}")


@app.command("trends")
def trends(
    program: ProgramOpt,
    weeks: Annotated[int, typer.Option(help="How many of the newest weeks.")] = 4,
    source: Annotated[str, typer.Option(help="A source name, or `all`.")] = "all",
    pending: Annotated[bool, typer.Option(help="Include cells not yet released.")] = False,
) -> None:
    """Print the weekly trend table."""
    console.print(
        trend_table(resolve_program(program), weeks=weeks, source=source, released_only=not pending)
    )


def trend_table(program: ProgramConfig, *, weeks: int, source: str, released_only: bool) -> Table:
    """A rich table of the newest weeks' cells for one source (or all sources)."""
    from listening.reports.weekly import trend_frame
    from listening.store.db import session_scope

    with session_scope() as session:
        frame = trend_frame(session, program.program, weeks=weeks, released_only=released_only, source=source)
    labels = {t.id: t.label for t in program.topics} | {"all": "All topics"}
    table = Table(title=Text(f"{program.title}: weekly trends ({source} sources)"), show_lines=False)
    for name, justify in (
        ("week", "left"),
        ("topic", "left"),
        ("mentions", "right"),
        ("authors", "right"),
        ("pos", "right"),
        ("neu", "right"),
        ("neg", "right"),
        ("mean", "right"),
        ("wow", "right"),
        ("", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in frame.sort_values(["iso_week", "topic"], ascending=[False, True]).to_dict("records"):
        table.add_row(*(Text(c) if isinstance(c, str) else c for c in _trend_cells(row, labels)))
    return table


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _pct(value: Any) -> str:
    return "" if _missing(value) else f"{value:.0%}"


def _trend_cells(row: dict[str, Any], labels: dict[str, str]) -> list[str | Text]:
    topic = labels.get(row["topic"], row["topic"])
    if row["suppressed"]:
        return [row["iso_week"], topic, "·", "·", "", "", "", "", "", f"suppressed ({row['suppression']})"]
    wow = row["wow_change"]
    return [
        row["iso_week"],
        topic,
        str(int(row["mentions"])),
        str(int(row["distinct_authors"])),
        _pct(row["positive_share"]),
        _pct(row["neutral_share"]),
        _pct(row["negative_share"]),
        f"{row['mean_compound']:+.2f}",
        "" if _missing(wow) else f"{wow:+.0%}",
        Text("spike", style="bold red") if row["spike"] else "",
    ]


@app.command("redact")
def redact(
    program: Annotated[
        Path | None, typer.Option("--program", "-p", help="Pipeline file for the policy.")
    ] = None,
) -> None:
    """Redact JSONL on standard input (objects with `text`) to JSONL on standard output."""
    from listening.config import RedactionPolicy
    from listening.privacy.cli_redact import redact_stream

    policy = resolve_program(str(program)).privacy.redaction if program else RedactionPolicy()
    counts = redact_stream(sys.stdin.buffer, sys.stdout, policy, get_settings().redaction_batch_size)
    err.print(f"redacted {counts['redacted']} lines, {counts['errors']} errors", highlight=False)


@demo_app.command("generate")
def demo_generate(
    out: Annotated[Path | None, typer.Option(help="Data folder (default: the configured one).")] = None,
    weeks: Annotated[int, typer.Option(help="How many weeks.")] = 6,
    seed: Annotated[int, typer.Option()] = 20261,
) -> None:
    """Write the demo program's input files (deterministic for a seed)."""
    from listening import demo

    manifest = demo.generate(
        out or get_settings().data_dir, start=demo.default_start(), days=7 * weeks, seed=seed
    )
    console.print(f"{manifest.records} records in {len(manifest.files)} files")


@demo_app.command("run")
def demo_run(
    weeks: Annotated[int, typer.Option(help="How many demo weeks to run.")] = 6,
    fresh: Annotated[bool, typer.Option(help="Start from an empty database.")] = False,
) -> None:
    """Generate the demo data if missing and run every nightly and weekly DAG through Airflow."""
    from listening.demo_run import run_demo

    run_demo(weeks=weeks, fresh=fresh)


def _describe(exc: Exception) -> str:
    """One line for an error the commands do not handle themselves, never holding record content."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    from listening.aggregate.errors import ReleaseRefused
    from listening.governance import ProgramRefused
    from listening.stages import StageError

    url = get_settings().database_url
    if isinstance(exc, DBAPIError):
        cause = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        hint = "; run `listening db upgrade`" if "no such table" in cause or "does not exist" in cause else ""
        return f"database {_safe_url(url)}: {cause}{hint}"
    if isinstance(exc, ArgumentError | NoSuchModuleError):
        return f"LISTENING_DATABASE_URL is not a usable database URL ({exc})"
    if isinstance(exc, ProgramConfigError | ProgramRefused | StageError | ReleaseRefused):
        return str(exc)
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or type(exc).__name__}{where}"
    return f"unexpected {type(exc).__name__} (set LISTENING_DEBUG=1 to see the traceback)"


def _argument_error(exc: Exception) -> bool:
    """Click's usage and parameter errors (Typer vendors Click in newer versions: duck-typed)."""
    return callable(getattr(exc, "format_message", None)) and isinstance(getattr(exc, "exit_code", None), int)


def main(args: list[str] | None = None) -> None:
    """`listening`: every error ends as one line on stderr and a non-zero exit, never a traceback."""
    try:
        code = app(args=args, prog_name="listening", standalone_mode=False)
    except typer.Abort:
        say(err, "aborted", "red", "")
        sys.exit(130)
    except Exception as exc:
        context = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":  # `listening` alone: the help, as Click shows it
            if text := str(getattr(exc, "format_message", str)()).strip():
                print(text)  # (newer Typer has printed it already)
            sys.exit(2)
        if _argument_error(exc):
            hint = f" (see `{context.command_path} --help`)" if context is not None else ""
            say(err, "error:", "red", getattr(exc, "format_message")() + hint)  # noqa: B009
            sys.exit(int(getattr(exc, "exit_code")))  # noqa: B009
        if os.environ.get("LISTENING_DEBUG"):
            raise
        say(err, "error:", "red", _describe(exc))
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
