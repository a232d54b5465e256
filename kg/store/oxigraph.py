"""The embedded store: Oxigraph on disk, one named graph per document.

Writes go straight to pyoxigraph, one ``extend`` call per document (Oxigraph
applies each call atomically) followed by ``flush``: a document is in the store
whole or not at all. The rdflib API is available over the same store through
oxrdflib (:meth:`OxigraphStore.dataset`).

Only one process may open a store for writing: a lock file records its pid, and
a second writer is told which process holds it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from kg import resources
from kg.errors import QueryError, StoreError

__all__ = [
    "OxigraphStore",
    "open_store",
    "DEFAULT_STORE",
    "REFERENCE_GRAPH",
    "ONTOLOGY_GRAPH",
    "VOCAB_GRAPH",
    "to_ox",
    "from_ox",
]

DEFAULT_STORE = ".kg"
_ID = "https://w3id.org/polkg/id/"
REFERENCE_GRAPH = _ID + "graph/reference"
ONTOLOGY_GRAPH = _ID + "graph/ontology"
VOCAB_GRAPH = _ID + "graph/vocab"
META_GRAPH = _ID + "graph/meta"
_HASH = "https://w3id.org/polkg/ontology#contentHash"
_LOCK = "polkg.lock"


def to_ox(term):
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term):
    """A pyoxigraph term as an rdflib term (None stays None)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"not an RDF term: {term!r}")


def _files_hash(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class _Lock:
    """An exclusive lock on the store directory that names its holder."""

    def __init__(self, directory: Path, *, wait: float = 0) -> None:
        self.path = directory / _LOCK
        self.fh = open(self.path, "a+")
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self.fh.seek(0)
                    holder = self.fh.read().strip() or "unknown"
                    self.fh.close()
                    raise StoreError(
                        f"{directory}: store is in use by process {holder}; "
                        "wait for it to finish or use --wait SECONDS"
                    ) from None
                time.sleep(0.2)
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(str(os.getpid()))
        self.fh.flush()

    def release(self) -> None:
        if not self.fh.closed:
            self.fh.seek(0)
            self.fh.truncate()
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()


class OxigraphStore:
    """A persistent Oxigraph store in ``path`` (or in memory when ``path`` is None).

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike | None = DEFAULT_STORE, *, wait: float = 0) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = None
        if self.path is None:
            self._store = ox.Store()
        else:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot create the store ({exc.strerror})") from exc
            self._lock = _Lock(self.path, wait=wait)
            try:
                self._store = ox.Store(str(self.path / "oxigraph"))
            except OSError as exc:
                self._lock.release()
                raise StoreError(f"{self.path}: cannot open the store ({exc})") from exc
        self.ensure_schema()

    # -- life cycle ---------------------------------------------------------

    def __enter__(self) -> "OxigraphStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if getattr(self, "_store", None) is not None:
            if self.path is not None:
                self._store.flush()
            self._store = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def raw(self) -> ox.Store:
        """The underlying :class:`pyoxigraph.Store`."""
        if self._store is None:
            raise StoreError(f"{self.path}: the store is closed")
        return self._store

    # -- schema and reference data -------------------------------------------

    def ensure_schema(self) -> None:
        """Load the ontology, the vocabularies and the reference data, each in its own
        named graph, when they are missing or their files changed."""
        sets = {
            ONTOLOGY_GRAPH: [resources.ontology_file()],
            VOCAB_GRAPH: resources.vocab_files(),
            REFERENCE_GRAPH: resources.reference_files(),
        }
        for graph, paths in sets.items():
            digest = _files_hash(paths)
            node = ox.NamedNode(graph)
            current = [q.object.value for q in self.raw.quads_for_pattern(node, ox.NamedNode(_HASH), None, ox.NamedNode(META_GRAPH))]
            if current == [digest]:
                continue
            quads = []
            for path in paths:
                for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                    quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, node))
            meta = ox.Quad(node, ox.NamedNode(_HASH), ox.Literal(digest), ox.NamedNode(META_GRAPH))
            if self.raw.contains_named_graph(node):
                self.raw.remove_graph(node)
            for old in list(self.raw.quads_for_pattern(node, ox.NamedNode(_HASH), None, ox.NamedNode(META_GRAPH))):
                self.raw.remove(old)
            self.raw.extend(quads + [meta])
        if self.path is not None:
            self.raw.flush()

    # -- documents --------------------------------------------------------------

    def has_graph(self, graph_iri: str) -> bool:
        return self.raw.contains_named_graph(ox.NamedNode(graph_iri))

    def write_graph(self, graph_iri: str, graph: Graph, *, replace: bool = True) -> int:
        """Write ``graph`` as the named graph ``graph_iri`` in one atomic call, then flush.

        Returns the number of triples written.
        """
        name = ox.NamedNode(graph_iri)
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in graph]
        self.write_quads(graph_iri, quads, replace=replace)
        return len(quads)

    def write_graphs(self, graphs: list[tuple[str, Graph]]) -> int:
        """Write several documents' graphs in one atomic call, then flush once.

        A batch is all-or-nothing, so each of its documents is too; one fsync per
        batch instead of one per document. Returns the number of triples written.
        """
        quads = []
        for graph_iri, graph in graphs:
            name = ox.NamedNode(graph_iri)
            if self.raw.contains_named_graph(name):
                self.raw.remove_graph(name)
            quads.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in graph)
        self.raw.extend(quads)
        if self.path is not None:
            self.raw.flush()
        return len(quads)

    def write_quads(self, graph_iri: str, quads: list, *, replace: bool = True) -> None:
        name = ox.NamedNode(graph_iri)
        if replace and self.raw.contains_named_graph(name):
            # a crash between the two calls leaves the document absent, never half-written
            self.raw.remove_graph(name)
        self.raw.extend(quads)
        if self.path is not None:
            self.raw.flush()

    def document_graphs(self) -> list[str]:
        prefix = _ID + "doc/"
        return sorted(g.value for g in self.raw.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(prefix))

    def remove_graph(self, graph_iri: str) -> None:
        self.raw.remove_graph(ox.NamedNode(graph_iri))
        if self.path is not None:
            self.raw.flush()

    # -- reading ------------------------------------------------------------------

    def query(self, sparql: str, bindings: dict | None = None, *, union: bool = True):
        """Run SPARQL on the union of all graphs; ``bindings`` (``{name: rdflib term}``)
        are substituted by the engine, never pasted into the text."""
        substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            return self.raw.query(sparql, use_default_graph_as_union=union, substitutions=substitutions or None)
        except SyntaxError as exc:
            raise QueryError("query", f"SPARQL syntax error: {exc}") from exc
        except (RuntimeError, OSError) as exc:
            raise QueryError("query", str(exc)) from exc

    def dataset(self):
        """An rdflib :class:`~rdflib.Dataset` over this store (oxrdflib)."""
        from oxrdflib import OxigraphStore as RdflibOxigraph
        from rdflib import Dataset

        return Dataset(store=RdflibOxigraph(store=self.raw), default_union=True)

    def __len__(self) -> int:
        return len(self.raw)

    def dump(self, fmt: ox.RdfFormat, *, graphs: Iterable[str] | None = None) -> bytes:
        if graphs is None:
            return self.raw.dump(format=fmt)
        out = ox.Store()
        for g in graphs:
            out.extend(self.raw.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        return out.dump(format=fmt)


def open_store(path: str | os.PathLike | None = DEFAULT_STORE, *, wait: float = 0) -> OxigraphStore:
    """Open (creating if needed) the embedded store at ``path``."""
    return OxigraphStore(path, wait=wait)
