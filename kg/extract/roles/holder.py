"""Whose position a stance word states (``ctx.token``, in the clause of ``ctx.verb``). Each
resolver answers with the list of holders (several for a coordination)."""

from __future__ import annotations

from kg.extract.context import group_of_members, subject_span
from kg.extract.lexicon import words
from kg.extract.roles.base import RoleContext, resolve
from kg.extract.roles.speaker import SPEAKING_FOR, named_spokesperson

__all__ = ["RESOLVERS", "find"]

_PLURAL_PRONOUNS = words("plural_pronouns")
_PERSON_PRONOUNS = words("person_pronouns")
_FIRST_PERSON = words("first_person")
_SPEECH_VERBS = words("speech_verbs")
_OWN_VOICE = words("upheld") | words("stopped")
"""Stance words of a judgement with no holder in its clause ("... must be respected", "the
violence must stop"): the holder is whoever the passage quotes."""


def _subject_core(span: tuple[int, int], doc) -> tuple[int, int]:
    """The subject without its relative clauses ("ISIS fighters which European nations refused ...")."""
    start, end = span
    for token in doc[start:end]:
        if token.dep_ in ("relcl", "acl") and start <= token.head.i < end:
            end = min(end, token.left_edge.i)
    return start, end


def _subject_words(ctx: RoleContext):
    if ctx.verb is None:
        return None
    span = subject_span(ctx.verb)
    if span is None:
        return None
    doc = ctx.verb.doc
    if ctx.topic and all(i in ctx.topic or doc[i].dep_ == "agent" for i in range(*span)):
        # "Austria is alarmed by the shelling": the agent is what the stance is about, the
        # passive subject is who holds it
        passive = [c for c in ctx.verb.children if c.dep_ == "nsubjpass"]
        if passive:
            span = passive[0].left_edge.i, passive[0].right_edge.i + 1
    start, end = _subject_core(span, ctx.verb.doc)
    return ctx.verb.doc[start:end]


def cue_possessor(ctx: RoleContext) -> list[str] | None:
    """The possessor of a stance noun: "*Russia's* preference for ...", "*its* support"; or the
    actor named as its modifier: "expressed *U.S.* support for ...", "*Turkish* opposition to ..."."""
    for child in ctx.token.children:
        if child.dep_ == "poss":
            mentions = ctx.entities.actors_in(child.left_edge.i, child.i + 1)
            if mentions:
                return [ctx.entities.political(mentions[0].key)]
    if ctx.token.pos_ == "NOUN":
        for child in ctx.token.children:
            if child.dep_ in ("compound", "amod", "nmod") and child.i < ctx.token.i:
                mentions = ctx.entities.actors_in(child.left_edge.i, child.i + 1)
                if mentions:
                    return [ctx.entities.political(mentions[0].key)]
    return None


def subject_actors(ctx: RoleContext) -> list[str] | None:
    """The actor the clause's subject names (all of a coordination: "Peru and its Andean
    partners pressed ...", but only the group of "the G7 ministers of A, B and C"); a spokesperson noun is the person the text names for that actor."""
    subject = _subject_words(ctx)
    if subject is None:
        return None
    entities = ctx.entities
    mentions = [m for m in entities.actors_in(subject.start, subject.end) if m.tok_start not in ctx.topic]
    if not mentions:
        return None
    if any(t.dep_ == "cc" for t in subject):
        mentions = group_of_members(mentions, ctx.verb.doc) or mentions  # "We, the G7 ministers of A, B and C"
        return list(dict.fromkeys(entities.political(m.key) for m in mentions))
    head = subject.root
    covering = [m for m in mentions if m.tok_start <= head.i < m.tok_end]
    if not covering and head.lemma_.lower() in SPEAKING_FOR:
        named = named_spokesperson(mentions[0], entities)  # "the UN top official in Pristina"
        if named is not None:
            return [entities.political(named.key)]
    return [entities.political((covering or mentions)[0].key)]


def person_pronoun(ctx: RoleContext) -> list[str] | None:
    """ "she supports ...": the person named last before, never a place."""
    subject = _subject_words(ctx)
    if subject is None or len(subject) != 1 or subject[0].lower_ not in _PERSON_PRONOUNS:
        return None
    person = ctx.entities.last_actor_before(subject[0].idx, person=True)
    return [ctx.entities.political(person.key)] if person is not None else None


def quoting_speaker(ctx: RoleContext) -> list[str] | None:
    """ "we", "they", "it" inside what someone says: that speaker ("the U.S. said it supports",
    '"We urge ...," he said')."""
    subject = _subject_words(ctx)
    if subject is None or len(subject) != 1 or subject[0].lower_ not in _PLURAL_PRONOUNS | _FIRST_PERSON:
        return None
    entities, verb = ctx.entities, ctx.verb
    for token in (verb, *verb.ancestors):
        candidates = [token] if token is not verb and token.lemma_.lower() in _SPEECH_VERBS else []
        candidates += [c for c in token.children
                       if c.dep_ in ("parataxis", "ccomp") and c.lemma_.lower() in _SPEECH_VERBS]
        for speech in candidates:
            span = subject_span(speech)
            if span is None:
                continue
            words_ = verb.doc[span[0]:span[1]]
            mentions = entities.actors_in(*span)
            if mentions:
                return [entities.political(mentions[0].key)]
            if len(words_) == 1 and words_[0].lower_ in _PERSON_PRONOUNS:
                person = entities.last_actor_before(words_[0].idx, person=True)
                if person is not None:
                    return [entities.political(person.key)]
    return None


def previous_subject(ctx: RoleContext) -> list[str] | None:
    """ "They" with no speaker: whom the previous sentence was about."""
    subject = _subject_words(ctx)
    if subject is None or len(subject) != 1 or subject[0].lower_ not in _PLURAL_PRONOUNS:
        return None
    return list(ctx.previous) or None


def document_author(ctx: RoleContext) -> list[str] | None:
    """ "we", "I" in a statement the document attributes to someone ("Statement from President
    X", "attributable to Spokesperson Y"): that author's actor; "we" in a joint statement
    ("released by the Governments of X, Y and Z"): each of them."""
    subject = _subject_words(ctx)
    if subject is None or len(subject) != 1 or subject[0].lower_ not in _FIRST_PERSON:
        return None
    if ctx.authors and subject[0].lower_ == "we":
        return list(ctx.authors)  # a joint statement: "we" is each government that released it
    if not ctx.author:
        return None
    return [ctx.entities.political(ctx.author)]


def statement_voice(ctx: RoleContext) -> list[str] | None:
    """A judgement with no holder in its clause ("Dialogue is the only route.",
    "... must be respected") in someone's statement: that speaker's."""
    if ctx.voice and (ctx.verb is None or ctx.token.lemma_.lower() in _OWN_VOICE):
        return [ctx.voice]
    return None


RESOLVERS = (cue_possessor, subject_actors, person_pronoun, quoting_speaker, document_author, previous_subject,
             statement_voice)


def find(ctx: RoleContext) -> list[str]:
    return resolve(RESOLVERS, ctx) or []
