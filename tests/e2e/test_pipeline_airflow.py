"""The demo program end to end through Airflow (`dag.test()`), on SQLite and PostgreSQL, and the canary suite.

Three days of demo data inside one ISO week go through the nightly DAG day by day, then the weekly DAG
(aggregate, release, reports), then the retention DAG about 40 days later. The DAGs run in a child
process (tests/e2e/run_pipeline.py) with its own AIRFLOW_HOME, TMPDIR and LISTENING_* folders, so that
every byte it writes to stdout/stderr is captured: in-process, Airflow's stdlib handler keeps the stream
pytest had installed when Airflow was first imported, and `capfd` misses those lines.

Invariant 1 (raw text never rests): no canary planted in the input (names, handles, emails, phones,
addresses, ID numbers, platform post and author ids, post URLs) may appear in the project database
(before and after retention), Airflow's metadata database, the process output, Airflow's log folder,
the exports, the temporary folders or any other file the run wrote.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from listening import demo
from listening.airflow_env import airflow_env
from listening.config import load_program
from listening.periods import iso_week
from listening.stages import run_log
from listening.store import db
from listening.store.db import session_scope
from listening.store.models import KeyRecord, Mention, Release, Run, WeeklyTrend
from tests.e2e.support import (
    canary_needles,
    create_postgres_database,
    dump_database,
    dump_tree,
    find_canaries,
    postgres_server,
    read_files,
    search,
)
from tests.support import DEMO_PROGRAM, POSTGRES_ENV, ROOT

pytestmark = pytest.mark.slow

PROGRAM = "city_services"
DRIVER = Path(__file__).with_name("run_pipeline.py")
START = demo.default_start()  # a Monday six weeks or more ago: nothing is in the future
DAYS = 3
WEEK = iso_week(START)
RETENTION_NOW = dt.datetime.combine(START + dt.timedelta(days=40), dt.time(5), tzinfo=dt.UTC)
CHILD_TIMEOUT = 600


@dataclass
class PipelineRun:
    """One backend's complete run, and what was captured along the way."""

    backend: str
    url: str
    root: Path
    manifest: demo.GenerationManifest = field(repr=False)
    runs: list[dict[str, str]] = field(default_factory=list)
    output: dict[str, str] = field(default_factory=dict, repr=False)
    project_before_retention: dict[str, str] = field(default_factory=dict, repr=False)
    texts_before_retention: int = 0
    written: set[str] = field(default_factory=set, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def export_dir(self) -> Path:
        return self.home / "exports"

    @property
    def airflow_home(self) -> Path:
        return self.root / "airflow"

    @property
    def tmpdir(self) -> Path:
        return self.root / "tmp"

    @property
    def captured(self) -> Path:
        return self.root / "captured"

    @property
    def needles(self) -> dict[str, str]:
        return canary_needles(self.manifest.canaries)


def _child_env(run: PipelineRun) -> dict[str, str]:
    """The environment of `make run`, pointed at this run's folders; nothing inherited from pytest."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "PYTEST", "LISTENING_HOME", "LISTENING_DATA", "LISTENING_EXPORT"))
        and k not in {"LISTENING_DATABASE_URL", "LISTENING_PIPELINES_DIR", "TMPDIR", "TEMP", "TMP"}
    }
    return {
        **keep,
        **airflow_env(run.root),  # AIRFLOW_HOME = root/airflow, SQLite metadata database, logs under it
        "LISTENING_HOME": str(run.home),
        "LISTENING_DATABASE_URL": run.url,
        "LISTENING_DATA_DIR": str(run.data_dir),
        "LISTENING_EXPORT_DIR": str(run.export_dir),
        "LISTENING_PIPELINES_DIR": str(ROOT / "pipelines"),
        "TMPDIR": str(run.tmpdir),
        # Redaction on a pool of two worker processes inside the Airflow tasks, as on a 2-core machine.
        "LISTENING_REDACTION_WORKERS": "2",
    }


def _drive(run: PipelineRun, name: str, *args: str) -> None:
    """Run one phase of the driver; keep its stdout and stderr whole."""
    result = run.captured / f"{name}.json"
    out_path, err_path = run.captured / f"{name}.stdout", run.captured / f"{name}.stderr"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.run(
            [sys.executable, str(DRIVER), *args, "--result", str(result)],
            env=_child_env(run),
            cwd=run.home,
            stdout=out,
            stderr=err,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
    run.output[f"{name} stdout"] = out_path.read_bytes().decode("utf-8", errors="replace")
    run.output[f"{name} stderr"] = err_path.read_bytes().decode("utf-8", errors="replace")
    if proc.returncode != 0:
        tail = run.output[f"{name} stderr"][-3000:] or run.output[f"{name} stdout"][-3000:]
        pytest.fail(f"{name} phase exited with {proc.returncode}:\n{tail}")
    outcome = json.loads(result.read_text())
    run.runs += outcome["runs"]
    run.written |= set(outcome["written"])


@pytest.fixture(scope="module")
def airflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated Airflow metadata database, copied into each run's fresh AIRFLOW_HOME."""
    root = tmp_path_factory.mktemp("airflow-template")
    env = {**os.environ, **airflow_env(root)}
    env.pop("PYTEST_VERSION", None)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True
    )
    return Path(env["AIRFLOW_HOME"]) / "airflow.db"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pipeline(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, airflow_template: Path
) -> Iterator[PipelineRun]:
    """Generate three demo days, then nightly x3, weekly and retention through Airflow, capturing all."""
    backend = str(request.param)
    root = tmp_path_factory.mktemp(f"e2e-{backend}")
    postgres = None
    if backend == "postgresql":
        server = postgres_server()
        if server is None:
            pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
        postgres = create_postgres_database(server)
        url = postgres.url
    else:
        url = f"sqlite:///{root / 'home' / 'listening.db'}"
    try:
        manifest = demo.generate(root / "data", start=START, days=DAYS, canaries=True)
        run = PipelineRun(backend, url, root, manifest)
        for folder in (run.home, run.airflow_home, run.tmpdir, run.captured):
            folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(airflow_template, run.airflow_home / "airflow.db")
        db.upgrade(url)

        _drive(run, "collect", "collect", "--start", START.isoformat(), "--days", str(DAYS))
        run.project_before_retention = dump_database(url)
        with session_scope(url) as session:
            run.texts_before_retention = int(
                session.scalar(select(func.count()).where(Mention.text_redacted.is_not(None))) or 0
            )
        _drive(run, "retention", "retention", "--now", RETENTION_NOW.isoformat())
        yield run
    finally:
        db.get_engine(url).dispose()
        db.get_engine.cache_clear()
        if postgres is not None:
            postgres.drop()


