"""Ingest throughput against bare spaCy on the same texts, in the same run.

    .venv/bin/python bench/ingest.py [--docs N] [--runs R] [CORPUS_DIR ...]

The corpus is the text files of the given folders (default: seeds/ and tests/gold/),
cycled with a numbered closing line until there are N distinct documents (so the
store really ingests each one). "bare" is ``nlp.pipe`` of the plain model with the
same components; "polkg" is the whole ingest: our pipeline (gazetteer ruler
included), extraction, RDF mapping, and one atomic write plus flush per document
into a fresh on-disk store. Model loading is outside both timings. Prints medians
and the ratio polkg / bare.

    .venv/bin/python bench/ingest.py --suite [--sizes 1000 10000] [--jobs 1 2] [--runs R] [--no-dask]

The scale suite (what ``make bench`` runs) generates seeded corpora with
bench/corpus.py and measures, per size: ``kg ingest`` from the files with ``-j``
1 and 2 against bare ``nlp.pipe(n_process=...)`` on the same texts; a re-ingest
of the unchanged corpus; the Dask path on a LocalCluster with as many worker
processes as the largest ``-j``; store size on disk per document; peak memory of
the process tree (sampled) by quarter of the ingest; and, on the largest store,
the latency of the ``preconditions`` query and of ``actor_table``. It prints a
Markdown section with the machine's description; ``--json FILE`` keeps the raw
numbers.
"""

from __future__ import annotations

