"""Which regions a demand concerns. Each resolver answers with region mentions."""

from __future__ import annotations

from kg.extract.roles.base import RoleContext, resolve

__all__ = ["RESOLVERS", "find", "NO_REGIONS", "PLACE_ACTIONS"]

NO_REGIONS = {"renounce_alliance", "neutrality", "lift_sanctions", "hold_elections"}
"""Actions that concern no place (a region named beside them is another action's)."""
PLACE_ACTIONS = {"withdraw_forces", "ceasefire", "humanitarian_access", "return_territory", "demilitarization"}
"""Actions that happen somewhere: with no place in the sentence, the one just named is meant."""


def _owner(mention, hits):
    """The action a region belongs to: the nearest one before it, else the first."""
    before = [h for h in hits if h.start <= mention.tok_start]
    return before[-1] if before else hits[0]


def named_with_action(ctx: RoleContext) -> list | None:
    """The regions of the sentence that belong to this action: those after it and before the
    next one ("withdraw from Kherson and lift sanctions": Kherson is the withdrawal's)."""
    if ctx.action in NO_REGIONS:
        return None
    return [m for m in ctx.places if _owner(m, ctx.hits) == ctx.hit] or None


def named_just_before(ctx: RoleContext) -> list | None:
    """For an action that happens somewhere, the reference regions of the closest earlier
    sentence of the paragraph that names one (two back at most)."""
    if ctx.action not in PLACE_ACTIONS:
        return None
    sent, entities = ctx.sent, ctx.entities
    for other in reversed(ctx.sents[max(0, sent.index - 2): sent.index]):
        if other.paragraph != sent.paragraph:
            break
        found = [m for m in entities.regions_in(other.start, other.end) if entities.records[m.key].linked]
        if found:
            return found
    return None


RESOLVERS = (named_with_action, named_just_before)


def find(ctx: RoleContext) -> list:
    return resolve(RESOLVERS, ctx) or []
