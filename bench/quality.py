"""Extraction quality per split: the rules alone vs the rules with the learned decisions.

    .venv/bin/python bench/quality.py [--splits dev test]

Scores each split's gold file (tests/gold/<split>.jsonl) both ways and prints one Markdown
table of P / R / F1 per type and micro, and the accuracy of `for` over matched preconditions.
Only aggregates are computed for print: the test split is locked (no per-document figure).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.api import evaluate_gold  # noqa: E402
from kg.eval import TYPES  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", nargs="+", default=["dev", "test"])
    args = parser.parse_args()
    reports = {}
    for split in args.splits:
        path = ROOT / "tests" / "gold" / f"{split}.jsonl"
        reports[split] = {"rules": evaluate_gold(path, learned=False), "learned": evaluate_gold(path, learned=True)}
    cols = [(s, k) for s in args.splits for k in ("rules", "learned")]
    head = "| type | " + " | ".join(f"{s} ({len(reports[s]['rules'].documents)}) {k} P / R / F1" for s, k in cols) + " |"
    lines = [head, "|---|" + "---|" * len(cols)]
    for kind in (*TYPES, "micro"):
        cells = []
        for s, k in cols:
            r = reports[s][k]
            score = r.micro() if kind == "micro" else r.totals()[kind]
            cells.append(f"{score.precision:.3f} / {score.recall:.3f} / **{score.f1:.3f}**")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    cells = []
    for s, k in cols:
        acc = reports[s][k].for_accuracy()
        matched = sum(d.for_matched for d in reports[s][k].documents)
        cells.append("n/a" if acc is None else f"{acc:.3f} of {matched}")
    lines.append("| `for` accuracy | " + " | ".join(cells) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
