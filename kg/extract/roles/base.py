"""What every role's resolvers share: the context they look at, :data:`NOBODY`, and
:func:`resolve`, which asks them in order. The role modules import this module, and the
package imports the role modules, so that no import runs in a circle."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from spacy.tokens import Token

from kg.extract.context import Sentence
from kg.extract.entities import Entities

__all__ = ["RoleContext", "Resolver", "NOBODY", "resolve", "traced"]


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
