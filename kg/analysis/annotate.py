"""Write measures back into the store, as their own named graph.

The graph ``https://w3id.org/polkg/id/graph/analysis`` holds, for each actor,
``pol:degree``, ``pol:betweenness``, ``pol:pagerank`` and ``pol:community``, and
for each region named in a demand ``pol:contested``; it is replaced whole on
each write, so SPARQL and the viewer see the measures of the last run only.
"""

from __future__ import annotations

from datetime import datetime, timezone

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD

from kg.namespaces import ID, POL

__all__ = ["ANALYSIS_GRAPH", "write_measures", "measures_graph"]

ANALYSIS_GRAPH = str(ID["graph/analysis"])


def measures_graph(
    centrality: dict[str, dict[str, float]],
    communities: dict[str, int],
    contested: dict[str, bool] | None = None,
) -> Graph:
    """The triples of the analysis graph.

    Parameters
    ----------
    centrality : dict
        From :func:`kg.analysis.actor_centrality`.
    communities : dict
        Node -> community index (:func:`kg.analysis.communities.community_index`).
    contested : dict, optional
        Region -> whether it is contested.

    Examples
    --------
    >>> g = measures_graph({"https://w3id.org/polkg/ref/Russia": {"degree": 1.0, "betweenness": 0.5,
    ...                     "pagerank": 0.4}}, {"https://w3id.org/polkg/ref/Russia": 0})
    >>> sorted(str(p).rsplit("#", 1)[-1] for p in g.predicates(URIRef("https://w3id.org/polkg/ref/Russia")))
    ['betweenness', 'community', 'degree', 'pagerank']
    """
    graph = Graph()
    graph.bind("pol", str(POL._NS))
    for node, measures in centrality.items():
        subject = URIRef(node)
        graph.add((subject, POL.degree, Literal(float(measures["degree"]), datatype=XSD.double)))
        graph.add((subject, POL.betweenness, Literal(float(measures["betweenness"]), datatype=XSD.double)))
        graph.add((subject, POL.pagerank, Literal(float(measures["pagerank"]), datatype=XSD.double)))
    for node, index in communities.items():
        graph.add((URIRef(node), POL.community, Literal(int(index))))
    for region, flag in (contested or {}).items():
        graph.add((URIRef(region), POL.contested, Literal(bool(flag))))
    graph.add((URIRef(ANALYSIS_GRAPH), PROV.generatedAtTime,
               Literal(datetime.now(timezone.utc).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
    return graph


def write_measures(store, centrality, communities, contested=None) -> int:
    """Replace the analysis graph of ``store`` with these measures; returns the number of triples written."""
    return store.write_graph(ANALYSIS_GRAPH, measures_graph(centrality, communities, contested), replace=True)
