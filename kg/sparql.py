"""SPARQL text: the one module that builds it, apart from the named queries of ``kg/queries/``.

What is read from outside (a user's value, a document's words) never becomes query
text: it is bound by the engine, or checked and written as a term (``check_iri``,
then ``.n3()``). This module also turns the engine's syntax errors into one line.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import URIRef

from kg.errors import QueryError
from kg.namespaces import PREFIXES, sparql_prefixes

__all__ = ["syntax_error", "check_iri", "GRAPHS_AT_LOCATION", "DOCUMENT_METADATA", "DOCUMENT_GRAPH", "OBJECT_TYPES", "update_replacing", "update_in_graph"]

GRAPHS_AT_LOCATION = sparql_prefixes("prov") + "SELECT ?graph ?path WHERE { GRAPH ?graph { ?graph prov:atLocation ?path } }"
"""The graphs that describe themselves as read from ``?path`` (a document's graph names the document)."""
DOCUMENT_METADATA = "SELECT ?p ?o ?graph WHERE { GRAPH ?graph { ?graph ?p ?o } }"
"""What the document graph ``?graph`` says of its document (its title, date, source...)."""
DOCUMENT_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"
"""The triples of the named graph ``?graph``."""
OBJECT_TYPES = ("CONSTRUCT { ?object a ?class } WHERE { GRAPH ?graph { ?s ?p ?object } FILTER(isIRI(?object)) "
                "GRAPH ?any { ?object a ?class } }")
"""The types, in any graph, of the IRIs that the named graph ``?graph`` points to."""

_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_PREFIXED = re.compile(r"^([A-Za-z][\w-]*):([\w.-]*)$")

_POSITION = re.compile(r"^error at (\d+):(\d+):\s*")
_CHAR_CLASS = re.compile(r"\[[^\[\]]*(?:'|\.\.=|_)[^\[\]]*\]")
_PNAME_BEFORE = re.compile(r"(?:^|[^\w.:-])([A-Za-z][\w.-]*)?:[\w.%-]*\s*$")


def syntax_error(sparql: str, message: str) -> str:
    """One line for the parser's ``message`` about ``sparql``: the position
    (line:column), the message without its lists of character ranges, and an
    unknown prefix by name.

    >>> syntax_error("ASK { ?s a foo:Bar }", "error at 1:19: expected one of Prefix not found, ['%'], ['.']")
    "SPARQL syntax error at 1:19: unknown prefix 'foo:'"
    >>> syntax_error("SELEC ?s", "error at 1:9: expected one of DESCRIBE, [_]")
    'SPARQL syntax error at 1:9: expected one of DESCRIBE'
    """
    text = " ".join(message.split())
    match = _POSITION.match(text)
    where = ""
    if match:
        where = f" at {match.group(1)}:{match.group(2)}"
        text = text[match.end():]
    if "Prefix not found" in text:
        prefix = None
        if match:
            lines = sparql.splitlines() or [""]
            number, column = int(match.group(1)), int(match.group(2))
            line = lines[number - 1] if 0 < number <= len(lines) else ""
            found = _PNAME_BEFORE.search(line[: max(column - 1, 0)])
            prefix = found.group(1) or "" if found else None
        text = f"unknown prefix '{prefix}:'" if prefix is not None else "unknown prefix"
    else:
        text = _CHAR_CLASS.sub("", text)
        text = re.sub(r"(,\s*)+", ", ", text).strip(" ,")
        if len(text) > 120:
            text = text[:120].rsplit(",", 1)[0] + ", ..."
    return f"SPARQL syntax error{where}: {text or 'not SPARQL'}"


def check_iri(value: str, name: str = "parameter") -> URIRef:
    """``value`` as an IRI term, or ``ref:Name``-style with one of polkg's prefixes.

    Raises
    ------
    QueryError
        Not an absolute IRI (spaces, quotes, angle brackets, braces... or no scheme).
    """
    match = _PREFIXED.match(value)
    if match and match.group(1) in PREFIXES:
        value = str(PREFIXES[match.group(1)]) + match.group(2)
    if not _IRI.match(value):
        raise QueryError(name, f"not a valid IRI: {value!r}")
    try:
        ox.NamedNode(value)  # RFC 3987, as strictly as the engine reads it
    except ValueError as exc:
        raise QueryError(name, f"not a valid IRI: {value!r} ({exc})") from None
    return URIRef(value)


def _graph(iri: str) -> str:
    return check_iri(iri, "graph").n3()


def update_replacing(graphs, *, drop=(), replace: bool = True) -> str:
    """One SPARQL Update request: each ``(graph IRI, N-Triples text)`` of ``graphs`` becomes
    that graph (replacing it, unless ``replace`` is false), and the graphs ``drop`` are emptied.

    >>> print(update_replacing([("urn:g", "<urn:a> <urn:b> <urn:c> .\\n")], drop=["urn:old"]))
    DELETE WHERE { GRAPH <urn:g> { ?s ?p ?o } } ;
    INSERT DATA { GRAPH <urn:g> {
    <urn:a> <urn:b> <urn:c> .
    } } ;
    DELETE WHERE { GRAPH <urn:old> { ?s ?p ?o } }
    """
    parts = []
    for iri, body in graphs:
        graph = _graph(iri)
        if replace:
            parts.append(f"DELETE WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        parts.append(f"INSERT DATA {{ GRAPH {graph} {{\n{body}}} }}")
    parts.extend(f"DELETE WHERE {{ GRAPH {_graph(iri)} {{ ?s ?p ?o }} }}" for iri in drop)
    return " ;\n".join(parts)


def update_in_graph(graph_iri: str, subjects, remove: str, add: str) -> str:
    """One SPARQL Update request that, in the graph ``graph_iri``, removes the triples of
    ``subjects`` (IRIs; None: every triple) and the triples ``remove``, then adds ``add``
    (both N-Triples text without blank nodes); ``""`` when there is nothing to do."""
    graph = _graph(graph_iri)
    if subjects is None:
        parts = [f"DELETE WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"]
    else:
        parts = [f"DELETE WHERE {{ GRAPH {graph} {{ {check_iri(s, 'subject').n3()} ?p ?o }} }}" for s in subjects]
    if remove.strip():
        parts.append(f"DELETE DATA {{ GRAPH {graph} {{\n{remove}}} }}")
    if add.strip():
        parts.append(f"INSERT DATA {{ GRAPH {graph} {{\n{add}}} }}")
    return " ;\n".join(parts)
