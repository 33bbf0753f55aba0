"""Nightly-stage and weekly-aggregation speed, as ratios to an anchor measured in the same run.

The anchor is the redactor alone on the same texts (`redact_batch`), the stage's dominant cost: the
ratio stage/anchor says what validation, hashing, enrichment and storage add on top. The machine is
shared and noisy, so absolute figures are printed but only ratios are compared across runs.

    .venv/bin/python -m benchmarks.bench_pipeline [--days 3] [--url sqlite:///...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from listening import demo, stages
from listening.aggregate.weekly import aggregate_week
from listening.config import load_program
from listening.periods import iso_week
from listening.privacy.redactor import get_redactor, topic_terms
from listening.records import MentionIn, Rejected, validate_record
from listening.settings import PROJECT_ROOT
from listening.store.db import session_scope, upgrade


def _texts(program_days: list[dt.date], program, data_dir: Path) -> list[str]:  # type: ignore[no-untyped-def]
    now = dt.datetime.now(dt.UTC)
    texts = []
    for day in program_days:
        for shard in stages.plan_shards(program, day, data_dir):
            connector = stages.build_source(program, shard["source"], data_dir)
            for raw in connector.read(shard["slice"], stages.day_window(program, day)):
                if not isinstance(raw.payload, Rejected):
                    rec = validate_record(raw.payload, now=now, languages=program.languages)
                    if isinstance(rec, MentionIn):
                        texts.append(rec.text)
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--url", help="Database URL (default: a fresh SQLite file per repeat)")
    args = parser.parse_args(argv)
    program = demo.file_drop_program(load_program(PROJECT_ROOT / "pipelines" / "city_services.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        start = demo.default_start()
        demo.generate(data, start=start, days=args.days, canaries=False)
        days = [start + dt.timedelta(days=i) for i in range(args.days)]
        # The stage's own redactor: the program's policy and taxonomy words (one engine, warmed once).
        redactor = get_redactor(program.privacy.redaction, terms=topic_terms(program.topics))
        texts = _texts(days, program, data)
        redactor.redact_batch(texts[:64])  # warm-up: load the model before timing
        anchors, stage_times, aggregate_times = [], [], []
        read = stored = 0
        # Interleaved repeats: a burst of load on this shared machine hits both sides of a ratio alike.
        for repeat in range(args.repeats):
            t0 = time.perf_counter()
            for i in range(0, len(texts), 64):
                redactor.redact_batch(texts[i : i + 64])
            anchors.append(time.perf_counter() - t0)

            url = args.url or f"sqlite:///{Path(tmp) / f'bench{repeat}.db'}"
            upgrade(url)
            t0 = time.perf_counter()
            read = stored = 0
            for day in days:
                for shard in stages.plan_shards(program, day, data):
                    counts = stages.collect_redact_store(
                        program, shard, run_id=f"bench{repeat}", url=url, data_dir=data
                    )
                    read += counts["read"]
                    stored += counts["stored"]
            stage_times.append(time.perf_counter() - t0)

            t0 = time.perf_counter()
            with session_scope(url) as session:
                aggregate_week(session, program, iso_week(start))
            aggregate_times.append(time.perf_counter() - t0)
            if args.url:
                break

    anchor_rate = len(texts) / statistics.median(anchors)
    stage_ratio = statistics.median(
        (read / s) / (len(texts) / a) for s, a in zip(stage_times, anchors, strict=True)
    )
    aggregate_ratio = statistics.median(
        (g / stored) / (a / len(texts)) for g, a in zip(aggregate_times, anchors, strict=True)
    )
    print(f"{len(anchors)} interleaved repeats; medians")
    print(f"anchor  redact_batch alone    {len(texts):6d} texts     {anchor_rate:7.1f} texts/s    1.00x")
    print(
        f"stage   collect_redact_store  {read:6d} records   "
        f"{read / statistics.median(stage_times):7.1f} records/s  {stage_ratio:5.2f}x"
    )
    print(
        f"weekly  aggregate_week        {stored:6d} mentions  "
        f"{statistics.median(aggregate_times) / stored * 1000:7.3f} s/1k       "
        f"{aggregate_ratio:5.3f}x the time to redact as many texts"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
