"""What an actor said and demanded, in order of date."""

from __future__ import annotations

from dataclasses import dataclass

from kg.analysis.facts import Facts
from kg.analysis.projections import facts_of

__all__ = ["Event", "actor_timeline"]


@dataclass(frozen=True)
class Event:
    """One position or precondition in an actor's timeline."""

    date: str | None
    date_source: str | None  # "statement", "document", or None when undated
    kind: str  # "position" | "precondition"
    role: str  # "holder", "demander", "addressee" or "speaker"
    summary: str
    actor: str  # holder or demander (IRI)
    counterpart: str | None  # addressee of a precondition (IRI)
    regions: tuple[str, ...]
    quote: str
    document: str
    start: int
    end: int
    assertion: str


def actor_timeline(store, actor: str) -> list[Event]:
    """Return the positions and preconditions that involve ``actor``, by date.

    An assertion is dated by the statement it was made in, else by its
    document's publication date; undated ones come last, in document order.

    Parameters
    ----------
    store : kg.store.OxigraphStore or kg.analysis.facts.Facts
    actor : str
        The actor's IRI.

    Returns
    -------
    list of Event
        Each assertion once, with ``role``: the actor holds the position or
        makes the demand (``holder``/``demander``), is the addressee of the
        demand (``addressee``), or voiced the statement it was made in
        (``speaker``).

    Examples
    --------
    >>> from kg.analysis.facts import Assertion, Facts
    >>> facts = Facts(assertions={
    ...     "p1": Assertion("p1", "position", "Russia", "d1", "...", 0, 3, date="2024-06-14",
    ...                     stance="supports", topic="talks"),
    ...     "p2": Assertion("p2", "position", "Russia", "d1", "...", 9, 12, date="2023-01-02",
    ...                     stance="opposes", topic="sanctions")})
    >>> [e.summary for e in actor_timeline(facts, "Russia")]
    ['opposes sanctions', 'supports talks']
    """
    facts: Facts = facts_of(store)
    events = []
    for item in facts.assertions.values():
        if item.kind not in ("position", "precondition"):
            continue
        said = facts.assertions.get(item.statement) if item.statement else None
        if item.actor == actor:
            role = "holder" if item.kind == "position" else "demander"
        elif item.addressee == actor:
            role = "addressee"
        elif said is not None and said.actor == actor:
            role = "speaker"
        else:
            continue
        events.append(Event(item.date, item.date_source, item.kind, role, item.summary, item.actor, item.addressee,
                            item.regions, item.quote, item.document, item.start, item.end, item.iri))
    events.sort(key=lambda e: (e.date is None, e.date or "", e.document, e.start, e.assertion))
    return events
