"""Of whom a demand is made.

For a demand with an action (one per action cue), ``RESOLVERS`` in order; for a call that
names no coded action, ``FOR_A_CALL``. :func:`others` adds the further parties of a joint
call ("called on Armenia and Azerbaijan to", "urged both sides to").
"""

from __future__ import annotations

from kg.extract.context import earlier_in_paragraph as _earlier, governing_verb, subject_span
from kg.extract.entities import Mention
from kg.extract.lexicon import words
from kg.extract.roles.base import NOBODY, RoleContext, resolve
from kg.extract.roles.clauses import addressed_object, clause_subject

__all__ = ["RESOLVERS", "FOR_A_CALL", "find", "find_for_call", "others"]

_NOT_ADDRESSED_TO_ALLIANCES = {"renounce_alliance", "neutrality"}
"""Actions an alliance is never asked to take (it is what a state renounces)."""
_GROUP_ACTIONS = {"ceasefire", "release_prisoners", "disarm_group"}
"""Demands most often made of armed groups: when the sentence names no one, look for a group first."""
_SIDES_WORDS = words("sides_words")
_PLURAL_OBJECT_PRONOUNS = words("plural_object_pronouns")


def _usable(ctx: RoleContext, m: Mention) -> bool:
    entities = ctx.entities
    record = entities.records[m.key]
    key = entities.political(m.key)
    if key == ctx.demander or m.key in entities.outlets:
        return False  # an outlet passes the demand on; it is never asked
    if ctx.action in _NOT_ADDRESSED_TO_ALLIANCES and record.kind == "alliance":
        return False
    return record.kind is not None


def given(ctx: RoleContext) -> str | None:
    """Fixed by the construction: the refuser of a refused demand."""
    return ctx.given


def condition_clause_subject(ctx: RoleContext) -> str | None:
    """The subject of the condition clause: "until *the United States* lifts ..."."""
    if ctx.clause_verb is None:
        return None
    found = clause_subject(ctx.clause_verb, ctx.entities, None)
    if found is None:
        found = pronoun_antecedent(ctx, ctx.clause_verb)
    return found if found != ctx.demander else None


_THIRD_PERSON = words("third_person_pronouns")


def pronoun_antecedent(ctx: RoleContext, verb) -> str | None:
    """ "impose costs on the military until *they* reverse course": a third-person pronoun as
    the subject of a condition clause is the actor named last before it, in the sentence or
    earlier in the paragraph, other than the demander and never an outlet."""
    span = subject_span(verb)
    if span is None or span[1] - span[0] != 1 or verb.doc[span[0]].lower_ not in _THIRD_PERSON:
        return None
    entities = ctx.entities
    at = span[0]
    sents = [ctx.sent, *(_earlier(ctx.sents, ctx.sent) if ctx.sents else ())]
    for sent in sents:
        end = at if sent.index == ctx.sent.index else sent.end
        for m in reversed(entities.actors_in(sent.start, end)):
            key = entities.political(m.key)
            if key != ctx.demander and m.key not in entities.outlets and entities.records[key].kind \
                    and not entities.records[key].is_person:
                return key
    return None


def action_subject(ctx: RoleContext) -> str | None:
    """Who is to do the action: the subject of its verb ("that *Kyiv* renounce"), or for a
    noun the actor that qualifies it ("an immediate *Israeli* withdrawal", "withdrawal *of Israel*")."""
    token, entities = ctx.token, ctx.entities
    if token is None:
        return None

    def usable(mention) -> str | None:
        record = entities.records[mention.key]
        key = entities.political(mention.key)
        if key == ctx.demander or mention.key in entities.outlets or (
                ctx.action in _NOT_ADDRESSED_TO_ALLIANCES and record.kind == "alliance"):
            return None
        return key

    if token.pos_ in ("NOUN", "PROPN"):
        for child in token.children:
            if child.dep_ in ("amod", "poss", "compound", "nmod") or (
                child.dep_ == "prep" and child.lower_ in ("of", "by")
            ):
                for mention in entities.actors_in(child.left_edge.i, child.right_edge.i + 1):
                    key = usable(mention)
                    if key:
                        return key
        if token.dep_ not in ("dobj", "xcomp", "ccomp"):
            return None
    verb = governing_verb(token, hops=4)
    if verb is None:
        return None
    span = subject_span(verb)
    if span is None:
        return None
    for mention in entities.actors_in(*span):
        key = usable(mention)
        if key:
            return key
    return None


