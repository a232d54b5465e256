"""The one interface of polkg's stores, after rdflib's ``Store`` and ``SPARQLStore``.

:class:`~kg.store.oxigraph.OxigraphStore` (embedded, the default) and
:class:`~kg.store.remote.RemoteStore` (a SPARQL 1.1 endpoint) both implement
:class:`Store`; everything outside ``kg/store/`` is handed one and uses only this.

A graph's content (:data:`GraphContent`) is given as pyoxigraph quads or triples,
as N-Quads or N-Triples bytes (what worker processes send back), or as an rdflib
graph: the store takes any of them, so that its callers never convert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol, Union, runtime_checkable

import pyoxigraph as ox

from kg.terms import to_ox

__all__ = ["Store", "GraphContent", "triples_of"]

GraphContent = Union[bytes, Iterable, "rdflib.Graph"]  # noqa: F821 - rdflib only for the type
"""A named graph's triples: pyoxigraph ``Quad``/``Triple`` objects, N-Quads or N-Triples
bytes, or an rdflib ``Graph``. The graph names of quads are ignored: the graph is the one named."""


@runtime_checkable
class Store(Protocol):
    """What polkg asks of a store.

    ``path`` names the store in messages (a folder, an endpoint's URL, None in memory);
    ``read_only`` is true for a store opened for reading.
    """

    path: object
    read_only: bool

    def write_graphs(self, graphs: Sequence[tuple[str, GraphContent]], *,
                     replaces: Mapping[str, Iterable[str]] | None = None) -> int:
        """Write each ``(graph IRI, content)`` as that named graph (replacing a graph of the
        same name), and drop the graphs ``replaces[iri]`` that a new graph replaces, as one
        atomic step: after a crash, the store holds all of it or none, and a replacement
        left unfinished is finished by the next write. Returns the triples written.

        Raises :class:`~kg.errors.StoreError` (one line) on a storage fault."""

    def drop_graphs(self, graph_iris: Iterable[str]) -> None:
        """Remove the named graphs ``graph_iris`` (those absent are ignored)."""

    def replace_in_graph(self, graph_iri: str, subjects: Iterable[str] | None, triples: list, *,
                         remove: Iterable = (), marker=None) -> int:
        """In the derived graph ``graph_iri`` (the claim layer), remove the triples of ``subjects``
        (None: all) and the triples ``remove``, then add ``triples``; ``marker`` (a triple) is
        present while the change is under way. Returns the number of triples added."""

    def has_graph(self, graph_iri: str) -> bool:
        """Whether the named graph ``graph_iri`` holds anything."""

    def document_graphs(self) -> list[str]:
        """The IRIs of the documents' graphs, sorted."""

    def named_graphs(self) -> list[str]:
        """The IRIs of every named graph that holds anything (documents, reference data,
        corrections, the claim layer...), sorted."""

    def graph_triples(self, graph_iri: str) -> list[ox.Triple]:
        """The triples of the named graph ``graph_iri`` (none when it is absent), as pyoxigraph
        triples: what :meth:`write_graphs` takes to write it elsewhere."""

    def query(self, sparql: str, bindings: Mapping | None = None, *, union: bool = True):
        """Run SPARQL over the union of the named graphs, with ``bindings`` (``{name: term}``)
        bound by the engine or as validated terms, never pasted in. Returns pyoxigraph's
        ``QuerySolutions``, ``QueryBoolean`` or triples."""

    def open_snapshot(self) -> "Store":
        """A read-only store of this one's content now, which later writes do not change.
        Close it (or use it as a context manager) when done."""

    def open_derived(self, name: str, build: Callable[["Store"], None]) -> "Store":
        """A read-only store of this one's content as ``build`` changes it (``build`` is handed a
        writable copy and changes it with these operations). The embedded store makes it once
        per version of its content and keeps it for later readers under ``name``; an endpoint
        makes it for each reader. Close it when done."""

    def close(self) -> None:
        """Let go of the store (locks, files, connections)."""

    def __enter__(self) -> "Store": ...

    def __exit__(self, *exc) -> None: ...


def triples_of(content: GraphContent) -> list[ox.Triple]:
    """The triples of a graph's ``content``, as pyoxigraph triples.

    >>> data = b'<urn:a> <urn:b> "c" <urn:g> .\\n'
    >>> triples_of(data)
    [<Triple subject=<NamedNode value=urn:a> predicate=<NamedNode value=urn:b> object=<Literal value=c datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>>]
    """
    if isinstance(content, (bytes, bytearray)):
        content = ox.parse(bytes(content), format=ox.RdfFormat.N_QUADS)
    out = []
    for item in content:
        if isinstance(item, (ox.Quad, ox.Triple)):
            out.append(ox.Triple(item.subject, item.predicate, item.object))
        else:  # an rdflib triple
            s, p, o = item
            out.append(ox.Triple(to_ox(s), to_ox(p), to_ox(o)))
    return out
