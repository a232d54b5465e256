"""Who is central: degree, weighted betweenness and PageRank of actors."""

from __future__ import annotations

import networkx as nx

__all__ = ["actor_centrality", "undirected_weights", "is_actor"]


def is_actor(data: dict) -> bool:
    """Whether a node's attributes make it an actor (``roles``, or the older ``role``)."""
    if "roles" in data:
        return "actor" in data["roles"]
    return data.get("role", "actor") == "actor"


def undirected_weights(G: nx.Graph, *, weight: str = "weight") -> nx.Graph:
    """Collapse ``G`` into a simple undirected graph whose edge weights are summed.

    Parameters
    ----------
    G : networkx graph
        Any graph; parallel and opposite edges are added up.
    weight : str, optional (default="weight")
        Edge attribute to add up; an edge without it counts 1.

    Returns
    -------
    networkx.Graph
        Same nodes (and node attributes); each edge has ``weight`` (the sum) and
        ``distance`` (``1 / weight``: strong ties are short, as betweenness wants).

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "a"), ("a", "b", {"weight": 2})])
    >>> undirected_weights(G).edges["a", "b"]
    {'weight': 4.0, 'distance': 0.25}
    """
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    for u, v, w in G.edges(data=weight, default=1):
        if u == v:
            continue
        if H.has_edge(u, v):
            H[u][v]["weight"] += float(w)
        else:
            H.add_edge(u, v, weight=float(w))
    for _, _, data in H.edges(data=True):
        data["distance"] = 1.0 / data["weight"] if data["weight"] > 0 else float("inf")
    return H


def actor_centrality(
    G: nx.Graph,
    *,
    weight: str = "weight",
    max_exact: int = 1000,
    samples: int = 300,
    seed: int = 0,
) -> dict[str, dict[str, float]]:
    """Return the degree, strength, weighted betweenness and PageRank of each actor.

    The graph is read as undirected (demanding of someone and being demanded of
    both put an actor in the conversation), with parallel edges' weights added
    up by :func:`undirected_weights`.

    Parameters
    ----------
    G : networkx graph
        From :func:`kg.analysis.actor_graph` (weights = documents) or
        :func:`kg.analysis.to_networkx` (one edge per assertion, weight 1).
    weight : str, optional (default="weight")
        Edge attribute holding a tie's strength.
    max_exact : int, optional (default=1000)
        Up to this many nodes, betweenness is exact; beyond it, it is estimated
        from `samples` source nodes drawn with `seed`.
    samples : int, optional (default=300)
        Number of sources of the estimate on large graphs.
    seed : int, optional (default=0)
        Seed of the sampling, so repeated runs agree.

    Returns
    -------
    dict
        Actor -> ``{"degree", "strength", "betweenness", "pagerank"}``: degree
        centrality (share of the other nodes it is tied to), strength (sum of
        its ties' weights), betweenness over shortest paths with distance
        ``1 / weight`` (normalised), and PageRank with `weight`. Non-actor
        nodes (regions, topics) take part in the computation but are not
        returned.

    References
    ----------
    .. [1] Brandes, U. (2001). A faster algorithm for betweenness centrality.
       Journal of Mathematical Sociology 25(2), 163-177. https://doi.org/10.1080/0022250X.2001.9990249
    .. [2] Page, L., Brin, S., Motwani, R., Winograd, T. (1999). The PageRank citation
       ranking: bringing order to the web. Stanford InfoLab.

    Examples
    --------
    >>> G = nx.Graph([("Russia", "Ukraine"), ("Russia", "Putin"), ("Russia", "NATO")])
    >>> c = actor_centrality(G)
    >>> max(c, key=lambda n: c[n]["pagerank"])
    'Russia'
    >>> c["Russia"]["betweenness"]
    1.0
    """
    H = undirected_weights(G, weight=weight)
    if len(H) == 0:
        return {}
    degree = nx.degree_centrality(H) if len(H) > 1 else {n: 0.0 for n in H}
    strength = dict(H.degree(weight="weight"))
    k = min(samples, len(H)) if len(H) > max_exact else None
    betweenness = nx.betweenness_centrality(H, k=k, weight="distance", seed=seed if k else None)
    if H.number_of_edges():
        pagerank = nx.pagerank(H, weight="weight")
    else:
        pagerank = {n: 1.0 / len(H) for n in H}
    return {
        n: {"degree": degree[n], "strength": float(strength[n]), "betweenness": betweenness[n],
            "pagerank": pagerank[n]}
        for n in H
        if is_actor(G.nodes[n])
    }
