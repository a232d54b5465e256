"""Parallel ingest on one machine: worker processes for the NLP, one writer, the same graph as a serial run."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

from kg.api import ingest
from kg.cli import main
from kg.runners import windowed
from kg.store import open_store
from test_incremental import graph_quads, write_short_corpus


def document_quads(store) -> set[str]:
    return {q for g in store.document_graphs() for q in graph_quads(store, g)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parallel") / "corpus"
    write_short_corpus(folder, 12, seed=11)
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n....")
    return folder


@pytest.fixture(scope="module")
def serial_quads(corpus, tmp_path_factory, nlp):
    with open_store(tmp_path_factory.mktemp("serial") / "store") as store:
        report = ingest([corpus], store, nlp=nlp)
        assert len(report.ingested) == 12 and len(report.failed) == 2
        return document_quads(store)


def test_parallel_two_workers_write_the_same_graph_as_one(corpus, serial_quads, tmp_path):
    kinds = []
    with open_store(tmp_path / "store") as store:
        report = ingest([corpus], store, jobs=2, batch_size=5, keep_extractions=True,
                        on_document=lambda kind, what: kinds.append(kind))
        assert len(report.ingested) == 12 and report.triples == len(serial_quads)
        assert [e.document.path for e in report.extractions] == report.ingested
        assert all(e.actors for e in report.extractions)
        assert sorted(str(e).split(":")[-1].strip() for e in report.failed) == [
            "binary file (a PNG image), not text", "empty file"]
        assert sorted(kinds) == ["failed"] * 2 + ["ingested"] * 12
        assert document_quads(store) == serial_quads
        again = ingest([corpus], store, jobs=2)
        assert again.ingested == [] and len(again.skipped) == 12


def test_parallel_cli_jobs_with_progress(corpus, serial_quads, tmp_path):
    store_path = tmp_path / "store"
    result = CliRunner().invoke(main, ["--store", str(store_path), "ingest", str(corpus), "-j", "2", "--progress"])
    assert result.exit_code == 1  # the two bad files are refused; the others go in
    assert result.stdout.strip().splitlines()[-1] == (
        f"12 ingested, 0 unchanged, 2 refused; {len(serial_quads)} triples written")
    assert "14/14" in result.stderr and "doc/s" in result.stderr
    with open_store(store_path) as store:
        assert document_quads(store) == serial_quads


def test_parallel_cli_jobs_and_scheduler_exclude_each_other(corpus, tmp_path):
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "s"), "ingest", str(corpus), "-j", "2",
                                       "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2 and "give -j/--jobs or --scheduler, not both" in result.output


def test_parallel_windowed_keeps_few_chunks_in_flight():
    pulled = []
    running = 0
    most = 0
    lock = threading.Lock()

    def chunks():
        for i in range(40):
            pulled.append(i)
            yield [i]

    def work(chunk):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        with lock:
            running -= 1
        return [x * 2 for x in chunk]

    with ThreadPoolExecutor(4) as pool:
        out = []
        for result in windowed(lambda c: pool.submit(work, c), chunks(), window=3):
            assert len(pulled) <= len(out) + 3  # never reads far ahead of what is written
            out.extend(result)
    assert out == [2 * i for i in range(40)]
    assert most <= 3
