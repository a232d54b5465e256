"""The claim layer grown and shrunk by updates equals the layer built from scratch, quad for quad."""

from __future__ import annotations

import importlib.util
import json
import random
import sys

import pyoxigraph as ox
import pytest

from conftest import ROOT
from kg.api import ingest
from kg.claims import CLAIMS_GRAPH, rebuild_claims, update_claims
from kg.claims.model import ClaimSummary, Report
from kg.store import open_store

THREADS = ROOT / "tests" / "gold" / "threads"


def _query_bench():
    """bench/query.py, whose synthetic extractions the claim benchmark loads."""
    name = "polkg_bench_query"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "query.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _claim_quads(store) -> set:
    return {(q.subject, q.predicate, q.object)
            for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(CLAIMS_GRAPH))}


def _follow(path, documents: list[list], steps: list[int], removals: list[int], seed: int) -> list:
    """Load ``documents`` (each a list of quads) ``steps[0]`` first, then ``steps[1:]`` at a time, then
    drop ``removals`` of them at a time (chosen at random), updating the claim layer after each step and
    comparing it with the layer built again from scratch. Returns each update's ClaimUpdate."""
    updates = []
    with open_store(path) as store:
        first, *rest = steps
        store.raw.bulk_extend(q for doc in documents[:first] for q in doc)
        rebuild_claims(store)
        done = first
        for size in rest:
            store.raw.bulk_extend(q for doc in documents[done:done + size] for q in doc)
            done += size
            updates.append(update_claims(store))
            grown = _claim_quads(store)
            rebuild_claims(store)
            assert _claim_quads(store) == grown, f"after adding documents {done - size}..{done - 1}"
        rng = random.Random(seed)
        for size in removals:
            gone = rng.sample(store.document_graphs(), size)
            store.drop_graphs(gone)
            updates.append(update_claims(store))
            shrunk = _claim_quads(store)
            rebuild_claims(store)
            assert _claim_quads(store) == shrunk, f"after removing {gone}"
    return updates


def test_claims_incremental_equals_rebuild_on_synthetic_documents(tmp_path):
    bench = _query_bench()
    corpus = bench.Corpus(11)
    documents = [bench.document_quads(corpus, n) for n in range(70)]
    random.Random(4).shuffle(documents)  # so that new reports come before old ones, as well as after
    updates = _follow(tmp_path / "store", documents, [40, 14, 1, 1, 6, 8], [1, 8], seed=3)
    adds = updates[:5]
    assert all(u.added and u.threads for u in adds)
    # most threads that new documents join grow by difference; some are built again
    assert sum(u.threads - u.rebuilt for u in adds) > sum(u.rebuilt for u in adds) > 0
    assert all(u.removed and u.rebuilt == u.threads for u in updates[5:])


@pytest.fixture(scope="module")
def thread_documents(tmp_path_factory, nlp):
    """The thread gold's documents, ingested once; each document's graph as quads."""
    lines = [json.loads(line) for line in (THREADS / "gold.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    folder = tmp_path_factory.mktemp("threads")
    batch = folder / "threads.jsonl"
    with open(batch, "w", encoding="utf-8") as out:
        for line in lines:
            text = (THREADS / line["doc"]).read_text(encoding="utf-8")
            out.write(json.dumps({"text": text, "published": line.get("published"),
                                  "url": line.get("url") or line["doc"]}) + "\n")
    with open_store(folder / "store") as store:
        assert ingest([batch], store, nlp=nlp, claims=False).ok
        graphs = store.document_graphs()
        return [list(store.raw.quads_for_pattern(None, None, None, ox.NamedNode(g))) for g in graphs]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_claims_incremental_equals_rebuild_on_the_thread_gold(tmp_path, thread_documents, seed):
    documents = list(thread_documents)
    assert len(documents) >= 25
    random.Random(seed).shuffle(documents)
    updates = _follow(tmp_path / "store", documents, [5, 1, 3, 1, 6, 1, len(documents) - 17], [2, 1, 4],
                      seed=seed)
    assert any(u.threads > u.rebuilt for u in updates)


def _report(iri, doc, outlet, quote, said, reported, **what):
    return Report(iri, "precondition", "Russia", doc, outlet, quote, said, reported, **what)


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]])
def test_claim_summary_adding_reports_equals_summarising_them_all(order):
    reports = [
        _report("d1/p", "d1", "tass.ru", "Troops must leave the region.", None, "2022-03-02", action="withdraw_forces"),
        _report("d2/p", "d2", "bbc.co.uk", "Moscow no longer insists on the pullout.", "2022-04", "2022-04-03",
                action="withdraw_forces"),
        _report("d3/p", "d3", "tass.ru", "The forces have to go, he said on Monday.", "2022-03-07", None,
                action="withdraw_forces"),
        _report("d0/p", "d0", "rferl.org", "A withdrawal comes first.", None, None, action="withdraw_forces"),
    ]
    whole = ClaimSummary.of(reports)
    grown = ClaimSummary.of([reports[order[0]]])
    for i in order[1:]:
        grown = grown.add([reports[i]])
    assert grown == whole
    assert ClaimSummary.from_json(grown.to_json()) == whole and grown.to_json() == whole.to_json()
    assert (whole.documents, whole.outlets, whole.unplaced) == (4, ("bbc.co.uk", "rferl.org", "tass.ru"), 2)
    assert (whole.first("said"), whole.last("said"), whole.first("reported")) == ("2022-03-07", "2022-04", "2022-03-02")
    assert whole.first_quote["said"] == "The forces have to go, he said on Monday."
    assert whole.last_quote["reported"] == "Moscow no longer insists on the pullout."
    assert whole.withdrawn and whole.head == "d0/p"


def test_claim_summary_needs_a_report():
    with pytest.raises(ValueError, match="at least one report"):
        ClaimSummary.of([])


def test_claims_layer_of_another_version_is_built_again(tmp_path):
    """A claim graph written by another version of the layer is not grown: it is built again."""
    bench = _query_bench()
    corpus = bench.Corpus(5)
    documents = [bench.document_quads(corpus, n) for n in range(12)]
    with open_store(tmp_path / "store") as store:
        store.raw.bulk_extend(q for doc in documents[:10] for q in doc)
        rebuild_claims(store)
        graph = ox.NamedNode(CLAIMS_GRAPH)
        (version,) = list(store.raw.quads_for_pattern(graph, ox.NamedNode(
            "https://w3id.org/polkg/ontology#layerVersion"), None, graph))
        store.raw.remove(version)
        store.raw.bulk_extend(q for doc in documents[10:] for q in doc)
        update = update_claims(store)
        assert update.added == 12 and update.rebuilt == update.threads
        assert update_claims(store).threads == 0
