"""Corrected-view benchmark: whole ``kg query`` processes on a store of a few thousand
documents, without corrections, with the reviewers' corrections (the default view) and
with ``--raw``.

The store is the synthetic one of ``bench/query.py`` (the project's own shape, one named
graph per document, on disk, with its claim layer). Two corrections are written with
``kg correct`` (one gives a demand another demander, one marks a demand wrong), and each
query runs as its own process, ``python -m kg --store S query ...``, every way taking turns,
median of ``--repeat``. Each answer is checked: the corrected view leaves out the demand
marked wrong and gives the other to its new demander; ``--raw`` does neither.

``--before DIR`` times another polkg source tree (an earlier commit, ``git archive``-d into
DIR) the same way on the same store, in turn with this one.

Run::

    .venv/bin/python bench/corrected_query.py --triples 1000000 [--before DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402
from query import POL, build  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NATO = "https://w3id.org/polkg/ref/NATO"


def kg(tree: Path, store: Path, *args: str) -> tuple[float, str]:
    """Seconds the whole ``kg`` process (of the source tree ``tree``) took, and what it printed."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kg", "--store", str(store), *args], capture_output=True,
                          text=True, check=False, cwd=tree, env=env)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} ({tree}) failed: {done.stderr.strip()}")
    return elapsed, done.stdout


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the store (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per query and view (median)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--before", type=Path, help="an earlier polkg source tree to time in turn with this one")
    args = parser.parse_args(argv)

    trees = {"this": ROOT, **({"before": args.before.resolve()} if args.before else {})}
    workdir = Path(tempfile.mkdtemp(prefix="polkg-bench-corrected-"))
    path = workdir / "store"
    try:
        print(f"Machine: {describe('pyoxigraph')}; load average {os.getloadavg()[0]:.1f}")
        store, documents, generated, loaded = build(path, args.triples, args.seed)
        print(f"Store: {len(store):,} triples ({len(documents):,} documents), built in {generated + loaded:.1f} s")
        store.close()
        demands = [next(q.subject.value for q in doc if q.predicate.value == POL + "demander")
                   for doc in (documents[len(documents) // 3], documents[2 * len(documents) // 3])]
        cases = {
            "provenance(assertion)": ["query", "--name", "provenance", "--param", f"assertion={demands[1]}",
                                      "--format", "json"],
            "preconditions(demander=NATO)": ["query", "--name", "preconditions", "--param", "demander=NATO",
                                             "--format", "json"],
        }

        def check(case: str, out: str, corrected: bool) -> None:
            # the demand marked wrong is gone, the one given to NATO is NATO's; --raw: neither
            if case.startswith("provenance"):
                assert (demands[1] in out) != corrected, (case, corrected, out[:300])
            else:
                assert (demands[0] in out) == corrected, (case, corrected, out[:300])

        kg(ROOT, path, *cases["provenance(assertion)"])  # warm the file cache
        times: dict[tuple[str, str, str], list[float]] = {}
        for _ in range(args.repeat):
            for case, command in cases.items():
                for name, tree in trees.items():
                    elapsed, out = kg(tree, path, *command)
                    check(case, out, corrected=False)
                    times.setdefault((case, name, "none"), []).append(elapsed)
        file = workdir / "corrections.json"
        file.write_text(json.dumps({"format": "polkg-corrections", "version": 1, "author": "Bench",
                                    "corrections": [
                                        {"assertion": demands[0], "time": "2026-12-03T10:00:00Z",
                                         "set": {"demander": NATO}},
                                        {"assertion": demands[1], "time": "2026-12-03T10:01:00Z", "wrong": True}]}),
                        encoding="utf-8")
        correct_s, printed = kg(ROOT, path, "correct", str(file))
        print(f"kg correct (2 corrections; makes the corrected view, its claim layer updated): {correct_s:.2f} s")
        for _ in range(args.repeat):
            for case, command in cases.items():
                for name, tree in trees.items():
                    elapsed, out = kg(tree, path, *command)
                    check(case, out, corrected=True)
                    times.setdefault((case, name, "corrected"), []).append(elapsed)
                    elapsed, out = kg(tree, path, *command, "--raw")
                    check(case, out, corrected=False)
                    times.setdefault((case, name, "raw"), []).append(elapsed)
        print(f"\nWhole `kg query` process, median of {args.repeat}, seconds; load average now "
              f"{os.getloadavg()[0]:.1f}\n")
        print("| query | polkg | no corrections | 2 corrections (default) | --raw | corrected / none |")
        print("|---|---|---:|---:|---:|---:|")
        for case in cases:
            for name in trees:
                none, corrected, raw = (statistics.median(times[(case, name, view)])
                                        for view in ("none", "corrected", "raw"))
                print(f"| {case} | {name} | {none:.2f} | {corrected:.2f} | {raw:.2f} | {corrected / none:.2f} |")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
