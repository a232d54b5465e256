"""The projections as files for Gephi and Cytoscape: GraphML and GEXF.

Both formats want scalar attributes: :func:`exportable` turns tuples into
``"; "``-joined text, drops ``None`` and non-scalar graph attributes, and gives
every node a ``label`` (its name), which Gephi shows.
"""

from __future__ import annotations

import io

import networkx as nx

from kg.analysis.alignment import alignment_graph
from kg.analysis.centrality import actor_centrality
from kg.analysis.communities import actor_communities, community_index
from kg.analysis.projections import facts_of, actor_graph, position_graph, precondition_graph, region_graph
from kg.analysis.regions import region_demanders
from kg.errors import KgError

__all__ = ["PROJECTIONS", "NETWORK_FORMATS", "projection", "exportable", "write_network"]

PROJECTIONS = ("actors", "regions", "positions", "preconditions")
NETWORK_FORMATS = ("graphml", "gexf")
_SCALARS = (str, bool, int, float)


def projection(store, name: str, *, measures: bool = True) -> nx.Graph:
    """Build the projection ``name`` of ``store``, with its measures as node attributes.

    Parameters
    ----------
    store : kg.store.OxigraphStore or kg.analysis.facts.Facts
    name : {"actors", "regions", "positions", "preconditions"}
    measures : bool, optional (default=True)
        Add to the actors graph ``degree``, ``strength``, ``betweenness``,
        ``pagerank`` and ``community``; to the regions graph ``demanders``,
        ``sides`` and ``contested`` on regions; to the positions graph
        ``supporters`` and ``opponents`` on topics and ``alignment`` (the sum
        of an actor's agreement signs).

    Raises
    ------
    KgError
        If `name` is not a projection.
    """
    if name not in PROJECTIONS:
        raise KgError(f"projection: unknown projection {name!r} (known: {', '.join(PROJECTIONS)})")
    facts = facts_of(store)
    if name == "actors":
        G = actor_graph(facts)
        if measures:
            for node, values in actor_centrality(G).items():
                G.nodes[node].update(values)
            for node, index in community_index(actor_communities(G)).items():
                G.nodes[node]["community"] = index
        return G
    if name == "regions":
        G = region_graph(facts)
        if measures:
            for region, entry in region_demanders(G).items():
                G.nodes[region].update(demanders=len(entry["demanders"]), sides=len(entry["sides"]),
                                       contested=len(entry["sides"]) >= 2)
        return G
    if name == "positions":
        G = position_graph(facts)
        if measures:
            for node, data in G.nodes(data=True):
                if data.get("type") == "Topic":
                    signs = [s for _, _, s in G.in_edges(node, data="sign")]
                    data.update(supporters=signs.count(1), opponents=signs.count(-1))
            A = alignment_graph(G)
            for node in A:
                G.nodes[node]["alignment"] = int(sum(s for _, _, s in A.edges(node, data="sign")))
        return G
    return precondition_graph(facts)


def _scalar(value):
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (tuple, list, set, frozenset)):
        return "; ".join(str(v) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value))
    return str(value)


def exportable(G: nx.Graph) -> nx.Graph:
    """A copy of ``G`` with only scalar attributes, as GraphML and GEXF require.

    ``None`` values are dropped, tuples, lists and sets become ``"; "``-joined
    strings, other objects their ``str``; graph attributes that are not scalar
    (``assertions``) are dropped; each node gains ``label`` (its ``name``), and
    each edge an ``id``, so both formats read back the same graph:
    ``nx.read_gexf``, or ``nx.read_graphml(path, force_multigraph=True)`` for a
    multigraph (GraphML keeps an edge's key only in a multigraph).

    Examples
    --------
    >>> G = nx.MultiDiGraph(assertions={})
    >>> G.add_node("a", name="A", roles=("actor", "region"), wikidata=None)
    >>> exportable(G).nodes["a"]
    {'name': 'A', 'roles': 'actor; region', 'label': 'A'}
    """
    H = G.__class__()
    H.graph.update({k: v for k, v in G.graph.items() if isinstance(v, _SCALARS)})
    for node, data in G.nodes(data=True):
        clean = {k: _scalar(v) for k, v in data.items() if v is not None}
        clean.setdefault("label", str(clean.get("name", node)))
        H.add_node(node, **clean)
    if G.is_multigraph():
        edges = G.edges(keys=True, data=True)
    else:
        edges = ((u, v, None, d) for u, v, d in G.edges(data=True))
    for index, (u, v, key, data) in enumerate(edges):
        clean = {k: _scalar(v) for k, v in data.items() if v is not None and k != "evidence"}
        if "evidence" in data:
            clean["evidence"] = _scalar(data["evidence"])
        clean["id"] = str(index)
        if key is None:
            H.add_edge(u, v, **clean)
        else:
            H.add_edge(u, v, key=key, **clean)
    return H


def write_network(store, fmt: str, *, projection_name: str = "actors") -> bytes:
    """The projection ``projection_name`` of ``store`` with its measures, as GraphML or GEXF bytes.

    Raises
    ------
    KgError
        If `fmt` or `projection_name` is unknown.
    """
    if fmt not in NETWORK_FORMATS:
        raise KgError(f"export: unknown network format {fmt!r} (known: {', '.join(NETWORK_FORMATS)})")
    G = exportable(projection(store, projection_name))
    out = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(G, out)
    else:
        nx.write_gexf(G, out)
    return out.getvalue()
