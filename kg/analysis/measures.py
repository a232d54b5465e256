"""Measures over the projections."""

from __future__ import annotations

import networkx as nx

from kg.analysis.projections import to_networkx

__all__ = ["actor_centrality", "contested_regions", "actor_table", "region_table"]


def actor_centrality(G: nx.MultiDiGraph) -> dict[str, dict[str, float]]:
    """Degree, betweenness and PageRank of each actor of ``G``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        From :func:`kg.analysis.to_networkx`.

    Returns
    -------
    dict
        Node -> ``{"degree": ..., "betweenness": ..., "pagerank": ...}``.
    """
    simple = nx.DiGraph()
    simple.add_nodes_from(G.nodes)
    for u, v in G.edges():
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += 1
        else:
            simple.add_edge(u, v, weight=1)
    if len(simple) == 0:
        return {}
    degree = nx.degree_centrality(simple) if len(simple) > 1 else {n: 0.0 for n in simple}
    betweenness = nx.betweenness_centrality(simple.to_undirected(), seed=0,
                                            k=min(len(simple), 500) if len(simple) > 500 else None)
    pagerank = nx.pagerank(simple, weight="weight") if simple.number_of_edges() else {n: 1 / len(simple) for n in simple}
    return {
        n: {"degree": degree[n], "betweenness": betweenness[n], "pagerank": pagerank[n]}
        for n in simple
        if G.nodes[n].get("role") == "actor" or "actor" in G.nodes[n].get("roles", ())
    }


def contested_regions(G: nx.MultiDiGraph, *, min_demanders: int = 2) -> dict[str, list[str]]:
    """Return the regions that several actors make demands about.

    A region is *contested* when `min_demanders` or more actors name it in demands.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        From `kg.analysis.to_networkx`; an edge ``demander -> region`` with
        ``kind="demands_about"`` is one demand naming that region.
    min_demanders : int, optional (default=2)
        Fewest distinct demanders for a region to count; must be >= 1.

    Returns
    -------
    dict
        Region -> its demanders (sorted), most-demanded region first.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("Russia", "Kherson", {"kind": "demands_about"}),
    ...                      ("Ukraine", "Kherson", {"kind": "demands_about"})])
    >>> contested_regions(G)
    {'Kherson': ['Russia', 'Ukraine']}
    """
    if min_demanders < 1:
        raise ValueError(f"min_demanders must be at least 1, got {min_demanders}")
    demanders: dict[str, set[str]] = {}
    for actor, region, kind in G.edges(data="kind"):
        if kind == "demands_about":
            demanders.setdefault(region, set()).add(actor)
    found = {r: sorted(a) for r, a in demanders.items() if len(a) >= min_demanders}
    return dict(sorted(found.items(), key=lambda item: -len(item[1])))


def actor_table(store):
    """A DataFrame of actors with their centrality, most central first."""
    import pandas as pd

    G = to_networkx(store)
    rows = [
        {"actor": G.nodes[n]["name"], "type": G.nodes[n]["type"], "wikidata": G.nodes[n].get("wikidata"),
         "degree": round(m["degree"], 4), "betweenness": round(m["betweenness"], 4),
         "pagerank": round(m["pagerank"], 4), "iri": n}
        for n, m in actor_centrality(G).items()
    ]
    frame = pd.DataFrame(rows, columns=["actor", "type", "wikidata", "degree", "betweenness", "pagerank", "iri"])
    return frame.sort_values(["pagerank", "actor"], ascending=[False, True]).reset_index(drop=True)


def region_table(store):
    """A DataFrame of actor–region links: who demands what about which region."""
    import pandas as pd

    G = to_networkx(store)
    rows = [
        {"region": G.nodes[v]["name"], "actor": G.nodes[u]["name"], "action": d["label"],
         "quote": d["quote"], "document": d["document"]}
        for u, v, d in G.edges(data=True) if d["kind"] == "demands_about"
    ]
    frame = pd.DataFrame(rows, columns=["region", "actor", "action", "quote", "document"])
    return frame.sort_values(["region", "actor"]).reset_index(drop=True)
