"""One document from 1,000 to 1,000,000 characters: is ingest linear in its length?

    nice .venv/bin/python bench/long_document.py [--sizes 1000 ... 1000000] [--runs 3] [--kind articles|repeated]

For each size, one text of that many characters (at most; cut at the end of a
sentence) in a folder of its own, and two whole processes, from start to exit,
arms alternated, ``--runs`` each, medians: ``kg ingest`` of the folder into a
fresh on-disk store, and bare spaCy (:data:`ingest.BARE`: the same model,
components and gazetteer patterns, ``nlp.pipe`` over the same file). Peak
memory is the RSS of the process tree, sampled every 50 ms. A 13-word document
measured the same way gives the start-up of each arm; what a size costs above
it, divided by its characters, is the time and memory per character, which is
flat when the cost is linear. ``--kind articles`` (the default) joins synthetic
articles (bench/corpus.py, seed 0), each size a prefix of the next;
``--kind repeated`` repeats one sentence, as the longest text of a fault report
did. Prints a Markdown section for bench/RESULTS.md; ``--json FILE`` keeps the
raw numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import _machine, compare, tiny_corpus, write_patterns  # noqa: E402


SIZES = [1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000]
SENTENCE = "Russia demanded that Ukraine withdraw its forces from the Donetsk region before any talks. "
"""The sentence ``--kind repeated`` repeats."""


def long_text(chars: int, kind: str) -> str:
    """A text of at most ``chars`` characters ending at a sentence's end."""
    if kind == "repeated":
        return SENTENCE * max(1, chars // len(SENTENCE))
    from corpus import generate

    parts, size = [], 0
    for record in generate(10**6, seed=0):
        parts.append(record["text"])
        size += len(record["text"]) + 1
        if size >= chars:
            break
    text = "\n".join(parts)[:chars]
    end = text.rfind(". ")
    return text[:end + 1] + "\n" if end > 0 else text


def run(sizes: list[int], runs: int, kind: str, workdir: Path, json_path: Path | None) -> dict:
    patterns = write_patterns(workdir)
    results: dict = {"machine": _machine(), "runs": runs, "kind": kind, "rows": []}
    started = time.strftime("%H:%M", time.gmtime())
    corpora = [("start-up", 0, tiny_corpus(workdir / "one"))]
    for n in sizes:
        folder = workdir / f"text-{n}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        text = long_text(n, kind)
        (folder / "long.txt").write_text(text, encoding="utf-8")
        corpora.append((f"{len(text):,}", len(text), folder))
    for label, chars, folder in corpora:
        row = {"label": label, "chars": chars, **compare(folder, 1, runs, workdir, patterns)}
        results["rows"].append(row)
        print(f"[{label} characters] polkg {row['polkg']['all_seconds']} s {row['polkg']['all_rss_mb']} MB, "
              f"bare {row['bare']['all_seconds']} s {row['bare']['all_rss_mb']} MB, load {os.getloadavg()[0]:.1f}",
              file=sys.stderr, flush=True)
        if json_path is not None:
            json_path.write_text(json.dumps(results, indent=1))
    results["when"] = f"{started}–{time.strftime('%H:%M', time.gmtime())} UTC {time.strftime('%d %B %Y', time.gmtime())}"
    results["load_after"] = round(os.getloadavg()[0], 1)
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=1))
    print(format_results(results))
    return results


def format_results(results: dict) -> str:
    mb = 2**20
    rows = results["rows"]
    base = rows[0]
    lines = [f"Machine: {results['machine']}; 1-minute load average after {results.get('load_after', '?')}; "
             f"{results.get('when', '')}.", "",
             f"Text: {results['kind']}. Whole processes, {results['runs']} runs per arm, arms alternated, medians. "
             "Above start-up: the median minus the 13-word document's median, per character "
             "(µs of wall time, bytes of peak RSS); from the previous size: the difference of the medians over the "
             "difference of the characters, flat when each added character costs the same.", "",
             "| characters | kg ingest s | bare spaCy s | ratio | kg µs/char above start-up | bare µs/char | "
             "kg µs/char from the previous size | bare µs/char from the previous size | "
             "peak RSS MB kg / bare | kg bytes/char above start-up | bare bytes/char | runs kg; bare | load |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|"]
    previous = None
    for r in rows:
        p, b = r["polkg"], r["bare"]
        if r["chars"]:
            per = [f"{1e6 * (x['seconds'] - base[a]['seconds']) / r['chars']:.1f}" for a, x in (("polkg", p), ("bare", b))]
            mem = [f"{(x['peak_rss'] - base[a]['peak_rss']) / r['chars']:.0f}" for a, x in (("polkg", p), ("bare", b))]
        else:
            per, mem = ["", ""], ["", ""]
        step = ["", ""]
        if previous is not None and previous["chars"] and r["chars"] > previous["chars"]:
            step = [f"{1e6 * (x['seconds'] - previous[a]['seconds']) / (r['chars'] - previous['chars']):.1f}"
                    for a, x in (("polkg", p), ("bare", b))]
        previous = r
        lines.append(f"| {r['label']} | {p['seconds']:.2f} | {b['seconds']:.2f} | {p['seconds'] / b['seconds']:.2f} | "
                     f"{per[0]} | {per[1]} | {step[0]} | {step[1]} | {p['peak_rss'] / mb:.0f} / {b['peak_rss'] / mb:.0f} | {mem[0]} | {mem[1]} | "
                     f"{p['all_seconds']}; {b['all_seconds']} | {p['loads']} |")
    big = [r for r in rows if r["chars"] >= 100_000]
    if len(big) >= 2:
        import math

        first, last = big[0], big[-1]
        for arm in ("polkg", "bare"):
            t0 = first[arm]["seconds"] - base[arm]["seconds"]
            t1 = last[arm]["seconds"] - base[arm]["seconds"]
            if t0 > 0 and t1 > 0:
                slope = math.log(t1 / t0) / math.log(last["chars"] / first["chars"])
                lines.append("")
                lines.append(f"- {arm}: from {first['label']} to {last['label']} characters the time above start-up "
                             f"grows as characters^{slope:.2f} (1.00 is linear).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kind", choices=["articles", "repeated"], default="articles")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "polkg-long-document")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    run(args.sizes, args.runs, args.kind, args.workdir, args.json)


if __name__ == "__main__":
    main()
