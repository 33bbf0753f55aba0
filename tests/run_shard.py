"""Run one nightly shard in a process of its own (the crash and concurrency tests kill or race it).

    python tests/run_shard.py --shard JSON --run-id ID --url URL --data DIR --now ISO
        [--ready FILE --go FILE]   # load the redactor, touch READY, wait for GO, then run
        [--result FILE]            # the shard's counts as JSON

The batch size comes from LISTENING_REDACTION_BATCH_SIZE, read by this process's settings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shard", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--now", type=dt.datetime.fromisoformat, required=True)
    parser.add_argument("--program", type=Path, default=ROOT / "pipelines" / "city_services.yaml")
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--go", type=Path)
    parser.add_argument("--result", type=Path)
    args = parser.parse_args()

    from listening import stages
    from listening.config import load_program
    from listening.privacy.redactor import get_redactor, topic_terms

    program = load_program(args.program)
    if args.ready and args.go:
        get_redactor(program.privacy.redaction, terms=topic_terms(program.topics)).redact_batch(["warm up"])
        args.ready.touch()
        deadline = time.monotonic() + 600
        while not args.go.exists():
            if time.monotonic() > deadline:
                print("no go signal in 600 s", file=sys.stderr)
                return 3
            time.sleep(0.01)
    counts = stages.collect_redact_store(
        program, json.loads(args.shard), run_id=args.run_id, url=args.url, data_dir=args.data, now=args.now
    )
    if args.result:
        args.result.write_text(json.dumps(counts), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
