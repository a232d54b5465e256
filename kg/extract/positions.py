"""Positions: an actor supports or opposes something ("a preference for peaceful negotiations")."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from kg.extract.context import Sentence, discourse_subjects, governing_verb, phrase, subject_span
from kg.extract.cues import CueSet
from kg.extract.entities import Entities

__all__ = ["Held", "find_positions"]

_TOPIC_PREPS = {"for", "of", "to", "on", "towards", "toward", "in"}


@dataclass
class Held:
    holder: str  # entity key of the political actor
    stance: str
    topic: str
    sentence: Sentence


_ADDRESSING = {"urge", "call", "press", "ask", "encourage", "invite", "appeal"}
"""Verbs whose object is who must act; what they support is the clause ("urge both sides to talk")."""


def _topic_tokens(cue: Token) -> list[Token]:
    """What the cue word governs: its object, its prepositional object, or its clause."""
    if cue.lemma_.lower() in _ADDRESSING:
        for child in cue.children:
            if child.dep_ in ("xcomp", "ccomp") and child.i > cue.i:
                return [t for t in child.subtree if not (t.dep_ == "aux" and t.lower_ == "to")]
        for child in cue.children:
            if child.dep_ == "dobj":
                for grandchild in child.children:
                    if grandchild.dep_ in ("acl", "relcl", "xcomp"):
                        return [t for t in grandchild.subtree if not (t.dep_ == "aux" and t.lower_ == "to")]
    for child in cue.children:
        if child.dep_ in ("dobj", "attr", "ccomp", "xcomp", "acl") and child.i > cue.i:
            return list(child.subtree)
    for child in cue.children:
        if child.dep_ == "prep" and child.lower_ in _TOPIC_PREPS:
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return list(objects[0].subtree)
    if cue.dep_ == "prep" and cue.lower_ == "against":
        objects = [c for c in cue.children if c.dep_ == "pobj"]
        if objects:
            return list(objects[0].subtree)
    return []


def _holder(cue: Token, sent: Sentence, entities: Entities, topic: set[int],
            previous_subject: str | None = None) -> str | None:
    """Whose position: the subject of the clause the cue word belongs to, or the cue noun's possessor.

    "Serbia will never recognize ...", "the objective for Russia ... with a preference for ...",
    "Russia's preference for ...". Nothing else in the sentence is taken for the holder.
    """
    for child in cue.children:
        if child.dep_ == "poss":
            mentions = entities.actors_in(child.left_edge.i, child.i + 1)
            if mentions:
                return entities.political(mentions[0].key)
    verb = governing_verb(cue)
    if verb is None:
        return None
    span = subject_span(verb)
    if span is None:
        return None
    mentions = [m for m in entities.actors_in(*span) if m.tok_start not in topic]
    if mentions:
        return entities.political(mentions[0].key)
    words = sent.span.doc[span[0]:span[1]]
    if len(words) == 1 and words[0].lower_ in ("he", "she"):
        person = entities.last_actor_before(words[0].idx, person=True)
        if person is not None:
            return entities.political(person.key)
    if len(words) == 1 and words[0].lower_ in ("they", "it", "we"):
        return previous_subject
    return None


def find_positions(
    sents: list[Sentence], entities: Entities, stances: CueSet, *, skip: set[int] = frozenset()
) -> list[Held]:
    """Positions in the sentences not in ``skip`` (sentences that are preconditions)."""
    found: list[Held] = []
    subjects = discourse_subjects(sents, entities)
    for position, sent in enumerate(sents):
        if sent.index in skip:
            continue
        hits = stances.find_longest(sent.span)
        topics = [set(t.i for t in _topic_tokens(sent.span.doc[h.start])) for h in hits]
        for hit in hits:
            cue = sent.span.doc[hit.end - 1] if hit.code else None
            head_cue = sent.span.doc[hit.start]
            tokens = _topic_tokens(cue) or _topic_tokens(head_cue)
            topic_text = phrase(tokens)
            if not topic_text or len(topic_text) < 3:
                continue
            inside_topics = set().union(*topics)
            holder = _holder(head_cue, sent, entities, inside_topics, (subjects.get(position - 1) or [None])[0])
            if holder is None:
                continue
            stance = hit.code
            if any(c.dep_ == "neg" for c in head_cue.children) or any(
                c.dep_ == "neg" for c in head_cue.head.children
            ) and head_cue.dep_ in ("xcomp", "dobj"):
                stance = "opposes" if stance == "supports" else "supports"
            found.append(Held(holder, stance, topic_text, sent))
    return found
