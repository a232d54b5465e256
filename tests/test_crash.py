"""Crash safety: `kg ingest` killed with SIGKILL at random moments leaves every document
whole or absent, resuming gives the store of a clean run, and ingesting again changes nothing."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.documents import read_document, relative_path
from kg.extract import document_iri, extract_doc
from kg.rdf.mapping import to_graph
from kg.store import open_store
from kg.store.oxigraph import to_ox

KG = [str(Path(sys.executable).with_name("kg"))]
KILLS = 24
SEED = 20240614
DOCUMENTS = 240
SENTENCES = (2, 7)
"""Sentences per document: a batch of 32 is then mostly over ``kg.store.oxigraph.BULK_QUADS``, so both
of the ingest's write paths (``extend`` and the bulk loader) are crashed."""

ACTORS = ["Russia", "Ukraine", "NATO", "Serbia", "Kosovo", "Armenia", "Azerbaijan", "Iran",
          "the United States", "Israel", "Egypt", "the European Union"]
REGIONS = ["Donetsk", "Luhansk", "Kherson", "Crimea", "Gaza", "Nagorno-Karabakh", "northern Kosovo", "Zaporizhzhia"]
CLAUSES = [
    "demands that {b} withdraw its forces from {r} before a ceasefire",
    "supports peace negotiations with {b}",
    "opposes new sanctions against {b}",
    "said {b} must recognise {r} as its territory before any talks",
    "called on {b} to release prisoners held in {r}",
]


def make_corpus(folder: Path, count: int, seed: int, *, sentences: int | tuple[int, int] = 1) -> list[Path]:
    """``count`` news-like documents, each different, of ``sentences`` sentences (or a number
    drawn from the range ``(low, high)``)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    paths = []
    for i in range(count):
        lines = []
        for _ in range(sentences if isinstance(sentences, int) else rng.randint(*sentences)):
            a, b = rng.sample(ACTORS, 2)
            lines.append(f"{a[0].upper() + a[1:]} {rng.choice(CLAUSES).format(b=b, r=rng.choice(REGIONS))}, "
                         f"officials said on {rng.randint(1, 28)} June 2024.")
        path = folder / f"doc_{i:03d}.txt"
        path.write_text(" ".join(lines) + f" Dispatch {i}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def expected_graphs(paths: list[Path], nlp, folder: Path) -> dict[str, frozenset]:
    """Each document's graph as a clean extraction in this process makes it, the
    documents read as an ingest of ``folder`` reads them: IRI -> triples."""
    out = {}
    for path in paths:
        document = replace(read_document(path), relative_path=relative_path(path, [folder]))
        graph = to_graph(extract_doc(document, nlp(document.text)))
        out[document_iri(document)] = frozenset((to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph)
    return out


def stored_graphs(store_path: Path) -> dict[str, frozenset]:
    with open_store(store_path) as store:
        out = {}
        for name in store.document_graphs():
            quads = store.raw.quads_for_pattern(None, None, None, ox.NamedNode(name))
            out[name] = frozenset((q.subject, q.predicate, q.object) for q in quads)
        return out


def all_quads(store_path: Path) -> frozenset:
    """The store's quads, but the version of its content (a new name at every write, not content)."""
    from kg.namespaces import ID

    version = ox.NamedNode(str(ID["store/version"]))
    with open_store(store_path) as store:
        return frozenset(q for q in store.raw.quads_for_pattern(None, None, None, None) if q.predicate != version)