def _records_in(path: Path) -> int:
    """Lines of a JSONL file, rows of a CSV file (header excluded): every record, good or bad."""
    raw = path.read_bytes()
    if path.suffix == ".csv":
        rows = csv.reader(io.StringIO(raw.decode("utf-8", errors="surrogateescape"), newline=""))
        return sum(1 for row in list(rows)[1:] if any(cell.strip() for cell in row))
    return sum(1 for line in raw.split(b"\n") if line.strip())


# --- the pipeline ---------------------------------------------------------------------------------------


def test_every_dag_run_succeeds(pipeline: PipelineRun) -> None:
    dags = [r["dag"] for r in pipeline.runs]
    assert dags == [f"listening_{PROGRAM}_{kind}" for kind in ["nightly"] * DAYS + ["weekly", "retention"]]
    assert {r["state"] for r in pipeline.runs} == {"success"}, pipeline.runs


def test_the_nightly_tasks_redacted_on_worker_processes(pipeline: PipelineRun) -> None:
    logged = pipeline.output["collect stdout"] + pipeline.output["collect stderr"]
    workers = re.findall(r"stored \((\d+) redaction workers\)", logged)
    assert len(workers) >= DAYS, logged[-2000:]
    assert set(workers) == {"2"}


def test_run_log_accounts_for_every_input_record(pipeline: PipelineRun) -> None:
    days = [(START + dt.timedelta(days=i)).isoformat() for i in range(DAYS)]
    files = {str(p.relative_to(pipeline.data_dir)): _records_in(p) for p in pipeline.manifest.files}
    source_of = {s.platform: s.name for s in demo.SOURCES}  # city_services/<platform>/<day>.<ext>
    per_source_day = {(source_of[p.parent.name], p.stem): _records_in(p) for p in pipeline.manifest.files}
    with session_scope(pipeline.url) as session:
        nightly = run_log(session, PROGRAM, "nightly")
        shards = run_log(session, PROGRAM, "collect")
        stored = session.scalar(select(func.count()).select_from(Mention))
    assert sorted(r.period for r in nightly) == days
    for row in nightly + shards:
        assert row.status == "success"
        assert row.read == row.stored + row.duplicates + row.quarantined, (row.stage, row.shard)
    # Each source read every line or row of its day's file (Mastodon and Bluesky through the replay
    # server, which serves each line once on its day), and each day every record of its files.
    read: Counter[tuple[str, str]] = Counter()
    for row in shards:
        read[(row.details["source"], row.period)] += row.read
    assert dict(read) == per_source_day
    assert {r.shard for r in shards if r.details["source"] != "forum_export"} == {
        "tag:PortAlder",
        "search:#PortAlder",
    }
    for row in nightly:
        assert row.read == sum(n for name, n in files.items() if row.period in name), row.period
    assert sum(r.read for r in nightly) == pipeline.manifest.records
    assert sum(r.stored for r in nightly) == stored > 0
    assert sum(r.duplicates for r in nightly) == pipeline.manifest.duplicates
    assert sum(r.quarantined for r in nightly) == pipeline.manifest.malformed > 0


