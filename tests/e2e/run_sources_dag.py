"""Drive one nightly DAG run (`dag.test()`) of a program whose sources need secrets, one of them failing.

Run by tests/e2e/test_sources_airflow.py in a child process (Airflow reads its environment at import).
The file connector is wrapped so that reading a source resolves its credentials: `good` checks it got
the planted login, password and token (from an Airflow connection and an environment variable) and
then reads its files; `broken` resolves its token and then fails the way a refused token does.

    python run_sources_dag.py --day 2026-10-05 --result out.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("listening.test_connector")


def install_connector() -> None:
    import listening.sources.files  # registers the real file connector first
    from listening.sources.base import RawRecord, SourceError, Window
    from listening.sources.registry import register

    @register("file")
    class SecretReadingFile(listening.sources.files.FileConnector):
        def read(self, slice_name: str, window: Window) -> Iterator[RawRecord]:
            creds = self.ctx.credentials()
            log.info("source %s has credentials %r (%s)", self.source.name, creds, creds)
            if self.source.name == "broken":
                raise SourceError(f"source {self.source.name}: the server refused the token (HTTP 401)")
            expected = (
                os.environ["EXPECT_LOGIN"],
                os.environ["EXPECT_PASSWORD"],
                os.environ["EXPECT_TOKEN"],
            )
            if creds is None or (creds.login, creds.password, creds.token) != expected:
                raise SourceError(f"source {self.source.name}: credentials were not resolved as planted")
            yield from super().read(slice_name, window)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--day", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    install_connector()
    from listening.orchestration import build_dags

    (dag,) = [d for d in build_dags().values() if d.dag_id.endswith("_nightly")]
    logical = dt.datetime.combine(args.day + dt.timedelta(days=1), dt.time(2, 30), tzinfo=dt.UTC)
    run = dag.test(logical_date=logical)
    with sqlite3.connect(Path(os.environ["AIRFLOW_HOME"]) / "airflow.db") as conn:
        states = conn.execute(
            "SELECT task_id, map_index, state FROM task_instance WHERE run_id = ? "
            "ORDER BY task_id, map_index",
            (run.run_id,),
        ).fetchall()
    args.result.write_text(
        json.dumps({"state": str(run.state), "run_id": run.run_id, "tasks": [list(s) for s in states]})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
