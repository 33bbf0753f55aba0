"""Crashes and reruns of the nightly and weekly stages (issue 10, item 6), on SQLite and PostgreSQL.

Stored rows are compared by `listening.store.checksum.digest`: every stored column the input and the
keys decide, without ids, run ids and timestamps. Runs in other databases are compared after copying the
program's keys into them, so that keyed hashes are comparable.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, insert, select, text

from listening import stages
from listening.config import ProgramConfig, load_program
from listening.demo import SOURCES as DEMO_SOURCES
from listening.demo import generate
from listening.periods import iso_week
from listening.sources.base import Shard
from listening.store import db
from listening.store.checksum import Digest, digest
from listening.store.db import session_scope
from listening.store.models import (
    BudgetEntry,
    KeyRecord,
    Mention,
    Release,
    ReleaseDecision,
    Run,
    WeeklyTerm,
    WeeklyTrend,
)
from tests.support import DEMO_PROGRAM, ROOT

DAY = dt.date(2026, 10, 5)
NOW = dt.datetime(2026, 10, 6, 3, tzinfo=dt.UTC)
WEEK = iso_week(DAY)
MASTODON = Path("city_services") / "mastodon" / f"{DAY}.jsonl"
BATCH = 8
PROGRAM_ENV = "LISTENING_TEST_CRASH_PROGRAM"
#: Generous: a loaded 2-core machine loads spaCy and Presidio slowly.
PROCESS_TIMEOUT = 600


@pytest.fixture(scope="module")
def program_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo program with its three sources as file drops (the files the demo generator writes), so
    that one shard is one file that a test can cut, copy or overlap."""
    config = yaml.safe_load(DEMO_PROGRAM.read_text(encoding="utf-8"))
    config["sources"] = [
        {
            "name": src.name,
            "label": src.platform.title(),
            "kind": "file",
            "path": src.path,
            "format": src.format,
            "platform": src.platform,
        }
        for src in DEMO_SOURCES
    ]
    path = tmp_path_factory.mktemp("pipelines") / DEMO_PROGRAM.name
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def program(program_file: Path) -> Iterator[ProgramConfig]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PROGRAM_ENV, str(program_file))
        yield load_program(program_file)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """One demo day (three sources, canaries, malformed lines and duplicates included)."""
    folder = tmp_path / "data"
    generate(folder, start=DAY, days=1)
    return folder


def run_day(program: ProgramConfig, data: Path, url: str, run_id: str) -> list[dict[str, int]]:
    shards = stages.plan_shards(program, DAY, data, today=NOW.date())
    assert len(shards) == 3
    return [
        stages.collect_redact_store(program, s, run_id=run_id, url=url, data_dir=data, now=NOW)
        for s in shards
    ]


def day_digest(program: ProgramConfig, url: str) -> Digest:
    with session_scope(url) as session:
        return digest(session, program.program, DAY)


def copy_keys(source: str, target: str) -> None:
    with session_scope(source) as session:
        rows = [
            {c.key: getattr(k, c.key) for c in KeyRecord.__table__.columns}
            for k in session.scalars(select(KeyRecord))
        ]
    assert rows, "no keys to copy: nothing was stored"
    with session_scope(target) as session:
        session.execute(text("DELETE FROM pipeline_keys"))
        session.execute(insert(KeyRecord), rows)


def clear_stored(url: str) -> None:
    with session_scope(url) as session:
        for table in ("mention_topics", "redaction_log", "mentions", "quarantine", "runs"):
            session.execute(text(f"DELETE FROM {table}"))


def shard_of(program: ProgramConfig, relative: Path) -> dict[str, str]:
    """A shard of the Mastodon source: a file under the data folder, named relative to it."""
    return Shard(program.program, "mastodon_export", str(relative), DAY.isoformat()).as_dict()


