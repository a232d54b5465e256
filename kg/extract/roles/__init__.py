"""Who and where: each role found by an ordered tuple of small named resolvers.

One module per role (``demander``, ``addressee``, ``holder``, ``speaker``, ``regions``,
``concerns``). Each
defines ``RESOLVERS``, a tuple of functions taking one :class:`RoleContext`; :func:`resolve`
asks them in order and the first that answers wins. A resolver answers with the role's
value, with ``None`` when its construction is not there (the next one is asked), or with
:data:`NOBODY` when its construction is there and names no actor ("called on all foreign
forces to withdraw": addressed, but to no actor), which ends the search.

The order of each role is the ``RESOLVERS`` tuple at the top of its module, and
:func:`order` lists them all.
"""

from __future__ import annotations

from kg.extract.roles.base import NOBODY, Resolver, RoleContext, resolve, traced

__all__ = ["RoleContext", "Resolver", "NOBODY", "resolve", "order", "traced"]


def order() -> dict[str, list[str]]:
    """Each role's resolvers by name, in the order they are asked."""
    from kg.extract.roles import addressee, concerns, demander, holder, regions, speaker

    return {module.__name__.rsplit(".", 1)[-1]: [r.__name__ for r in module.RESOLVERS]
            for module in (demander, addressee, holder, speaker, regions, concerns)}
