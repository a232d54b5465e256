"""Preconditions: who demands what of whom, about which regions, for which outcome.

A sentence is a precondition when an action cue matches in it and a condition
marker ("demands", "calls for", "only if", "prerequisites"...) stands in it, or
in the sentence that opens its list ("...several core prerequisites: first, ...";
"Second, ...").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.extract.context import Sentence, subject_span
from kg.extract.cues import CueHit, CueSet
from kg.extract.entities import Entities, Mention
from kg.extract.statements import Said

__all__ = ["Demand", "find_preconditions"]

_ENUMERATORS = {"first", "second", "third", "fourth", "fifth", "finally", "also", "lastly",
                "additionally", "moreover", "furthermore", "-", "•", "*", "1", "2", "3", "4", "5"}
_RESULT_WORDS = {"path", "lead", "open", "pave", "result", "pathway", "way", "toward", "towards",
                 "bring", "achieve", "reach", "secure", "clear"}
"""Words that make a ceasefire the outcome ("open the path to a ceasefire"), not the demand."""
_NO_REGIONS = {"renounce_alliance", "neutrality", "lift_sanctions", "hold_elections"}


@dataclass
class Demand:
    demander: str
    addressee: str | None
    action: str
    regions: list[str]
    outcome: str
    sentence: Sentence
    statement: Said | None = None
    anchor: int = 0


@dataclass
class _Cues:
    actions: CueSet
    outcomes: CueSet
    conditions: CueSet
    stages: dict[str, int] = field(default_factory=dict)


def _is_conditional(sent: Sentence, previous: Sentence | None, conditions: CueSet) -> list[CueHit] | None:
    hits = conditions.find_longest(sent.span)
    if hits:
        return hits
    if previous is None or previous.paragraph != sent.paragraph and previous.span.text.rstrip()[-1:] != ":":
        return None
    first = next((t for t in sent.span if not t.is_space), None)
    opens_list = first is not None and first.lower_ in _ENUMERATORS
    if opens_list and conditions.find_longest(previous.span):
        return []
    return None


def _demander(sent: Sentence, markers: list[CueHit], entities: Entities, exclude: set[str]) -> str | None:
    doc = sent.span.doc
    verbs = [doc[h.start] for h in markers] + [sent.span.root]
    for verb in verbs:
        target = verb if verb.pos_ in ("VERB", "AUX") else verb.head
        span = subject_span(target) if target.pos_ in ("VERB", "AUX") else None
        if span is None:
            continue
        for mention in entities.actors_in(*span):
            key = entities.political(mention.key)
            if key not in exclude:
                return key
    return None


def _speaker_before(sent: Sentence, said: list[Said], entities: Entities) -> Said | None:
    best = None
    for s in said:
        if s.sentence.index <= sent.index and s.sentence.index >= sent.index - 3:
            best = s
    return best


def _addressee(sent, hit: CueHit, entities: Entities, demander: str | None, action: str,
               sents: list[Sentence]) -> str | None:
    def usable(m: Mention) -> bool:
        record = entities.records[m.key]
        key = entities.political(m.key)
        if key == demander:
            return False
        if action == "renounce_alliance" and record.kind == "alliance":
            return False
        return record.kind is not None

    mentions = [m for m in entities.actors_in(sent.start, sent.end) if usable(m)]
    if mentions:
        mentions.sort(key=lambda m: (m.how != "demonym", abs(m.tok_start - hit.start)))
        return entities.political(mentions[0].key)
    for other in reversed(sents[: sent.index]):
        if other.paragraph != sent.paragraph:
            break
        candidates = [m for m in entities.actors_in(other.start, other.end)
                      if usable(m) and entities.records[entities.political(m.key)].kind in ("state", "government")]
        if candidates:
            return entities.political(candidates[-1].key)
    return None


def _outcome(sent: Sentence, sents: list[Sentence], cues: _Cues, action_tokens: set[int]) -> str:
    def stage_of(hits):
        codes = [h.code for h in hits if action_tokens.isdisjoint(range(h.start, h.end))]
        return min(codes, key=lambda c: cues.stages.get(c, 9)) if codes else None

    found = stage_of(cues.outcomes.find_longest(sent.span))
    if found:
        return found
    window = [s for s in sents if s.paragraph == sent.paragraph and s.index != sent.index]
    hits = [h for s in window for h in cues.outcomes.find_longest(s.span)]
    return stage_of(hits) or "other"


def find_preconditions(sents: list[Sentence], entities: Entities, cues: _Cues,
                       said: list[Said]) -> list[Demand]:
    """The demands of the document, merged per (demander, addressee, action)."""
    merged: dict[tuple, Demand] = {}
    subjects = _sentence_subjects(sents, entities)
    for position, sent in enumerate(sents):
        previous = sents[position - 1] if position else None
        markers = _is_conditional(sent, previous, cues.conditions)
        if markers is None:
            continue
        regions = entities.regions_in(sent.start, sent.end)
        alliances = [m for m in entities.actors_in(sent.start, sent.end)
                     if entities.records[m.key].kind == "alliance"]
        marks = {
            "REGION": [i for m in regions for i in m.tokens()],
            "ALLIANCE": [i for m in alliances for i in m.tokens()],
        }
        hits = [h for h in cues.actions.find(sent.span, marks)
                if h.code != "ceasefire" or not _is_result(sent.span.doc[h.start])]
        if not hits:
            continue
        hits = _one_per_code(hits)
        statement = _speaker_before(sent, said, entities)
        demander = _demander(sent, markers, entities, exclude=set())
        if demander is None and _pronoun_subject(sent):
            demander = subjects.get(position - 1)
        if demander is None and statement is not None:
            demander = entities.political(statement.speaker)
        if demander is None:
            continue
        action_tokens = {i for h in hits for i in range(h.start, h.end)}
        outcome = _outcome(sent, sents, cues, action_tokens)
        for hit in hits:
            if hit.code == outcome == "ceasefire":
                outcome = "other"  # a ceasefire demanded for its own sake
            addressee = _addressee(sent, hit, entities, demander, hit.code, sents)
            owned = [
                m for m in regions
                if hit.code not in _NO_REGIONS and _owner(m, hits) == hit
            ]
            names = [m.key for m in owned]
            key = (demander, addressee, hit.code)
            if key in merged:
                for name in names:
                    if name not in merged[key].regions:
                        merged[key].regions.append(name)
                continue
            merged[key] = Demand(demander, addressee, hit.code, list(dict.fromkeys(names)), outcome,
                                 sent, statement, hit.start)
    return list(merged.values())


def _pronoun_subject(sent: Sentence) -> bool:
    root = sent.span.root
    return any(c.dep_ == "nsubj" and c.lower_ in ("they", "it") for c in root.children)


def _sentence_subjects(sents: list[Sentence], entities: Entities) -> dict[int, str]:
    """The actor each sentence is about (its main subject), carried over pronoun subjects.

    "The members of the Security Council condemned ... They demanded that ...":
    "they" is the Security Council.
    """
    out: dict[int, str] = {}
    current = None
    for position, sent in enumerate(sents):
        root = sent.span.root
        span = subject_span(root) if root.pos_ in ("VERB", "AUX") else None
        if span is not None:
            mentions = [m for m in entities.actors_in(*span)]
            if mentions:
                current = entities.political(mentions[0].key)
            elif not _pronoun_subject(sent):
                current = None
        if current is not None:
            out[position] = current
    return out


def _is_result(token) -> bool:
    """Is this word the result of something ("the path to a ceasefire")?"""
    for _ in range(4):
        if token.head is token:
            return False
        token = token.head
        if token.lemma_.lower() in _RESULT_WORDS:
            return True
    return False


def _one_per_code(hits: list[CueHit]) -> list[CueHit]:
    seen: dict[str, CueHit] = {}
    for hit in sorted(hits, key=lambda h: h.start):
        seen.setdefault(hit.code, hit)
    return sorted(seen.values(), key=lambda h: h.start)


def _owner(mention: Mention, hits: list[CueHit]) -> CueHit:
    """The action a region belongs to: the nearest one before it, else the first."""
    before = [h for h in hits if h.start <= mention.tok_start]
    return before[-1] if before else hits[0]