def shard_process(
    shard: dict[str, str], run_id: str, url: str, data: Path, **files: Path
) -> subprocess.Popen[bytes]:
    """`tests/run_shard.py` on the file-drop program of this module (its path is in the environment)."""
    args = [sys.executable, str(ROOT / "tests" / "run_shard.py"), "--program", os.environ[PROGRAM_ENV]]
    args += ["--shard", json.dumps(shard), "--run-id", run_id, "--url", url]
    args += ["--data", str(data), "--now", NOW.isoformat()]
    for name, path in files.items():
        args += [f"--{name}", str(path)]
    env = {**os.environ, "LISTENING_REDACTION_BATCH_SIZE": str(BATCH)}
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(process: subprocess.Popen[bytes]) -> str:
    try:
        out, _ = process.communicate(timeout=PROCESS_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
        pytest.fail(f"the shard process did not finish in {PROCESS_TIMEOUT} s:\n{out.decode()[-3000:]}")
    text_ = out.decode(errors="replace")
    assert process.returncode == 0, f"shard process exited {process.returncode}:\n{text_[-3000:]}"
    return text_


def count(url: str, model: Any, *where: Any) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_rerunning_a_day_gives_identical_rows(program: ProgramConfig, data: Path, db_url: str) -> None:
    first = run_day(program, data, db_url, "nightly-1")
    before = day_digest(program, db_url)
    again = run_day(program, data, db_url, "nightly-2")
    after = day_digest(program, db_url)

    assert before.mentions == sum(c["stored"] for c in first) > 200
    assert before.redactions > 0
    assert before.quarantined > 0
    assert after == before
    assert sum(c["stored"] for c in again) == 0
    assert sum(c["read"] for c in again) == sum(c["read"] for c in first)
    # The rerun's run-log rows are its own: one per shard for each run.
    assert count(db_url, Run, Run.stage == "collect") == 6


def test_a_shard_killed_mid_batch_leaves_whole_batches_and_its_rerun_no_duplicate(
    program: ProgramConfig, data: Path, db_url: str, tmp_path: Path
) -> None:
    shard = shard_of(program, MASTODON)
    lines = (data / MASTODON).read_bytes().splitlines(keepends=True)
    batches = -(-len(lines) // BATCH)
    assert batches >= 8, "the file must span many batches for the kill to land in the middle"

    process = shard_process(shard, "killed-run", db_url, data)
    deadline = time.monotonic() + PROCESS_TIMEOUT
    try:
        # The hook: the first batch's transaction has committed, the shard has not finished.
        while not count(db_url, Mention):
            assert process.poll() is None, process.communicate()[0].decode()[-3000:]
            assert time.monotonic() < deadline, "no batch committed in time"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert count(db_url, Run) == 0, "the shard finished before the kill: nothing was tested"
    db.get_engine.cache_clear()
    killed = day_digest(program, db_url)

    # What whole batches store: the first n * BATCH lines of the file in a reference database, same keys.
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    db.upgrade(reference)
    copy_keys(db_url, reference)
    prefixes = tmp_path / "prefixes"
    whole_batches: dict[int, Digest] = {}
    for n in range(1, batches + 1):
        clear_stored(reference)
        (prefixes / MASTODON).parent.mkdir(parents=True, exist_ok=True)
        (prefixes / MASTODON).write_bytes(b"".join(lines[: n * BATCH]))
        stages.collect_redact_store(
            program,
            shard_of(program, MASTODON),
            run_id="ref",
            url=reference,
            data_dir=prefixes,
            now=NOW,
        )
        whole_batches[n] = day_digest(program, reference)
    complete = [n for n, d in whole_batches.items() if d == killed]
    assert complete, f"the killed shard's rows are no whole number of batches: {killed}"
    assert complete[0] < batches, "every batch was stored before the kill: nothing was tested"

    finish(shard_process(shard, "rerun", db_url, data))
    assert day_digest(program, db_url) == whole_batches[batches]
    with session_scope(db_url) as session:
        posts = session.execute(select(func.count(), func.count(func.distinct(Mention.post_key)))).one()
        rerun = session.scalars(select(Run).where(Run.run_id == "rerun")).one()
    assert posts[0] == posts[1] == whole_batches[batches].mentions
    assert rerun.stored == whole_batches[batches].mentions - killed.mentions
    assert rerun.read == rerun.stored + rerun.duplicates + rerun.quarantined


@pytest.mark.postgres
def test_two_shards_writing_the_same_posts_at_once_on_postgresql(
    program: ProgramConfig, data: Path, postgres_database: str, tmp_path: Path
) -> None:
    url = postgres_database
    db.upgrade(url)
    lines = (data / MASTODON).read_bytes().splitlines(keepends=True)
    third = len(lines) // 3
    # Two slices of one source and day sharing a third of their posts, the second in reverse order, so
    # that without an ordered insert the two transactions would wait on each other's rows.
    first_path, second_path = data / MASTODON.with_suffix(".a.jsonl"), data / MASTODON.with_suffix(".b.jsonl")
    first_path.write_bytes(b"".join(lines[: 2 * third]))
    second_path.write_bytes(b"".join(reversed(lines[third:])))
    shards = [shard_of(program, p.relative_to(data)) for p in (first_path, second_path)]

    go = tmp_path / "go"
    processes = [
        shard_process(
            s, f"race-{i}", url, data, ready=tmp_path / f"ready-{i}", go=go, result=tmp_path / f"out-{i}"
        )
        for i, s in enumerate(shards)
    ]
    try:
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while not all((tmp_path / f"ready-{i}").exists() for i in range(2)):
            for p in processes:
                assert p.poll() is None, p.communicate()[0].decode()[-3000:]
            assert time.monotonic() < deadline, "the shard processes did not load the redactor in time"
            time.sleep(0.1)
        go.touch()
        for p in processes:
            finish(p)
    finally:
        for p in processes:
            p.kill()
            p.wait(timeout=60)
    counts = [json.loads((tmp_path / f"out-{i}").read_text()) for i in range(2)]
    raced = day_digest(program, url)

    # The same two slices one after the other, in a database holding the same keys.
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    db.upgrade(reference)
    copy_keys(url, reference)
    for s in shards:
        stages.collect_redact_store(program, s, run_id="sequential", url=reference, data_dir=data, now=NOW)
    sequential = day_digest(program, reference)

    assert raced == sequential
    with session_scope(url) as session:
        posts = session.execute(select(func.count(), func.count(func.distinct(Mention.post_key)))).one()
    assert posts[0] == posts[1] == sequential.mentions
    assert sum(c["stored"] for c in counts) == sequential.mentions
    assert all(c["read"] == c["stored"] + c["duplicates"] + c["quarantined"] for c in counts)
    overlap = len([line for line in lines[third : 2 * third] if line.strip()])
    assert sum(c["duplicates"] for c in counts) >= overlap // 2, counts


def _weekly_state(url: str) -> dict[str, list[Any]]:
    state: dict[str, list[Any]] = {}
    with session_scope(url) as session:
        for model in (Release, WeeklyTrend, WeeklyTerm, BudgetEntry, ReleaseDecision, KeyRecord):
            columns = [c.key for c in model.__table__.columns]  # type: ignore[attr-defined]
            rows = session.scalars(select(model)).all()
            state[model.__tablename__] = sorted(  # type: ignore[attr-defined]
                json.dumps([getattr(r, c) for c in columns], default=str) for r in rows
            )
    return state


def test_rerunning_a_released_week_returns_the_stored_release_unchanged(
    program: ProgramConfig, data: Path, db_url: str
) -> None:
    run_day(program, data, db_url, "nightly-1")
    stages.aggregate(program, WEEK, url=db_url)
    released = stages.release(program, WEEK, url=db_url)
    assert released["status"] == "released"
    stages.reports(program, WEEK, url=db_url)
    state, mentions = _weekly_state(db_url), day_digest(program, db_url)
    assert state["releases"]
    assert state["weekly_trends"]

    # The weekly DAG's tasks again, as a rerun of its run would call them, and the nightly of a day of
    # that week: nothing stored changes, and the release comes back as it was.
    summary = stages.aggregate(program, WEEK, url=db_url)
    again = stages.release(program, WEEK, url=db_url)
    stages.reports(program, WEEK, url=db_url)
    counts = run_day(program, data, db_url, "nightly-2")

    assert summary["status"] == "released"
    assert again.pop("already_released") is True
    assert {k: v for k, v in again.items() if k in released} == {
        k: v for k, v in released.items() if k in again
    }
    assert _weekly_state(db_url) == state
    assert day_digest(program, db_url) == mentions
    assert sum(c["stored"] for c in counts) == 0


def test_equal_detections_are_attributed_alike_whatever_their_order() -> None:
    """Two recognizers finding the same span with the same score: the redaction log names the same one
    in every process (the analyzer's result order is not stable across processes)."""
    from presidio_analyzer import RecognizerResult

    from listening.privacy.redactor import Redactor

    def found(name: str) -> RecognizerResult:
        return RecognizerResult(
            "PHONE_NUMBER", 10, 21, 0.4, recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: name}
        )

    text = "call me at 613 555 0187 today"
    one = Redactor._merge(text, [found("PhoneRecognizer"), found("GroupedPhoneRecognizer")])
    other = Redactor._merge(text, [found("GroupedPhoneRecognizer"), found("PhoneRecognizer")])
    assert one == other
    assert len(one) == 1


def test_the_registry_asks_recognizers_in_the_same_order_in_every_process() -> None:
    """Presidio keeps the first of two equal detections; its registry's own order comes from a set."""
    from presidio_analyzer import Pattern, PatternRecognizer

    from listening.privacy.engine import OrderedRegistry

    def recognizer(name: str) -> PatternRecognizer:
        return PatternRecognizer("PHONE_NUMBER", name=name, patterns=[Pattern(name, r"\d{3}", 0.4)])

    orders = []
    for names in (["PhoneB", "PhoneA", "PhoneC"], ["PhoneC", "PhoneA", "PhoneB"]):
        registry = OrderedRegistry(supported_languages=["en"])
        for name in names:
            registry.add_recognizer(recognizer(name))
        orders.append([r.name for r in registry.get_recognizers(language="en", entities=["PHONE_NUMBER"])])
    assert orders[0] == orders[1] == ["PhoneA", "PhoneB", "PhoneC"]
