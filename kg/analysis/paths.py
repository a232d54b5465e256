"""How is X connected to Y: the shortest chain of assertions between two actors."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from kg.analysis.facts import Assertion
from kg.analysis.projections import EVIDENCE_RELATIONS

__all__ = ["Link", "explain_connection"]


@dataclass(frozen=True)
class Link:
    """One relation on a path: ``source`` and ``target`` are the path's order,
    ``forward`` says whether the relation runs that way (``Russia demands_of
    Ukraine`` on a path from Ukraine to Russia is not forward)."""

    hop: int
    source: str
    target: str
    kind: str
    forward: bool
    assertions: tuple[Assertion, ...]


def explain_connection(
    G: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    relations: tuple[str, ...] = EVIDENCE_RELATIONS,
) -> list[Link]:
    """Return the shortest chain of assertions that connects two actors.

    The path is the one with fewest hops over the chosen relations, read in
    either direction; among those, the one with most supporting assertions.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        From :func:`kg.analysis.actor_graph`; its ``G.graph["assertions"]``
        maps assertion IRIs to :class:`~kg.analysis.facts.Assertion` (quotes).
    source, target : str
        Node keys (IRIs) of the two actors.
    relations : tuple of str, optional (default= :data:`~kg.analysis.projections.EVIDENCE_RELATIONS`)
        Edge kinds a path may use. Co-mentions have no quote of their own and
        are left out unless named here.

    Returns
    -------
    list of Link
        Every relation between consecutive actors of the path, each with the
        assertions behind it (quote, document, offsets); empty when no path
        exists.

    Raises
    ------
    networkx.NodeNotFound
        If `source` or `target` is not a node of `G`.

    Examples
    --------
    >>> from kg.analysis.facts import Assertion
    >>> said = Assertion("s1", "statement", "Putin", "d1", "Putin outlined terms for Kyiv.", 0, 30)
    >>> G = nx.MultiDiGraph(assertions={"s1": said})
    >>> G.add_edge("Putin", "Ukraine", key="addresses", kind="addresses", assertions=1, evidence=("s1",))
    'addresses'
    >>> [(link.kind, link.assertions[0].quote) for link in explain_connection(G, "Ukraine", "Putin")]
    [('addresses', 'Putin outlined terms for Kyiv.')]
    """
    for node in (source, target):
        if node not in G:
            raise nx.NodeNotFound(f"{node} is not in the graph")
    if source == target:
        return []
    H = nx.Graph()
    H.add_nodes_from(G)
    for u, v, data in G.edges(data=True):
        if data.get("kind") in relations and u != v:
            support = data.get("assertions", 1)
            if H.has_edge(u, v):
                H[u][v]["support"] += support
            else:
                H.add_edge(u, v, support=support)
    scale = len(H) + 1
    for _, _, data in H.edges(data=True):
        # one hop always costs more than any tie-break over a whole path
        data["distance"] = 1.0 + 1.0 / ((1 + data["support"]) * scale)
    try:
        path = nx.dijkstra_path(H, source, target, weight="distance")
    except nx.NetworkXNoPath:
        return []
    assertions = G.graph.get("assertions", {})
    links = []
    for hop, (u, v) in enumerate(zip(path, path[1:])):
        for a, b, forward in ((u, v, True), (v, u, False)):
            for kind, data in sorted((G.get_edge_data(a, b) or {}).items()):
                if data.get("kind") not in relations:
                    continue
                found = tuple(assertions[i] for i in data.get("evidence", ()) if i in assertions)
                links.append(Link(hop, u, v, data["kind"], forward, found))
    return links
