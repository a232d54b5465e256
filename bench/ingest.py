"""Ingest throughput against bare spaCy on the same texts, in the same run.

    .venv/bin/python bench/ingest.py [--docs N] [--runs R] [CORPUS_DIR ...]

The corpus is the text files of the given folders (default: seeds/ and tests/gold/),
cycled with a numbered closing line until there are N distinct documents (so the
store really ingests each one). "bare" is ``nlp.pipe`` of the plain model with the
same components; "polkg" is the whole ingest: our pipeline (gazetteer ruler
included), extraction, RDF mapping, and one atomic write plus flush per document
into a fresh on-disk store. Model loading is outside both timings. Prints medians
and the ratio polkg / bare.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from kg.documents import document_from_text  # noqa: E402
from kg.ingest import ingest_documents  # noqa: E402
from kg.nlp.pipeline import MODEL, UNUSED_COMPONENTS, build_nlp  # noqa: E402
from kg.store import open_store  # noqa: E402


def corpus(folders: list[Path], n: int) -> list[str]:
    base = [p.read_text(encoding="utf-8") for f in folders for p in sorted(f.glob("*.txt"))]
    if not base:
        raise SystemExit(f"no .txt files in {', '.join(map(str, folders))}")
    return [f"{base[i % len(base)].rstrip()}\nCopy {i}.\n" for i in range(n)]


def time_bare(nlp, texts: list[str]) -> float:
    start = time.perf_counter()
    for _ in nlp.pipe(texts):
        pass
    return time.perf_counter() - start


def time_polkg(nlp, texts: list[str]) -> float:
    documents = [document_from_text(t, path=f"doc{i}.txt") for i, t in enumerate(texts)]
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(Path(tmp) / "store") as store:
            start = time.perf_counter()
            report = ingest_documents(documents, store, nlp=nlp)
            elapsed = time.perf_counter() - start
    assert report.ok and len(report.ingested) == len(texts), report.summary()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[ROOT / "seeds", ROOT / "tests" / "gold"])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    texts = corpus(args.folders, args.docs)
    words = sum(len(t.split()) for t in texts)
    bare_nlp = spacy.load(MODEL, exclude=list(UNUSED_COMPONENTS))
    our_nlp = build_nlp()
    time_bare(bare_nlp, texts[:10])
    time_polkg(our_nlp, texts[:10])
    bare, ours = [], []
    for _ in range(args.runs):
        bare.append(time_bare(bare_nlp, texts))
        ours.append(time_polkg(our_nlp, texts))
    b, o = statistics.median(bare), statistics.median(ours)
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"spaCy {spacy.__version__}, model {MODEL}")
    print(f"corpus: {len(texts)} documents, {words:,} words; {args.runs} runs, medians")
    print(f"bare nlp.pipe : {b:7.2f} s  {len(texts) / b:7.1f} docs/s  {words / b:9,.0f} words/s")
    print(f"polkg ingest  : {o:7.2f} s  {len(texts) / o:7.1f} docs/s  {words / o:9,.0f} words/s")
    print(f"ratio polkg / bare: {o / b:.3f}")


if __name__ == "__main__":
    main()
