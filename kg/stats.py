"""Counts of what a store holds."""

from __future__ import annotations

from kg.namespaces import sparql_prefixes

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
        solutions = store.query(sparql_prefixes("pol") + body)
        out[key] = int(next(iter(solutions))["n"].value)
    out["triples"] = len(store)
    return out


_SUMMARY_ENTITIES = sparql_prefixes("pol", "skos") + """SELECT ?role ?name (SAMPLE(?k) AS ?kind) (COUNT(DISTINCT ?d) AS ?documents) WHERE {
  { ?d pol:mentionsActor ?x . BIND("actor" AS ?role) OPTIONAL { ?x a ?c . FILTER(STRSTARTS(STR(?c), STR(pol:)) && ?c != pol:Region) BIND(STRAFTER(STR(?c), "#") AS ?k) } }
  UNION { ?d pol:mentionsRegion ?x . BIND("region" AS ?role) }
  ?x skos:prefLabel ?name .
} GROUP BY ?role ?name ORDER BY ?role DESC(?documents) ?name
"""

_SUMMARY_PRECONDITIONS = sparql_prefixes("pol", "skos", "oa") + """SELECT ?p ?demander ?addressee ?action ?outcome (GROUP_CONCAT(DISTINCT ?region; separator=", ") AS ?regions) ?quote WHERE {
  ?p a pol:Precondition ; pol:demander/skos:prefLabel ?demander ; pol:action/skos:notation ?action ;
     pol:forOutcome/skos:notation ?outcome ; pol:evidence/oa:exact ?quote .
  OPTIONAL { ?p pol:addressee/skos:prefLabel ?addressee }
  OPTIONAL { ?p pol:region/skos:prefLabel ?region }
} GROUP BY ?p ?demander ?addressee ?action ?outcome ?quote ORDER BY ?demander ?action
"""


def summary(store, *, limit: int = 20) -> str:
    """A short human-readable account of the store: actors, regions, preconditions with quotes."""
    counts = stats(store)
    lines = [
        f"{counts['documents']} documents, {counts['actors']} actors, {counts['regions']} regions, "
        f"{counts['statements']} statements, {counts['positions']} positions, "
        f"{counts['preconditions']} preconditions ({counts['triples']:,} triples)"
    ]
    rows = list(store.query(_SUMMARY_ENTITIES))
    for role, title in (("actor", "Actors"), ("region", "Regions")):
        items = [r for r in rows if r["role"].value == role]
        shown = ", ".join(
            r["name"].value + (f" ({r['kind'].value})" if role == "actor" and r["kind"] else "")
            for r in items[:limit]
        )
        more = f", … (+{len(items) - limit})" if len(items) > limit else ""
        lines.append(f"{title}: {shown}{more}" if items else f"{title}: none")
    pre = list(store.query(_SUMMARY_PRECONDITIONS))
    lines.append(f"Preconditions: {len(pre)}" if pre else "Preconditions: none")
    for r in pre[:limit]:
        regions = f" [{r['regions'].value}]" if r["regions"] and r["regions"].value else ""
        addressee = r["addressee"].value if r["addressee"] else "(no addressee named)"
        lines.append(f"  {r['demander'].value} -> {addressee}: {r['action'].value}{regions}, for {r['outcome'].value}")
        quote = " ".join(r["quote"].value.split())
        lines.append(f"    \u201c{quote if len(quote) <= 160 else quote[:159] + '…'}\u201d")
    return "\n".join(lines)
