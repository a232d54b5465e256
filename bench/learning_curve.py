"""Learning curve of the sentence classifier: dev and test F1 with 25 / 50 / 100% of the train split.

    .venv/bin/python bench/learning_curve.py [--fractions 0.25 0.5 1.0] [--splits dev test]

For each fraction, training/train.py trains on that nested share of the train documents (the
seed always in) into a scratch folder; the extractor with that classifier is scored on each
split, beside the rules alone. Only aggregate F1 per type is printed (the test split is locked:
no per-document figure is computed for print). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

import spacy  # noqa: E402

import train as training  # noqa: E402
from kg.api import evaluate_gold  # noqa: E402
from kg.eval import TYPES  # noqa: E402

SHOWN = ("positions", "preconditions", "micro")


def _row(report) -> dict[str, float]:
    totals = report.totals()
    out = {t: totals[t].f1 for t in TYPES}
    out["micro"] = report.micro().f1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    parser.add_argument("--splits", nargs="+", default=["dev", "test"])
    args = parser.parse_args()
    gold = {s: training.GOLD / f"{s}.jsonl" for s in args.splits}
    n_train = len(training.documents(training.GOLD / "train.jsonl"))
    rows = []
    rules = {s: _row(evaluate_gold(path, learned=False)) for s, path in gold.items()}
    with tempfile.TemporaryDirectory() as tmp:
        for fraction in args.fractions:
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                model, summary = training.train(Path(tmp) / f"{fraction}", fraction=fraction)
            seconds = time.perf_counter() - started
            decider = spacy.load(model)
            scores = {s: _row(evaluate_gold(path, learned=decider)) for s, path in gold.items()}
            rows.append((fraction, summary["train"]["documents"] - 1, seconds, scores))
    head = "| train share | train docs | training s | " + " | ".join(
        f"{s} {t}" for s in args.splits for t in SHOWN) + " |"
    print(head)
    print("|" + "---|" * (3 + len(args.splits) * len(SHOWN)))
    print(f"| rules only | - | - | " + " | ".join(f"{rules[s][t]:.3f}" for s in args.splits for t in SHOWN) + " |")
    for fraction, docs, seconds, scores in rows:
        print(f"| {fraction:.0%} | {docs} of {n_train} | {seconds:.0f} | "
              + " | ".join(f"{scores[s][t]:.3f}" for s in args.splits for t in SHOWN) + " |")


if __name__ == "__main__":
    main()
