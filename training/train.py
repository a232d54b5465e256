"""Train the sentence classifier of ``kg/extract/learned.py`` and install it into the package.

    .venv/bin/python training/train.py [--fraction F] [--output DIR] [--no-install]

Sentences of the train split (``tests/gold/train.jsonl``) and of the seed article are labelled
from their gold quotes: a sentence that overlaps a precondition's quote gets PRECONDITION with
that precondition's action and outcome, one that overlaps a position's quote POSITION with its
stance; a sentence no gold assertion quotes is neither. The dev split's sentences, labelled the
same way, choose the best epoch. ``--fraction`` keeps that share of the train documents (a
nested sample by a hash of their names: 25% is inside 50%), for the learning curve. The
training itself is ``spacy train training/decisions.cfg``, seeded; ``make train`` runs this.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spacy.tokens import Doc, DocBin  # noqa: E402
from thinc.api import Config  # noqa: E402

from kg.documents import read_document  # noqa: E402
from kg.eval import load_gold  # noqa: E402
from kg.extract.context import evidence_of  # noqa: E402
from kg.extract.learned import feature_cues, sentence_features, sentence_labels  # noqa: E402

CONFIG = ROOT / "training" / "decisions.cfg"
GOLD = ROOT / "tests" / "gold"
SEED_GOLD = ROOT / "tests" / "contracts" / "seed_gold.jsonl"
SEEDS = ROOT / "seeds"
INSTALLED = ROOT / "kg" / "models" / "decisions"


def documents(gold_path: Path, folder: Path | None = None) -> list[tuple[Path, dict]]:
    """(text file, gold line) of every document of a gold file."""
    folder = folder or gold_path.parent
    return [(folder / line["doc"], line) for line in load_gold(gold_path)]


def sample(docs: list[tuple[Path, dict]], fraction: float) -> list[tuple[Path, dict]]:
    """The ``fraction`` of ``docs`` whose name hashes lowest (nested across fractions)."""
    if fraction >= 1.0:
        return list(docs)
    ranked = sorted(docs, key=lambda d: hashlib.sha256(d[1]["doc"].encode("utf-8")).hexdigest())
    return ranked[:max(1, round(fraction * len(ranked)))]


def _locate(text: str, quote: str) -> tuple[int, int] | None:
    at = text.find(quote)
    return (at, at + len(quote)) if at >= 0 and quote else None


def _overlaps(a: tuple[int, int], q: tuple[int, int]) -> bool:
    shared = min(a[1], q[1]) - max(a[0], q[0])
    return shared > 0 and (shared >= 0.5 * (a[1] - a[0]) or shared >= 0.5 * (q[1] - q[0]))


def sentence_examples(docs: list[tuple[Path, dict]], nlp, cues) -> tuple[list[Doc], dict]:
    """One feature document per sentence, with its gold labels in ``doc.cats``."""
    out: list[Doc] = []
    counts = {"documents": 0, "sentences": 0, "precondition": 0, "position": 0, "unplaced quotes": 0}
    for path, line in docs:
        text = read_document(path).text
        doc = nlp(text)
        sents = list(doc.sents)
        placed = []
        for kind in ("preconditions", "positions"):
            for item in line.get(kind, []):
                where = _locate(text, item.get("quote") or "")
                if where is None:
                    counts["unplaced quotes"] += 1
                else:
                    placed.append((kind, where, item))
        counts["documents"] += 1
        for n, sent in enumerate(sents):
            if not sent.text.strip():
                continue
            ev = evidence_of(sent)
            span = (ev.start, ev.end)
            pre = [item for kind, where, item in placed if kind == "preconditions" and _overlaps(span, where)]
            pos = [item for kind, where, item in placed if kind == "positions" and _overlaps(span, where)]
            words = sentence_features(sent, sents[n - 1] if n else None, cues)
            example = Doc(nlp.vocab, words=words)
            example.cats = sentence_labels(pre, pos)
            out.append(example)
            counts["sentences"] += 1
            counts["precondition"] += bool(pre)
            counts["position"] += bool(pos)
    return out, counts


def build_corpora(out: Path, *, fraction: float = 1.0, nlp=None) -> dict:
    """Write ``train.spacy`` and ``dev.spacy`` into ``out``; returns what they hold."""
    from kg.nlp.pipeline import load_nlp

    nlp = nlp or load_nlp()
    cues = feature_cues()
    out.mkdir(parents=True, exist_ok=True)
    train_docs = sample(documents(GOLD / "train.jsonl"), fraction) + documents(SEED_GOLD, SEEDS)
    dev_docs = documents(GOLD / "dev.jsonl") or train_docs
    summary = {}
    for name, docs in (("train", train_docs), ("dev", dev_docs)):
        examples, counts = sentence_examples(docs, nlp, cues)
        DocBin(docs=examples, store_user_data=False).to_disk(out / f"{name}.spacy")
        summary[name] = counts
    return summary


def train(out: Path, *, fraction: float = 1.0, config: Path = CONFIG, nlp=None) -> tuple[Path, dict]:
    """Build the corpora and train; returns the best model's folder and the corpora's counts."""
    from spacy.cli.train import train as spacy_train

    summary = build_corpora(out / "corpus", fraction=fraction, nlp=nlp)
    spacy_train(config, out / "model", overrides={
        "paths.train": str(out / "corpus" / "train.spacy"),
        "paths.dev": str(out / "corpus" / "dev.spacy"),
    })
    return out / "model" / "model-best", summary


def _forget_training_paths(config_file: Path) -> None:
    """Blank the corpus paths of an installed config: they name this checkout's training folder,
    which the package neither ships nor needs to load the pipeline."""
    config = Config().from_disk(config_file, interpolate=False)
    config["paths"]["train"] = None
    config["paths"]["dev"] = None
    config.to_disk(config_file)


def install(model: Path, target: Path = INSTALLED) -> int:
    """Copy the trained pipeline into the package; returns its size in bytes."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(model, target)
    _forget_training_paths(target / "config.cfg")
    return sum(p.stat().st_size for p in target.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the train documents to use")
    parser.add_argument("--output", type=Path, default=ROOT / "training" / "out")
    parser.add_argument("--no-install", dest="install", action="store_false",
                        help="keep the model in --output, do not copy it into kg/models/decisions")
    args = parser.parse_args()
    started = time.perf_counter()
    model, summary = train(args.output, fraction=args.fraction)
    for name, counts in summary.items():
        print(f"{name}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    print(f"trained in {time.perf_counter() - started:.0f} s")
    if args.install:
        size = install(model)
        print(f"installed {INSTALLED.relative_to(ROOT)} ({size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
