"""Who goes together: Louvain communities of the actor graph."""

from __future__ import annotations

import networkx as nx

from kg.analysis.centrality import undirected_weights

__all__ = ["actor_communities", "community_index"]


def actor_communities(
    G: nx.Graph, *, weight: str = "weight", resolution: float = 1.0, seed: int = 0
) -> list[set[str]]:
    """Return the Louvain communities of the actor graph, largest first.

    Parameters
    ----------
    G : networkx graph
        From :func:`kg.analysis.actor_graph`; read as undirected with parallel
        edges' weights added up (:func:`kg.analysis.centrality.undirected_weights`).
    weight : str, optional (default="weight")
        Edge attribute holding a tie's strength.
    resolution : float, optional (default=1.0)
        Above 1, smaller communities; below 1, larger ones.
    seed : int, optional (default=0)
        Seed of Louvain's node order, so repeated runs agree.

    Returns
    -------
    list of set
        Communities of nodes, largest first (ties: by the smallest node key).

    References
    ----------
    .. [1] Blondel, V. D., Guillaume, J.-L., Lambiotte, R., Lefebvre, E. (2008).
       Fast unfolding of communities in large networks. J. Stat. Mech. P10008.
       https://doi.org/10.1088/1742-5468/2008/10/P10008

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> [sorted(c) for c in actor_communities(G)]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    H = undirected_weights(G, weight=weight)
    if len(H) == 0:
        return []
    found = nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed)
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


def community_index(communities: list[set[str]]) -> dict[str, int]:
    """Node -> the index of its community in ``communities`` (0 = largest).

    >>> community_index([{"a", "b"}, {"c"}])
    {'a': 0, 'b': 0, 'c': 1}
    """
    return {node: i for i, members in enumerate(communities) for node in sorted(members)}
