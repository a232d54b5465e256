"""SPARQL text: the one module that builds it, apart from the named queries of ``kg/queries/``.

What is read from outside (a user's value, a document's words) never becomes query
text: it is bound by the engine, or checked and written as a term (``check_iri``,
then ``.n3()``). This module also turns the engine's syntax errors into one line.
"""

from __future__ import annotations

import functools
import re

import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg import resources
from kg.errors import QueryError
from kg.namespaces import PREFIXES, declare_prefixes, sparql_prefixes

__all__ = ["syntax_error", "check_iri", "term_n3", "inline_bindings", "with_values", "stored_query",
           "GRAPHS_AT_LOCATION", "DOCUMENT_METADATA", "DOCUMENT_GRAPH", "OBJECT_TYPES", "HAS_GRAPH",
           "DOCUMENT_GRAPHS", "NAMED_GRAPHS", "COUNT_QUADS", "GRAPH_HASHES", "ASK_AS_SELECT", "update_replacing",
           "update_in_graph"]

GRAPHS_AT_LOCATION = sparql_prefixes("prov") + "SELECT ?graph ?path WHERE { GRAPH ?graph { ?graph prov:atLocation ?path } }"
"""The graphs that describe themselves as read from ``?path`` (a document's graph names the document)."""
DOCUMENT_METADATA = "SELECT ?p ?o ?graph WHERE { GRAPH ?graph { ?graph ?p ?o } }"
"""What the document graph ``?graph`` says of its document (its title, date, source...)."""
DOCUMENT_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"
"""The triples of the named graph ``?graph``."""
OBJECT_TYPES = ("CONSTRUCT { ?object a ?class } WHERE { GRAPH ?graph { ?s ?p ?object } FILTER(isIRI(?object)) "
                "GRAPH ?any { ?object a ?class } }")
"""The types, in any graph, of the IRIs that the named graph ``?graph`` points to."""
HAS_GRAPH = "ASK { GRAPH ?graph { ?s ?p ?o } }"
"""Whether the named graph ``?graph`` holds anything."""
DOCUMENT_GRAPHS = sparql_prefixes("pol") + "SELECT DISTINCT ?graph WHERE { GRAPH ?graph { ?graph a pol:Document } }"
"""The named graphs that describe a document (a document's graph names the document)."""
NAMED_GRAPHS = "SELECT DISTINCT ?graph WHERE { GRAPH ?graph { ?s ?p ?o } }"
"""Every named graph that holds anything."""
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
"""How many quads the named graphs hold."""
GRAPH_HASHES = "SELECT ?graph ?hash ?meta ?hashed WHERE { GRAPH ?meta { ?graph ?hashed ?hash } }"
"""What the graph ``?meta`` records of other graphs by the property ``?hashed`` (their content hashes)."""
ASK_AS_SELECT = "SELECT (1 AS ?polkg_ask_as_select)"
"""What stands for the ``ASK`` of a query to have it parsed as a ``SELECT`` of the same pattern."""

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


# -- binding values into query text ---------------------------------------------------


def term_n3(name: str, term) -> str:
    """A validated term in SPARQL syntax."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise QueryError(name, "not a variable name")
    if isinstance(term, URIRef):
        return check_iri(str(term), name).n3()
    if isinstance(term, Literal):
        if term.language and not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", term.language):
            raise QueryError(name, f"not a language tag: {term.language!r}")
        if term.datatype is not None:
            check_iri(str(term.datatype), name)
        return term.n3()
    raise QueryError(name, f"cannot bind a {type(term).__name__} in a remote query (IRIs and literals only)")


_SKIP = re.compile(r"""
    \#[^\n]*                                   # a comment
  | '''(?:[^'\\]|\\.|'(?!''))*'''              # long strings
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
  | '(?:[^'\\\n]|\\.)*'                        # short strings
  | "(?:[^"\\\n]|\\.)*"
  | <[^<>"{}|^`\\\x00-\x20]*>                  # an IRI
""", re.VERBOSE)
_WORD = re.compile(r"[A-Za-z_]+")


def _where_brace(sparql: str) -> int:
    """Index of the ``{`` that opens the query's ``WHERE`` group."""
    depth = 0
    form = None
    position = 0
    while position < len(sparql):
        char = sparql[position]
        skipped = _SKIP.match(sparql, position)
        if skipped and char in "#'\"<":
            position = skipped.end()
            continue
        word = _WORD.match(sparql, position) if depth == 0 and (char.isalpha() or char == "_") else None
        if word:
            token = word.group(0).upper()
            if token in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") and form is None:
                form = token
            elif token == "WHERE":
                form = "WHERE"
            position = word.end()
            continue
        if char in "?$":  # a variable: skip its name
            position += 1
            while position < len(sparql) and (sparql[position].isalnum() or sparql[position] == "_"):
                position += 1
            continue
        if char == "{":
            if depth == 0 and form in ("SELECT", "ASK", "DESCRIBE", "WHERE"):
                return position
            depth += 1
        elif char == "}":
            depth -= 1
        position += 1
    raise QueryError("query", "cannot find the WHERE clause to bind values in")


def inline_bindings(sparql: str, bindings: dict | None) -> str:
    """``sparql`` with ``bindings`` (``{name: rdflib term}``) as a ``VALUES`` block
    at the start of its ``WHERE`` group.

    Each term is validated and written with ``.n3()``: a literal's quotes and
    escapes are rdflib's, an IRI must be an absolute IRI without spaces,
    quotes or angle brackets. The effect is the engine's substitution: the
    filters of the group see the values.
    """
    if not bindings:
        return sparql
    names = list(bindings)
    terms = " ".join(term_n3(name, bindings[name]) for name in names)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({terms}) }} "
    at = _where_brace(sparql) + 1
    return sparql[:at] + block + sparql[at:]


def with_values(sparql: str, name: str, iris) -> str:
    """``sparql`` with a ``VALUES ?name`` block of ``iris`` at the start of its ``WHERE`` group,
    one row per IRI. An IRI is a pyoxigraph ``NamedNode`` or a string, which must be an
    absolute IRI (pyoxigraph's check; ``ValueError`` if not).

    >>> with_values("SELECT ?s WHERE { ?s ?p ?o }", "s", ["urn:a", ox.NamedNode("urn:b")])
    'SELECT ?s WHERE { VALUES ?s { <urn:a> <urn:b> } ?s ?p ?o }'
    """
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise QueryError(name, "not a variable name")
    terms = " ".join(str(iri if isinstance(iri, ox.NamedNode) else ox.NamedNode(iri)) for iri in iris)
    at = _where_brace(sparql) + 1
    return sparql[:at] + f" VALUES ?{name} {{ {terms} }}" + sparql[at:]


@functools.lru_cache(maxsize=None)
def stored_query(name: str) -> str:
    """The text of ``kg/queries/internal/NAME.rq``: a query that polkg's own readers run (the
    analyses, the viewer, the counts, the claim layer, parameter lookup), apart from the named
    queries that ``kg query`` offers. Each prefix of :data:`kg.namespaces.QUERY_PREFIXES` it
    uses is declared in front of it, so the files spell no IRI.

    Raises
    ------
    QueryError
        No such file.
    """
    path = resources.query_dir() / "internal" / f"{name}.rq"
    try:
        return declare_prefixes(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QueryError(name, f"{path}: no such query file") from exc
