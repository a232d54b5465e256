"""Which regions are contested: demands about one region from several sides."""

from __future__ import annotations

import networkx as nx

__all__ = ["contested_regions", "region_demanders"]


def region_demanders(G: nx.Graph) -> dict[str, dict[str, set[str]]]:
    """Region -> ``{"demanders": ..., "sides": ...}`` of every region named in a demand.

    Parameters
    ----------
    G : networkx graph
        An edge ``demander -> region`` with ``kind="demands_about"`` is a demand
        naming that region (:func:`kg.analysis.region_graph`,
        :func:`kg.analysis.to_networkx`). A demander's side is its ``side``
        node attribute (the actor a person speaks for), else the demander.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("Putin", "Kherson", {"kind": "demands_about"}),
    ...                      ("Russia", "Kherson", {"kind": "demands_about"})])
    >>> G.nodes["Putin"]["side"] = "Russia"
    >>> region_demanders(G)["Kherson"]["sides"]
    {'Russia'}
    """
    found: dict[str, dict[str, set[str]]] = {}
    for actor, region, kind in G.edges(data="kind"):
        if kind == "demands_about":
            entry = found.setdefault(region, {"demanders": set(), "sides": set()})
            entry["demanders"].add(actor)
            entry["sides"].add(G.nodes[actor].get("side", actor))
    return found


def contested_regions(G: nx.Graph, *, min_demanders: int = 2) -> dict[str, list[str]]:
    """Return the regions that several actors make demands about.

    A region is *contested* when demands naming it come from `min_demanders` or
    more sides. An actor's side is its ``side`` node attribute (the projections
    set it to the actor a person speaks for: Putin's demands are Russia's),
    else the actor itself.

    Parameters
    ----------
    G : networkx graph
        From :func:`kg.analysis.region_graph` or :func:`kg.analysis.to_networkx`;
        an edge ``demander -> region`` with ``kind="demands_about"`` is one
        demand naming that region.
    min_demanders : int, optional (default=2)
        Fewest distinct sides for a region to count; must be >= 1 (1 lists
        every region named in a demand).

    Returns
    -------
    dict
        Region -> its demanders (sorted), the region with most sides first.

    Raises
    ------
    ValueError
        If `min_demanders` is below 1.

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
    found = region_demanders(G)
    chosen = [(r, e) for r, e in found.items() if len(e["sides"]) >= min_demanders]
    chosen.sort(key=lambda item: (-len(item[1]["sides"]), -len(item[1]["demanders"]), item[0]))
    return {region: sorted(entry["demanders"]) for region, entry in chosen}
