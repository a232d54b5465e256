"""Claims over time: an actor's claims in order, the changes between them, and a claim-level network.

The claims come from :func:`kg.claims.read_claims` over the store's corrected view (or are
given as a :class:`kg.claims.ClaimLayer`). Every function says which time it orders by:
``basis="said"`` (when it was said, resolved from the text; claims no text
dates are left out of the order) or ``basis="reported"`` (publication dates).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from kg.claims import ClaimLayer, read_claims
from kg.claims.model import TIME_BASES, Change

__all__ = ["ClaimEvent", "claim_layer", "claim_timeline", "claim_changes", "claim_graph"]


def claim_layer(store_or_layer) -> ClaimLayer:
    """``store_or_layer`` itself when it is a :class:`ClaimLayer`, else the claims read from the store:
    from its corrected view (:func:`kg.corrections.corrected_store`), unless the store is a
    :class:`kg.corrections.ExtractorView`."""
    from kg.corrections import corrected_view, uses_corrections

    if isinstance(store_or_layer, ClaimLayer):
        return store_or_layer
    with corrected_view(store_or_layer, raw=not uses_corrections(store_or_layer)) as view:
        return read_claims(view)


def _check(basis: str) -> None:
    if basis not in TIME_BASES:
        raise ValueError(f"basis must be 'said' or 'reported', got {basis!r}")


@dataclass(frozen=True)
class ClaimEvent:
    """One claim of an actor's timeline, with the span in which it held on ``basis``."""

    basis: str
    first: str | None
    last: str | None
    held_from: str | None
    held_until: str | None
    kind: str
    summary: str
    actor: str
    addressee: str | None
    regions: tuple[str, ...]
    documents: int
    outlets: int
    unplaced: int
    quote: str
    claim: str
    thread: str


def claim_timeline(store_or_layer, actor: str, *, basis: str = "said") -> list[ClaimEvent]:
    """Return the claims ``actor`` holds or makes, ordered by their first time on ``basis``.

    Parameters
    ----------
    store_or_layer : kg.store.OxigraphStore or kg.claims.ClaimLayer
    actor : str
        The holder's or demander's IRI.
    basis : {"said", "reported"}, optional (default="said")
        Which time orders the claims. On ``said``, a claim none of whose
        reports the text dates comes last, with ``first`` None.

    Returns
    -------
    list of ClaimEvent

    Examples
    --------
    >>> from kg.claims import Report, build_threads
    >>> layer = build_threads([
    ...     Report("d1/p", "position", "Russia", "d1", "a.org", "q1", "2022-03-01", "2022-03-02",
    ...            stance="supports", topic="peace talks"),
    ...     Report("d2/p", "position", "Russia", "d2", "b.net", "q2", "2022-05-01", "2022-05-01",
    ...            stance="opposes", topic="peace talks")])
    >>> [(e.summary, e.held_from, e.held_until) for e in claim_timeline(layer, "Russia")]
    [('supports peace talks', '2022-03-01', '2022-05-01'), ('opposes peace talks', '2022-05-01', '2022-05-01')]
    """
    _check(basis)
    layer = claim_layer(store_or_layer)
    events = []
    for thread in layer.threads.values():
        for claim in thread.claims:
            if claim.actor != actor:
                continue
            held = thread.spans.get(f"{claim.iri}|{basis}", (None, None))
            quote = sorted(claim.reports, key=lambda r: (r.time(basis) is None, r.time(basis) or "", r.iri))[0].quote
            events.append(ClaimEvent(basis, claim.first(basis), claim.last(basis), held[0], held[1], claim.kind,
                                     claim.summary, claim.actor, claim.addressee, claim.regions,
                                     len(claim.documents), len(claim.outlets), claim.unplaced, quote, claim.iri,
                                     thread.iri))
    events.sort(key=lambda e: (e.first is None, e.first or "", e.thread, e.claim))
    return events


