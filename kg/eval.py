"""Score extraction against a gold file, with exactly the contract's matching rules.

A gold file is JSON Lines, one document a line (``doc`` names the text file
beside it). See the contract: names are normalised (NFKC, casefold, ’ → ',
no leading "the ", letters/digits/spaces only); entities match on name, mention
or Wikidata QID, one to one; relations compare the gold entities they resolve to.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from kg.errors import DataFileError

if TYPE_CHECKING:  # the extractor (and spaCy) is not loaded by what only scores or reads words
    from kg.extract.model import Extraction

__all__ = ["normalise", "entity_keys", "matching_entities", "Score", "DocScore", "EvalReport", "evaluate", "load_gold",
           "TYPES"]

TYPES = ("actors", "regions", "statements", "positions", "preconditions")


def normalise(text: str | None) -> str:
    """The contract's normal form of a name."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    text = text.strip()
    if text.startswith("the "):
        text = text[4:]
    text = "".join(ch if ch.isalnum() or ch.isspace() else "" for ch in text)
    return " ".join(text.split())


def content_words(topic: str) -> set[str]:
    """Words of 4+ letters, compared on their first 5 letters."""
    return {w[:5] for w in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKC", topic).casefold()) if len(w) >= 4}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __iadd__(self, other: "Score") -> "Score":
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self


@dataclass
class DocScore:
    doc: str
    scores: dict[str, Score]
    false_positives: dict[str, list[str]] = field(default_factory=dict)
    misses: dict[str, list[str]] = field(default_factory=dict)
    for_matched: int = 0
    for_correct: int = 0


@dataclass
class EvalReport:
    documents: list[DocScore]

    def totals(self) -> dict[str, Score]:
        out = {t: Score() for t in TYPES}
        for d in self.documents:
            for t in TYPES:
                out[t] += d.scores[t]
        return out

    def micro(self) -> Score:
        total = Score()
        for score in self.totals().values():
            total += score
        return total

    def for_accuracy(self) -> float | None:
        matched = sum(d.for_matched for d in self.documents)
        return sum(d.for_correct for d in self.documents) / matched if matched else None

    def as_dict(self) -> dict:
        def row(s: Score) -> dict:
            return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                    "tp": s.tp, "fp": s.fp, "fn": s.fn}

        return {
            "types": {t: row(s) for t, s in self.totals().items()},
            "micro": row(self.micro()),
            "for_accuracy": self.for_accuracy(),
            "documents": {d.doc: {t: row(s) for t, s in d.scores.items()} for d in self.documents},
        }


