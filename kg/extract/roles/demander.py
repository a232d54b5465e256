"""Who makes a demand. Each resolver answers with the list of demanders (several for a
coordination: "Egypt, Greece and France called on ...")."""

from __future__ import annotations

from kg.extract.context import coordinated_actors, pronoun_subject, subject_span
from kg.extract.roles.base import RoleContext, resolve
from kg.extract.lexicon import words
from kg.extract.roles.clauses import clause_subject, conditioned_verb, obliged

__all__ = ["RESOLVERS", "find"]


def condition_clause_holder(ctx: RoleContext) -> list[str] | None:
    """With a condition clause, the subject of the clause it conditions: "*Iran* will not return
    to talks until ..."; "they" there is whom the previous sentence was about. When that clause
    obliges its subject ("..., the US must lift sanctions"), whoever says so."""
    if ctx.clause_verb is None:
        return None
    main = conditioned_verb(ctx.clause_verb)
    if obliged(main):
        # "if Washington wants a deal, the US must lift sanctions, Iran said": the main clause
        # obliges its subject; the demand is the one who says so
        if main.dep_ not in ("ccomp", "parataxis") or main.head is main:
            return None
        main = main.head
    span = subject_span(main)
    if span is not None and span[1] - span[0] == 1 and main.doc[span[0]].lower_ in _FIRST_PERSON:
        # "we will keep the sanctions until ...": the author of the statement, or its speaker
        voice = ctx.author or ctx.speaker
        return [ctx.entities.political(voice)] if voice else None
    found = clause_subject(main, ctx.entities, ctx.previous[0] if ctx.previous else None)
    return [found] if found else None


_FIRST_PERSON = words("first_person")


def marker_possessor(ctx: RoleContext) -> list[str] | None:
    """The possessor of a demand noun: "*Israel's* demand that ...", "*their* call for ..."."""
    if ctx.clause_verb is not None:
        return None
    doc = ctx.sent.span.doc
    for hit in ctx.markers or ():
        marker = doc[hit.start]
        if marker.pos_ == "NOUN":
            for child in marker.children:
                if child.dep_ == "poss":
                    found = coordinated_actors((child.left_edge.i, child.i + 1), ctx.entities)
                    if found:
                        return found
    return None


def marker_subject(ctx: RoleContext) -> list[str] | None:
    """The subject of a demanding verb, or of the sentence: "*Moscow* demands ...", all of a
    coordination."""
    if ctx.clause_verb is not None:
        return None
    doc = ctx.sent.span.doc
    # "B will be contingent on A, X said": the subject of a tying adjective is what is offered
    markers = [doc[h.start] for h in ctx.markers or () if doc[h.start].lower_ not in _TYING_ADJECTIVES]
    for verb in markers + [ctx.sent.span.root]:
        target = verb if verb.pos_ in ("VERB", "AUX") else verb.head
        span = subject_span(target) if target.pos_ in ("VERB", "AUX") else None
        if span is not None:
            found = [key for key in coordinated_actors(span, ctx.entities)
                     if not _place_in_subject(ctx, span, key)]
            if found:
                return found
    return None


_PLACE_PREPOSITIONS = words("place_prepositions")
_TYING_ADJECTIVES = words("tying_adjectives")


def _place_in_subject(ctx: RoleContext, span: tuple[int, int], key: str) -> bool:
    """Is the actor named in the subject only as the place of what it is about ("lasting peace
    *in Libya* will come only through ...")? Then it is not who makes the demand."""
    doc = ctx.sent.span.doc
    mentions = [m for m in ctx.entities.actors_in(*span) if m.key == key
                or ctx.entities.political(m.key) == key]
    return bool(mentions) and all(
        doc[m.tok_start:m.tok_end].root.dep_ == "pobj"
        and doc[m.tok_start:m.tok_end].root.head.lower_ in _PLACE_PREPOSITIONS for m in mentions)


def plural_pronoun(ctx: RoleContext) -> list[str] | None:
    """ "They demanded ...": whom the previous sentence was about."""
    return list(ctx.previous) if ctx.previous and pronoun_subject(ctx.sent) else None


def person_pronoun(ctx: RoleContext) -> list[str] | None:
    """ "He called on ...": the actor of the person named last before the pronoun, never a place."""
    root = ctx.sent.span.root
    for child in root.children:
        if child.dep_ == "nsubj" and child.lower_ in ("he", "she"):
            person = ctx.entities.last_actor_before(child.idx, person=True)
            return [ctx.entities.political(person.key)] if person is not None else None
    return None


def document_author(ctx: RoleContext) -> list[str] | None:
    """ "We demand ..." in a statement the document attributes to someone: that author's actor."""
    root = ctx.sent.span.root
    if ctx.author and any(c.dep_ == "nsubj" and c.lower_ in ("we", "i") for c in root.children):
        return [ctx.entities.political(ctx.author)]
    return None


def statement_speaker(ctx: RoleContext) -> list[str] | None:
    """The actor of the statement the sentence belongs to (a demand in a quoted passage)."""
    return [ctx.entities.political(ctx.speaker)] if ctx.speaker else None


RESOLVERS = (condition_clause_holder, marker_possessor, marker_subject, plural_pronoun, person_pronoun,
             document_author, statement_speaker)


def find(ctx: RoleContext) -> list[str]:
    return resolve(RESOLVERS, ctx) or []
