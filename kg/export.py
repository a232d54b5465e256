"""Export the store: RDF in the usual serialisations, or a network projection as GraphML or GEXF.

Turtle and TriG start with an ``@prefix`` line for every namespace of
:data:`kg.namespaces.PREFIXES`, and JSON-LD carries the same prefixes as its
``@context``. Names under ``id:`` (documents, assertions, minted entities) are
written as whole IRIs: their local parts hold slashes, which a prefixed name
would have to escape (``id:doc\\/…``).
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.errors import KgError

__all__ = ["export", "FORMATS", "EXPORT_FORMATS", "FORMAT_SYNONYMS", "graph_turtle", "jsonld_context"]

FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}


EXPORT_FORMATS = ("ttl", "trig", "nq", "nt", "jsonld", "graphml", "gexf")
"""What :func:`export` writes; ``kg export --format`` offers the same."""
FORMAT_SYNONYMS = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "nquads": "nq", "n-quads": "nq",
                   "json-ld": "jsonld"}
"""Other names :func:`export` takes for :data:`EXPORT_FORMATS` (``kg query`` says ``turtle``)."""


def export(store, fmt: str, *, documents_only: bool = False, projection: str = "actors") -> bytes:
    """The store in ``fmt``: ``ttl``/``nt`` (all graphs merged), ``trig``/``nq`` (named graphs kept),
    ``jsonld`` (JSON-LD with named graphs), or ``graphml``/``gexf`` (the network ``projection`` of
    :mod:`kg.analysis` — ``actors``, ``regions``, ``positions`` or ``preconditions`` — with its measures)."""
    fmt = FORMAT_SYNONYMS.get(fmt.lower(), fmt.lower())
    graphs = store.document_graphs() if documents_only else None
    if fmt in ("graphml", "gexf"):
        from kg.analysis import write_network

        return write_network(store, fmt, projection_name=projection)
    if fmt == "ttl":
        return _with_prefix_lines(store.dump(FORMATS[fmt], graphs=graphs, prefixes=_abbreviated(), merged=True))
    if fmt == "nt":
        return store.dump(FORMATS[fmt], graphs=graphs, merged=True)
    if fmt == "trig":
        return _with_prefix_lines(store.dump(FORMATS[fmt], graphs=graphs, prefixes=_abbreviated()))
    if fmt == "nq":
        return store.dump(FORMATS[fmt], graphs=graphs)
    if fmt == "jsonld":
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(data=store.dump(ox.RdfFormat.N_QUADS, graphs=graphs), format="nquads")
        return dataset.serialize(format="json-ld", context=jsonld_context()).encode("utf-8")
    raise KgError(f"export: unknown format {fmt!r}")


def graph_turtle(graph) -> bytes:
    """An rdflib ``graph`` as Turtle with the ``@prefix`` lines of every polkg namespace
    (what ``kg extract --format ttl`` prints)."""
    return _with_prefix_lines(graph.serialize(format="turtle", encoding="utf-8"))


def jsonld_context() -> dict[str, str]:
    """The JSON-LD ``@context``: every prefix of :data:`kg.namespaces.PREFIXES`."""
    from kg.namespaces import PREFIXES

    return {name: str(iri) for name, iri in PREFIXES.items()}


def _abbreviated() -> dict[str, str]:
    # "id:" would need escaped slashes in local names: documents' IRIs stay whole
    return {k: v for k, v in jsonld_context().items() if k != "id"}


def _with_prefix_lines(data: bytes) -> bytes:
    """``data`` (Turtle or TriG) headed by one ``@prefix`` line per polkg namespace, in the
    order of :data:`kg.namespaces.PREFIXES`, in place of the serialiser's own lines (a
    declaration of some other prefix is kept after them)."""
    ours = jsonld_context()
    lines = data.split(b"\n")
    start = 0
    others = []
    while start < len(lines) and lines[start].startswith(b"@prefix "):
        declared = lines[start].decode("utf-8").split()[1].rstrip(":")
        if declared not in ours:
            others.append(lines[start].decode("utf-8") + "\n")
        start += 1
    head = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in ours.items()) + "".join(others)
    body = b"\n".join(lines[start:]).lstrip(b"\n")
    return head.encode("utf-8") + (b"\n" + body if body.strip() else b"")
