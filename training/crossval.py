"""K-fold cross-validation of the learned decisions over the train split (by document).

    .venv/bin/python training/crossval.py [--folds 5] [--config training/decisions.cfg]

Each fold's documents are scored with a classifier trained on the other folds (plus the seed),
against the rules alone on the same documents. The test split is never read. Prints the
summed table per type, rules vs learned; used to choose the architecture and the thresholds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

import spacy  # noqa: E402

import train as training  # noqa: E402
from kg.documents import document_from_text, read_document  # noqa: E402
from kg.eval import EvalReport, TYPES, score_document  # noqa: E402
from kg.extract import extract_doc  # noqa: E402
from kg.nlp.pipeline import load_nlp  # noqa: E402


def folds(docs, k):
    ranked = sorted(docs, key=lambda d: hashlib.sha256(d[1]["doc"].encode("utf-8")).hexdigest())
    return [ranked[i::k] for i in range(k)]


def parsed(docs, nlp):
    out = {}
    for path, line in docs:
        document = read_document(path)
        if line.get("published") and not document.published:
            document = document_from_text(document.text, path=document.path, title=document.title,
                                          published=line["published"], source=line.get("outlet"))
        out[line["doc"]] = (document, nlp(document.text))
    return out


def score(docs, cache, learned) -> EvalReport:
    return EvalReport([score_document(line, extract_doc(*cache[line["doc"]], learned=learned)) for _, line in docs])


def table(report: EvalReport) -> dict:
    t = report.totals()
    out = {k: round(t[k].f1, 3) for k in TYPES}
    out["micro"] = round(report.micro().f1, 3)
    out["for"] = report.for_accuracy() and round(report.for_accuracy(), 3)
    return out


def run(k: int, config: Path, work: Path, nlp=None):
    nlp = nlp or load_nlp()
    docs = training.documents(training.GOLD / "train.jsonl")
    cache = parsed(docs, nlp)
    parts = folds(docs, k)
    models = []
    for i, held in enumerate(parts):
        rest = [d for j, p in enumerate(parts) if j != i for d in p]
        out = work / f"fold{i}"
        corpus = out / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        cues = training.feature_cues()
        from spacy.tokens import DocBin

        for name, sel in (("train", rest + training.documents(training.SEED_GOLD, training.SEEDS)), ("dev", held)):
            examples, _ = training.sentence_examples(sel, nlp, cues)
            DocBin(docs=examples, store_user_data=False).to_disk(corpus / f"{name}.spacy")
        from spacy.cli.train import train as spacy_train

        spacy_train(config, out / "model", overrides={"paths.train": str(corpus / "train.spacy"),
                                                      "paths.dev": str(corpus / "dev.spacy")})
        models.append((held, spacy.load(out / "model" / "model-best")))
    return docs, cache, models


def evaluate(docs, cache, models):
    rules = EvalReport([d for held, _ in models for d in score(held, cache, False).documents])
    learned = EvalReport([d for held, m in models for d in score(held, cache, m).documents])
    return table(rules), table(learned)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--config", type=Path, default=training.CONFIG)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        docs, cache, models = run(args.folds, args.config, Path(tmp))
        rules, learned = evaluate(docs, cache, models)
    print(json.dumps({"documents": len(docs), "rules": rules, "learned": learned}))


if __name__ == "__main__":
    main()