def obliged_subject(ctx: RoleContext):
    """ "X must ...", "X should ...": the subject of the obliged verb; NOBODY when that is no
    actor ("diplomacy must prevail": nobody is asked, whoever was told)."""
    doc = ctx.sent.span.doc
    for hit in ctx.markers or ():
        token = doc[hit.start]
        if token.dep_ == "aux" and token.lower_ in ("must", "should"):
            span = subject_span(token.head)
            if span is None:
                return None
            mentions = [m for m in ctx.entities.actors_in(*span) if _usable(ctx, m)]
            return ctx.entities.political(mentions[0].key) if mentions else NOBODY
    return None


def addressed(ctx: RoleContext):
    """Whom the call names: "urged *Togo* to", "asked *every foreign force* to" (NOBODY when
    that is no actor)."""
    span = addressed_object(ctx.sent)
    if span is None:
        return None
    inside = [m for m in ctx.entities.actors_in(*span) if _usable(ctx, m)]
    return ctx.entities.political(inside[0].key) if inside else NOBODY


def nearest_in_sentence(ctx: RoleContext) -> str | None:
    """The actor of the sentence nearest the action, a people's adjective first ("an Israeli ...")."""
    at = ctx.hit.start if ctx.hit is not None else ctx.sent.start
    mentions = [m for m in ctx.entities.actors_in(ctx.sent.start, ctx.sent.end) if _usable(ctx, m)]
    if not mentions:
        return None
    mentions.sort(key=lambda m: (m.how != "demonym", abs(m.tok_start - at)))
    return ctx.entities.political(mentions[0].key)


def earlier_in_paragraph(ctx: RoleContext) -> str | None:
    """The last state (an armed group, for a ceasefire, release or disarmament) named before in
    the paragraph."""
    wanted = ("armed_group",) if ctx.action in _GROUP_ACTIONS else ("state", "government")
    entities = ctx.entities
    for other in _earlier(ctx.sents, ctx.sent):
        candidates = [m for m in entities.actors_in(other.start, other.end)
                      if _usable(ctx, m) and entities.records[entities.political(m.key)].kind in wanted]
        if candidates:
            return entities.political(candidates[-1].key)
    return None


RESOLVERS = (given, condition_clause_subject, action_subject, addressed, nearest_in_sentence, earlier_in_paragraph)
FOR_A_CALL = (given, condition_clause_subject, obliged_subject, addressed, nearest_in_sentence)


def find(ctx: RoleContext) -> str | None:
    return resolve(RESOLVERS, ctx)


def find_for_call(ctx: RoleContext) -> str | None:
    return resolve(FOR_A_CALL, ctx)


def both_sides(ctx: RoleContext) -> list[str]:
    """ "urged both sides to ...", "the two countries", "urges the parties to ...": the two
    actors last named before, other than the demander, in the paragraph. A plain definite plural
    ("the parties", "the sides") names the two parties to the dispute as "both" does; "all
    parties" names no two."""
    span = addressed_object(ctx.sent)
    if span is None:
        return []
    head = ctx.sent.span.doc[span[1] - 1]
    if span[1] - span[0] == 1 and head.lower_ in _PLURAL_OBJECT_PRONOUNS:
        # "pledged support to the parties and urged *them* to ...": the parties or sides named before
        head = next((t for t in reversed(ctx.sent.span.doc[ctx.sent.start:span[0]])
                     if t.tag_ == "NNS" and t.lemma_.lower() in _SIDES_WORDS), head)
    if head.lemma_.lower() not in _SIDES_WORDS or not (
            any(c.lower_ in ("both", "two") for c in head.children) or _definite_plural(head)):
        return []
    entities = ctx.entities
    found: list[str] = []
    sent = ctx.sent
    for other in (ctx.sents[n] for n in range(min(sent.index, len(ctx.sents) - 1), max(-1, sent.index - 3), -1)):
        if other.paragraph != sent.paragraph and other.index != sent.index:
            break
        end = span[0] if other.index == sent.index else other.end
        for m in reversed(entities.actors_in(other.start, end)):
            key = entities.political(m.key)
            if key != ctx.demander and key not in found and m.key not in entities.outlets and \
                    entities.records[key].kind in ("state", "government", "armed_group", "party"):
                found.append(key)
        if len(found) >= 2:
            return found[:2][::-1]
    return _main_parties(ctx, span[0])


