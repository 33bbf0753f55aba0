"""Redaction on every core: a pool of processes, each with its own redactor, fed with batches of texts.

`redaction_pool` returns the process-wide pool for a policy, model and topic vocabulary. With one worker
(`LISTENING_REDACTION_WORKERS=1`), or inside a daemonic process (which may not have children), it
redacts in this process instead; the results are the same either way, the redactor is the same code.

Workers are started with `spawn`, not `fork`: an Airflow task or a Celery worker may hold threads
and locks that a forked child would inherit half-taken. Raw text travels to the workers and redacted
text back through the pool's pipes, in memory only, never a file. Workers start on first use and live
as long as this process (an Airflow task's process: one shard, or many shards in a test run).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from listening.config import RedactionPolicy
from listening.privacy.redactor import Redacted, Redactor, get_redactor, policy_version
from listening.settings import get_settings

log = logging.getLogger(__name__)


def _redact_in_worker(
    policy_json: str, model: str, terms: tuple[str, ...], texts: list[str]
) -> list[Redacted]:
    """In a worker: the worker's redactor for this policy (built on first use, then cached)."""
    return _policy_redactor(policy_json, model, terms).redact_batch(texts)


@functools.lru_cache(maxsize=32)
def _policy_redactor(policy_json: str, model: str, terms: tuple[str, ...]) -> Redactor:
    return get_redactor(RedactionPolicy.model_validate_json(policy_json), model, terms)


def _exit_with_parent(parent: int) -> None:
    """In a worker: end when the process that started it is gone (a task killed with SIGKILL leaves
    no orphaned worker holding its memory)."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


_PR_SET_PDEATHSIG = 1


def _warm_worker(model: str, parent: int) -> None:
    """In a worker: end with the parent, and load the models before the first batch arrives."""
    _exit_with_parent(parent)
    get_redactor(RedactionPolicy(), model)


class Pending:
    """A batch's redaction on its way: `result()` waits for it, in input order."""

    def __init__(self, futures: Sequence[Future[list[Redacted]]] = (), done: list[Redacted] | None = None):
        self._futures = list(futures)
        self._done = done

    def done(self) -> bool:
        return self._done is not None or all(f.done() for f in self._futures)

    def result(self) -> list[Redacted]:
        if self._done is None:
            self._done = [r for f in self._futures for r in f.result()]
        return self._done


class _Workers:
    """The process's pool of redaction workers, shared by every policy (started on first use)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._size = 0

    def get(self, size: int, model: str) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is not None and self._size != size:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=size,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_warm_worker,
                    initargs=(model, os.getpid()),
                )
                self._size = size
            return self._executor

    def pids(self) -> list[int]:
        """The worker processes' ids (none before the first batch)."""
        with self._lock:
            executor = self._executor
            return sorted(executor._processes) if executor is not None else []

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None


_workers = _Workers()
atexit.register(_workers.close)


class RedactionPool:
    """Redacts batches under one policy on `workers` processes (in this process when `workers` is 1)."""

    def __init__(self, policy: RedactionPolicy, model: str, terms: tuple[str, ...], workers: int) -> None:
        self.policy = policy
        self.model = model
        self.terms = terms
        self.workers = max(1, workers)
        if self.workers > 1 and multiprocessing.current_process().daemon:
            log.warning("redaction runs in-process: a daemonic process may not start workers")
            self.workers = 1
        self._policy_json = policy.model_dump_json()
        self.policy_version = policy_version(policy, get_settings().ner_model)

    @property
    def in_process(self) -> bool:
        return self.workers == 1

    def submit(self, texts: Sequence[str]) -> Pending:
        """Start redacting `texts`; split over the workers, so one batch uses every core."""
        if not texts:
            return Pending(done=[])
        if self.in_process:
            return Pending(done=get_redactor(self.policy, self.model, self.terms).redact_batch(texts))
        pool = _workers.get(self.workers, self.model)
        size = -(-len(texts) // min(self.workers, len(texts)))
        return Pending(
            [
                pool.submit(
                    _redact_in_worker, self._policy_json, self.model, self.terms, list(texts[i : i + size])
                )
                for i in range(0, len(texts), size)
            ]
        )

    def redact_batch(self, texts: Sequence[str]) -> list[Redacted]:
        """Redact `texts` and wait for the result."""
        return self.submit(texts).result()


def redaction_pool(
    policy: RedactionPolicy,
    terms: Sequence[str] = (),
    *,
    workers: int | None = None,
    model: str | None = None,
) -> RedactionPool:
    """A redaction pool for this policy, model and vocabulary on `redaction_workers` processes."""
    settings = get_settings()
    count = settings.redaction_workers if workers is None else workers
    return RedactionPool(policy, model or settings.spacy_model, tuple(terms), count)


def close_workers() -> None:
    """Stop the worker processes (they start again on the next batch)."""
    _workers.close()
