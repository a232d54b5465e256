"""SHACL validation with pySHACL, per document.

Validating a million triples at once takes pySHACL minutes and gigabytes, so each
document's graph is validated on its own, together with the types of the
entities it points to and the ontology's class hierarchy (for ``sh:class``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kg import resources
from kg.sparql import DOCUMENT_GRAPH, OBJECT_TYPES

__all__ = ["ValidationReport", "validate_graph", "validate_store", "shapes_graph"]


@dataclass
class ValidationReport:
    conforms: bool
    checked: int
    violations: list[str] = field(default_factory=list)

    def summary(self) -> str:
        state = "conforms" if self.conforms else f"does not conform ({len(self.violations)} violations)"
        return f"{self.checked} graph{'s' if self.checked != 1 else ''} checked: {state}"


@functools.lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    graph = Graph()
    for path in resources.shape_files():
        graph.parse(path, format="turtle")
    return graph


@functools.lru_cache(maxsize=1)
def _class_hierarchy() -> Graph:
    ontology = Graph().parse(resources.ontology_file(), format="turtle")
    out = Graph()
    for triple in ontology.triples((None, RDFS.subClassOf, None)):
        out.add(triple)
    return out


def _messages(results: Graph) -> list[str]:
    SH = "http://www.w3.org/ns/shacl#"
    out = []
    for result in results.subjects(RDF.type, URIRef(SH + "ValidationResult")):
        focus = results.value(result, URIRef(SH + "focusNode"))
        path = results.value(result, URIRef(SH + "resultPath"))
        message = results.value(result, URIRef(SH + "resultMessage"))
        out.append(f"{focus} {path}: {message}")
    return sorted(out)


def validate_graph(graph: Graph) -> list[str]:
    """The violations of ``graph`` (complete with the types it needs); empty when it conforms."""
    from pyshacl import validate

    data = graph + _class_hierarchy()
    conforms, results, _ = validate(data, shacl_graph=shapes_graph(), inference="none", advanced=False)
    return [] if conforms else _messages(results)


def _document_graph(store, name: str) -> Graph:
    """The graph ``name`` with the types of the entities it points to, from any graph."""
    from kg.terms import from_ox

    graph = Graph()
    for query in (DOCUMENT_GRAPH, OBJECT_TYPES):
        for triple in store.query(query, {"graph": URIRef(name)}):
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    return graph


def validate_store(store, *, per_document: bool = True) -> ValidationReport:
    """Validate every document graph of ``store`` (or the whole store at once)."""
    names = store.document_graphs()
    if not per_document:
        whole = Graph()
        for name in names:
            whole += _document_graph(store, name)
        violations = validate_graph(whole)
        return ValidationReport(not violations, len(names), violations)
    violations = []
    for name in names:
        violations += validate_graph(_document_graph(store, name))
    return ValidationReport(not violations, len(names), violations)
