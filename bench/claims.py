"""Benchmark of the claim layer: a full build, and an incremental update, against ingest.

    .venv/bin/python bench/claims.py [--docs 3000] [--add 100] [--ingest-sample 20]

The documents' graphs come from the synthetic extractions of ``bench/query.py``
(mapped and bulk-loaded, no NLP), so that thousands of documents load in
seconds. Timed: ``rebuild_claims`` over ``--docs`` documents; ``update_claims``
after ``--add`` more documents are written; and, for the comparison with
ingest, ``kg.ingest`` of ``--ingest-sample`` synthetic articles of
``bench/corpus.py`` with the claim layer off (seconds per document, NLP included).
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"polkg_bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--add", type=int, default=100)
    parser.add_argument("--ingest-sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from kg.api import ingest
    from kg.claims import rebuild_claims, update_claims
    from kg.store import open_store

    query_bench = _load("query")
    corpus_bench = _load("corpus")
    workdir = Path(tempfile.mkdtemp(prefix="polkg-claims-bench-"))
    try:
        store = open_store(workdir / "store")
        corpus = query_bench.Corpus(args.seed)
        docs = [query_bench.document_quads(corpus, n) for n in range(args.docs + args.add)]
        store.raw.bulk_extend(q for doc in docs[:args.docs] for q in doc)
        store.raw.flush()
        started = time.perf_counter()
        built = rebuild_claims(store)
        full = time.perf_counter() - started
        print(f"full build: {args.docs:,} documents, {built.threads:,} threads, {built.triples:,} triples "
              f"in {full:.2f} s ({full / args.docs * 1000:.2f} ms per document)")
        store.raw.bulk_extend(q for doc in docs[args.docs:] for q in doc)
        store.raw.flush()
        started = time.perf_counter()
        update = update_claims(store)
        incremental = time.perf_counter() - started
        print(f"incremental: +{update.added} documents, {update.threads:,} threads rebuilt in {incremental:.2f} s "
              f"({incremental / full * 100:.1f}% of the full build)")
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
              f"({args.ingest_sample} synthetic articles, NLP included)")
        print(f"claim layer, full build: {full / args.docs / per_doc * 100:.2f}% of ingest per document")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
