"""`listening ...`: run a stage, redact JSONL, show trends, render reports, migrate the database."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import uuid
from pathlib import Path
from typing import IO, Annotated, Any, Literal

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
release_app = typer.Typer(
    help="Sign off a weekly release (the same decision as Airflow's Required Actions).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(release_app, name="release")


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


def print_json(value: Any) -> None:
    """A summary as JSON on standard output: what scripts read."""
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")
    sys.stdout.flush()


def progress(total: int, description: str) -> Any:
    """A progress bar on standard error (standard output stays clean for JSON); and its task id."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    return bar, bar.add_task(description, total=total)


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
    """Collect, redact and store one day of every source, without Airflow.

    A source that fails does not stop the others; the summary names it, and the command then exits 1.
    """
    from listening import stages

    config = resolve_program(program)
    target = _parse_day(day)
    _ensure_over(f"day {target}", target + dt.timedelta(days=1), config)
    run_id = _run_id("run-day")
    _ensure_database()  # before any source is fetched: a database that does not answer is one line
    shards = stages.plan_shards(config, target)
    bar, task = progress(len(shards), f"{config.program} {target}: shards")
    with bar:
        for shard in shards:
            try:
                stages.collect_redact_store(config, shard, run_id=run_id)
            except stages.SourceFailed as exc:  # that source fails; any other error stops the run
                say(err, "failed:", "red", str(exc))
            bar.advance(task)
    summary = stages.summarise_day(config, target, run_id=run_id, planned=shards)
    print_json(summary)
    if summary["failed"]:
        say(err, "error:", "red", f"{config.program} {target}: {stages.day_problems(summary)}")
        raise typer.Exit(code=1)
    if summary["missing"]:
        say(err, "warning:", "yellow", f"{config.program} {target}: {stages.day_problems(summary)}")


def _ensure_database() -> None:
    """Fail at once (one line, from `main`) when the project database does not answer."""
    from sqlalchemy import text

    from listening.store.db import session_scope

    with session_scope() as session:
        session.execute(text("SELECT 1"))


