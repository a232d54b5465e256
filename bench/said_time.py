"""How often the said-time of a gold statement that the text dates is found, and right.

    .venv/bin/python bench/said_time.py [tests/gold/dev_gold.jsonl]

For each gold statement with a ``date``, the document is extracted (with its
publication date) and the statement counts as resolved when an extracted
statement of the same speaker has a date, and as correct when one has that date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    gold_path = Path(argv[0]) if argv else ROOT / "tests" / "gold" / "dev_gold.jsonl"
    from kg.api import extract_text

    dated = resolved = correct = 0
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        wanted = [s for s in gold.get("statements", []) if s.get("date")]
        if not wanted:
            continue
        text = (gold_path.parent / gold["doc"]).read_text(encoding="utf-8")
        extraction = extract_text(text, published=gold.get("published"))
        aliases = {a["name"]: {a["name"], *a.get("aliases", [])} for a in gold.get("actors", [])}
        for s in wanted:
            names = aliases.get(s["speaker"], {s["speaker"]})
            found = [x.date for x in extraction.statements if x.speaker in names or
                     any(n in x.evidence.quote for n in names)]
            dated += 1
            resolved += any(found)
            correct += s["date"] in found
    print(f"{gold_path.name}: {dated} gold statements the text dates; said-time resolved for {resolved} "
          f"({resolved / dated:.1%}), correct for {correct} ({correct / dated:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
