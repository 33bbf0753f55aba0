"""`make bench`: the full nightly stage on N generated mentions, against two anchors measured in the same run.

    .venv/bin/python -m benchmarks.bench_stage [--n 20000] [--postgres-url URL] [--sample 2000]

1. Generates N mentions of the demo program (its posts, identifiers planted as in the demo) for one
   day of one source, streamed to a JSON Lines file, so N = 1,000,000 needs no more memory than 20,000.
2. Runs the full stage (`stages.plan_shards` and `collect_redact_store` on every shard: read, validate,
   de-duplicate, redact, enrich, store) in a child process on a fresh SQLite database, and on PostgreSQL
   when a URL is given (a database of its own, dropped afterwards). Peak RSS is that of the child and
   all its workers together, sampled every 0.2 s.
3. Measures the anchors on a sample of the same texts (the first `--sample`), before and after the
   stage, and averages: plain Presidio (a default `AnalyzerEngine` on the same spaCy model, one
   `analyze()` per text, one process), and the floor: the spaCy pipeline the redactor runs (the same
   model, components and NER model), alone, on as many processes as the stage has redaction workers, fed
   the same batches, timed after the processes have loaded it.
4. Person recall of the redactor, on the same path as the stage (the worker pool), on the labelled
   real posts of `benchmarks/bench_pii.py` (held-out `dev` slice) and the synthetic set.

The machine is shared and noisy: compare the ratios, which are measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE = "mastodon_export"


# ---- generation -----------------------------------------------------------------------------------


def generate(data_dir: Path, n: int, day: dt.date, seed: int = 20261) -> Path:
    """N demo mentions of one day in one source's file, written as they are made (bounded memory)."""
    from listening import demo

    src = next(s for s in demo.SOURCES if s.name == SOURCE)
    gen = demo._Generator(seed, day)
    utc = [dt.datetime(day.year, day.month, day.day, h, tzinfo=dt.UTC) for h in range(24)]
    cum = demo._accumulate([demo._HOUR_WEIGHTS[t.astimezone(demo.LOCAL_TZ).hour] for t in utc])
    path = data_dir / src.path.format(date=day.isoformat())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(n):
            _when, record = gen.normal(src, day, 0, cum)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def sample_texts(path: Path, size: int) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            texts.append(json.loads(line)["text"])
            if len(texts) >= size:
                break
    return texts


# ---- the stage, in a child process ----------------------------------------------------------------


def stage_child(data_dir: Path, day: dt.date, url: str) -> None:
    """Run the stage on every shard of the day; print the counts and the seconds as JSON."""
    from listening import demo, stages
    from listening.config import load_program
    from listening.store.db import upgrade

    program = demo.file_drop_program(load_program(REPO_ROOT / "pipelines" / "city_services.yaml"))
    upgrade(url)
    began = time.perf_counter()
    totals: dict[str, int] = {}
    shards = stages.plan_shards(program, day, data_dir, today=day)
    for shard in shards:
        counts = stages.collect_redact_store(
            program, shard, run_id=f"bench-{uuid.uuid4().hex[:8]}", url=url, data_dir=data_dir
        )
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "shards": len(shards), **totals}))


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total


def run_stage(data_dir: Path, day: dt.date, url: str, workers: int) -> dict[str, Any]:
    """The stage in a child process; its result with the peak RSS of the child and its workers."""
    env = {**os.environ, "LISTENING_REDACTION_WORKERS": str(workers)}
    cmd = [sys.executable, "-m", "benchmarks.bench_stage", "--child", str(data_dir), day.isoformat(), url]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler.start()
    out, _ = proc.communicate()
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"the stage failed (exit {proc.returncode})")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = peak / 2**20
    # CPU seconds of the child and of its workers (waited for when the child's pool shut down).
    result["cpu_seconds"] = (cpu_after.ru_utime + cpu_after.ru_stime) - (
        cpu_before.ru_utime + cpu_before.ru_stime
    )
    return result


# ---- anchors --------------------------------------------------------------------------------------


def presidio_rate(texts: list[str]) -> float:
    """Plain Presidio, one `analyze()` per text, in this process (bench_pii's system)."""
    from benchmarks.bench_pii import presidio_system

    predict = presidio_system()
    predict(texts[:16])
    began, cpu = time.perf_counter(), time.process_time()
    predict(texts)
    _cpu["presidio"] = (time.process_time() - cpu) / len(texts)
    return len(texts) / (time.perf_counter() - began)


#: CPU seconds per text of the anchors, by name (the last measurement).
_cpu: dict[str, float] = {}


_floor_nlp: Any = None


def _floor_start(model: str, ner_model: str) -> None:
    global _floor_nlp  # noqa: PLW0603 - one pipeline per floor process
    from listening.privacy.engine import LANGUAGE, build_nlp_engine

    _floor_nlp = build_nlp_engine(model, ner_model).get_nlp(LANGUAGE)  # type: ignore[attr-defined]
    list(_floor_nlp.pipe(["Warm up, Mary Smith at 12 Oak St."] * 8))


def _floor_ready() -> int:
    time.sleep(0.5)  # long enough for every process of the pool to take one
    return os.getpid()


def _floor_pipe(texts: list[str], batch: int) -> int:
    for _ in _floor_nlp.pipe(texts, batch_size=batch):
        pass
    return len(texts)


