"""Parse walks the role resolvers share: whose subject, whom a call is addressed to."""

from __future__ import annotations

from kg.extract.context import Sentence, subject_span
from kg.extract.entities import Entities
from kg.extract.lexicon import words

__all__ = ["ADDRESSING", "PRONOUNS", "clause_subject", "addressed_object", "obliged", "conditioned_verb"]

ADDRESSING = words("preconditions_addressing")
"""Verbs whose object is whom a call is addressed to ("urged X to", "called on X to")."""
PRONOUNS = words("subject_pronouns")


def clause_subject(verb, entities: Entities, fallback: str | None) -> str | None:
    """The political actor who is the subject of ``verb``; pronouns resolve to the reporting verb's subject."""
    for _ in range(4):
        if verb is None:
            return None
        span = subject_span(verb)
        if span is not None:
            mentions = entities.actors_in(*span)
            if mentions:
                return entities.political(mentions[0].key)
            doc = verb.doc
            words_ = doc[span[0]:span[1]]
            if len(words_) == 1 and words_[0].lower_ in PRONOUNS:
                if verb.head is verb:
                    return fallback
                verb = verb.head
                continue
        return None
    return None


def addressed_object(sent: Sentence) -> tuple[int, int] | None:
    """The token range of whom a call is addressed to ("urged *the parties* to", "appealed to *X*
    to", "pleaded with *X* to"), if the sentence has one."""
    for token in sent.span:
        if token.lemma_.lower() not in ADDRESSING or token.pos_ != "VERB":
            continue
        for child in token.children:
            if child.dep_ == "dobj" and any(c.dep_ in ("xcomp", "acl") for c in child.children) or (
                child.dep_ == "dobj" and any(c.dep_ == "xcomp" for c in token.children)
            ):
                return child.left_edge.i, child.i + 1
            if child.dep_ == "prep" and (child.lower_ in ("on", "upon") or child.lower_ in ("to", "with") and any(
                    c.dep_ in ("xcomp", "advcl") for c in token.children)):
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        return pobj.left_edge.i, pobj.i + 1
    return None


def obliged(verb) -> bool:
    """Is the verb an obligation put on its subject ("the US *must lift* ...", "should withdraw")?"""
    return verb is not None and any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in verb.children)


def conditioned_verb(clause_verb):
    """The verb of the main clause a condition clause hangs on. The parser may hang the clause
    on a word between: "*as long* as Russia occupies ..." (an adverb), "join the *talks*
    provided that ..." (a noun); the walk goes up to the first verb."""
    main = clause_verb.head
    for _ in range(3):
        if main.pos_ in ("VERB", "AUX") or main.head is main:
            break
        main = main.head
    return main