import argparse
import os
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

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
    parser.add_argument("--suite", action="store_true", help="run the scale suite instead")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-dask", dest="dask", action="store_false")
    parser.add_argument("--dask-runs", type=int, help="runs of the Dask path (default: --runs)")
    parser.add_argument("--no-bare", dest="bare", action="store_false", help="skip bare nlp.pipe (no ratio)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "polkg-bench")
    parser.add_argument("--json", type=Path, help="write the raw numbers of the suite here")
    args = parser.parse_args()
    if args.suite:
        run_suite(sizes=args.sizes, jobs=args.jobs, runs=args.runs, dask=args.dask,
                  workdir=args.workdir, json_path=args.json, dask_runs=args.dask_runs, bare=args.bare)
        return

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


# -- the scale suite -----------------------------------------------------------------


class MemorySampler:
    """Samples the resident memory of this process and its children (psutil) in a thread.

    ``progress`` is read at each sample, so the peak can be reported per quarter of the work.
    """

    def __init__(self, interval: float = 0.25) -> None:
        import threading

        import psutil

        self.interval = interval
        self.samples: list[tuple[float, int, int]] = []  # (seconds, progress, bytes)
        self.progress = 0
        self._cpu: dict[int, float] = {}  # pid -> user + system seconds, last seen
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        import psutil

        total = 0
        for proc in [self._process, *self._process.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
                times = proc.cpu_times()
                self._cpu[proc.pid] = times.user + times.system
            except psutil.Error:
                pass
        return total

    def cpu_seconds(self) -> float:
        """CPU time of this process and its children (as last seen) since the sampler started."""
        return sum(self._cpu.values()) - self._cpu_at_start

    def __enter_cpu(self) -> None:
        self.rss()
        self._cpu_at_start = sum(self._cpu.values())

    def _run(self) -> None:
        start = time.perf_counter()
        while not self._stop.is_set():
            self.samples.append((time.perf_counter() - start, self.progress, self.rss()))
            self._stop.wait(self.interval)

    def __enter__(self) -> "MemorySampler":
        self.__enter_cpu()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((0.0, self.progress, self.rss()))

    def peak(self) -> int:
        return max(b for _, _, b in self.samples)

    def peak_by_quarter(self, total: int) -> list[int]:
        quarters = [0, 0, 0, 0]
        for _, done, b in self.samples:
            q = min(3, done * 4 // max(total, 1))
            quarters[q] = max(quarters[q], b)
        return quarters


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{describe('spacy', 'pyoxigraph')} ({MODEL}); load average at the start {load}"


def _ingest_run(corpus_dir: Path, store_dir: Path, total: int, **kwargs) -> dict:
    """One ``kg ingest`` of ``corpus_dir`` into a fresh store: time, memory, then a re-ingest."""
    from kg.api import ingest

    shutil.rmtree(store_dir, ignore_errors=True)
    load = os.getloadavg()[0]
    with open_store(store_dir) as store:
        with MemorySampler() as memory:
            def tick(kind: str, what: str) -> None:
                memory.progress += 1
                if memory.progress % 500 == 0:
                    print(f"  [{memory.progress}/{total}] {time.perf_counter() - start:.0f} s, "
                          f"{memory.rss() / 2**20:.0f} MB, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)

            start = time.perf_counter()
            report = ingest([corpus_dir], store, on_document=tick, **kwargs)
            seconds = time.perf_counter() - start
        assert report.ok and len(report.ingested) == total, report.summary()
        start = time.perf_counter()
        again = ingest([corpus_dir], store, **kwargs)
        reingest = time.perf_counter() - start
        assert not again.ingested and len(again.skipped) == total, again.summary()
    return {"seconds": seconds, "writing": report.seconds_writing, "triples": report.triples,
            "reingest": reingest, "store_bytes": _du(store_dir), "peak_rss": memory.peak(),
            "peak_rss_quarters": memory.peak_by_quarter(total), "load": load, "cpu": memory.cpu_seconds()}


def _bare_run(nlp, texts: list[str], n_process: int) -> dict:
    load = os.getloadavg()[0]
    with MemorySampler() as memory:
        start = time.perf_counter()
        for _ in nlp.pipe(texts, n_process=n_process, batch_size=32):
            memory.progress += 1
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_rss": memory.peak(), "load": load, "cpu": memory.cpu_seconds()}


def _dask_run(corpus_dir: Path, store_dir: Path, total: int, workers: int) -> dict:
    from distributed import LocalCluster

    with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        return _ingest_run(corpus_dir, store_dir, total, scheduler=cluster.scheduler_address)


def _median_run(runs: int, fn, *args, **kwargs) -> dict:
    return _median_of([fn(*args, **kwargs) for _ in range(runs)])


def _median_of(results: list[dict]) -> dict:
    out = dict(results[len(results) // 2])
    out["seconds"] = statistics.median(r["seconds"] for r in results)
    out["all_seconds"] = [round(r["seconds"], 2) for r in results]
    out["loads"] = [round(r["load"], 1) for r in results]
    out["cpu"] = statistics.median(r["cpu"] for r in results)
    out["all_cpu"] = [round(r["cpu"], 1) for r in results]
    return out


def _latency(fn, runs: int = 3) -> dict:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times), "all_seconds": [round(t, 3) for t in times], "rows": len(value)}


def run_suite(*, sizes: list[int], jobs: list[int], runs: int, dask: bool, workdir: Path,
              json_path: Path | None, dask_runs: int | None = None, bare: bool = True) -> dict:
    from corpus import write_corpus

    from kg.analysis import actor_table
    from kg.api import run_query

    machine = _machine()
    bare_nlp = spacy.load(MODEL, exclude=list(UNUSED_COMPONENTS))
    our_nlp = build_nlp()
    results: dict = {"machine": machine, "runs": runs, "sizes": {}}
    workdir.mkdir(parents=True, exist_ok=True)
    with_bare = bare
    for n in sizes:
        corpus_dir = workdir / f"corpus-{n}"
        if not (corpus_dir / "DONE").exists():
            shutil.rmtree(corpus_dir, ignore_errors=True)
            info = write_corpus(corpus_dir, n, seed=0)
            (corpus_dir / "DONE").write_text(json.dumps(info))
        texts = [p.read_text(encoding="utf-8") for p in sorted(corpus_dir.rglob("*.txt"))]
        words = sum(len(t.split()) for t in texts)
        row: dict = {"documents": n, "words": words, "jobs": {}}
        for j in jobs:
            bare_runs, our_runs = [], []
            for _ in range(runs):  # interleaved, so that a change of load hits both alike
                if with_bare:
                    bare_runs.append(_bare_run(bare_nlp, texts, j))
                our_runs.append(_ingest_run(corpus_dir, workdir / "store", n, jobs=j,
                                            nlp=our_nlp if j == 1 else None))
            bare = _median_of(bare_runs) if bare_runs else None
            ours = _median_of(our_runs)
            row["jobs"][j] = {"bare": bare, "ingest": ours}
            print(f"[{n} docs, -j {j}] bare {bare['seconds'] if bare else float('nan'):.1f} s "
                  f"(cpu {bare['cpu'] if bare else float('nan'):.0f} s), ingest {ours['seconds']:.1f} s "
                  f"(cpu {ours['cpu']:.0f} s) "
                  f"(writing {ours['writing']:.1f} s), re-ingest {ours['reingest']:.2f} s", file=sys.stderr)
        if dask:
            workers = max(jobs)
            row["dask"] = _median_run(dask_runs or runs, _dask_run, corpus_dir, workdir / "store", n, workers)
            row["dask"]["workers"] = workers
            print(f"[{n} docs, dask x{workers}] ingest {row['dask']['seconds']:.1f} s (cpu {row['dask']['cpu']:.0f} s)",
                  file=sys.stderr)
        if json_path is not None:
            json_path.write_text(json.dumps(results | {"partial": row}, indent=1))
        # the store of the last run is the graph of this corpus: query it
        with open_store(workdir / "store") as store:
            row["query_preconditions"] = _latency(lambda: run_query(store, "preconditions").rows)
            row["actor_table"] = _latency(lambda: actor_table(store))
            row["documents_in_store"] = len(store.document_graphs())
        results["sizes"][n] = row
        if json_path is not None:
            json_path.write_text(json.dumps(results, indent=1))
    print(format_results(results))
    return results


def format_results(results: dict) -> str:
    """The results as the Markdown section of bench/RESULTS.md."""
    mb = 2**20
    lines = [f"Machine: {results['machine']}.", "",
             f"Runs per measurement: {results['runs']} (median; bare and ingest runs interleaved). "
             "cpu s: user + system time of the process and its children.", ""]
    lines += ["| docs | words | -j | bare nlp.pipe s (cpu s) | ingest s (cpu s) | ratio wall (cpu) | docs/s | words/s | writer s | "
              "re-ingest s (% of first) | store MB (KB/doc) | peak RSS MB by quarter | runs (s) bare; ingest | load avg |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, row in results["sizes"].items():
        for j, r in row["jobs"].items():
            o = r["ingest"]
            b = r["bare"]["seconds"] if r["bare"] else float("nan")
            bc = r["bare"]["cpu"] if r["bare"] else float("nan")
            bare_runs = (r["bare"]["all_seconds"], r["bare"]["loads"]) if r["bare"] else ("-", "-")
            quarters = " / ".join(f"{q / mb:.0f}" for q in o["peak_rss_quarters"])
            lines.append(
                f"| {n} | {row['words']:,} | {j} | {b:.1f} ({bc:.0f}) | {o['seconds']:.1f} ({o['cpu']:.0f}) | "
                f"{o['seconds'] / b:.2f} ({o['cpu'] / bc:.2f}) | "
                f"{int(n) / o['seconds']:.2f} | {row['words'] / o['seconds']:,.0f} | {o['writing']:.1f} | "
                f"{o['reingest']:.2f} ({100 * o['reingest'] / o['seconds']:.2f} %) | "
                f"{o['store_bytes'] / mb:.0f} ({o['store_bytes'] / int(n) / 1024:.0f}) | {quarters} | "
                f"{bare_runs[0]}; {o['all_seconds']} | {bare_runs[1]}; {o['loads']} |")
        if "dask" in row:
            d = row["dask"]
            quarters = " / ".join(f"{q / mb:.0f}" for q in d["peak_rss_quarters"])
            lines.append(
                f"| {n} | {row['words']:,} | dask x{d['workers']} | | {d['seconds']:.1f} ({d['cpu']:.0f}) | | "
                f"{int(n) / d['seconds']:.2f} | {row['words'] / d['seconds']:,.0f} | {d['writing']:.1f} | "
                f"{d['reingest']:.2f} | {d['store_bytes'] / mb:.0f} | {quarters} | {d['all_seconds']} | "
                f"{d['loads']} |")
    lines.append("")
    for n, row in results["sizes"].items():
        js = sorted(row["jobs"], key=int)
        if len(js) > 1:
            one, most = row["jobs"][js[0]]["ingest"]["seconds"], row["jobs"][js[-1]]["ingest"]["seconds"]
            lines.append(f"- {n} docs: -j {js[-1]} is {one / most:.2f}x faster than -j {js[0]}.")
            if row["jobs"][js[0]]["bare"] and row["jobs"][js[-1]]["bare"]:
                bone, bmost = row["jobs"][js[0]]["bare"]["seconds"], row["jobs"][js[-1]]["bare"]["seconds"]
                lines.append(f"- {n} docs: bare nlp.pipe with n_process={js[-1]} is {bone / bmost:.2f}x faster "
                             f"than with n_process={js[0]}.")
            if "dask" in row:
                lines.append(f"- {n} docs: Dask with {row['dask']['workers']} workers takes "
                             f"{row['dask']['seconds'] / most:.2f}x the time of -j {js[-1]}.")
        q, a = row["query_preconditions"], row["actor_table"]
        lines.append(f"- {n} docs ({row['documents_in_store']} in the store): `run_query('preconditions')` "
                     f"{q['seconds']:.2f} s ({q['rows']} rows), `actor_table` {a['seconds']:.2f} s "
                     f"({a['rows']} actors).")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
