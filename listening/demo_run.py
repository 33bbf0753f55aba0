"""`make run`: the demo program end to end through Airflow, on SQLite.

The demo's Mastodon and Bluesky posts come through the real connectors from the replay server
(`listening.demo_replay`), started on a free port on 127.0.0.1 for the run and stopped after it.
"""

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


def run_week(program: Any, weekly: Any, week: str) -> str:
    """The weekly DAG for one week: its state; "" for a program that needs a sign-off, whose weekly DAG
    would wait for a privacy officer, so the week is aggregated and its review written instead."""
    from listening import stages
    from listening.periods import week_start

    if not program.privacy.auto_release:
        stages.aggregate(program, week)
        stages.review(program, week)
        return ""
    monday = week_start(week) + dt.timedelta(days=7)
    return run_dag(weekly, dt.datetime.combine(monday, dt.time(4), tzinfo=dt.UTC))


def print_latest(console: Console, program: Any, awaiting: list[str]) -> None:
    """The newest released week's trend table, and the weeks waiting for a sign-off."""
    from listening.cli import trend_export, trend_table

    console.print(trend_table(program, trend_export(program, weeks=1), source="all"))
    if awaiting:
        officer = program.governance.privacy_officers[0].id
        console.print(
            f"{len(awaiting)} weeks wait for a privacy officer's sign-off (auto_release is off): "
            f"`listening release approve -p {DEMO_PROGRAM} --week {awaiting[0]} --by {officer}`, or in "
            "Airflow's Required Actions"
        )


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

    from listening.cli import resolve_program
    from listening.orchestration import build_dags, dag_ids
    from listening.periods import iso_week

    program = resolve_program(DEMO_PROGRAM)
    awaiting: list[str] = []
    dags = build_dags()
    ids = dag_ids(DEMO_PROGRAM)
    weeks_seen = sorted({iso_week(d) for d in days})
    failures: list[str] = []
    from listening.demo_replay import replaying

    with (
        replaying(settings.data_dir),
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
            state = run_week(program, dags[ids["weekly"]], week)
            if not state:
                awaiting.append(week)
            elif state != "success":
                failures.append(f"weekly {week}")
            progress.advance(weekly)

    print_latest(console, program, awaiting)
    console.print(
        f"project database: {settings.database_url}\n"
        f"exports and privacy reviews: {settings.export_dir / DEMO_PROGRAM}\n"
        f"Airflow home (metadata database, logs): {os.environ['AIRFLOW_HOME']}\n"
        f"Airflow output of this run: {log_file}\n"
        f"finished in {time.monotonic() - started:.0f} s"
    )
    if failures:
        console.print(Text.assemble(("failed runs:", "red"), f" {', '.join(failures)} (see {log_file})"))
        raise SystemExit(1)
