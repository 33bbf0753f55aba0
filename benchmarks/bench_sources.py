"""File-source slicing: planning a big file and reading one slice, as ratios to decoding the whole file.

    .venv/bin/python -m benchmarks.bench_sources [--lines 1000000] [--repeats 3]

Anchor: reading the file line by line and decoding every line as JSON, which any reader of the file
must do. Measured in the same run, interleaved: `plan` (the byte scan that finds the slices' offsets),
and reading one middle slice through the connector (a seek, then only its lines).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

from listening.config import ProgramConfig
from listening.settings import get_settings
from listening.sources.base import ConnectorContext, Window
from listening.sources.registry import build_connector

WINDOW = Window(dt.datetime(2026, 10, 5, tzinfo=dt.UTC), dt.datetime(2026, 10, 6, tzinfo=dt.UTC))


def _program() -> ProgramConfig:
    return ProgramConfig.model_validate(
        {
            "program": "bench_files",
            "title": "Bench",
            "governance": {
                "purpose": "Benchmark of file slicing.",
                "approver": "QA",
                "review_date": "2030-01-01",
            },
            "privacy": {"auto_release": True},
            "sources": [{"name": "drop", "kind": "file", "path": "{date}.jsonl"}],
            "topics": [{"id": "transit", "label": "Transit", "phrases": ["bus"]}],
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "2026-10-05.jsonl"
        with path.open("w") as out:
            for i in range(args.lines):
                post = {
                    "id": str(10**15 + i),
                    "author_id": f"u{i % 5000}",
                    "text": f"The number {i % 90} bus was late again on Harbour Road this morning",
                    "created_at": f"2026-10-05T{i % 24:02d}:{i % 60:02d}:00+00:00",
                    "lang": "en",
                }
                out.write(json.dumps(post) + "\n")
        connector = build_connector(_program(), "drop", ConnectorContext(Path(tmp)))
        anchors, plans, slices = [], [], []
        planned: list[str] = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            with path.open("rb") as handle:
                decoded = sum(1 for line in handle if json.loads(line))
            anchors.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            planned = connector.plan(WINDOW)
            plans.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            read = sum(1 for _ in connector.read(planned[len(planned) // 2], WINDOW))
            slices.append(time.perf_counter() - t0)
        anchor, plan, one = (statistics.median(x) for x in (anchors, plans, slices))
        size = path.stat().st_size
    print(f"file: {args.lines:,} lines, {size / 1e6:.1f} MB; slice_lines {get_settings().slice_lines:,}")
    print(f"anchor (decode every line): {anchor:.2f} s ({decoded:,} lines)")
    print(f"plan (byte scan): {len(planned)} slices, {plan:.3f} s = {plan / anchor:.3f}x the anchor")
    share = f"1/{len(planned)} = {1 / len(planned):.3f}"
    print(f"read one slice: {read:,} records, {one:.3f} s = {one / anchor:.3f}x the anchor ({share})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
