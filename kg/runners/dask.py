"""Extraction on a Dask cluster (``kg ingest --scheduler tcp://HOST:8786``).

The ingesting process is a Dask client: it reads and hashes the documents,
sends the new ones to the cluster in chunks, and stays the single writer of
the store, one atomic write per batch. Each Dask worker process builds the
pipeline once (cached in the process) and returns, per document, its graph as
N-Quads bytes. Workers need polkg installed, in the same version as the client.

Run one thread per worker process (``dask worker --nthreads 1``, or
``threads_per_worker=1``): spaCy holds the GIL, so threads in one process do
not add throughput; the pipeline is guarded so that they stay correct.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Iterator

from kg.errors import KgError
from kg.runners.pool import IN_FLIGHT_PER_WORKER, windowed

__all__ = ["DaskRunner", "extract_on_worker"]

_lock = threading.Lock()


def extract_on_worker(documents: list, keep: bool) -> list:
    """The task a Dask worker runs: annotate and extract ``documents``."""
    from kg.nlp.pipeline import load_nlp
    from kg.runners.work import extract_chunk

    with _lock:  # one pipeline per worker process, built once (load_nlp is cached)
        return extract_chunk(documents, load_nlp(), keep=keep, encode=True)


class DaskRunner:
    """Send chunks of documents to the Dask scheduler at ``address``."""

    def __init__(self, address: str, *, keep: bool = False, timeout: float = 30) -> None:
        self.address = address
        self.keep = keep
        self.timeout = timeout
        self._client = None
        self._window = 0

    def __enter__(self) -> "DaskRunner":
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _connect(self):
        try:
            from distributed import Client
        except ImportError as exc:
            raise KgError(f"{self.address}: distributed ingest needs the 'distributed' package "
                          "(pip install 'dask[distributed]')") from exc
        try:
            client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise KgError(f"{self.address}: cannot reach the Dask scheduler ({exc})") from exc
        threads = sum(client.nthreads().values())
        if threads == 0:
            client.close()
            raise KgError(f"{self.address}: the Dask cluster has no workers")
        self._window = threads * IN_FLIGHT_PER_WORKER
        return client

    def _submit(self, chunk: list):
        return self._client.submit(extract_on_worker, chunk, self.keep, pure=False)

    def map(self, chunks: Iterable[list]) -> Iterator[list]:
        chunks = iter(chunks)
        first = next(chunks, None)
        if first is None:  # nothing new: no need to reach the cluster
            return
        if self._client is None:
            self._client = self._connect()
        yield from windowed(self._submit, itertools.chain([first], chunks), self._window)