def test_released_trend_table_totals_match_stored_mentions(pipeline: PipelineRun) -> None:
    k = load_program(DEMO_PROGRAM).privacy.k
    with session_scope(pipeline.url) as session:
        cells = list(
            session.scalars(
                select(WeeklyTrend).where(WeeklyTrend.program == PROGRAM, WeeklyTrend.iso_week == WEEK)
            )
        )
        stored = session.scalar(select(func.count()).where(Mention.iso_week == WEEK))
        release = session.scalars(select(Release).where(Release.iso_week == WEEK)).one()
    assert cells
    assert {c.status for c in cells} == {"released"}
    assert release.status == "released"
    (total,) = [c for c in cells if (c.topic, c.source) == ("all", "all")]
    assert not total.suppressed
    assert total.mentions == stored > 0
    assert total.distinct_authors is not None
    assert k <= total.distinct_authors <= stored
    for cell in cells:
        if cell.suppressed:
            assert cell.mentions is None
            assert cell.distinct_authors is None
        else:
            assert cell.distinct_authors is not None
            assert cell.distinct_authors >= k


def test_release_erased_author_keys_and_destroyed_the_week_key(pipeline: PipelineRun) -> None:
    with session_scope(pipeline.url) as session:
        in_week = session.scalar(select(func.count()).where(Mention.iso_week == WEEK))
        keyed = session.scalar(
            select(func.count()).where(Mention.iso_week == WEEK, Mention.author_key.is_not(None))
        )
        week_key = session.scalars(select(KeyRecord).where(KeyRecord.scope == WEEK)).one()
        post_key = session.scalars(select(KeyRecord).where(KeyRecord.scope == "post")).one()
    assert in_week
    assert keyed == 0
    assert week_key.key is None
    assert week_key.destroyed_at is not None
    assert post_key.key is not None  # the column is read: the program's post key is still there


def test_retention_erased_text_and_recorded_the_purge(pipeline: PipelineRun) -> None:
    with session_scope(pipeline.url) as session:
        stored = session.scalar(select(func.count()).select_from(Mention))
        texts = session.scalar(select(func.count()).where(Mention.text_redacted.is_not(None)))
        erased_at = session.scalar(select(func.count()).where(Mention.text_erased_at.is_not(None)))
        purges = session.scalars(select(Run).where(Run.program == PROGRAM, Run.stage == "purge")).all()
    assert pipeline.texts_before_retention == stored > 0
    assert texts == 0
    assert erased_at == stored  # the rows stay: only the text goes
    (purge,) = purges
    assert purge.status == "success"
    assert purge.period == RETENTION_NOW.date().isoformat()
    assert purge.details["texts_erased"] == stored


def test_exports_are_written(pipeline: PipelineRun) -> None:
    import pandas as pd

    folder = pipeline.export_dir / PROGRAM / WEEK
    csv_path, parquet_path, review_path = (
        folder / "trends.csv",
        folder / "trends.parquet",
        folder / "privacy_review.json",
    )
    for path in (csv_path, parquet_path, review_path):
        assert path.is_file(), path
        assert path.stat().st_size > 0, path
    with session_scope(pipeline.url) as session:
        cells = session.scalar(select(func.count()).where(WeeklyTrend.iso_week == WEEK))
    assert len(pd.read_parquet(parquet_path)) == len(pd.read_csv(csv_path)) == cells
    assert isinstance(json.loads(review_path.read_text()), dict)


# --- the canary suite (invariant 1) ---------------------------------------------------------------------


def _assert_no_canary(sources: dict[str, str], needles: dict[str, str], where: str) -> None:
    hits = search(sources, needles)
    assert not hits, f"canaries found in {where}: " + "; ".join(
        f"{place}: {sorted(found)}" for place, found in sorted(hits.items())
    )