def floor_rate(texts: list[str], workers: int) -> float:
    """The spaCy pipeline the redactor runs (same model, components and NER model), alone, on `workers`
    processes fed with batches as the stage feeds its redaction workers; timed once every process has
    loaded the pipeline (start-up is not counted, which makes the floor stricter, not easier)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from listening.settings import get_settings

    settings = get_settings()
    batch = settings.redaction_batch_size
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_floor_start,
        initargs=(settings.spacy_model, settings.ner_model),
    ) as pool:
        ready: set[int] = set()
        while len(ready) < workers:
            ready |= {f.result() for f in [pool.submit(_floor_ready) for _ in range(workers)]}
        share = -(-batch // workers)
        began = time.perf_counter()
        done = sum(
            f.result()
            for f in [
                pool.submit(_floor_pipe, texts[i : i + share], share) for i in range(0, len(texts), share)
            ]
        )
        seconds = time.perf_counter() - began
    return done / seconds


# ---- recall ---------------------------------------------------------------------------------------


def person_recall(workers: int, synth_limit: int) -> dict[str, float]:
    """PERSON recall (90% coverage) through the worker pool, as the stage redacts."""
    from benchmarks.bench_pii import load_real, load_synth, run, run_real
    from listening.config import load_program
    from listening.privacy.parallel import redaction_pool
    from listening.privacy.redactor import topic_terms

    program = load_program(REPO_ROOT / "pipelines" / "city_services.yaml")
    pool = redaction_pool(program.privacy.redaction, topic_terms(program.topics), workers=workers)

    def predict(texts: Any) -> list[list[tuple[int, int]]]:
        out: list[list[tuple[int, int]]] = []
        pending = [pool.submit(list(texts[i : i + 256])) for i in range(0, len(texts), 256)]
        for p in pending:
            out.extend([(e.start, e.end) for e in r.entities] for r in p.result())
        return out

    real, _ = run_real(predict, load_real("dev"))
    synth, _ = run(predict, load_synth(synth_limit))
    return {
        "real_dev_person": real.spans.recall(["PERSON"]),
        "real_dev_n": real.spans.total["PERSON"],
        "synth_person": synth.recall(["PERSON"]),
        "synth_n": synth.total["PERSON"],
    }


# ---- main -----------------------------------------------------------------------------------------


def _postgres_database(server: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"perf_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("N") or 20_000))
    parser.add_argument("--sample", type=int, default=2_000, help="texts for the anchors")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL") or None)
    parser.add_argument("--workers", type=int, default=None, help="redaction workers (default: the setting)")
    parser.add_argument("--synth", type=int, default=500, help="synthetic texts for the recall check")
    parser.add_argument("--no-recall", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("DATA", "DAY", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        stage_child(Path(args.child[0]), dt.date.fromisoformat(args.child[1]), args.child[2])
        return 0

    from listening import demo
    from listening.settings import get_settings

    workers = args.workers or get_settings().redaction_workers
    cores = os.cpu_count() or 1
    day = demo.default_start()
    with tempfile.TemporaryDirectory(prefix="perf-bench-") as tmp:
        data = Path(tmp) / "data"
        t0 = time.perf_counter()
        path = generate(data, args.n, day)
        size = path.stat().st_size >> 20
        print(f"generated {args.n} mentions in {time.perf_counter() - t0:.0f} s ({size} MB)")
        sample = sample_texts(path, args.sample)

        # Anchors before and after the stage runs, averaged: load from other jobs on a shared machine
        # then weighs on both sides of each ratio alike.
        before = (presidio_rate(sample), floor_rate(sample, workers))
        print(f"anchors before: Presidio {before[0]:.1f}, floor {before[1]:.1f} texts/s", flush=True)
        runs = {"sqlite": run_stage(data, day, f"sqlite:///{Path(tmp) / 'bench.db'}", workers)}
        print(f"stage on sqlite: {runs['sqlite']}", flush=True)
        if args.postgres_url:
            gen = _postgres_database(args.postgres_url)
            url = next(gen)
            try:
                runs["postgresql"] = run_stage(data, day, url, workers)
                print(f"stage on postgresql: {runs['postgresql']}", flush=True)
            finally:
                next(gen, None)
        after = (presidio_rate(sample), floor_rate(sample, workers))
        print(f"anchors after: Presidio {after[0]:.1f}, floor {after[1]:.1f} texts/s", flush=True)
        presidio, floor = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
        recall = None if args.no_recall else person_recall(workers, args.synth)

    print(f"\n### make bench: N = {args.n:,}, {cores} cores, {workers} redaction workers\n")
    print(
        f"anchors on a sample of the first {len(sample):,} texts (same texts as the stage's), "
        "mean of a measurement before and one after the stage"
    )
    print(f"  plain Presidio, one analyze() per text, 1 process   {presidio:8.1f} texts/s")
    print(f"  floor: the redactor's spaCy pipeline, {workers} processes  {floor:8.1f} texts/s")
    print(
        "\n| database | mentions read | stored | seconds | mentions/s | vs Presidio | vs floor | peak RSS |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, r in runs.items():
        rate = r["read"] / r["seconds"]
        print(
            f"| {name} | {r['read']:,} | {r['stored']:,} | {r['seconds']:.0f} | {rate:.0f} | "
            f"{rate / presidio:.2f}x | {rate / floor:.2f}x | {r['peak_rss_mb']:.0f} MB |"
        )
    print(
        "\nCPU per mention (all processes; load from other jobs barely moves it): plain Presidio "
        f"{_cpu['presidio'] * 1000:.1f} ms"
    )
    for name, r in runs.items():
        per = r["cpu_seconds"] / r["read"]
        print(
            f"  stage on {name}: {per * 1000:.1f} ms, so {_cpu['presidio'] / per:.2f}x Presidio per core; "
            f"on {workers} idle cores at most {workers * _cpu['presidio'] / per:.2f}x"
        )
    if recall is not None:
        print(
            f"\nperson recall (cov90) through the worker pool: real posts dev slice "
            f"{recall['real_dev_person']:.3f} (n={recall['real_dev_n']}), "
            f"synthetic {recall['synth_person']:.3f} (n={recall['synth_n']})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
