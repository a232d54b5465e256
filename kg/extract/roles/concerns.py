"""Which actors a demand is about: those named in the demanded action that are neither its
demander nor its addressee ("that Kyiv abandon plans to join *NATO*": NATO). Each resolver
answers with actor keys."""

from __future__ import annotations

from kg.extract.roles.base import RoleContext, resolve

__all__ = ["RESOLVERS", "find", "ALLIANCE_ACTIONS"]

ALLIANCE_ACTIONS = {"renounce_alliance"}
"""Actions about an alliance: the alliance the sentence names is what they concern."""


def _parties(ctx: RoleContext) -> set[str]:
    """The demand's own sides: demander, addressee, the speaker, and whom they speak for."""
    entities = ctx.entities
    sides = {k for k in (ctx.demander, ctx.addressee, ctx.speaker) if k}
    return sides | {entities.political(k) for k in sides}


def _others(ctx: RoleContext, mentions) -> list[str]:
    entities, parties = ctx.entities, _parties(ctx)
    found = []
    for m in mentions:
        if m.key in entities.outlets or m.key in parties or entities.political(m.key) in parties:
            continue
        record = entities.records.get(m.key)
        if record is None or record.region and record.kind is None:
            continue
        found.append(m.key)
    return list(dict.fromkeys(found))


def named_in_action(ctx: RoleContext) -> list[str] | None:
    """The actors named in the phrase of the action (the action word's syntactic subtree),
    leaving out a clause that says when or why ("... before talks with X begin")."""
    token = ctx.token
    if token is None:
        return None
    inside = set(range(token.left_edge.i, token.right_edge.i + 1))
    for child in token.children:
        if child.dep_ == "advcl":
            inside -= set(range(child.left_edge.i, child.right_edge.i + 1))
    mentions = [m for m in ctx.entities.actors_in(ctx.sent.start, ctx.sent.end)
                if set(m.tokens()) <= inside]
    return _others(ctx, mentions) or None


def alliance_of_the_sentence(ctx: RoleContext) -> list[str] | None:
    """For an action about an alliance, the alliances the sentence names."""
    if ctx.action not in ALLIANCE_ACTIONS:
        return None
    entities = ctx.entities
    mentions = [m for m in entities.actors_in(ctx.sent.start, ctx.sent.end)
                if (entities.records.get(m.key) and entities.records[m.key].kind == "alliance")]
    return _others(ctx, mentions) or None


RESOLVERS = (named_in_action, alliance_of_the_sentence)


def find(ctx: RoleContext) -> list[str]:
    return resolve(RESOLVERS, ctx) or []
