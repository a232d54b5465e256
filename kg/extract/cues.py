"""Find the cue phrases of a vocabulary in a sentence.

A concept's ``pol:cue`` strings are rules over lowercase lemmas (or lowercase
words): ``"a|b c"`` is one of the phrases "a" and "b c"; ``"x + y"`` needs both
parts within one clause (``WINDOW`` tokens); ``@REGION`` and ``@ALLIANCE`` stand
for a mention of a region or of an alliance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from spacy.tokens import Span as SpacySpan

from kg.gazetteer import MARKS, Concept, cue_problem

__all__ = ["CueHit", "CueSet", "WINDOW", "MARKS", "cue_problem"]

WINDOW = 15

_SPLIT = re.compile(r"\s+|(?=-)|(?<=-)")


@dataclass(frozen=True)
class CueHit:
    """A concept found in a sentence; ``start``/``end`` are token indices in the Doc."""

    code: str
    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(w for w in _SPLIT.split(phrase.strip().lower()) if w)


class CueSet:
    """The cue rules of one concept scheme, compiled for fast lookup."""

    def __init__(self, concepts: Mapping[str, Concept]) -> None:
        # a rule is (code, parts); a part is a list of alternatives, each a
        # phrase (tuple of words) or a mark name ("REGION")
        self.rules: list[tuple[str, list[list[tuple[str, ...] | str]]]] = []
        self._first: dict[str, set[tuple[str, ...]]] = {}
        for code, concept in concepts.items():
            for cue in concept.cues:
                parts: list[list[tuple[str, ...] | str]] = []
                for part in cue.split(" + "):
                    alternatives: list[tuple[str, ...] | str] = []
                    for alt in part.split("|"):
                        alt = alt.strip()
                        if alt.startswith("@"):
                            alternatives.append(alt[1:].upper())
                        elif alt:
                            phrase = _words(alt)
                            alternatives.append(phrase)
                            self._first.setdefault(phrase[0], set()).add(phrase)
                    parts.append(alternatives)
                self.rules.append((code, parts))

    def _phrase_hits(self, sent: SpacySpan) -> dict[tuple[str, ...], list[tuple[int, int]]]:
        tokens = list(sent)
        keys = [(t.lemma_.lower(), t.lower_) for t in tokens]
        hits: dict[tuple[str, ...], list[tuple[int, int]]] = {}
        for i, (lemma, lower) in enumerate(keys):
            for first in {lemma, lower}:
                for phrase in self._first.get(first, ()):
                    n = len(phrase)
                    if i + n > len(keys):
                        continue
                    if all(phrase[j] in keys[i + j] for j in range(n)):
                        start = tokens[i].i
                        hits.setdefault(phrase, []).append((start, start + n))
        return hits

    def find(self, sent: SpacySpan, marks: Mapping[str, Iterable[int]] | None = None) -> list[CueHit]:
        """Every rule that matches in ``sent``; ``marks`` maps ``REGION``/``ALLIANCE`` to token indices."""
        marks = marks or {}
        phrase_hits = self._phrase_hits(sent)
        found: list[CueHit] = []
        for code, parts in self.rules:
            part_hits: list[list[tuple[int, int]]] = []
            for part in parts:
                hits = []
                for alt in part:
                    if isinstance(alt, str):
                        hits += [(i, i + 1) for i in set(marks.get(alt, ()))]
                    else:
                        hits += phrase_hits.get(alt, ())
                if not hits:
                    break
                part_hits.append(sorted(hits))
            else:
                for anchor in part_hits[0]:  # every anchor: a sentence may ask for the same thing twice
                    if all(any(abs(h[0] - anchor[0]) <= WINDOW for h in hits) for hits in part_hits[1:]):
                        found.append(CueHit(code, anchor[0], anchor[1]))
        return found

    def find_longest(self, sent: SpacySpan) -> list[CueHit]:
        """Single-phrase hits, longest first, never overlapping (``"peace talk"`` beats ``"peace"``)."""
        phrase_to_code: dict[tuple[str, ...], str] = {}
        for code, parts in self.rules:
            if len(parts) == 1:
                for phrase in parts[0]:
                    if not isinstance(phrase, str):
                        phrase_to_code.setdefault(phrase, code)
        hits = [
            CueHit(phrase_to_code[phrase], s, e)
            for phrase, spans in self._phrase_hits(sent).items()
            if phrase in phrase_to_code
            for s, e in spans
        ]
        hits.sort(key=lambda h: (-len(h), h.start))
        taken: set[int] = set()
        kept = []
        for hit in hits:
            if taken.isdisjoint(range(hit.start, hit.end)):
                kept.append(hit)
                taken.update(range(hit.start, hit.end))
        return sorted(kept, key=lambda h: h.start)
