"""`make run`: the demo program end to end through Airflow, on SQLite, with no server."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

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


@contextmanager
def output_to(log_file: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors 1 and 2) to a log file for a while.

    Descriptor-level, because Airflow's loggers keep a reference to the stream they started with.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_file.open("ab") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def run_dag(dag: Any, logical_date: dt.datetime) -> str:
    """Run one DAG run in-process with `dag.test()`; its state, e.g. `success`."""
    return str(dag.test(logical_date=logical_date).state)


def run_demo(*, weeks: int = 6, fresh: bool = False, console: Console | None = None) -> None:
    """Generate demo data when missing, then run the nightly DAG for every day and the weekly DAG per week."""
    # Progress goes to the terminal through its own descriptor while Airflow's output goes to the log.
    from listening.cli import make_console

    console = console or make_console(os.fdopen(os.dup(1), "w"))
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
    with (
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress,
        output_to(log_file),
    ):
        nightly = progress.add_task("nightly runs", total=len(days))
        weekly = progress.add_task("weekly runs ", total=len(weeks_seen))
        for week in weeks_seen:
            for day in (d for d in days if iso_week(d) == week):
                when = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(2, 30), tzinfo=dt.UTC)
                if run_dag(dags[ids["nightly"]], when) != "success":
                    failures.append(f"nightly {day}")
                progress.advance(nightly)
            monday = week_start(week) + dt.timedelta(days=7)
            if (
                run_dag(dags[ids["weekly"]], dt.datetime.combine(monday, dt.time(4), tzinfo=dt.UTC))
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
        console.print(Text.assemble(("failed runs:", "red"), f" {', '.join(failures)} (see {log_file})"))
        raise SystemExit(1)
