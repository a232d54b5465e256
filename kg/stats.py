"""Counts of what a store holds."""

from __future__ import annotations

__all__ = ["stats"]

_QUERIES = {
    "documents": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pol:Document }",
    "actors": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?d pol:mentionsActor ?x }",
    "regions": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?d pol:mentionsRegion ?x }",
    "statements": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pol:Statement }",
    "positions": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pol:Position }",
    "preconditions": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pol:Precondition }",
}


def stats(store) -> dict[str, int]:
    """``documents``, ``actors``, ``regions``, ``statements``, ``positions``,
    ``preconditions`` found in documents, and ``triples`` in the whole store."""
    out = {}
    for key, body in _QUERIES.items():
        solutions = store.query("PREFIX pol: <https://w3id.org/polkg/ontology#>\n" + body)
        out[key] = int(next(iter(solutions))["n"].value)
    out["triples"] = len(store)
    return out
