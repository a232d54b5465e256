"""Concurrent use of one store by real processes: one writer at a time (the second is told
who holds the store, or waits), readers beside each other and beside a running ingest, and
never a corrupt store."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import SEEDS
from kg.documents import read_document
from kg.errors import StoreError
from kg.extract import document_iri
from kg.store import REFERENCE_GRAPH, open_store
from test_crash import Ingest, expected_graphs, make_corpus

KG = [str(Path(sys.executable).with_name("kg"))]

HOLD = """
import sys
from kg.store import REFERENCE_GRAPH, open_store
store = open_store(sys.argv[1], read_only=sys.argv[2] == "read")
print("ready", flush=True)
sys.stdin.readline()
store.close()
"""


class Holder:
    """A process that opens the store (to write or to read) and keeps it until told to stop."""

    def __init__(self, store: Path, mode: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", HOLD, str(store), mode],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    @property
    def pid(self) -> int:
        return self.process.pid

    def release(self) -> None:
        self.process.communicate("\n", timeout=60)
        assert self.process.returncode == 0


def kg(store: Path, *args, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, "--store", str(store), *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_concurrency_second_writer_is_told_who_holds_the_store(tmp_path):
    store = tmp_path / "store"
    holder = Holder(store, "write")
    try:
        done = kg(store, "ingest", "--no-progress", str(SEEDS))
        assert done.returncode == 1
        assert done.stderr.strip() == (f"Error: {store}: store is in use by process {holder.pid} (writing); "
                                       "wait for it to finish or use --wait SECONDS")
    finally:
        holder.release()
    with open_store(store, read_only=True) as opened:
        assert opened.document_graphs() == []


@pytest.mark.slow
def test_concurrency_writer_waits_for_the_holder_with_wait(tmp_path):
    store = tmp_path / "store"
    holder = Holder(store, "write")
    started = time.monotonic()
    waiting = subprocess.Popen([*KG, "--store", str(store), "ingest", "--wait", "120", "--no-progress", str(SEEDS)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    assert waiting.poll() is None, "the second writer should be waiting"
    holder.release()
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert out.startswith("1 ingested") and time.monotonic() - started >= 3
    with open_store(store, read_only=True) as opened:
        assert len(opened.document_graphs()) == 1


@pytest.mark.slow
def test_concurrency_writer_is_told_readers_hold_the_store(tmp_path):
    store = tmp_path / "store"
    first, second = Holder(store, "read"), Holder(store, "read")  # readers share the store
    try:
        done = kg(store, "ingest", "--no-progress", str(SEEDS))
        assert done.returncode == 1
        assert "store is in use by process" in done.stderr and "(reading, with 1 other reader)" in done.stderr
        assert str(first.pid) in done.stderr or str(second.pid) in done.stderr
        stats = kg(store, "stats", "--format", "json")  # a third reader
        assert stats.returncode == 0 and json.loads(stats.stdout)["documents"] == 0
    finally:
        first.release()
        second.release()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_concurrency_readers_work_while_an_ingest_runs(tmp_path, nlp):
    corpus = tmp_path / "corpus"
    paths = make_corpus(corpus, 320, seed=7, sentences=12)  # outlasts several reader rounds
    by_iri = {document_iri(read_document(p)): p for p in paths}
    rng = random.Random(7)
    store = tmp_path / "store"
    run = Ingest(store, corpus)
    counts, checked, during = [], 0, 0
    try:
        run.wait_for(1, timeout=120)
        while run.process.poll() is None:
            stats = kg(store, "stats", "--format", "json")
            assert stats.returncode == 0, stats.stderr
            counts.append(json.loads(stats.stdout)["documents"])
            dump = kg(store, "export", "--documents-only", "--format", "nq")
            assert dump.returncode == 0, dump.stderr
            during += run.process.poll() is None  # both reads ended while the writer still ran
            graphs: dict[str, set] = {}
            for quad in ox.parse(dump.stdout.encode("utf-8"), format=ox.RdfFormat.N_QUADS):
                graphs.setdefault(quad.graph_name.value, set()).add((quad.subject, quad.predicate, quad.object))
            for name in rng.sample(sorted(graphs), min(6, len(graphs))):  # a sample: each costs an extraction
                assert frozenset(graphs[name]) == expected_graphs([by_iri[name]], nlp, corpus)[name], \
                    f"a reader saw {name} part-written"
                checked += 1
    finally:
        run.process.wait(timeout=300)
        run.kill()
    assert run.process.returncode == 0
    assert counts == sorted(counts) and all(0 <= c <= len(paths) for c in counts)
    assert during >= 1 and checked >= 1, "no reader ran while the ingest was writing"
    assert not list((store / "snapshots").iterdir()), "snapshots are removed when the writer closes"
    with open_store(store) as opened:
        assert len(opened.document_graphs()) == len(paths)


@pytest.mark.slow
def test_concurrency_reader_is_told_plainly_when_the_writer_takes_no_snapshot(tmp_path):
    """A writer that takes no snapshots (an older polkg, or a process that only holds the lock)."""
    store = tmp_path / "store"
    open_store(store).close()
    script = ("import fcntl, sys; fh = open(sys.argv[1], 'a+'); fcntl.flock(fh, fcntl.LOCK_EX); "
              "print('ready', flush=True); sys.stdin.readline()")
    holder = subprocess.Popen([sys.executable, "-c", script, str(store / "polkg.lock")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    try:
        started = time.monotonic()
        done = kg(store, "stats")
        assert done.returncode == 1
        assert done.stderr == (f"Error: {store}: store is in use by process {holder.pid} (writing), which takes "
                               "no snapshots for readers; try again when it has finished\n")
        assert time.monotonic() - started < 15  # told at once, not after waiting for a snapshot
    finally:
        holder.communicate("\n", timeout=30)


def test_concurrency_reader_cannot_write(seed_store_path, tmp_path):
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(seed_store_path, copy)
    with open_store(copy, read_only=True) as store:
        n = len(store)
        with pytest.raises(StoreError, match="opened read-only"):
            store.remove_graph(store.document_graphs()[0])
    with open_store(copy, read_only=True) as store:
        assert len(store) == n


@pytest.mark.slow
def test_concurrency_lock_is_released_by_a_killed_holder(tmp_path):
    store = tmp_path / "store"
    holder = Holder(store, "write")
    holder.process.kill()
    holder.process.wait()
    with open_store(store) as opened:  # neither our lock file nor RocksDB's stays held
        assert (store / "polkg.lock").read_text() == str(os.getpid())
        assert opened.has_graph(REFERENCE_GRAPH)


def test_concurrency_snapshot_is_whole_while_another_thread_writes(tmp_path):
    """The snapshot a reader gets is taken between two atomic writes."""
    import threading

    store_path = tmp_path / "store"
    writer = open_store(store_path)
    stop = threading.Event()

    def write() -> None:
        k = 0
        while not stop.is_set():
            g = ox.NamedNode(f"https://w3id.org/polkg/id/doc/{k:016x}")
            writer.raw.extend([ox.Quad(ox.NamedNode(f"http://s/{k}/{i}"), ox.NamedNode("http://p"),
                                       ox.Literal(str(i)), g) for i in range(200)])
            k += 1

    thread = threading.Thread(target=write)
    thread.start()
    try:
        time.sleep(0.2)
        for _ in range(2):
            with open_store(store_path, read_only=True) as reader:
                assert reader.snapshot is not None
                for name in reader.document_graphs():
                    assert len(list(reader.raw.quads_for_pattern(None, None, None, ox.NamedNode(name)))) == 200
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert not list((store_path / "snapshots").iterdir())