@app.command("runs")
def runs(
    program: ProgramOpt,
    days: Annotated[int, typer.Option(help="How many of the newest days (1 or more).")] = 14,
    output: Annotated[Literal["table", "json"], typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """The run log of the newest days: each source's status (success, missing, failed) and counts."""
    from listening.reports.runlog import cursors, day_sources

    config = resolve_program(program)
    if days < 1:
        raise _fail(f"--days must be 1 or more, not {days}")
    rows = day_sources(config, days=days)
    if output == "json":
        print_json(rows)
        return
    table = Table(title=Text(f"{config.title}: nightly runs by source"))
    for name, justify in (
        ("day", "left"),
        ("source", "left"),
        ("status", "left"),
        ("read", "right"),
        ("stored", "right"),
        ("dupl.", "right"),
        ("quar.", "right"),
        ("note", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    styles = {"success": "green", "missing": "yellow", "failed": "bold red"}
    for row in rows:
        table.add_row(
            row["day"],
            Text(row["source_label"]),
            Text(row["status"], style=styles.get(row["status"], "")),
            str(row["read"]),
            str(row["stored"]),
            str(row["duplicates"]),
            str(row["quarantined"]),
            Text(row["note"]),
        )
    console.print(table)
    marks = Table(title=Text("Watermarks: how far each query has been fetched"))
    for name in ("source", "query", "fetched until", "last run", "read"):
        marks.add_column(name, justify="right" if name == "read" else "left")
    for mark in cursors(config):
        marks.add_row(
            Text(mark["source_label"]),
            Text(mark["query"]),
            mark["fetched_until"],
            Text(mark["last_run"]),
            str(mark["last_read"]),
        )
    console.print(marks)


@app.command("programs")
def programs(
    program: Annotated[str | None, typer.Option("--program", "-p", help="One program id or file.")] = None,
    output: Annotated[Literal["table", "json"], typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """The public register: programs, their sources and queries, purpose, approver, review date, retention."""
    from listening.reports.register import program_register, register_tables

    if program is not None:
        configs = [resolve_program(program)]
    else:
        configs = []
        for candidate in sorted(get_settings().pipelines_dir.glob("*.yaml")):
            try:
                configs.append(load_program(candidate))
            except ProgramConfigError as exc:
                say(err, "skipped:", "yellow", str(exc))
    entries = [program_register(config) for config in configs]
    if output == "json":
        print_json(entries)
        return
    if not entries:
        raise _fail(f"no valid programs in {get_settings().pipelines_dir}")
    for table in register_tables(entries):
        console.print(table)


@app.command("aggregate-week")
def aggregate_week(program: ProgramOpt, week: Annotated[str, typer.Option(help="YYYY-Www")]) -> None:
    """Compute one ISO week's trend cells as a pending release."""
    from listening import stages

    config = resolve_program(program)
    _ensure_over(f"week {week}", _week_start(week) + dt.timedelta(days=7), config)
    with err.status(f"aggregating {config.program} {week}"):
        summary = stages.aggregate(config, week)
    print_json(summary)


WeekOpt = Annotated[str, typer.Option("--week", "-w", help="ISO week, YYYY-Www.")]
OfficerOpt = Annotated[
    str, typer.Option("--by", help="Your privacy-officer id, as named in the pipeline file's governance.")
]


def _decide(program: str, week: str, decision: str, user: str, note: str) -> None:
    from listening import stages
    from listening.aggregate.errors import ReleaseRefused

    config = resolve_program(program)
    iso_week = _check_week(week)
    try:
        summary = stages.decide(config, iso_week, decision=decision, user_id=user, note=note, channel="cli")
    except ReleaseRefused as exc:
        say(err, "refused:", "red", str(exc))
        raise typer.Exit(code=1) from None
    with err.status("writing the week's reports"):
        summary["reports"] = stages.reports(config, iso_week)["folder"]
    print_json(summary)


@release_app.command("approve")
def release_approve(
    program: ProgramOpt,
    week: WeekOpt,
    by: OfficerOpt,
    note: Annotated[str, typer.Option(help="What you checked (recorded with the decision).")] = "",
) -> None:
    """Approve a pending week: publish its cells and exports, destroy the week's author key."""
    _decide(program, week, "approve", by, note)


@release_app.command("reject")
def release_reject(
    program: ProgramOpt,
    week: WeekOpt,
    by: OfficerOpt,
    note: Annotated[str, typer.Option(help="Why the week is not released (required).")],
) -> None:
    """Reject a pending week: it stays unpublished, with your reason recorded."""
    _decide(program, week, "reject", by, note)


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

    print_json(stages.purge(resolve_program(program), now=dt.datetime.now(dt.UTC), run_id=_run_id("purge")))


@app.command("report")
def report(program: ProgramOpt, week: WeekOpt) -> None:
    """Write a week's privacy review and, once released, its analyst report and exports."""
    from listening import stages

    config = resolve_program(program)
    _ensure_aggregated(config, _check_week(week))
    with err.status(f"writing reports for {config.program} {week}"):
        summary = stages.reports(config, week)
    print_json(summary)


Format = Literal["table", "csv", "json"]


@app.command("trends")
def trends(  # noqa: PLR0917 - typer passes options positionally
    program: ProgramOpt,
    weeks: Annotated[int, typer.Option(help="How many of the newest weeks (1 or more).")] = 4,
    topic: Annotated[str | None, typer.Option(help="One topic id (or `all`, `none`).")] = None,
    source: Annotated[str, typer.Option(help="A source name, or `all` for every source together.")] = "all",
    output: Annotated[Format, typer.Option("--format", help="table, csv or json.")] = "table",
    pending: Annotated[bool, typer.Option(help="Include cells not yet released.")] = False,
) -> None:
    """Print the weekly trend table (released cells); csv and json carry intervals and changes too."""
    config = resolve_program(program)
    if weeks < 1:
        raise _fail(f"--weeks must be 1 or more, not {weeks}")
    topics = {t.id for t in config.topics} | {"all", "none"}
    if topic is not None and topic not in topics:
        raise _fail(f"unknown topic {topic!r}; topics of {config.program}: {', '.join(sorted(topics))}")
    sources = {s.name for s in config.sources} | {"all"}
    if source not in sources:
        raise _fail(f"unknown source {source!r}; sources of {config.program}: {', '.join(sorted(sources))}")
    frame = trend_export(config, weeks=weeks, topic=topic, source=source, released_only=not pending)
    if output == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    elif output == "json":
        print_json(json.loads(frame.to_json(orient="records", date_format="iso")))
    else:
        console.print(trend_table(config, frame, source=source))


def trend_export(
    program: ProgramConfig,
    *,
    weeks: int,
    topic: str | None = None,
    source: str = "all",
    released_only: bool = True,
) -> pd.DataFrame:
    """Export rows (the columns of trends.csv) of the newest weeks."""
    from listening.reports.weekly import export_frame
    from listening.store.db import session_scope

    with session_scope() as session:
        return export_frame(
            session, program, weeks=weeks, released_only=released_only, topic=topic, source=source
        )


def trend_table(program: ProgramConfig, frame: pd.DataFrame, *, source: str) -> Table:
    """A rich table of export rows: suppressed cells read as suppressed, significant changes marked."""
    from listening.reports.formatting import number, percent, signed, signed_percent

    table = Table(
        title=Text(f"{program.title}: weekly trends ({program.source_label(source)})"),
        caption=Text("● significant: the two weeks' 95% intervals do not overlap"),
        show_lines=False,
    )
    for name, justify in (
        ("week", "left"),
        ("topic", "left"),
        ("mentions", "right"),
        ("authors", "right"),
        ("pos", "right"),
        ("neu", "right"),
        ("neg", "right"),
        ("mean", "right"),
        ("change", "right"),
        ("", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in frame.to_dict("records"):
        topic = Text(str(row["topic_label"]))
        if row["suppressed"]:
            table.add_row(row["iso_week"], topic, Text("suppressed", style="dim"), "", "", "", "", "", "", "")
            continue
        change = signed_percent(row["wow_change"])
        if row["wow_significant"] is True:
            change += " ●"
        spike = Text(f"spike z {signed(row['spike_z'], 1)}", style="bold red") if row["spike"] is True else ""
        table.add_row(
            row["iso_week"],
            topic,
            number(row["mentions"]),
            number(row["distinct_authors"]),
            percent(row["positive_share"]),
            percent(row["neutral_share"]),
            percent(row["negative_share"]),
            signed(row["mean_compound"]),
            change,
            spike,
        )
    return table


@app.command("redact")
def redact(
    program: Annotated[
        Path | None,
        typer.Option(
            "--program", "-p", help="Pipeline file or program id: its redaction policy and topic words."
        ),
    ] = None,
) -> None:
    """Redact JSONL on standard input (objects with `text`) to JSONL on standard output."""
    from listening.config import RedactionPolicy
    from listening.privacy.cli_redact import redact_stream
    from listening.privacy.redactor import topic_terms

    # With a program: its policy and its own taxonomy's words, exactly as the nightly stage redacts.
    config = resolve_program(str(program)) if program else None
    policy = config.privacy.redaction if config else RedactionPolicy()
    terms = topic_terms(config.topics) if config else ()
    batch = get_settings().redaction_batch_size
    counts = redact_stream(sys.stdin.buffer, sys.stdout, policy, batch, terms=terms)
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


@demo_app.command("serve")
def demo_serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 0,
    data: Annotated[Path | None, typer.Option(help="Data folder (default: the configured one).")] = None,
) -> None:
    """Serve the demo's posts as Mastodon, Bluesky and RSS responses on 127.0.0.1 until interrupted.

    Point a run at it with `LISTENING_REPLAY_PORT=<port>` (the demo pipeline's `{replay_port}`).
    """
    import time

    from listening.demo_replay import replaying

    data_dir = data or get_settings().data_dir
    with replaying(data_dir, port) as server:
        posts = len(server.recording.mastodon) + len(server.recording.bluesky)
        console.print(
            f"replaying {posts} demo posts from {data_dir} on http://127.0.0.1:{server.port} "
            f"(LISTENING_REPLAY_PORT={server.port}); Ctrl-C stops",
            highlight=False,
            soft_wrap=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


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
