"""`listening ...`: run a stage, redact JSONL, show trends, render reports, migrate the database."""

from __future__ import annotations

import datetime as dt
import json
import sys
import uuid
from pathlib import Path
from typing import IO, Annotated, Any, Literal

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from listening.config import ProgramConfig, ProgramConfigError, load_program, load_programs
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
    """A console that is wide enough for the trend table even when output is not a terminal."""
    stream = file or sys.stdout
    width = None if stream.isatty() else 140
    return Console(file=file, width=width)


console = make_console()
err = Console(stderr=True)

ProgramOpt = Annotated[str, typer.Option("--program", "-p", help="Program id or pipeline file.")]


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=2)


def resolve_program(ref: str) -> ProgramConfig:
    """A program by file path or by id among the pipeline files."""
    try:
        path = Path(ref)
        if path.suffix in {".yaml", ".yml"} and path.exists():
            return load_program(path)
        for _, program in load_programs(get_settings().pipelines_dir):
            if program.program == ref:
                return program
    except ProgramConfigError as exc:
        raise _fail(str(exc)) from None
    raise _fail(f"no program {ref!r} in {get_settings().pipelines_dir}")


def _parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"not a date (YYYY-MM-DD): {value!r}") from None


def print_json(value: Any) -> None:
    """A summary as JSON on standard output: what scripts read."""
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")
    sys.stdout.flush()


def progress(total: int, description: str) -> Any:
    """A progress bar on standard error (standard output stays clean for JSON)."""
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
            err.print(f"[red]invalid[/red] {exc}")
            failed = True
            continue
        problems = check_program(program, dt.datetime.now(dt.UTC).date())
        if problems:
            err.print(f"[red]refused[/red] {path}: " + "; ".join(problems))
            failed = True
        else:
            console.print(f"[green]ok[/green] {path}: {program.program} ({program.fingerprint})")
    if failed:
        raise typer.Exit(code=2)


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
    run_id = _run_id("run-day")
    shards = stages.plan_shards(config, target)
    counts = []
    bar, task = progress(len(shards), f"{config.program} {target}: shards")
    with bar:
        for shard in shards:
            counts.append(stages.collect_redact_store(config, shard, run_id=run_id))
            bar.advance(task)
    print_json(stages.summarise_day(config, target, counts, run_id=run_id))


@app.command("aggregate-week")
def aggregate_week(program: ProgramOpt, week: Annotated[str, typer.Option(help="YYYY-Www")]) -> None:
    """Compute one ISO week's trend cells as a pending release."""
    from listening import stages

    config = resolve_program(program)
    with err.status(f"aggregating {config.program} {week}"):
        summary = stages.aggregate(config, _check_week(week))
    print_json(summary)


def _decide(program: str, week: str, decision: str, user: str, note: str) -> None:
    from listening import stages
    from listening.aggregate.errors import ReleaseRefused

    config = resolve_program(program)
    iso_week = _check_week(week)
    try:
        summary = stages.decide(config, iso_week, decision=decision, user_id=user, note=note, channel="cli")
    except ReleaseRefused as exc:
        raise _fail(f"refused: {exc}") from None
    with err.status("writing the week's reports"):
        summary["reports"] = stages.reports(config, iso_week)["folder"]
    print_json(summary)


WeekOpt = Annotated[str, typer.Option("--week", "-w", help="ISO week, YYYY-Www.")]
UserOpt = Annotated[
    str, typer.Option("--by", help="Your privacy-officer id, as named in the pipeline file's governance.")
]


@release_app.command("approve")
def release_approve(
    program: ProgramOpt,
    week: WeekOpt,
    by: UserOpt,
    note: Annotated[str, typer.Option(help="What you checked (recorded with the decision).")] = "",
) -> None:
    """Approve a pending week: publish its cells and exports, destroy the week's author key."""
    _decide(program, week, "approve", by, note)


@release_app.command("reject")
def release_reject(
    program: ProgramOpt,
    week: WeekOpt,
    by: UserOpt,
    note: Annotated[str, typer.Option(help="Why the week is not released (required).")],
) -> None:
    """Reject a pending week: it stays unpublished, with your reason recorded."""
    _decide(program, week, "reject", by, note)


def _check_week(week: str) -> str:
    from listening.periods import week_start

    try:
        week_start(week)
    except ValueError:
        raise _fail(f"not an ISO week (YYYY-Www): {week!r}") from None
    return week


@app.command("purge")
def purge(program: ProgramOpt) -> None:
    """Erase text, log and quarantine rows past their retention windows now."""
    from listening import stages

    print_json(stages.purge(resolve_program(program), now=dt.datetime.now(dt.UTC), run_id=_run_id("purge")))


@app.command("report")
def report(program: ProgramOpt, week: WeekOpt) -> None:
    """Write a week's privacy review and, once released, its analyst report and exports."""
    from listening import stages
    from listening.reports.weekly import NotAggregated

    config = resolve_program(program)
    iso_week = _check_week(week)
    try:
        with err.status(f"writing reports for {config.program} {iso_week}"):
            summary = stages.reports(config, iso_week)
    except NotAggregated:
        raise _fail(
            f"{config.program} {iso_week} was never aggregated: run `listening aggregate-week` first"
        ) from None
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
    """Print the weekly trend table (released cells), with 95% intervals and changes in csv and json."""
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
        title=f"{program.title}: weekly trends ({program.source_label(source)})",
        caption="● significant: the two weeks' 95% intervals do not overlap",
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
        topic = escape(str(row["topic_label"]))
        if row["suppressed"]:
            table.add_row(row["iso_week"], topic, "[dim]suppressed[/dim]", "", "", "", "", "", "", "")
            continue
        change = signed_percent(row["wow_change"])
        if row["wow_significant"] is True:
            change += " ●"
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
            f"[bold red]spike[/bold red] z {signed(row['spike_z'], 1)}" if row["spike"] is True else "",
        )
    return table


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


if __name__ == "__main__":
    app()
