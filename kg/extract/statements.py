"""Statements: who said (or paraphrased) what, when, and through which outlet."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from kg.extract.context import Sentence, ents_in, group_of_members
from kg.extract.dates import resolve_date
from kg.extract.entities import Entities
from kg.extract.roles import RoleContext
from kg.extract.roles import speaker as speaker_role
from kg.extract.roles.speaker import SPEAKING_FOR, named_spokesperson
from kg.extract.lexicon import words

__all__ = ["SPEAKING_FOR", "SPEECH_VERBS", "Said", "document_author", "joint_authors", "find_statements",
           "named_spokesperson"]

SPEECH_VERBS = words("speech_verbs")
"""Lemmas of verbs of saying. Only an actor as subject makes them a statement."""
"""Nouns whose possessor or modifier is the speaker when no one is named ("Russia's delegate said")."""
_NON_SPEECH_SENSES = {"call": {"for", "on", "upon"}}
_VIA_PREPS = words("via_preps")
_VIA_WORDS = words("via_words")
_WEAK_SPEECH = words("weak_speech")
"""Verbs that are an act of saying only when a person does them."""
_OUTLET_VERBS = words("outlet_verbs")
_NOT_SAID = words("not_said")
"""Auxiliaries that make the verb a wish or a duty, not something said ("must urge", "to urge")."""


@dataclass
class Said:
    """A statement found in a sentence, before it gets its id."""

    speaker: str  # entity key
    date: str | None
    via: str | None
    sentence: Sentence
    verb: Token


def _via(verb: Token) -> str | None:
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in _VIA_PREPS:
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    words = {t.lower_ for t in pobj.subtree}
                    if words & _VIA_WORDS or pobj.ent_type_ == "ORG":
                        doc = verb.doc
                        return doc[pobj.left_edge.i: pobj.right_edge.i + 1].text
        if child.dep_ in ("dobj", "dative") and verb.lemma_ == "tell":
            words = list(child.subtree)
            if {t.lower_ for t in words} & _VIA_WORDS or any(t.ent_type_ == "ORG" for t in words):
                return verb.doc[child.left_edge.i: child.right_edge.i + 1].text
    return None


def _date(sent: Sentence, published: str | None) -> str | None:
    """The first date of the sentence that dates an event: not a year inside a noun phrase
    ("the 1899 award", "the 2015 accords", "last year's elections")."""
    for ent in ents_in(sent.span):
        if ent.label_ == "DATE" and not _names_a_thing(ent):
            value = resolve_date(ent.text, published)
            if value:
                return value
    return None


def _names_a_thing(ent) -> bool:
    """Is the date a modifier of a noun ("the 1959 treaty") rather than when something happened?"""
    root = ent.root
    if root.dep_ in ("compound", "nummod", "amod", "nmod", "poss") and root.head.pos_ in ("NOUN", "PROPN"):
        return not (ent.start <= root.head.i < ent.end)
    return root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.pos_ in ("NOUN", "PROPN")


def find_statements(sents: list[Sentence], entities: Entities, published: str | None,
                    *, skip: set[int] = frozenset()) -> list[Said]:
    """One statement per speaker and sentence whose verb of saying has an actor for subject,
    in the sentences not in ``skip`` (a headline the body says again)."""
    found: list[Said] = []
    seen: set[tuple[str, int]] = set()
    for sent in sents:
        if sent.index in skip:
            continue
        for token in sent.span:
            lemma = token.lemma_.lower()
            if token.pos_ not in ("VERB", "AUX") or lemma not in SPEECH_VERBS:
                continue
            if lemma in _NON_SPEECH_SENSES and any(
                c.lower_ in _NON_SPEECH_SENSES[lemma] for c in token.children
            ):
                continue
            if any(c.dep_ in ("aux", "auxpass") and c.lower_ in _NOT_SAID for c in token.children):
                continue
            mention = speaker_role.find(RoleContext(sent, entities, verb=token))
            if mention is None:
                continue
            record = entities.records[mention.key]
            if lemma in _WEAK_SPEECH and not record.is_person:
                continue
            if lemma in _OUTLET_VERBS and not record.linked and record.kind == "organization":
                continue  # "NPR reported": an outlet passing on news, not a party speaking
            if (mention.key, sent.index) in seen:
                via = _via(token)
                for earlier in found:
                    if earlier.speaker == mention.key and earlier.sentence.index == sent.index and not earlier.via:
                        earlier.via = via
                continue
            seen.add((mention.key, sent.index))
            found.append(Said(mention.key, _date(sent, published), _via(token), sent, token))
        for i, token in enumerate(sent.span[:-1]):
            if token.lower_ == "according" and sent.span[i + 1].lower_ == "to":
                after = [
                    m for m in entities.actors_in(sent.span[i + 2].i, min(sent.end, sent.span[i + 2].i + 6))
                    if sent.span.doc[m.tok_start:m.tok_end].root.dep_ == "pobj"  # not "Pyongyang's news agency"
                ]
                after = [m for m in after if entities.records[m.key].linked or entities.records[m.key].is_person]
                if after and (after[0].key, sent.index) not in seen:  # "according to the BBC": an outlet
                    seen.add((after[0].key, sent.index))
                    found.append(Said(after[0].key, _date(sent, published), None, sent, token))
    author = document_author(sents, entities)
    if author is not None and not any(s.speaker == author[0] for s in found):
        key, sent, token = author
        found.insert(0, Said(key, _date(sent, published), None, sent, token))
    return _people_first(found, entities)


_ATTRIBUTING = words("attributing")
"""Words by which a document names its author: "Statement from ...", "Remarks by ...",
"attributable to ..."."""
_RELEASING = words("releasing")
"""Verbs by which a statement's first lines say who put it out ("released by X and Y")."""


