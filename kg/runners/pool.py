"""Extraction in worker processes on this machine (``kg ingest -j N``).

Each worker process builds the pipeline once, then takes chunks of documents
and returns, per document, its graph as N-Quads bytes (or the reason it
failed): the parent only reads, hashes and writes. At most a few chunks per
worker are in flight, so the parent never holds more than those and one write
batch, whatever the size of the corpus; results come back in input order.

Workers are started from a fork server (a clean process, not a fork of the
parent that holds the store open), only when the first document needs them; the
fork server builds the pipeline once (:mod:`kg.runners.warm`) and every worker starts
from it.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from kg.errors import KgError

__all__ = ["ProcessRunner", "windowed", "IN_FLIGHT_PER_WORKER"]

IN_FLIGHT_PER_WORKER = 3
"""Chunks queued per worker: enough to keep it busy while the parent writes."""


def windowed(submit: Callable[[list], Future], chunks: Iterable[list], window: int) -> Iterator[list]:
    """Submit ``chunks`` with at most ``window`` unfinished at once; yield their results in order."""
    pending: deque = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _start_worker() -> None:
    from kg.nlp.pipeline import load_nlp

    load_nlp()


def _work(documents: list, keep: bool, budget) -> list:
    from kg.nlp.pipeline import load_nlp
    from kg.runners.work import extract_chunk

    return extract_chunk(documents, load_nlp(), keep=keep, encode=True, budget=budget)


class ProcessRunner:
    """A pool of ``jobs`` worker processes, each with its own pipeline."""

    def __init__(self, jobs: int, *, keep: bool = False, budget=None) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        from kg.runners.work import DEFAULT_BUDGET

        self.jobs = jobs
        self.keep = keep
        self.budget = DEFAULT_BUDGET if budget is None else budget
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "ProcessRunner":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _submit(self, chunk: list) -> Future:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if "forkserver" in methods:
                context.set_forkserver_preload(["kg.runners.work", "kg.runners.warm"])  # workers fork from a built pipeline
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_start_worker)
        return self._pool.submit(_work, chunk, self.keep, self.budget)

    def map(self, chunks: Iterable[list]) -> Iterator[list]:
        try:
            yield from windowed(self._submit, chunks, self.jobs * IN_FLIGHT_PER_WORKER)
        except BrokenProcessPool as exc:
            raise KgError(f"ingest: a worker process stopped unexpectedly ({exc})") from exc
