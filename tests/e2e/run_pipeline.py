"""Drive the demo program's DAGs with `dag.test()` in this process, the way `make run` does.

Run by tests/e2e/test_pipeline_airflow.py in a child process, so that everything the process writes
(Airflow's structlog output, stdlib loggers holding an early stream, print, C-level writes) reaches
the captured stdout/stderr, and Airflow reads a fresh AIRFLOW_HOME from the environment at import.

    python run_pipeline.py collect --start 2026-10-05 --days 3 --result out.json
    python run_pipeline.py retention --now 2026-11-14T05:00:00+00:00 --result out.json

Writes to `--result` a JSON object: `runs`, one `{"dag", "logical_date", "state"}` per DAG run, and
`written`, every path this process opened for writing (an audit hook sees Python-level opens anywhere,
`tempfile` included, and SQLite connections), so the test can search exactly the files it wrote.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

PROGRAM = "city_services"
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND
_written: set[str] = set()


def _record_writes(event: str, args: tuple[Any, ...]) -> None:
    if event == "open":
        path, mode, flags = args
        writes = (
            any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & _WRITE_FLAGS)
        )
    elif event == "sqlite3.connect":
        path, writes = args[0], True
    else:
        return
    if writes and isinstance(path, str | bytes | os.PathLike):
        _written.add(os.path.abspath(os.fsdecode(path)))


def _run(dag: Any, logical_date: dt.datetime) -> dict[str, str]:
    run = dag.test(logical_date=logical_date)
    return {"dag": dag.dag_id, "logical_date": logical_date.isoformat(), "state": str(run.state)}


def collect(start: dt.date, days: int) -> list[dict[str, str]]:
    """The nightly DAG for every day, then the weekly DAG for each ISO week the days cover."""
    from listening.orchestration import build_dags, dag_ids
    from listening.periods import iso_week, week_start

    dags, ids = build_dags(), dag_ids(PROGRAM)
    covered = [start + dt.timedelta(days=i) for i in range(days)]
    runs = [
        _run(
            dags[ids["nightly"]], dt.datetime.combine(d + dt.timedelta(days=1), dt.time(2, 30), tzinfo=dt.UTC)
        )
        for d in covered
    ]
    for week in sorted({iso_week(d) for d in covered}):
        monday = week_start(week) + dt.timedelta(days=7)
        runs.append(_run(dags[ids["weekly"]], dt.datetime.combine(monday, dt.time(4), tzinfo=dt.UTC)))
    return runs


def retention(now: dt.datetime) -> list[dict[str, str]]:
    from listening.orchestration import build_dags, dag_ids

    return [_run(build_dags()[dag_ids(PROGRAM)["retention"]], now)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["collect", "retention"])
    parser.add_argument("--start", type=dt.date.fromisoformat)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--now", type=dt.datetime.fromisoformat)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    sys.addaudithook(_record_writes)
    if args.phase == "collect":
        # The demo's platform sources read from the replay server, as under `make run`.
        from listening.demo_replay import replaying
        from listening.settings import get_settings

        with replaying(get_settings().data_dir):
            runs = collect(args.start, args.days)
    else:
        runs = retention(args.now)
    args.result.write_text(json.dumps({"runs": runs, "written": sorted(_written)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