def load_gold(path: str | Path) -> list[dict]:
    """Read a gold file, checking each line's shape."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, f"cannot read gold file ({exc})") from exc
    gold = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFileError(path, f"malformed JSON ({exc.msg})", number) from exc
        if not isinstance(record, dict) or "doc" not in record:
            raise DataFileError(path, "a gold line must be an object with 'doc'", number)
        for key in TYPES:
            if not isinstance(record.get(key, []), list):
                raise DataFileError(path, f"'{key}' must be a list", number)
        gold.append(record)
    return gold


def entity_keys(entities: list[dict]) -> list[tuple[str, set[str], str | None]]:
    """Each gold entity (``name``, ``aliases``, ``wikidata``) as what a prediction may match it by:
    its name, its normalised name and aliases, and its Wikidata id.

    >>> [(name, sorted(forms), qid) for name, forms, qid in entity_keys(
    ...     [{"name": "Russia", "aliases": ["the Kremlin"], "wikidata": "Q159"}])]
    [('Russia', ['kremlin', 'russia'], 'Q159')]
    """
    return [(e["name"], {normalise(e["name"])} | {normalise(a) for a in e.get("aliases") or []}, e.get("wikidata"))
            for e in entities]


def matching_entities(forms: Iterable[str], keys: list[tuple[str, set[str], str | None]], *,
                      wikidata: str | None = None) -> list[int]:
    """The indexes in ``keys`` (from :func:`entity_keys`) of the gold entities that one of ``forms``
    names (compared normalised) or whose Wikidata id is ``wikidata``, in the gold's order.

    >>> keys = entity_keys([{"name": "Ukraine"}, {"name": "Russia", "aliases": ["Moscow"]}])
    >>> matching_entities(["MOSCOW", "the Kremlin"], keys)
    [1]
    """
    normal = {normalise(f) for f in forms}
    return [i for i, (_, names, qid) in enumerate(keys) if normal & names or (qid and wikidata and qid == wikidata)]


class _Resolver:
    """Resolves predicted names to gold entity names (one to one for the entity lists)."""

    def __init__(self, gold_entities: list[dict], predicted: list) -> None:
        self.gold = gold_entities
        self.keys = entity_keys(gold_entities)
        self.mapping: dict[str, str] = {}  # predicted name -> gold name
        used: set[int] = set()
        for p in predicted:
            candidates = self._candidates(p)
            for index in candidates:
                if index not in used:
                    used.add(index)
                    self.mapping[p.name] = gold_entities[index]["name"]
                    break
        self.predicted = predicted

    def _candidates(self, p) -> list[int]:
        return matching_entities([p.name, *(m.text for m in p.mentions)], self.keys, wikidata=p.wikidata)

    def resolve(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name in self.mapping:
            return self.mapping[name]
        found = matching_entities([name], self.keys)
        return self.gold[found[0]]["name"] if found else name


def _match(gold: list, predicted: list, same: Callable[[dict, object], bool]) -> tuple[Score, list, list, list]:
    used: set[int] = set()
    pairs = []
    fps = []
    for p in predicted:
        for index, g in enumerate(gold):
            if index not in used and same(g, p):
                used.add(index)
                pairs.append((g, p))
                break
        else:
            fps.append(p)
    misses = [g for index, g in enumerate(gold) if index not in used]
    return Score(len(pairs), len(fps), len(misses)), pairs, fps, misses


def score_document(gold: dict, extraction: Extraction) -> DocScore:
    """Score one extraction against its gold line."""
    actors = _Resolver(gold.get("actors", []), extraction.actors)
    regions = _Resolver(gold.get("regions", []), extraction.regions)
    scores: dict[str, Score] = {}
    fps: dict[str, list[str]] = {}
    misses: dict[str, list[str]] = {}

    for kind, resolver, items in (("actors", actors, extraction.actors), ("regions", regions, extraction.regions)):
        matched = set(resolver.mapping)
        gold_names = {g["name"] for g in resolver.gold}
        tp = len(matched)
        scores[kind] = Score(tp, len(items) - tp, len(gold_names) - tp)
        fps[kind] = [i.name for i in items if i.name not in matched]
        misses[kind] = sorted(gold_names - set(resolver.mapping.values()))

    gold_speakers = {s["speaker"] for s in gold.get("statements", [])}
    predicted_speakers = {actors.resolve(s.speaker) for s in extraction.statements}
    scores["statements"] = Score(
        len(gold_speakers & predicted_speakers),
        len(predicted_speakers - gold_speakers),
        len(gold_speakers - predicted_speakers),
    )
    fps["statements"] = sorted(predicted_speakers - gold_speakers)
    misses["statements"] = sorted(gold_speakers - predicted_speakers)

    def same_position(g: dict, p) -> bool:
        return (actors.resolve(p.holder) == g["holder"] and p.stance == g["stance"]
                and bool(content_words(g.get("topic", "")) & content_words(p.topic)))

    score, _, fp, miss = _match(gold.get("positions", []), extraction.positions, same_position)
    scores["positions"] = score
    fps["positions"] = [f"{p.holder} {p.stance} {p.topic!r}: {p.evidence.quote}" for p in fp]
    misses["positions"] = [f"{g['holder']} {g['stance']} {g.get('topic')!r}: {g.get('quote', '')}" for g in miss]

    def same_precondition(g: dict, p) -> bool:
        if actors.resolve(p.demander) != g["demander"] or p.action != g["action"]:
            return False
        if g.get("addressee") and actors.resolve(p.addressee) != g["addressee"]:
            return False
        if g.get("regions"):
            want = set(g["regions"])
            got = {regions.resolve(r) for r in p.regions}
            if len(want & got) / len(want | got) < 0.5:
                return False
        return True

    score, pairs, fp, miss = _match(gold.get("preconditions", []), extraction.preconditions, same_precondition)
    scores["preconditions"] = score
    fps["preconditions"] = [f"{p.demander} -> {p.addressee}: {p.action} {p.regions} for {p.for_}: {p.evidence.quote}" for p in fp]
    misses["preconditions"] = [
        f"{g['demander']} -> {g.get('addressee')}: {g['action']} {g.get('regions')} for {g.get('for')}: {g.get('quote', '')}"
        for g in miss
    ]
    result = DocScore(gold["doc"], scores, fps, misses)
    result.for_matched = len(pairs)
    result.for_correct = sum(1 for g, p in pairs if g.get("for") == p.for_)
    return result


def evaluate(gold_path: str | Path, extract: Callable[[Path, dict], Extraction],
             *, documents: str | Path | None = None,
             on_document: Callable[[str], None] | None = None) -> EvalReport:
    """Extract every document of a gold file with ``extract(path, gold_line)`` and score it.

    The documents are beside the gold file, or in the folder ``documents``.
    """
    gold_path = Path(gold_path)
    folder = Path(documents) if documents is not None else gold_path.parent
    gold = load_gold(gold_path)
    results = []
    for number, line in enumerate(gold, start=1):
        doc_path = folder / line["doc"]
        if not doc_path.is_file():
            raise DataFileError(gold_path, f"document {line['doc']!r} not found in {folder}", number)
        results.append(score_document(line, extract(doc_path, line)))
        if on_document:
            on_document(line["doc"])
    return EvalReport(results)


def format_report(report: EvalReport, *, explain: bool = False, per_document: bool = True) -> str:
    """The table ``kg eval`` prints."""
    lines = [f"{'type':<15}{'P':>8}{'R':>8}{'F1':>8}{'TP':>6}{'FP':>6}{'FN':>6}"]
    for kind, s in report.totals().items():
        lines.append(f"{kind:<15}{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}{s.tp:>6}{s.fp:>6}{s.fn:>6}")
    m = report.micro()
    lines.append(f"{'micro':<15}{m.precision:>8.3f}{m.recall:>8.3f}{m.f1:>8.3f}{m.tp:>6}{m.fp:>6}{m.fn:>6}")
    acc = report.for_accuracy()
    lines.append(f"precondition 'for' accuracy over matched pairs: {'n/a' if acc is None else f'{acc:.3f}'}")
    if per_document and len(report.documents) > 1:
        lines.append("")
        lines.append(f"{'document':<44}" + "".join(f"{t[:6]:>8}" for t in TYPES))
        for d in report.documents:
            lines.append(f"{d.doc[:43]:<44}" + "".join(f"{d.scores[t].f1:>8.2f}" for t in TYPES))
    if explain:
        for d in report.documents:
            for kind in TYPES:
                for item in d.false_positives.get(kind, []):
                    lines.append(f"{d.doc}: FP {kind}: {item}")
                for item in d.misses.get(kind, []):
                    lines.append(f"{d.doc}: MISS {kind}: {item}")
    return "\n".join(lines)
