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

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from spacy.tokens import Token

from kg.extract.context import Sentence
from kg.extract.entities import Entities

__all__ = ["RoleContext", "Resolver", "NOBODY", "resolve", "order", "traced"]


class _Nobody:
    def __repr__(self) -> str:
        return "NOBODY"

    def __bool__(self) -> bool:
        return False


NOBODY: Any = _Nobody()
"""A resolver's answer that the construction is there and names no actor: stop looking."""


@dataclass
class RoleContext:
    """What a resolver may look at: the sentence, the document's entities, and the words the
    role is sought for. Fields a rule does not know stay at their defaults."""

    sent: Sentence
    entities: Entities
    sents: list[Sentence] = field(default_factory=list)
    token: Token | None = None
    """The word the role is sought for: a stance cue, a demand marker or action, a verb of saying."""
    verb: Token | None = None
    """The verb of the clause that word belongs to."""
    markers: list = field(default_factory=list)
    """The demand markers of the sentence (cue hits)."""
    clause_verb: Token | None = None
    """The verb of a condition clause ("until the US *lifts* ..."), if the sentence has one."""
    demander: str | None = None
    addressee: str | None = None
    """The addressee of the demand the role is sought for (for what the demand concerns)."""
    action: str | None = None
    given: str | None = None
    """A value the construction has already fixed (the refuser of a refused demand)."""
    previous: list[str] = field(default_factory=list)
    """The actors the previous sentence was about (for "they")."""
    speaker: str | None = None
    """The actor of the statement the sentence is part of."""
    voice: str | None = None
    """The actor whose statement the sentence continues (for judgements that name no holder)."""
    author: str | None = None
    """Who the document as a whole is attributed to ("Statement from President X"): "we", "I"."""
    authors: tuple[str, ...] = ()
    """The actors a joint statement is attributed to, when it names several: whose "we" it is."""
    topic: set[int] = field(default_factory=set)
    """Token indices of the topics read in the sentence (never the holder)."""
    hits: list = field(default_factory=list)
    """The action hits of the demand (for regions)."""
    hit: Any = None
    """The action hit the role is sought for."""
    places: list = field(default_factory=list)
    """The region mentions of the sentence (of its condition clause, if it has one)."""


Resolver = Callable[[RoleContext], Any]


_TRACE: Counter | None = None


@contextmanager
def traced() -> Iterator[Counter]:
    """Count which resolver answered (``"role.resolver"``), while the block runs."""
    global _TRACE
    _TRACE = Counter()
    try:
        yield _TRACE
    finally:
        _TRACE = None


def resolve(resolvers: tuple[Resolver, ...], ctx: RoleContext) -> Any:
    """The first answer of ``resolvers`` for ``ctx``; None if none answers or one says NOBODY."""
    for resolver in resolvers:
        answer = resolver(ctx)
        if answer is NOBODY or answer:
            if _TRACE is not None:
                _TRACE[f"{resolver.__module__.rsplit('.', 1)[-1]}.{resolver.__name__}"] += 1
            return answer or None
    return None


def order() -> dict[str, list[str]]:
    """Each role's resolvers by name, in the order they are asked."""
    from kg.extract.roles import addressee, concerns, demander, holder, regions, speaker

    return {module.__name__.rsplit(".", 1)[-1]: [r.__name__ for r in module.RESOLVERS]
            for module in (demander, addressee, holder, speaker, regions, concerns)}
