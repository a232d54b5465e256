"""What one document may cost while it is annotated and extracted: time and memory.

Ingest is linear in a document's length (a 1,000,000-character text, the longest
accepted, takes about a minute and under 1 GB), so a document that goes far over
that has hit something no test foresaw; it is refused by name and the run goes on.
:func:`limited` enforces a :class:`Budget` in the calling thread: a timer checks the
time spent and the growth of the process's memory four times a second, and raises
:class:`OverBudget` into the work when either is over. It works in the main thread
of a process (``kg ingest`` and its ``-j`` workers); elsewhere (Dask's worker
threads) it does nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["Budget", "OverBudget", "limited", "DEFAULT_SECONDS", "DEFAULT_MEMORY_MB", "NO_LIMIT"]

DEFAULT_SECONDS = 300.0
"""Time one document may take: several times what the longest accepted text takes on two busy cores."""
DEFAULT_MEMORY_MB = 2048
"""Memory one document may add to the process (the longest accepted text adds about 650 MB)."""
_TICK = 0.25


@dataclass(frozen=True)
class Budget:
    """Seconds and megabytes of memory growth a document may take; ``None`` (or 0) is no limit."""

    seconds: float | None = DEFAULT_SECONDS
    memory_mb: float | None = DEFAULT_MEMORY_MB

    def __post_init__(self) -> None:
        for name in ("seconds", "memory_mb"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"a budget's {name} cannot be negative, got {value}")

    @property
    def unlimited(self) -> bool:
        return not self.seconds and not self.memory_mb


NO_LIMIT = Budget(None, None)


class OverBudget(BaseException):
    """The work went over its :class:`Budget`; ``str()`` says which part ("took more than 300 s").

    A ``BaseException``, like ``KeyboardInterrupt``: the ``except Exception`` that keeps one
    document's bug from costing the others must not swallow it.
    """


def _rss() -> int:
    """This process's resident memory in bytes (Linux), or its peak where /proc is missing."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def enforceable() -> bool:
    """Can :func:`limited` enforce a budget here (the main thread, a system with interval timers)?"""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def limited(budget: Budget | None) -> Iterator[None]:
    """Run the ``with`` body within ``budget``, or raise :class:`OverBudget` inside it.

    Does nothing when ``budget`` is ``None`` or unlimited, or where it cannot be enforced
    (:func:`enforceable`).
    """
    if budget is None or budget.unlimited or not enforceable():
        yield
        return
    started = time.monotonic()
    base = _rss()
    armed = [True]

    def check(signum, frame) -> None:
        if not armed[0]:
            return
        if budget.seconds and time.monotonic() - started > budget.seconds:
            armed[0] = False
            raise OverBudget(f"took more than {budget.seconds:g} s")
        if budget.memory_mb and _rss() - base > budget.memory_mb * 1024 * 1024:
            armed[0] = False
            raise OverBudget(f"needed more than {budget.memory_mb:g} MB of memory")

    previous = signal.signal(signal.SIGALRM, check)
    signal.setitimer(signal.ITIMER_REAL, _TICK, _TICK)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