def claim_changes(store_or_layer, *, actor: str | None = None, basis: str = "said",
                  types: tuple[str, ...] | None = None) -> list[Change]:
    """Return the changes between consecutive claims, on ``basis``, in order of time.

    Parameters
    ----------
    store_or_layer : kg.store.OxigraphStore or kg.claims.ClaimLayer
    actor : str, optional
        Only the threads of this holder or demander (IRI).
    basis : {"said", "reported"}, optional (default="said")
    types : tuple of str, optional
        Only these change types (``kg.claims.CHANGE_TYPES``).

    Examples
    --------
    >>> from kg.claims import Report, build_threads
    >>> layer = build_threads([
    ...     Report("d1/c", "precondition", "Russia", "d1", "a.org", "q1", "2022-03-01", "2022-03-02",
    ...            addressee="Ukraine", action="withdraw_forces", outcome="ceasefire", regions=("Kherson",)),
    ...     Report("d2/c", "precondition", "Russia", "d2", "b.net", "q2", "2023-01-10", "2023-01-12",
    ...            addressee="Ukraine", action="withdraw_forces", outcome="ceasefire",
    ...            regions=("Kherson", "Zaporizhzhia"))])
    >>> [(c.type, c.time) for c in claim_changes(layer, basis="reported")]
    [('new', '2022-03-02'), ('hardened', '2023-01-12')]
    """
    _check(basis)
    layer = claim_layer(store_or_layer)
    found = [c for t in layer.threads.values() if actor is None or t.actor == actor
             for c in t.changes if c.basis == basis and (types is None or c.type in types)]
    found.sort(key=lambda c: (c.time is None, c.time or "", c.thread, c.iri))
    return found


def claim_graph(store_or_layer) -> nx.MultiDiGraph:
    """Project the claims onto a network weighted by corroboration.

    Nodes are actors (``type="actor"``) and topics (``type="topic"``, one per
    position thread, keyed by the thread IRI). Each claim is one edge, keyed
    by its IRI: holder -> topic (``kind`` the stance) for a position, demander ->
    addressee (``kind="demands_of"``, with ``action``, ``regions``) for a
    precondition with an addressee. Its weights are ``documents`` and ``outlets``
    (distinct), ``reports``; ``first_said``, ``first_reported`` and
    ``contradicted`` (another outlet reports the contrary stance at the same
    time) go with it.

    Examples
    --------
    >>> from kg.claims import Report, build_threads
    >>> layer = build_threads([
    ...     Report(f"d{i}/p", "position", "Russia", f"d{i}", o, "q", None, "2022-03-02",
    ...            stance="supports", topic="peace talks") for i, o in [(1, "a.org"), (2, "b.net"), (3, "b.net")]])
    >>> G = claim_graph(layer)
    >>> [(u, d["kind"], d["documents"], d["outlets"]) for u, v, d in G.edges(data=True)]
    [('Russia', 'supports', 3, 2)]
    """
    layer = claim_layer(store_or_layer)
    G = nx.MultiDiGraph()
    contradicted = {iri for c in layer.contradictions for iri in (c.first, c.second)}
    for thread in layer.threads.values():
        G.add_node(thread.actor, type="actor")
        if thread.kind == "position":
            G.add_node(thread.iri, type="topic", name=thread.key)
        for claim in thread.claims:
            if thread.kind == "position":
                target, kind, extra = thread.iri, claim.stance, {"topic": claim.topic}
            elif claim.addressee:
                target, kind, extra = claim.addressee, "demands_of", {"action": claim.action,
                                                                       "regions": list(claim.regions),
                                                                       "outcome": claim.outcome}
                G.add_node(claim.addressee, type="actor")
            else:
                continue
            G.add_edge(claim.actor, target, key=claim.iri, kind=kind, documents=len(claim.documents),
                       outlets=len(claim.outlets), reports=len(claim.reports), first_said=claim.first("said"),
                       first_reported=claim.first("reported"), contradicted=claim.iri in contradicted, **extra)
    return G