def test_canaries_are_planted_and_the_search_finds_them(pipeline: PipelineRun, tmp_path: Path) -> None:
    """Positive controls: without them the zero-hit tests below could pass by searching nothing."""
    canaries = set(pipeline.manifest.canaries)
    assert len(canaries) >= 20
    expected = {
        "Zebulon Quartermaine",  # a name
        "@canary_zq_7731",  # a handle
        "zq.canary7731@example.org",  # an email
        "613-555-0187",  # a phone
        "7731 Wintergreen Crescent",  # an address
        "046 454 286",  # a SIN
        "116777310000773199",  # a platform post id
        "u_zqcanary7731",  # an author id
        "https://mastodon.example/@zebq7731/116777310000773199",  # a post URL
    }
    assert expected <= canaries
    # Every canary is really in the input, so the pipeline had each one to leak.
    input_hits = search(dump_tree(pipeline.data_dir), pipeline.needles)
    assert set().union(*input_hits.values()) == canaries

    # The same dump-and-search finds a canary in a new file: upper case, and a phone as digits.
    scratch = tmp_path / "scratch.log"
    scratch.write_text("reach ZQ.CANARY7731@EXAMPLE.ORG or 6135550187\n")
    expected_hit = {str(scratch): {"zq.canary7731@example.org", "613-555-0187"}}
    assert search(read_files([str(scratch)]), pipeline.needles) == expected_hit
    assert search(dump_tree(tmp_path), pipeline.needles) == expected_hit
    assert find_canaries('{"v": "\\u0040canary_zq_7731"}', pipeline.needles) == {"@canary_zq_7731"}

    # The dumps hold real content: redacted text, XCom values, task output, released cells.
    before_retention = "\n".join(pipeline.project_before_retention.values())
    assert " bus " in before_retention.casefold()
    assert "transit" in before_retention
    airflow = dump_database(f"sqlite:///{pipeline.airflow_home / 'airflow.db'}")
    assert '"stored"' in airflow["main.xcom"]
    assert "collect_redact_store" in airflow["main.task_instance"]
    output = "\n".join(pipeline.output.values())
    assert "[DAG TEST] starting task_id=collect_redact_store" in output  # a stdlib logger's line
    assert "Returned value was" in output  # a task logger's line
    assert str(pipeline.export_dir / PROGRAM / WEEK / "trends.parquet") in pipeline.written
    assert str(pipeline.airflow_home / "airflow.db") in pipeline.written
    exports = dump_tree(pipeline.export_dir)
    assert "transit" in exports[str(pipeline.export_dir / PROGRAM / WEEK / "trends.parquet")]


def test_no_canary_in_the_project_database(pipeline: PipelineRun) -> None:
    before = pipeline.project_before_retention
    after = dump_database(pipeline.url)
    assert {"mentions", "quarantine", "redaction_log", "runs"} <= {t.split(".")[-1] for t in after}
    _assert_no_canary(before, pipeline.needles, "the project database before retention")
    _assert_no_canary(after, pipeline.needles, "the project database after retention")


def test_no_canary_in_airflows_metadata_database(pipeline: PipelineRun) -> None:
    dumps = dump_database(f"sqlite:///{pipeline.airflow_home / 'airflow.db'}")
    assert {"xcom", "rendered_task_instance_fields", "log", "dag_run", "task_instance"} <= {
        t.split(".")[-1] for t in dumps
    }
    _assert_no_canary(dumps, pipeline.needles, "Airflow's metadata database")


def test_no_canary_in_the_process_output(pipeline: PipelineRun) -> None:
    assert sum(len(text) for text in pipeline.output.values()) > 10_000
    _assert_no_canary(pipeline.output, pipeline.needles, "stdout/stderr of the DAG runs")


def test_no_canary_in_airflows_log_folder(pipeline: PipelineRun) -> None:
    logs = pipeline.airflow_home / "logs"
    _assert_no_canary(dump_tree(logs) if logs.exists() else {}, pipeline.needles, "AIRFLOW_HOME/logs")


def test_no_canary_in_the_exports(pipeline: PipelineRun) -> None:
    exports = dump_tree(pipeline.export_dir)
    assert len(exports) >= 3
    _assert_no_canary(exports, pipeline.needles, "the exports")


def test_no_canary_in_temporary_files(pipeline: PipelineRun) -> None:
    # The runs' `tempfile.gettempdir()` is their own TMPDIR: everything left in it is theirs.
    _assert_no_canary(dump_tree(pipeline.tmpdir), pipeline.needles, "the runs' temp folder (TMPDIR)")


def test_no_canary_in_files_the_runs_opened_for_writing(pipeline: PipelineRun) -> None:
    """Wherever they are: a hard-coded /tmp path or a cache in the home folder would show up here."""
    _assert_no_canary(read_files(pipeline.written), pipeline.needles, "files the DAG runs wrote")


def test_no_canary_in_any_file_the_run_wrote(pipeline: PipelineRun) -> None:
    """Project home (SQLite files read raw, free pages included), AIRFLOW_HOME, TMPDIR, the working folder."""
    written = dump_tree(pipeline.root, exclude=[pipeline.data_dir, pipeline.captured])
    assert str(pipeline.airflow_home / "airflow.db") in written
    _assert_no_canary(written, pipeline.needles, "files written by the run")
