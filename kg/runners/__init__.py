"""Where extraction runs: in this process, in worker processes, or on a Dask cluster.

Every runner takes chunks of :class:`~kg.documents.Document` and yields, per
chunk and in input order, one :class:`~kg.runners.work.Extracted` per document
(its graph as quads, or why it failed), so the store ends up the same whichever
runs. This package is a leaf: it imports the extraction function and the
mapping (:mod:`kg.runners.work`) and nothing above them; :mod:`kg.ingest`
chooses a runner (:func:`make_runner`) and writes what it returns.

* :class:`~kg.runners.serial.SerialRunner`: this process, a chunk at a time;
* :class:`~kg.runners.pool.ProcessRunner`: ``jobs`` worker processes (``kg ingest -j N``);
* :class:`~kg.runners.dask.DaskRunner`: a Dask cluster (``kg ingest --scheduler``).
"""

from __future__ import annotations

from kg.runners.dask import DaskRunner
from kg.runners.pool import IN_FLIGHT_PER_WORKER, ProcessRunner, windowed
from kg.runners.serial import SerialRunner
from kg.budget import NO_LIMIT, Budget, OverBudget
from kg.runners.work import DEFAULT_BUDGET, Extracted, extract_chunk

__all__ = ["Extracted", "extract_chunk", "Budget", "OverBudget", "DEFAULT_BUDGET", "SerialRunner", "ProcessRunner",
           "DaskRunner", "make_runner", "windowed", "IN_FLIGHT_PER_WORKER"]


def make_runner(*, nlp=None, jobs: int = 1, scheduler: str | None = None, keep: bool = False,
                budget: Budget | None = DEFAULT_BUDGET):
    """The runner for these options: Dask when ``scheduler`` is given, worker processes when
    ``jobs`` > 1, else this process (with ``nlp``, or the default pipeline built on first use).
    ``budget`` is what one document may take (:mod:`kg.budget`; not enforced in Dask's
    worker threads)."""
    if scheduler:
        return DaskRunner(scheduler, keep=keep)
    if jobs > 1:
        return ProcessRunner(jobs, keep=keep, budget=budget or NO_LIMIT)
    return SerialRunner(nlp, keep=keep, budget=budget)