def document_author(sents: list[Sentence], entities: Entities) -> tuple[str, Sentence, Token] | None:
    """Who the document as a whole is attributed to, from its first lines: a byline ("Ana
    Ruiz, Foreign Minister"), "Statement from President X on ...", "Remarks by X", "What follows
    is attributable to Y:". The person named (else the actor) and where."""
    byline = next((m for m in entities.actor_mentions if m.how == "byline"), None)
    if byline is not None:
        sent = next((s for s in sents if s.start <= byline.tok_start < s.end), None)
        if sent is not None:
            return byline.key, sent, sent.span.doc[byline.tok_start]
    for sent in sents[:3]:
        for token in sent.span:
            if token.lemma_.lower() not in _ATTRIBUTING:
                continue
            for prep in token.children:
                if prep.dep_ != "prep" or prep.lower_ not in ("from", "by", "to", "of"):
                    continue
                named = entities.actors_in(prep.i + 1, _attribution_end(prep, sent))
                people = [m for m in named if entities.records[m.key].is_person]
                if people or named:
                    return (people or named)[0].key, sent, token
    return None


def _attribution_end(prep: Token, sent: Sentence) -> int:
    """Where the name after "Statement by", "Remarks from" ends: the preposition's object, or,
    when a title's capitals leave the preposition without one ("Statement by President Joe
    Biden" parsed with "Biden" hung on "Statement"), the rest of the line."""
    if any(c.dep_ in ("pobj", "pcomp") for c in prep.children):
        return prep.right_edge.i + 1
    return sent.end


def joint_authors(sents: list[Sentence], entities: Entities) -> list[str]:
    """The actors a joint statement is attributed to, from its first lines: "released by the
    Governments of the United States, France and Germany", "statement by Secretary X, the EU
    High Representative Y and Minister Z". The political actor of each name coordinated in
    the attribution, in order; empty unless there are two or more, and empty for a group
    with its members ("the G7 ministers of A, B and C" is the G7's statement)."""
    for sent in sents[:3]:
        for token in sent.span:
            if token.lemma_.lower() not in _ATTRIBUTING | _RELEASING:
                continue
            for prep in token.children:
                if prep.dep_ not in ("prep", "agent") or prep.lower_ not in ("from", "by", "of"):
                    continue
                span = sent.span.doc[prep.i + 1:prep.right_edge.i + 1]
                if not any(t.dep_ == "cc" for t in span):
                    continue
                named = entities.actors_in(span.start, span.end)
                if group_of_members(named, sent.span.doc):
                    return []  # "released by the G7 ministers of A, B and C": one group speaks
                keys = list(dict.fromkeys(entities.political(m.key) for m in named))
                if len(keys) >= 2:
                    return keys
    return []


def _people_first(found: list[Said], entities: Entities) -> list[Said]:
    """In a sentence where a person speaks, a state or group named as subject is what is said.

    "Moscow demands ..., Kremlin spokesman Dmitry Peskov said": Peskov is the speaker.
    """
    with_person = {s.sentence.index for s in found if entities.records[s.speaker].is_person}
    return [s for s in found
            if entities.records[s.speaker].is_person or s.sentence.index not in with_person]
