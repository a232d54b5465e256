"""Distributed ingest on a real Dask cluster of worker processes on loopback."""

from __future__ import annotations

import socket

import distributed
import pytest

from kg.api import ingest
from kg.runners import DaskRunner
from kg.errors import KgError
from kg.store import open_store
from test_incremental import write_short_corpus
from test_parallel import document_quads


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_distributed_ingest_equals_serial_ingest(tmp_path, nlp):
    corpus = tmp_path / "corpus"
    write_short_corpus(corpus, 10, seed=23)
    with open_store(tmp_path / "serial") as store:
        serial = ingest([corpus], store, nlp=nlp)
        expected = document_quads(store)
    assert serial.ok and len(serial.ingested) == 10

    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        with open_store(tmp_path / "dask") as store:
            report = ingest([corpus], store, scheduler=cluster.scheduler_address, batch_size=4)
            assert report.ok and sorted(report.ingested) == sorted(serial.ingested)
            assert report.triples == len(expected)
            assert document_quads(store) == expected
            with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
                # each worker built the pipeline once, in its own process
                builds = client.run(lambda: __import__("kg.nlp.pipeline").nlp.pipeline.load_nlp.cache_info().misses)
                assert sorted(builds.values()) == [1, 1]
            again = ingest([corpus], store, scheduler=cluster.scheduler_address)
            assert again.ingested == [] and len(again.skipped) == 10


def test_distributed_unreachable_scheduler_is_one_line_error(tmp_path):
    with socket.socket() as s:  # a free port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    runner = DaskRunner(f"tcp://127.0.0.1:{port}", timeout=2)
    with pytest.raises(KgError) as caught, runner:
        list(runner.map([[object()]]))
    message = str(caught.value)
    assert message.startswith(f"tcp://127.0.0.1:{port}: cannot reach the Dask scheduler")
    assert "\n" not in message
