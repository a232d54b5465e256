"""Ingest against bare spaCy: what a user waits for, the whole process, in the same run.

    .venv/bin/python bench/ingest.py [--quick] [--real N] [--synthetic N ...] [--jobs 1 2] [--runs R]

Times the whole ``kg ingest -j J`` process (start-up, reading, a fresh store with its schema
and reference graphs, NLP, extraction, mapping, writing) from start to exit, against a bare
process that loads the same model with the same components and gazetteer patterns and runs
``nlp.pipe(n_process=J)`` over the same files (:data:`BARE`). The arms alternate, ``R`` runs
each, medians. Corpora: one 13-word document (start-up), the real articles of the train and
dev gold splits, and synthetic ones (bench/corpus.py). Then the per-stage split of a ``-j 1``
ingest (each stage timed alone) and ``kg stats`` / ``kg query --name actors`` on the seed
store against a raw pyoxigraph count. ``--quick`` (``make bench-quick``): a few minutes.

    .venv/bin/python bench/ingest.py --startup [--runs R] [--before CHECKOUT]

Start-up alone: ``kg ingest`` of one 13-word document into a fresh store (the user cache
already filled, and with an empty cache folder), against a bare process that loads the same
model with the same components left out and tags the one text (:data:`BARE_LOAD`, no gazetteer),
and against the bare process with spaCy's entity ruler and the gazetteer patterns
(:data:`BARE`); ``--before`` adds ``kg ingest`` run from another checkout of polkg (its
``kg`` package first on ``PYTHONPATH``). All arms in one run, their order rotated, medians.

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


# -- the whole process against bare spaCy (the default mode) --------------------------

BARE = r"""
import json, sys
from pathlib import Path

import spacy

folder, jobs, model, exclude, patterns = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4]), sys.argv[5]
nlp = spacy.load(model, exclude=exclude)
ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
with nlp.select_pipes(enable=[]):
    ruler.add_patterns([json.loads(line) for line in Path(patterns).read_text(encoding="utf-8").splitlines()])
texts = (p.read_text(encoding="utf-8") for p in sorted(Path(folder).rglob("*.txt")))
n = sum(1 for _ in nlp.pipe(texts, n_process=jobs, batch_size=32))
print(n)
"""
"""The bare arm: ``spacy.load`` of the model with the components polkg runs (the same ones
left out, spaCy's entity ruler with the same patterns), reading the same files, ``nlp.pipe``
with ``n_process``; nothing else. polkg's two small components (paragraph sentences, name
particles) and the sentence classifier count as polkg's cost."""

BARE_LOAD = r"""
import sys
import spacy
nlp = spacy.load(sys.argv[1], exclude=sys.argv[2].split(","))
print(len(nlp(sys.argv[3]).ents))
"""
"""The bare start-up: import spaCy, load the model with the components polkg runs, tag one text."""

RAW_COUNT = r"""
import sys
import pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
print(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))[0].value)
"""


def _tree_rss(proc) -> int:
    import psutil

    total = 0
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in family:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_process(argv: list[str], *, env: dict | None = None, cwd: Path | None = None) -> dict:
    """Run ``argv`` to its end: wall seconds from start to exit, peak RSS of its process tree (sampled)."""
    import subprocess
    import threading

    import psutil

    import resource

    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    proc = psutil.Process(child.pid)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, argv))} failed ({child.returncode}): {err.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"seconds": seconds, "cpu": cpu, "peak_rss": peak[0], "load": load, "stdout": out.decode()}


