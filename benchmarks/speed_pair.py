"""One system over the held-out real `dev` posts (twice over), for a whole-process timing pair.

    farm-bench -n 5 --timeout 900 --vs '.venv/bin/python -m benchmarks.speed_pair presidio' -- \\
        .venv/bin/python -m benchmarks.speed_pair listening

Start-up (loading spaCy and the models) is inside each run, on both sides; the posts are redacted twice so
that it is not most of the time.
"""

from __future__ import annotations

import sys

from benchmarks.bench_pii import load_real, presidio_system, project_system


def main(system: str) -> None:
    """Redact the posts with `system` (listening or presidio)."""
    predict = project_system(64) if system == "listening" else presidio_system()
    texts = [p.text for p in load_real("dev")]
    for _ in range(2):
        predict(texts)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "listening")
