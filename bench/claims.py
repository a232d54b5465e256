"""Benchmark of the claim layer: a full build, and incremental updates, against ingest.

    .venv/bin/python bench/claims.py [--docs 10000] [--add 100] [--remove 100] [--ingest-sample 20]

The documents' graphs come from the synthetic extractions of ``bench/query.py``
(mapped and bulk-loaded, no NLP), so that thousands of documents load in
seconds. Timed, in one process: ``rebuild_claims`` over ``--docs`` documents;
``update_claims`` after ``--add`` more documents are written, then after
``--remove`` documents are dropped. After each update the layer is built again
from scratch (timed too: the full build is measured three times) and compared
with the updated one triple for triple. For the comparison with ingest,
``kg.ingest`` of ``--ingest-sample`` synthetic articles of ``bench/corpus.py``
with the claim layer off (seconds per document, NLP included).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"polkg_bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--add", type=int, default=100)
    parser.add_argument("--remove", type=int, default=100)
    parser.add_argument("--ingest-sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-check", action="store_true",
                        help="skip building the layer again after each update (the comparison, and the extra timings)")
    args = parser.parse_args(argv)

    import pyoxigraph as ox

    from kg.api import ingest
    from kg.claims import CLAIMS_GRAPH, rebuild_claims, update_claims
    from kg.store import open_store
    from machine import describe

    print(describe("pyoxigraph", "rdflib", "spacy"))
    query_bench = _load("query")
    corpus_bench = _load("corpus")
    workdir = Path(tempfile.mkdtemp(prefix="polkg-claims-bench-"))
    graph = ox.NamedNode(CLAIMS_GRAPH)

    def claim_graph(store) -> set:
        return {(q.subject, q.predicate, q.object) for q in store.raw.quads_for_pattern(None, None, None, graph)}

    def rebuilt_equals(store, label: str) -> float:
        updated = claim_graph(store)
        started = time.perf_counter()
        rebuild_claims(store)
        seconds = time.perf_counter() - started
        same = claim_graph(store) == updated
        print(f"  full build again: {seconds:.2f} s; updated layer equals it triple for triple: {same} "
              f"({len(updated):,} triples) [load {_load_average()}]")
        if not same:
            raise SystemExit(f"the updated layer differs from a full build after {label}")
        return seconds

    try:
        store = open_store(workdir / "store")
        corpus = query_bench.Corpus(args.seed)
        started = time.perf_counter()
        docs = [query_bench.document_quads(corpus, n) for n in range(args.docs + args.add)]
        store.raw.bulk_extend(q for doc in docs[:args.docs] for q in doc)
        store.raw.flush()
        print(f"{args.docs:,} documents ({sum(map(len, docs[:args.docs])):,} quads) generated and loaded "
              f"in {time.perf_counter() - started:.1f} s [load {_load_average()}]")
        fulls = []
        started = time.perf_counter()
        built = rebuild_claims(store)
        fulls.append(time.perf_counter() - started)
        print(f"full build: {args.docs:,} documents, {built.threads:,} threads, {built.triples:,} triples "
              f"in {fulls[0]:.2f} s ({fulls[0] / args.docs * 1000:.2f} ms per document) [load {_load_average()}]")

        store.raw.bulk_extend(q for doc in docs[args.docs:] for q in doc)
        store.raw.flush()
        started = time.perf_counter()
        added = update_claims(store)
        add_seconds = time.perf_counter() - started
        print(f"add: +{added.added} documents, {added.threads:,} threads touched ({added.rebuilt} built again "
              f"from their reports), {added.triples:,} triples written in {add_seconds:.3f} s "
              f"[load {_load_average()}]")
        if not args.no_check:
            fulls.append(rebuilt_equals(store, "adding"))

        gone = random.Random(args.seed).sample(store.document_graphs(), args.remove)
        for iri in gone:
            store.raw.remove_graph(ox.NamedNode(iri))
        store.raw.flush()
        started = time.perf_counter()
        removed = update_claims(store)
        remove_seconds = time.perf_counter() - started
        print(f"remove: -{removed.removed} documents, {removed.threads:,} threads built again, "
              f"{removed.triples:,} triples written in {remove_seconds:.3f} s [load {_load_average()}]")
        if not args.no_check:
            fulls.append(rebuilt_equals(store, "removing"))
        full = statistics.median(fulls)
        print(f"full build, median of {len(fulls)}: {full:.2f} s {[round(f, 2) for f in fulls]}")
        print(f"adding {args.add}: {add_seconds / full * 100:.2f}% of a full build; "
              f"removing {args.remove}: {remove_seconds / full * 100:.2f}%")
        store.close()
        if not args.ingest_sample:
            return 0

        sample = workdir / "sample"
        sample.mkdir()
        for record in corpus_bench.generate(args.ingest_sample, seed=args.seed):
            (sample / f"{record['id']:04d}.txt").write_text(record["text"], encoding="utf-8")
        from kg.nlp.pipeline import load_nlp

        nlp = load_nlp()
        with open_store(workdir / "ingest") as target:
            started = time.perf_counter()
            ingest([sample], target, nlp=nlp, claims=False)
            per_doc = (time.perf_counter() - started) / args.ingest_sample
        print(f"ingest without the claim layer: {per_doc * 1000:.0f} ms per document "
              f"({args.ingest_sample} synthetic articles, NLP included) [load {_load_average()}]")
        print(f"claim layer, full build at {args.docs:,} documents: {full / args.docs / per_doc * 100:.2f}% "
              f"of ingest per document")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
