"""Redaction on several processes gives what one text at a time gives, and the stage stores the same rows."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from benchmarks.bench_pii import generate_social
from benchmarks.bench_stage import generate
from listening import demo, stages
from listening.config import load_program
from listening.privacy import parallel
from listening.privacy.parallel import RedactionPool, redaction_pool
from listening.privacy.redactor import get_redactor, topic_terms
from listening.privacy.windows import WINDOW_CHARS
from listening.settings import get_settings
from listening.store.db import session_scope, upgrade
from listening.store.models import Mention, MentionTopic, Quarantine, RedactionLog
from tests.support import DEMO_PROGRAM

PROGRAM = demo.file_drop_program(load_program(DEMO_PROGRAM))
TERMS = topic_terms(PROGRAM.topics)
SYNTH = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "synth_dataset_v2.json"


def _sample() -> list[str]:
    """Demo posts with every text canary planted, generated social posts, edge cases, real-set texts."""
    gen = demo._Generator(20261, dt.date(2026, 10, 5))
    src = demo.SOURCES[0]
    cum = demo._accumulate([1.0] * 24)
    texts = []
    for value, kind in demo._TEXT_CANARIES:
        _when, record = gen.normal(src, dt.date(2026, 10, 5), 0, cum)
        texts.append(gen.with_pii(record["text"], kind, value))
    texts += [gen.normal(src, dt.date(2026, 10, 5), 0, cum)[1]["text"] for _ in range(60)]
    texts += [d.text for d in generate_social(60)]
    texts += [
        "",
        "   ",
        "ZEBULON QUARTERMAINE CALLED 613-555-0187 ABOUT THE BUS",
        "zebulon quartermaine and philomena vantongeren at 12 maple st",
        # Longer than a window: cut in overlapping windows, names on both sides of a cut.
        ("The bus was late again. " * 110 + "Philomena Vantongeren called (343) 555-0162. ") * 2,
    ]
    assert any(len(t) > WINDOW_CHARS for t in texts)
    if SYNTH.is_file():
        import json

        rows = json.loads(SYNTH.read_text(encoding="utf-8"))
        texts += [row["full_text"] for row in random.Random(7).sample(rows, 40)]
    return texts


@pytest.fixture(scope="module")
def sample() -> list[str]:
    return _sample()


@pytest.fixture(scope="module")
def pool() -> RedactionPool:
    return redaction_pool(PROGRAM.privacy.redaction, TERMS, workers=2)


def test_the_pool_gives_the_entities_of_one_text_at_a_time(pool: RedactionPool, sample: list[str]) -> None:
    single = get_redactor(PROGRAM.privacy.redaction, terms=TERMS)
    one_by_one = [single.redact(t) for t in sample]
    assert not pool.in_process
    assert pool.redact_batch(sample) == one_by_one
    # Batches of several sizes, as the stage cuts them, and in-process batches too.
    for size in (1, 7, 64):
        pending = [pool.submit(sample[i : i + size]) for i in range(0, len(sample), size)]
        assert [r for p in pending for r in p.result()] == one_by_one
    assert single.redact_batch(sample) == one_by_one
    # The sample holds what the test is about: every kind of identifier, found.
    found = {e.type for r in one_by_one for e in r.entities}
    assert {"PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "SOCIAL_HANDLE", "STREET_ADDRESS"} <= found
    assert all(value not in r.text for r in one_by_one for value, _ in demo._TEXT_CANARIES)


def test_one_worker_redacts_in_process(sample: list[str]) -> None:
    pool = redaction_pool(PROGRAM.privacy.redaction, TERMS, workers=1)
    assert pool.in_process
    assert pool.redact_batch(sample[:20]) == [
        get_redactor(PROGRAM.privacy.redaction, terms=TERMS).redact(t) for t in sample[:20]
    ]
    assert pool.policy_version == get_redactor(PROGRAM.privacy.redaction, terms=TERMS).policy_version


def test_workers_default_to_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.delenv("LISTENING_REDACTION_WORKERS")
    get_settings.cache_clear()
    try:
        assert get_settings().redaction_workers == len(os.sched_getaffinity(0))
        monkeypatch.setenv("LISTENING_REDACTION_WORKERS", "3")
        get_settings.cache_clear()
        assert get_settings().redaction_workers == 3
    finally:
        get_settings.cache_clear()


def _stored(url: str) -> dict[str, Any]:
    with session_scope(url) as session:
        mentions = session.execute(
            select(
                Mention.id,
                Mention.post_key,
                Mention.author_key,
                Mention.text_redacted,
                Mention.entity_count,
                Mention.residual_flags,
                Mention.sentiment_compound,
                Mention.policy_version,
            ).order_by(Mention.id)
        ).all()
        ids = {m.id: m.post_key for m in mentions}
        logs = session.execute(
            select(
                RedactionLog.mention_id,
                RedactionLog.entity_type,
                RedactionLog.start,
                RedactionLog.end,
                RedactionLog.score,
                RedactionLog.recognizer,
            )
        ).all()
        topics = session.execute(select(MentionTopic.mention_id, MentionTopic.topic)).all()
        quarantine = session.execute(select(Quarantine.position, Quarantine.reason)).all()
    return {
        "mentions": sorted(tuple(m)[1:] for m in mentions),
        "log": sorted((ids[row[0]], *row[1:]) for row in logs),
        "topics": sorted((ids[row[0]], row[1]) for row in topics),
        "quarantine": sorted(tuple(q) for q in quarantine),
    }


def test_the_stage_stores_the_same_rows_with_workers_or_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = dt.date(2026, 10, 5)
    data = tmp_path / "data"
    generate(data, 400, day)
    # One copy of a line (a duplicate) and one broken line (quarantined), so every path is taken.
    path = next(data.rglob("*.jsonl"))
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines[:50], lines[10], "{not json", *lines[50:]]) + "\n", encoding="utf-8")
    now = dt.datetime(2026, 10, 6, 3, tzinfo=dt.UTC)
    results = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("LISTENING_REDACTION_WORKERS", workers)
        monkeypatch.setenv("LISTENING_REDACTION_BATCH_SIZE", "32")
        get_settings.cache_clear()
        url = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        upgrade(url)
        with session_scope(url) as session:  # the same keys on both sides, so hashes compare
            from listening.store.models import KeyRecord

            for scope, key in (("post", b"p" * 32), ("2026-W41", b"w" * 32)):
                session.add(KeyRecord(program=PROGRAM.program, scope=scope, key=key))
        (shard,) = stages.plan_shards(PROGRAM, day, data, today=day)
        counts = stages.collect_redact_store(PROGRAM, shard, run_id="r", url=url, data_dir=data, now=now)
        results[workers] = (counts, _stored(url))
    get_settings.cache_clear()
    assert results["1"][0] == results["2"][0]
    assert results["1"][0]["read"] == 402
    assert results["1"][0]["duplicates"] == 1
    assert results["1"][0]["quarantined"] >= 1
    assert results["1"][1] == results["2"][1]
    assert results["1"][1]["log"], "the sample had identifiers to redact"


def test_a_daemonic_process_redacts_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True, raising=False)
    assert RedactionPool(PROGRAM.privacy.redaction, get_settings().spacy_model, TERMS, 2).in_process


def test_workers_stop_and_start_again(pool: RedactionPool, sample: list[str]) -> None:
    first = pool.redact_batch(sample[:4])
    parallel.close_workers()
    assert pool.redact_batch(sample[:4]) == first


CHILD = """
import time
from listening.config import RedactionPolicy
from listening.privacy import parallel
pool = parallel.redaction_pool(RedactionPolicy(), workers=2)
pool.redact_batch(["Mary Smith called 613-555-0187", "the bus is late"])
print(" ".join(str(pid) for pid in parallel._workers.pids()), flush=True)
time.sleep(600)
"""


def test_workers_end_when_their_task_process_is_killed() -> None:
    import signal
    import subprocess
    import sys
    import time

    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        pids = [int(p) for p in child.stdout.readline().split()]
        assert len(pids) == 2
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        deadline = time.monotonic() + 60
        alive = pids
        while alive and time.monotonic() < deadline:
            time.sleep(0.5)
            alive = [pid for pid in pids if _running(pid)]
        assert not alive, f"orphaned workers: {alive}"
    finally:
        child.kill()


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