def real_corpus(out: Path, n: int) -> Path:
    """The gold texts of the train and dev splits (the test split is never read), at most ``n``."""
    gold = ROOT / "tests" / "gold"
    rows = [line.split("\t") for line in (gold / "splits.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    names = [r[0] for r in rows if len(r) >= 3 and r[2].strip() in ("train", "dev")][:n]
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in names:
        source = gold / name if (gold / name).exists() else gold / "corpus" / name
        shutil.copyfile(source, out / Path(name).name)
    return out


def synthetic_corpus(out: Path, n: int) -> Path:
    from corpus import write_corpus

    if not (out / "DONE").exists():
        shutil.rmtree(out, ignore_errors=True)
        info = write_corpus(out, n, seed=0)
        (out / "DONE").write_text(json.dumps(info))
    return out


def tiny_corpus(out: Path) -> Path:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / "one.txt").write_text("Russia demanded that Ukraine withdraw its forces from the Donetsk region.\n",
                                 encoding="utf-8")
    return out


def _kg() -> str:
    return str(Path(sys.executable).with_name("kg"))


def write_patterns(workdir: Path) -> Path:
    """The gazetteer's entity-ruler patterns as JSON Lines in ``workdir``, for the bare arm."""
    from kg.gazetteer import load_reference
    from kg.nlp.pipeline import gazetteer_patterns

    workdir.mkdir(parents=True, exist_ok=True)
    patterns = workdir / "patterns.jsonl"
    patterns.write_text("".join(json.dumps(p) + "\n" for p in gazetteer_patterns(load_reference())), encoding="utf-8")
    return patterns


def compare(corpus_dir: Path, jobs: int, runs: int, workdir: Path, patterns: Path) -> dict:
    """``kg ingest -j jobs`` into a fresh store against the bare process, alternated, ``runs`` each."""
    bare_argv = [sys.executable, "-c", BARE, str(corpus_dir), str(jobs), MODEL, json.dumps(list(UNUSED_COMPONENTS)),
                 str(patterns)]
    store = workdir / "store"
    ours, bare = [], []
    for i in range(runs):
        arms = [("bare", bare), ("polkg", ours)]
        for name, into in (arms if i % 2 == 0 else arms[::-1]):
            if name == "bare":
                into.append(run_process(bare_argv))
            else:
                shutil.rmtree(store, ignore_errors=True)
                into.append(run_process([_kg(), "--store", str(store), "ingest", "--no-progress", "-j", str(jobs),
                                         str(corpus_dir)]))
    return {"polkg": _medians(ours), "bare": _medians(bare)}


def _medians(results: list[dict]) -> dict:
    return {"seconds": statistics.median(r["seconds"] for r in results),
            "cpu": statistics.median(r["cpu"] for r in results),
            "all_cpu": [round(r["cpu"], 2) for r in results],
            "all_seconds": [round(r["seconds"], 2) for r in results],
            "peak_rss": statistics.median(r["peak_rss"] for r in results),
            "all_rss_mb": [round(r["peak_rss"] / 2**20) for r in results],
            "loads": [round(r["load"], 1) for r in results]}


def stage_split(corpus_dir: Path, workdir: Path) -> dict:
    """Where the time of a ``-j 1`` ingest goes, each stage timed alone in this process."""
    from kg.documents import iter_documents
    from kg.errors import KgError
    from kg.extract import extract_doc
    from kg.ingest import Extracted, IngestReport, _write
    from kg.nlp.pipeline import build_nlp
    from kg.rdf.mapping import to_quads

    out = {}
    t = time.perf_counter()
    nlp = build_nlp()
    out["build the pipeline"] = time.perf_counter() - t
    shutil.rmtree(workdir / "split-store", ignore_errors=True)
    t = time.perf_counter()
    store = open_store(workdir / "split-store")
    out["open a fresh store (schema, reference)"] = time.perf_counter() - t
    t = time.perf_counter()
    documents = [d for d in iter_documents([corpus_dir]) if not isinstance(d, KgError)]
    out["read and hash the files"] = time.perf_counter() - t
    t = time.perf_counter()
    docs = list(nlp.pipe([d.text for d in documents]))
    out["NLP (nlp.pipe)"] = time.perf_counter() - t
    t = time.perf_counter()
    extractions = [extract_doc(d, doc) for d, doc in zip(documents, docs)]
    out["extraction (rules, classifier)"] = time.perf_counter() - t
    t = time.perf_counter()
    quads = [to_quads(e) for e in extractions]
    out["mapping (to_quads)"] = time.perf_counter() - t
    t = time.perf_counter()
    items = [Extracted(d.path, e.document.id, d.path, quads=q, triples=len(q))
             for d, e, q in zip(documents, extractions, quads)]
    report = IngestReport()
    for i in range(0, len(items), 32):
        _write(store, items[i:i + 32], report)
    out["store (write, flush)"] = time.perf_counter() - t
    store.close()
    out["documents"] = len(documents)
    return out


def cli_latency(workdir: Path, runs: int) -> dict:
    """``kg stats`` and ``kg query --name actors`` on the seed store, whole processes, against a
    raw pyoxigraph count in a process of its own."""
    store = workdir / "seed-store"
    shutil.rmtree(store, ignore_errors=True)
    run_process([_kg(), "--store", str(store), "ingest", "--no-progress", str(ROOT / "seeds")])
    arms = {
        "kg stats": [_kg(), "--store", str(store), "stats"],
        "kg query --name actors": [_kg(), "--store", str(store), "query", "--name", "actors"],
        "raw pyoxigraph count": [sys.executable, "-c", RAW_COUNT, str(store / "oxigraph")],
    }
    times: dict[str, list[dict]] = {k: [] for k in arms}
    for _ in range(runs):
        for name, argv in arms.items():
            times[name].append(run_process(argv))
    return {k: _medians(v) for k, v in times.items()}


def run_whole(*, real: int, synthetic: list[int], jobs: list[int], runs: int, workdir: Path,
              json_path: Path | None, split: bool = True, cli: bool = True) -> dict:
    patterns = write_patterns(workdir)
    results: dict = {"machine": _machine(), "runs": runs, "rows": []}
    corpora = [("start-up (one 13-word document)", tiny_corpus(workdir / "corpus-one"), [1])]
    if real:
        folder = real_corpus(workdir / "corpus-real", real)
        corpora.append((f"{len(list(folder.glob('*.txt')))} real articles", folder, jobs))
    for n in synthetic:
        corpora.append((f"{n} synthetic documents", synthetic_corpus(workdir / f"corpus-{n}", n), jobs))
    for label, folder, js in corpora:
        for j in js:
            row = {"corpus": label, "jobs": j, **compare(folder, j, runs, workdir, patterns)}
            results["rows"].append(row)
            print(f"[{label}, -j {j}] polkg {row['polkg']['all_seconds']} s, bare {row['bare']['all_seconds']} s",
                  file=sys.stderr, flush=True)
            if json_path is not None:
                json_path.write_text(json.dumps(results, indent=1))
    if split and real:
        results["split"] = stage_split(workdir / "corpus-real", workdir)
    if cli:
        results["cli"] = cli_latency(workdir, runs)
    results["load_after"] = round(os.getloadavg()[0], 1)
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=1))
    print(format_whole(results))
    return results


