"""From the store to networkx."""

from __future__ import annotations

import networkx as nx

__all__ = ["to_networkx", "EDGE_QUERY", "NODE_QUERY"]

NODE_QUERY = """
PREFIX pol:  <https://w3id.org/polkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?node ?name ?class ?wikidata ?role WHERE {
  { ?document pol:mentionsActor ?node . BIND("actor" AS ?role) }
  UNION
  { ?document pol:mentionsRegion ?node . BIND("region" AS ?role) }
  ?node skos:prefLabel ?name ; a ?class .
  FILTER(STRSTARTS(STR(?class), "https://w3id.org/polkg/ontology#"))
  OPTIONAL { ?node pol:wikidata ?wikidata }
}
"""

EDGE_QUERY = """
PREFIX pol:  <https://w3id.org/polkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa:   <http://www.w3.org/ns/oa#>
SELECT ?source ?target ?kind ?assertion ?label ?quote ?document ?start ?end WHERE {
  {
    ?assertion a pol:Precondition ; pol:demander ?source ; pol:addressee ?target ; pol:action ?a .
    ?a skos:notation ?label . BIND("demands_of" AS ?kind)
  } UNION {
    ?assertion a pol:Precondition ; pol:demander ?source ; pol:region ?target ; pol:action ?a .
    ?a skos:notation ?label . BIND("demands_about" AS ?kind)
  } UNION {
    ?assertion a pol:Statement ; pol:speaker ?source .
    ?source pol:speaksFor ?target . BIND("speaks_for" AS ?kind) BIND("speaks for" AS ?label)
  } UNION {
    ?assertion a pol:Position ; pol:holder ?source ; pol:stance ?st ; pol:topic ?topic .
    ?st skos:notation ?stance .
    BIND(IRI(CONCAT("https://w3id.org/polkg/id/topic/", ENCODE_FOR_URI(LCASE(?topic)))) AS ?target)
    BIND("position" AS ?kind) BIND(CONCAT(?stance, " ", ?topic) AS ?label)
  }
  ?assertion pol:evidence ?evidence .
  ?evidence oa:exact ?quote ; pol:document ?document ; oa:start ?start ; oa:end ?end .
}
"""


def to_networkx(store, *, positions: bool = False) -> nx.MultiDiGraph:
    """The actor–region graph of the store.

    Nodes are actors and regions (IRI keys) with ``name``, ``type`` (the
    ontology class's local name), ``role`` (``actor``/``region``) and
    ``wikidata``. Each edge is one assertion: ``kind`` is ``demands_of``
    (demander → addressee), ``demands_about`` (demander → region),
    ``speaks_for`` (speaker → the actor they speak for) or, with
    ``positions=True``, ``position`` (holder → topic node); it carries
    ``label``, ``quote``, ``document``, ``start``, ``end`` and ``assertion``.
    """
    G = nx.MultiDiGraph()
    for row in store.query(NODE_QUERY):
        key = row["node"].value
        cls = row["class"].value.rsplit("#", 1)[-1]
        data = G.nodes[key] if key in G else {}
        if "type" not in data or data["type"] in ("Actor", "Region"):
            data = {**data, "type": cls}
        roles = set(data.get("roles", ())) | {row["role"].value}
        G.add_node(key, name=row["name"].value, type=data["type"], role=sorted(roles)[0],
                   roles=tuple(sorted(roles)), wikidata=row["wikidata"].value if row["wikidata"] else None)
    for row in store.query(EDGE_QUERY):
        kind = row["kind"].value
        if kind == "position" and not positions:
            continue
        source, target = row["source"].value, row["target"].value
        if kind == "position" and target not in G:
            G.add_node(target, name=row["label"].value.split(" ", 1)[1], type="Topic", role="topic", roles=("topic",))
        for node in (source, target):
            if node not in G:
                G.add_node(node, name=node.rsplit("/", 1)[-1], type="Actor", role="actor", roles=("actor",))
        G.add_edge(source, target, key=row["assertion"].value + "#" + kind, kind=kind,
                   label=row["label"].value, quote=row["quote"].value, document=row["document"].value,
                   start=int(row["start"].value), end=int(row["end"].value), assertion=row["assertion"].value)
    return G
