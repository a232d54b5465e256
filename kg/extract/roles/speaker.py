"""Who says something: the speaker of a verb of saying (``ctx.verb``). Each resolver answers
with a mention."""

from __future__ import annotations

from kg.extract.context import subject_span
from kg.extract.entities import Entities, Mention
from kg.extract.lexicon import words
from kg.extract.roles.base import NOBODY, RoleContext, resolve

__all__ = ["RESOLVERS", "find", "SPEAKING_FOR", "named_spokesperson"]

SPEAKING_FOR = words("speaking_for")
"""Nouns whose possessor or modifier is the speaker when no one is named ("Russia's delegate said")."""
_PERSON_PRONOUNS = words("person_pronouns")


def named_spokesperson(mention: Mention, entities: Entities) -> Mention | None:
    """ "a senior African Union official cautioned": the one person the document names who speaks
    for that actor, if there is exactly one."""
    political = entities.political(mention.key)
    people = {m.key: m for m in entities.actor_mentions
              if entities.records[m.key].is_person and entities.records[m.key].speaks_for == political}
    return next(iter(people.values())) if len(people) == 1 else None


def _subject(ctx: RoleContext):
    span = subject_span(ctx.verb) if ctx.verb is not None else None
    if span is None:
        return None, [], None
    in_subject = ctx.entities.actors_in(*span)
    return span, in_subject, ctx.verb.doc[span[0]:span[1]].root


def person_in_subject(ctx: RoleContext) -> Mention | None:
    """A person named in the subject, the one its head names first ("President of Ukraine
    Volodymyr Zelenskyy"): the leader who voices a state's demand is its speaker."""
    span, in_subject, head = _subject(ctx)
    people = [m for m in in_subject if ctx.entities.records[m.key].is_person]
    if not people:
        return None
    return next((m for m in people if m.tok_start <= head.i < m.tok_end), people[0])


def subject_head(ctx: RoleContext) -> Mention | None:
    """The actor the subject's head word names ("Moscow said")."""
    span, in_subject, head = _subject(ctx)
    return next((m for m in in_subject if m.tok_start <= head.i < m.tok_end), None) if span else None


def spokesperson_noun(ctx: RoleContext):
    """ "the Russian Federation's delegate", "a White House spokesperson": the person named
    for that actor, else the actor; NOBODY when the subject names actors in another way."""
    span, in_subject, head = _subject(ctx)
    if span is None:
        return None
    if head.lemma_.lower() in SPEAKING_FOR:
        for m in in_subject:
            root = ctx.verb.doc[m.tok_start:m.tok_end].root
            if root.head.i == head.i and root.dep_ in ("poss", "compound", "amod", "nmod"):
                return named_spokesperson(m, ctx.entities) or m
    return NOBODY if in_subject else None


def person_pronoun(ctx: RoleContext) -> Mention | None:
    """ "he said", "she said": the person named last before, never a place."""
    span, _, _ = _subject(ctx)
    if span is None or span[1] - span[0] != 1:
        return None
    word = ctx.verb.doc[span[0]]
    if word.lower_ not in _PERSON_PRONOUNS:
        return None
    return ctx.entities.last_actor_before(word.idx, person=True)


RESOLVERS = (person_in_subject, subject_head, spokesperson_noun, person_pronoun)


def find(ctx: RoleContext) -> Mention | None:
    return resolve(RESOLVERS, ctx)