def run_startup(*, runs: int, workdir: Path, before: Path | None, json_path: Path | None, cli: bool = True) -> dict:
    """Start-up arms, whole processes, their order rotated each run; medians."""
    patterns = write_patterns(workdir)
    folder = tiny_corpus(workdir / "corpus-one")
    text = (folder / "one.txt").read_text(encoding="utf-8")
    store = workdir / "startup-store"
    cold = workdir / "cold-cache"
    env = dict(os.environ)
    here = workdir  # not a checkout: `python -m` puts the working folder first on sys.path
    arms: dict[str, tuple[list[str], dict | None, Path | None, Path]] = {
        "kg ingest (cache filled)": ([_kg(), "--store", str(store), "ingest", "--no-progress", str(folder)],
                                     env, None, here),
        "kg ingest (empty cache folder)": ([_kg(), "--store", str(store), "ingest", "--no-progress", str(folder)],
                                           {**env, "POLKG_CACHE_DIR": str(cold)}, cold, here),
    }
    if before is not None:
        before = before.resolve()
        arms["kg ingest, before (cache filled)"] = (
            [sys.executable, "-m", "kg", "--store", str(store), "ingest", "--no-progress", str(folder)],
            {**env, "PYTHONPATH": str(before)}, None, before)
    arms["bare spacy.load + one text"] = (
        [sys.executable, "-c", BARE_LOAD, MODEL, ",".join(UNUSED_COMPONENTS), text], env, None, here)
    arms["bare spacy.load + entity ruler with the patterns"] = (
        [sys.executable, "-c", BARE, str(folder), "1", MODEL, json.dumps(list(UNUSED_COMPONENTS)), str(patterns)],
        env, None, here)
    if before is not None:  # the arm must run the other checkout's code
        check = run_process([sys.executable, "-c", "import kg; print(kg.__file__)"], env=arms[
            "kg ingest, before (cache filled)"][1], cwd=before)["stdout"].strip()
        assert check.startswith(str(before)), check
    for argv, arm_env, _, cwd in arms.values():  # fill the user cache of each checkout; warm the file cache
        shutil.rmtree(store, ignore_errors=True)
        run_process(argv, env=arm_env, cwd=cwd)
    names = list(arms)
    times: dict[str, list[dict]] = {k: [] for k in names}
    for i in range(runs):
        for name in names[i % len(names):] + names[:i % len(names)]:
            argv, arm_env, empty, cwd = arms[name]
            shutil.rmtree(store, ignore_errors=True)
            if empty is not None:
                shutil.rmtree(empty, ignore_errors=True)
            times[name].append(run_process(argv, env=arm_env, cwd=cwd))
        print(f"[start-up run {i + 1}/{runs}] " + ", ".join(f"{k} {v[-1]['seconds']:.2f}" for k, v in times.items()),
              file=sys.stderr, flush=True)
    results = {"machine": _machine(), "runs": runs, "startup": {k: _medians(v) for k, v in times.items()}}
    if cli:
        results["cli"] = cli_latency(workdir, runs)
    results["load_after"] = round(os.getloadavg()[0], 1)
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=1))
    print(format_startup(results))
    return results


