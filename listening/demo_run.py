"""`make run`: the demo program end to end through Airflow, on SQLite, with no server."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from listening.airflow_env import apply_airflow_env
from listening.settings import get_settings

DEMO_PROGRAM = "city_services"


def migrate_airflow(log_file: Path) -> None:
    """`airflow db migrate` under the project's AIRFLOW_HOME (idempotent)."""
    with log_file.open("a") as out:
        subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def demo_days(data_dir: Path) -> list[dt.date]:
    """The days for which demo files exist."""
    days = {dt.date.fromisoformat(p.stem) for p in (data_dir / DEMO_PROGRAM).glob("*/*-*-*.*")}
    return sorted(days)


def run_dag(dag: Any, logical_date: dt.datetime, log_file: Path) -> str:
    """Run one DAG run in-process with `dag.test()`; Airflow's own output goes to the log file."""
    with log_file.open("a") as out, redirect_stdout(out), redirect_stderr(out):
        run = dag.test(logical_date=logical_date)
    return str(run.state)


def run_demo(*, weeks: int = 6, fresh: bool = False, console: Console | None = None) -> None:
    """Generate demo data when missing, then run the nightly DAG for every day and the weekly DAG per week."""
    console = console or Console()
    settings = get_settings()
    started = time.monotonic()
    apply_airflow_env()
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    log_file = settings.home / "demo-run.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.write_text("")

    from listening import demo

    if not demo_days(settings.data_dir):
        manifest = demo.generate(settings.data_dir, start=demo.default_start(), days=7 * weeks)
        console.print(f"demo data: {manifest.records} records in {len(manifest.files)} files")
    days = demo_days(settings.data_dir)[: 7 * weeks]

    from listening.store.db import upgrade

    if fresh and settings.is_sqlite:
        Path(settings.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    upgrade()
    migrate_airflow(log_file)
    logging.getLogger("airflow").setLevel(logging.WARNING)

    from listening.orchestration import build_dags, dag_ids
    from listening.periods import iso_week, week_start

    dags = build_dags()
    ids = dag_ids(DEMO_PROGRAM)
    weeks_seen = sorted({iso_week(d) for d in days})
    failures: list[str] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        nightly = progress.add_task("nightly runs", total=len(days))
        weekly = progress.add_task("weekly runs ", total=len(weeks_seen))
        for week in weeks_seen:
            for day in (d for d in days if iso_week(d) == week):
                when = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(2, 30), tzinfo=dt.UTC)
                if run_dag(dags[ids["nightly"]], when, log_file) != "success":
                    failures.append(f"nightly {day}")
                progress.advance(nightly)
            monday = week_start(week) + dt.timedelta(days=7)
            if (
                run_dag(dags[ids["weekly"]], dt.datetime.combine(monday, dt.time(4), tzinfo=dt.UTC), log_file)
                != "success"
            ):
                failures.append(f"weekly {week}")
            progress.advance(weekly)

    from listening.cli import resolve_program, trend_table

    program = resolve_program(DEMO_PROGRAM)
    console.print(trend_table(program, weeks=4, source="all", released_only=True))
    console.print(f"project database: {settings.database_url}")
    console.print(f"exports and privacy reviews: {settings.export_dir / DEMO_PROGRAM}")
    console.print(f"Airflow home (metadata database, logs): {os.environ['AIRFLOW_HOME']}")
    console.print(f"Airflow output of this run: {log_file}")
    console.print(f"finished in {time.monotonic() - started:.0f} s")
    if failures:
        console.print(f"[red]failed runs:[/red] {', '.join(failures)} (see {log_file})")
        raise SystemExit(1)
