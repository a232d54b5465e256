"""Parameters of named queries: from the user's strings to typed RDF terms.

A parameter declared ``actor`` or ``region`` takes any label of the entity or
its IRI; the label is looked up with a bound query (never pasted in), and the
IRI is checked before it becomes a term.
"""

from __future__ import annotations

import re
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import QueryError
from kg.namespaces import ACT, OUT, ST

__all__ = ["bind_parameters", "resolve_entity"]

_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$")

_LOOKUP = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pol: <https://w3id.org/polkg/ontology#>
SELECT DISTINCT ?entity ?wanted WHERE {
  { ?entity skos:prefLabel ?label } UNION { ?entity skos:altLabel ?label }
  UNION { ?mention pol:refersTo ?entity ; <http://www.w3.org/ns/oa#exact> ?label }
  FILTER(LCASE(STR(?label)) = LCASE(?wanted))
  ?entity a ?class .
}
"""


def _iri(value: str, name: str) -> URIRef:
    if not _IRI.match(value):
        raise QueryError(name, f"not a valid IRI: {value!r}")
    return URIRef(value)


def resolve_entity(store, value: str, name: str = "parameter") -> URIRef:
    """An entity's IRI from one of its labels (case-insensitive) or from its IRI."""
    if value.startswith(("http://", "https://", "urn:")):
        return _iri(value, name)
    rows = list(store.query(_LOOKUP, {"wanted": Literal(value)}))
    found = sorted({row["entity"].value for row in rows})
    if not found:
        raise QueryError(name, f"no actor or region is called {value!r}")
    if len(found) > 1:
        preferred = [iri for iri in found if "/ref/" in iri]
        if len(preferred) == 1:
            return URIRef(preferred[0])
    return URIRef(found[0])


def _date(value: str, name: str) -> Literal:
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise QueryError(name, f"not a date (YYYY-MM-DD): {value!r}") from exc
    return Literal(value, datatype=XSD.date)


def bind_parameters(store, query, params: dict[str, str]) -> dict:
    """``{variable: term}`` for the engine, from ``{name: string}``."""
    unknown = set(params) - set(query.parameters)
    if unknown:
        known = ", ".join(query.parameters) or "none"
        raise QueryError(query.name, f"unknown parameter {sorted(unknown)[0]!r} (this query takes: {known})")
    bindings = {}
    for name, value in params.items():
        kind = query.parameters[name]
        if kind in ("actor", "region", "entity"):
            bindings[name] = resolve_entity(store, value, name)
        elif kind == "iri":
            bindings[name] = _iri(value, name)
        elif kind == "date":
            bindings[name] = _date(value, name)
        elif kind == "action":
            bindings[name] = ACT[_code(value, name)]
        elif kind == "outcome":
            bindings[name] = OUT[_code(value, name)]
        elif kind == "stance":
            bindings[name] = ST[_code(value, name)]
        elif kind == "integer":
            try:
                bindings[name] = Literal(int(value))
            except ValueError as exc:
                raise QueryError(name, f"not an integer: {value!r}") from exc
        else:
            bindings[name] = Literal(value)
    return bindings


def _code(value: str, name: str) -> str:
    if not re.fullmatch(r"[a-z_]+", value):
        raise QueryError(name, f"not a vocabulary code: {value!r}")
    return value