def _main_parties(ctx: RoleContext, before_token: int) -> list[str]:
    """The two parties of the dispute when the paragraph names none: the two states, governments,
    armed groups or parties the document names by name (not by a people's adjective) most often
    before the call, other than the demander, in the order first named; none when a third is
    named as often as the second."""
    counts, first = _parties_before(ctx.entities, before_token)
    ranked = sorted((k for k in counts if k != ctx.demander), key=lambda k: -counts[k])
    if len(ranked) < 2 or len(ranked) > 2 and counts[ranked[1]] == counts[ranked[2]]:
        return []  # no clear two
    return sorted(ranked[:2], key=first.get)


_PARTY_KINDS = ("state", "government", "armed_group", "party")


class _PartyCounts:
    """How often each party is named before a token, by name (not by a people's adjective) and
    never as an outlet, in the order first named: a running count over the mentions, moved to
    each token asked about (the demands come in the order of the text)."""

    def __init__(self, entities) -> None:
        self.mentions = entities.actor_mentions
        self.keys = []
        for m in self.mentions:
            key = entities.political(m.key)
            eligible = (m.key not in entities.outlets and m.how != "demonym"
                        and entities.records[key].kind in _PARTY_KINDS)
            self.keys.append(key if eligible else None)
        self.at = 0  # the mentions before this position are counted
        self.counts: dict[str, int] = {}
        self.first: dict[str, int] = {}

    def move(self, before_token: int) -> None:
        mentions, keys, counts = self.mentions, self.keys, self.counts
        while self.at < len(mentions) and mentions[self.at].tok_start < before_token:
            key = keys[self.at]
            if key is not None:
                counts[key] = counts.get(key, 0) + 1
                self.first.setdefault(key, mentions[self.at].tok_start)
            self.at += 1
        while self.at and mentions[self.at - 1].tok_start >= before_token:
            self.at -= 1
            key = keys[self.at]
            if key is not None:
                counts[key] -= 1
                if not counts[key]:  # its first mention: it is the last named first
                    del counts[key], self.first[key]


def _parties_before(entities, before_token: int) -> tuple[dict[str, int], dict[str, int]]:
    """Party -> how often named before ``before_token``, and -> the token it was first named at
    (both in the order first named)."""
    running = entities.cache.get("parties")
    if running is None or running.mentions is not entities.actor_mentions or len(running.keys) != len(running.mentions):
        running = entities.cache["parties"] = _PartyCounts(entities)
    running.move(before_token)
    return running.counts, running.first


def _definite_plural(head) -> bool:
    """ "the parties", "the sides": a plural with "the" and nothing else before it."""
    before = [c for c in head.children if c.i < head.i]
    return head.tag_ == "NNS" and len(before) == 1 and before[0].lower_ == "the"


def also_addressed(ctx: RoleContext, addressee: str | None, co_demanders: set[str]) -> list[str]:
    """The others a call names with the addressee: "urged Chile and Peru to pull back"."""
    span = addressed_object(ctx.sent)
    if addressee is None or span is None:
        return []
    entities = ctx.entities
    head = ctx.sent.span.doc[span[1] - 1]
    out = []
    for token in head.conjuncts:
        for m in entities.actors_in(token.left_edge.i, token.i + 1):
            key = entities.political(m.key)
            if key not in (addressee, ctx.demander) and key not in co_demanders and entities.records[key].kind:
                out.append(key)
                break
    return list(dict.fromkeys(out))


def others(ctx: RoleContext, addressee: str | None, co_demanders: set[str]) -> tuple[list[str], bool]:
    """The parties of a joint call besides ``addressee``, and whether they replace it ("both
    sides" names no one itself)."""
    if addressee is None:
        both = both_sides(ctx)
        if both:
            return both, True
    named = sides_named(ctx, co_demanders)
    if named:
        return named, True
    return also_addressed(ctx, addressee, co_demanders), False


def sides_named(ctx: RoleContext, co_demanders: set[str] = frozenset()) -> list[str]:
    """ "the shelling on both sides of the Peru-Chile dispute must end": "both sides of" a
    conflict whose name holds two actors names them both."""
    entities = ctx.entities
    for token in ctx.sent.span:
        if token.lemma_.lower() not in _SIDES_WORDS or not any(c.lower_ in ("both", "two") for c in token.children):
            continue
        for prep in token.children:
            if prep.dep_ != "prep" or prep.lower_ not in ("of", "in", "to"):
                continue
            found = []
            for m in entities.actors_in(prep.i + 1, prep.right_edge.i + 1):
                key = entities.political(m.key)
                if key != ctx.demander and key not in co_demanders and key not in found \
                        and entities.records[key].kind in ("state", "government", "armed_group", "party"):
                    found.append(key)
            if len(found) == 2:
                return found
    return []