def format_startup(results: dict) -> str:
    rows = results["startup"]
    base = rows["bare spacy.load + one text"]["seconds"]
    lines = [f"Machine: {results['machine']}; 1-minute load average after {results['load_after']}.", "",
             f"Whole processes, from start to exit; {results['runs']} runs per arm, the arms' order rotated "
             "each run, medians; ratio: to the bare `spacy.load` of the same model and components; cpu: user + "
             "system seconds of the process and its children.", "",
             "| process | wall s | ratio | cpu s | ratio | peak RSS MB | runs wall; cpu | load |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    cpu_base = rows["bare spacy.load + one text"]["cpu"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['seconds']:.2f} | {r['seconds'] / base:.2f} | {r['cpu']:.2f} | "
                     f"{r['cpu'] / cpu_base:.2f} | {r['peak_rss'] / 2**20:.0f} | "
                     f"{r['all_seconds']}; {r['all_cpu']} | {r['loads']} |")
    if "cli" in results:
        raw = results["cli"]["raw pyoxigraph count"]["seconds"]
        raw_cpu = results["cli"]["raw pyoxigraph count"]["cpu"]
        lines += ["", "Commands on the seed store (whole processes, medians; ratio to a raw pyoxigraph count):", "",
                  "| command | wall s | ratio | cpu s | ratio | runs wall; cpu |", "|---|---:|---:|---:|---:|---|"]
        lines += [f"| `{k}` | {v['seconds']:.2f} | {v['seconds'] / raw:.1f} | {v['cpu']:.2f} | {v['cpu'] / raw_cpu:.1f} | "
                  f"{v['all_seconds']}; {v['all_cpu']} |" for k, v in results["cli"].items()]
    return "\n".join(lines)


def format_whole(results: dict) -> str:
    mb = 2**20
    lines = [f"Machine: {results['machine']}; 1-minute load average after {results.get('load_after', '?')}.", "",
             f"Whole processes, from start to exit; {results['runs']} runs per arm, arms alternated, medians. "
             "bare: `spacy.load` + `nlp.pipe(n_process=j)` of the same model, components and gazetteer "
             "patterns, reading the same files. Peak RSS: the whole process tree, sampled every 50 ms.", "",
             "| corpus | -j | kg ingest s | bare spaCy s | ratio | peak RSS MB kg / bare | runs kg; bare | load |",
             "|---|---|---:|---:|---:|---|---|---|"]
    for r in results["rows"]:
        p, b = r["polkg"], r["bare"]
        lines.append(f"| {r['corpus']} | {r['jobs']} | {p['seconds']:.2f} | {b['seconds']:.2f} | "
                     f"{p['seconds'] / b['seconds']:.2f} | {p['peak_rss'] / mb:.0f} / {b['peak_rss'] / mb:.0f} | "
                     f"{p['all_seconds']}; {b['all_seconds']} | {p['loads']} |")
    if "split" in results:
        s = dict(results["split"])
        n = s.pop("documents")
        lines += ["", f"Per stage, `-j 1`, {n} real articles, each stage timed alone in one process:", "",
                  "| stage | s | ms per document |", "|---|---:|---:|"]
        lines += [f"| {k} | {v:.2f} | {1000 * v / n:.1f} |" for k, v in s.items()]
    if "cli" in results:
        lines += ["", "Commands on the seed store (whole processes, medians):", "", "| command | s | runs |",
                  "|---|---:|---|"]
        lines += [f"| `{k}` | {v['seconds']:.2f} | {v['all_seconds']} |" for k, v in results["cli"].items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a few minutes: --real 40 --synthetic 40 --runs 3")
    parser.add_argument("--real", type=int, default=200, help="real articles (train and dev gold texts), at most")
    parser.add_argument("--synthetic", type=int, nargs="*", default=[1000], help="sizes of synthetic corpora")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-split", dest="split", action="store_false", help="skip the per-stage split")
    parser.add_argument("--no-cli", dest="cli", action="store_false", help="skip kg stats / kg query latency")
    parser.add_argument("--suite", action="store_true", help="run the in-process scale suite instead")
    parser.add_argument("--startup", action="store_true", help="measure start-up alone (one 13-word document)")
    parser.add_argument("--before", type=Path, help="with --startup: also time kg ingest from this checkout")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--no-dask", dest="dask", action="store_false")
    parser.add_argument("--dask-runs", type=int, help="runs of the Dask path (default: --runs)")
    parser.add_argument("--no-bare", dest="bare", action="store_false", help="skip bare nlp.pipe (no ratio)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "polkg-bench")
    parser.add_argument("--json", type=Path, help="write the raw numbers here")
    args = parser.parse_args()
    if args.suite:
        run_suite(sizes=args.sizes, jobs=args.jobs, runs=args.runs, dask=args.dask,
                  workdir=args.workdir, json_path=args.json, dask_runs=args.dask_runs, bare=args.bare)
        return
    if args.startup:
        run_startup(runs=args.runs, workdir=args.workdir, before=args.before, json_path=args.json, cli=args.cli)
        return
    if args.quick:
        args.real, args.synthetic = 40, [40]
    run_whole(real=args.real, synthetic=args.synthetic, jobs=args.jobs, runs=args.runs, workdir=args.workdir,
              json_path=args.json, split=args.split, cli=args.cli)


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