class Ingest:
    """`kg ingest` in its own process group, with the count its progress bar shows."""

    def __init__(self, store_path: Path, corpus: Path) -> None:
        self.process = subprocess.Popen(
            [*KG, "--store", str(store_path), "ingest", "--progress", str(corpus)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        self.count = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for chunk in iter(lambda: self.process.stderr.read1(4096), b""):
            for found in re.findall(rb"(\d+)(?:/\d+|doc) \[", chunk):
                self.count = max(self.count, int(found))

    def wait_for(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.count < count and self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)

    def kill(self) -> bool:
        """SIGKILL the ingest and anything it started; True when it had already finished."""
        finished = self.process.poll() is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self._reader.join()
        return finished


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_crash_sigkill_never_leaves_a_partial_document(tmp_path, nlp):
    corpus = tmp_path / "corpus"
    paths = make_corpus(corpus, DOCUMENTS, SEED, sentences=SENTENCES)
    expected = expected_graphs(paths, nlp, corpus)
    assert len(expected) == DOCUMENTS
    assert not any(isinstance(t, ox.BlankNode) for triples in expected.values() for triple in triples for t in triple)

    store = tmp_path / "store"
    rng = random.Random(SEED)
    survived, mid_ingest, rounds = 0, 0, 0
    before: set[str] = set()
    started = time.monotonic()
    while survived < KILLS:
        run = Ingest(store, corpus)
        if rng.random() < 0.25:  # anywhere: starting up, opening the store, loading the schema...
            time.sleep(rng.uniform(0.0, 4.0))
        else:  # while documents are being extracted and written
            run.wait_for(rng.randint(len(before) + 1, DOCUMENTS), timeout=60)
            time.sleep(rng.uniform(0.0, 0.3))
        finished = run.kill()
        stored = stored_graphs(store)  # reopens the store after the crash
        for name, triples in stored.items():
            assert name in expected, f"a graph no document makes: {name}"
            assert triples == expected[name], f"{name} is not the clean extraction of its document"
        assert before <= set(stored), "a crash lost documents that were already written"
        if finished:
            assert run.process.returncode == 0 and len(stored) == DOCUMENTS
        else:
            survived += 1
            if 0 < len(stored) < DOCUMENTS and set(stored) != before:
                mid_ingest += 1
        before = set(stored)
        if len(stored) == DOCUMENTS and survived < KILLS:  # all in: crash the next ingest from scratch
            shutil.rmtree(store)
            before = set()
        rounds += 1

    # resume: the ingest completes what the crashes left
    if not store.exists():
        store.mkdir()
    done = subprocess.run([*KG, "--store", str(store), "ingest", "--no-progress", str(corpus)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    resumed = stored_graphs(store)
    lost = DOCUMENTS - len(resumed)
    assert lost == 0 and resumed == expected

    # a clean run gives the same store, quad for quad (schema, reference data and documents)
    clean = tmp_path / "clean"
    done = subprocess.run([*KG, "--store", str(clean), "ingest", "--no-progress", str(corpus)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert all_quads(store) == all_quads(clean)

    # ingesting the same corpus again changes nothing
    before = all_quads(store)
    done = subprocess.run([*KG, "--store", str(store), "ingest", "--no-progress", str(corpus)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.startswith(f"0 ingested")
    assert all_quads(store) == before
    print(f"\ncrash test: {survived} SIGKILLs survived ({mid_ingest} with the ingest part-way), "
          f"{rounds} ingests started, {DOCUMENTS} documents, {lost} lost, {time.monotonic() - started:.0f} s")


BULK = """
import sys
import pyoxigraph as ox
store = ox.Store(sys.argv[1])
data = "".join(f'<http://s/{i}> <http://p> "{i}" <{sys.argv[3]}> .\\n' for i in range(int(sys.argv[2]))).encode()
print("ready", flush=True)
store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
store.flush()
print("done", flush=True)
"""


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_crash_bulk_loader_is_all_or_nothing(tmp_path):
    """What the ingest's large batches rely on: pyoxigraph's bulk loader commits at the end."""
    store, quads = tmp_path / "store", 150_000

    def load(graph: str) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-c", BULK, str(store), str(quads), graph],
                                   stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "ready"
        return process

    started = time.monotonic()
    whole = load("urn:g:whole")
    assert whole.stdout.readline().strip() == "done" and whole.wait() == 0
    duration = time.monotonic() - started
    rng = random.Random(SEED)
    seen = []
    for k in range(10):
        process = load(f"urn:g:{k}")
        time.sleep(rng.uniform(0.0, duration * 1.2))
        process.kill()
        process.communicate()
        loaded = ox.Store(str(store))
        seen.append(sum(1 for _ in loaded.quads_for_pattern(None, None, None, ox.NamedNode(f"urn:g:{k}"))))
        del loaded
    assert set(seen) <= {0, quads}, seen
    print(f"\nbulk loader: {len(seen)} SIGKILLs during a {quads:,}-quad load: {seen.count(0)} left nothing, "
          f"{seen.count(quads)} everything, {len(seen) - seen.count(0) - seen.count(quads)} part")
