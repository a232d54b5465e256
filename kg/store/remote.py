"""A remote store: any SPARQL 1.1 endpoint (Oxigraph, Apache Jena Fuseki, GraphDB, Virtuoso, QLever...).

:class:`RemoteStore` offers what polkg asks of a store — ``query``,
``has_graph``, ``write_graph``, ``write_quads``, ``document_graphs``,
``ensure_schema`` — over HTTP with ``requests``:

* reading: the SPARQL 1.1 Protocol (``POST`` of ``query=``), results parsed by
  Oxigraph's parsers, so a remote result is the same :class:`~kg.query.Result`
  as a local one. Values are bound with a ``VALUES`` block of validated terms
  (each written with rdflib's ``.n3()``), placed at the start of the query's
  ``WHERE`` group — never by pasting the user's text;
* writing, one named graph per request: a Graph Store Protocol ``PUT`` of the
  graph as Turtle when a graph store URL is given, else one SPARQL 1.1 Update
  request that deletes the graph's triples and inserts the new ones.

Credentials come from the environment only: ``POLKG_ENDPOINT_TOKEN`` (sent as
``Authorization: Bearer``), or ``POLKG_ENDPOINT_USER`` and
``POLKG_ENDPOINT_PASSWORD`` (HTTP Basic; ``POLKG_ENDPOINT_AUTH=digest`` for
Digest, as Virtuoso wants).

polkg's queries read the union of the named graphs as the default graph:
start Oxigraph with ``--union-default-graph``, give a Fuseki TDB2 dataset
``tdb2:unionDefaultGraph true``; GraphDB, Virtuoso and QLever do so by default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Iterable
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg import resources
from kg.errors import QueryError, StoreError
from kg.namespaces import ID, POL, declare_prefixes
from kg.sparql import (COUNT_QUADS, DOCUMENT_GRAPH, DOCUMENT_GRAPHS, GRAPH_HASHES, HAS_GRAPH, NAMED_GRAPHS,
                        inline_bindings, stored_query,
                        term_n3, update_in_graph, update_replacing)
from kg.store.base import triples_of
from kg.store.oxigraph import META_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH, VOCAB_GRAPH, _files_hash
from kg.terms import to_ox

__all__ = ["RemoteStore", "open_remote", "push", "PushReport", "inline_bindings", "credentials_from_env"]

_DOC_PREFIX = str(ID["doc/"])
_HASH = str(POL.contentHash)
_ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
           "application/sparql-results+xml;q=0.5, application/rdf+xml;q=0.4")


# -- credentials -------------------------------------------------------------------------


def credentials_from_env(environ=None):
    """``(auth, headers)`` for ``requests`` from the ``POLKG_ENDPOINT_*`` variables."""
    import requests.auth

    env = os.environ if environ is None else environ
    token = env.get("POLKG_ENDPOINT_TOKEN")
    user = env.get("POLKG_ENDPOINT_USER")
    password = env.get("POLKG_ENDPOINT_PASSWORD")
    if token and user:
        raise StoreError("environment: set POLKG_ENDPOINT_TOKEN or POLKG_ENDPOINT_USER, not both")
    if token:
        return None, {"Authorization": f"Bearer {token}"}
    if user:
        if password is None:
            raise StoreError("environment: POLKG_ENDPOINT_USER is set but POLKG_ENDPOINT_PASSWORD is not")
        scheme = env.get("POLKG_ENDPOINT_AUTH", "basic").lower()
        if scheme == "digest":
            return requests.auth.HTTPDigestAuth(user, password), {}
        if scheme != "basic":
            raise StoreError(f"environment: POLKG_ENDPOINT_AUTH is basic or digest, not {scheme!r}")
        return requests.auth.HTTPBasicAuth(user, password), {}
    return None, {}


def _check_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreError(f"{url}: the {what} must be an http:// or https:// URL")
    if parts.username or parts.password:
        raise StoreError(f"{parts.scheme}://{parts.hostname}: put credentials in POLKG_ENDPOINT_USER and "
                         "POLKG_ENDPOINT_PASSWORD, not in the URL")
    return url


# -- the store ------------------------------------------------------------------------------


class RemoteStore:
    """A SPARQL endpoint used as polkg's store.

    Parameters
    ----------
    endpoint : str
        The SPARQL query URL (Oxigraph ``/query``, Fuseki ``/ds`` or
        ``/ds/sparql``, GraphDB ``/repositories/REPO``, Virtuoso ``/sparql``,
        QLever's root URL).
    update_endpoint : str, optional
        The SPARQL Update URL (default: ``endpoint``).
    graph_store : str, optional
        A Graph Store Protocol URL (Oxigraph ``/store``, Fuseki ``/ds/data``...).
        With one, graphs are written by ``PUT``; without, by SPARQL Update.
    timeout : float
        Seconds to wait for each HTTP request.
    """

    def __init__(self, endpoint: str, *, update_endpoint: str | None = None, graph_store: str | None = None,
                 timeout: float = 60.0, environ=None) -> None:
        import requests

        self.endpoint = _check_url(endpoint, "query endpoint")
        self.update_endpoint = _check_url(update_endpoint or endpoint, "update endpoint")
        self.graph_store = _check_url(graph_store, "graph store") if graph_store else None
        self.path = self.endpoint  # where, in messages
        self.read_only = False
        self._options = {"update_endpoint": update_endpoint, "graph_store": graph_store, "timeout": timeout,
                         "environ": environ}
        self.timeout = timeout
        auth, headers = credentials_from_env(environ)
        self._session = requests.Session()
        self._session.auth = auth
        self._session.headers.update(headers)
        self._session.headers["User-Agent"] = "polkg"

    # -- life cycle -----------------------------------------------------------------

    def __enter__(self) -> "RemoteStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    # -- HTTP -----------------------------------------------------------------------------

    def _request(self, method: str, url: str, **kwargs):
        import requests

        try:
            response = self._session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise StoreError(f"{url}: no answer within {self.timeout:g} s") from exc
        except requests.RequestException as exc:
            raise StoreError(f"{url}: cannot reach the endpoint ({_root_cause(exc)})") from exc
        if response.status_code in (401, 403):
            raise StoreError(f"{url}: the endpoint refused the request (HTTP {response.status_code}: "
                             f"{_one_line(response.text) or response.reason}); credentials come from "
                             "POLKG_ENDPOINT_TOKEN, or POLKG_ENDPOINT_USER and POLKG_ENDPOINT_PASSWORD")
        return response

    def _fail(self, url: str, response, what: str):
        detail = _one_line(response.text) or response.reason
        if response.status_code == 400:
            return QueryError(what, f"the endpoint rejected it (HTTP 400): {detail}")
        return StoreError(f"{url}: {what} failed (HTTP {response.status_code}): {detail}")

    # -- reading -----------------------------------------------------------------------------

    def query(self, sparql: str, bindings: dict | None = None, *, union: bool = True):
        """Run SPARQL on the endpoint; ``bindings`` (``{name: rdflib term}``)
        go in as a ``VALUES`` block of validated terms.

        Returns what pyoxigraph's ``Store.query`` returns: ``QuerySolutions``,
        ``QueryBoolean``, or a list of ``Triple``. ``union`` is the server's
        setting, not the request's (see the module's notes).
        """
        text = declare_prefixes(inline_bindings(sparql, bindings))
        response = self._request("POST", self.endpoint, data={"query": text}, headers={"Accept": _ACCEPT})
        if response.status_code >= 300:
            raise self._fail(self.endpoint, response, "query")
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
        try:
            if results_format is not None and results_format != ox.QueryResultsFormat.CSV:
                return ox.parse_query_results(response.content, format=results_format)
            graph_format = ox.RdfFormat.from_media_type(media) if media else None
            if graph_format is not None:
                return [ox.Triple(q.subject, q.predicate, q.object)
                        for q in ox.parse(response.content, format=graph_format)]
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.endpoint}: unreadable {media} answer ({_one_line(str(exc))})") from exc
        raise StoreError(f"{self.endpoint}: unexpected answer of type {media or 'unknown'!r}")

    def has_graph(self, graph_iri: str) -> bool:
        return bool(self.query(HAS_GRAPH, {"graph": URIRef(graph_iri)}))

    def document_graphs(self) -> list[str]:
        rows = self.query(DOCUMENT_GRAPHS)
        return sorted(row["graph"].value for row in rows if row["graph"].value.startswith(_DOC_PREFIX))

    def named_graphs(self) -> list[str]:
        return sorted(row["graph"].value for row in self.query(NAMED_GRAPHS) if isinstance(row["graph"], ox.NamedNode))

    def graph_triples(self, graph_iri: str) -> list[ox.Triple]:
        return list(self.query(DOCUMENT_GRAPH, {"graph": URIRef(graph_iri)}))

    def __len__(self) -> int:
        rows = list(self.query(COUNT_QUADS))
        return int(rows[0]["n"].value) if rows else 0

    # -- writing -------------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        """Send a SPARQL 1.1 Update request."""
        self._writable()
        response = self._request("POST", self.update_endpoint, data=sparql.encode("utf-8"),
                                 headers={"Content-Type": "application/sparql-update; charset=utf-8"})
        if response.status_code >= 300:
            raise self._fail(self.update_endpoint, response, "update")

    def write_quads(self, graph_iri: str, quads: Iterable, *, replace: bool = True) -> int:
        """Write ``quads`` (pyoxigraph quads or triples) as the named graph
        ``graph_iri`` in one request; returns the number of triples."""
        self._writable()
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        if self.graph_store:
            term_n3("graph", URIRef(graph_iri))  # checked, though it travels as a URL parameter
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            response = self._request("PUT" if replace else "POST", self.graph_store, params={"graph": graph_iri},
                                     data=body, headers={"Content-Type": "text/turtle"})
            if response.status_code >= 300:
                raise self._fail(self.graph_store, response, f"writing graph {graph_iri}")
        else:
            self.update(self._replace_request(graph_iri, triples, replace=replace))
        return len(triples)

    def write_graph(self, graph_iri: str, graph: Graph, *, replace: bool = True) -> int:
        """Write an rdflib ``graph`` as the named graph ``graph_iri``; returns the number of triples."""
        return self.write_quads(graph_iri, [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph],
                                replace=replace)

    def write_graphs(self, graphs, *, replaces=None) -> int:
        """Write a batch of named graphs (``(graph IRI, content)``, :data:`kg.store.base.GraphContent`),
        each replacing its namesake, and empty the graphs ``replaces[iri]`` that a new graph
        replaces; returns the number of triples.

        Without a graph store URL the batch is one SPARQL Update request, which the endpoint
        applies as a whole. With one, each graph is a ``PUT`` and each replaced graph a
        ``DELETE`` after them: a stop in between leaves an old version beside its new one.
        """
        self._writable()
        batch = [(iri, triples_of(content)) for iri, content in graphs]
        old = sorted({o for new, olds in (replaces or {}).items() for o in olds if o != new})
        if self.graph_store:
            count = sum(self.write_quads(iri, triples) for iri, triples in batch)
            self.drop_graphs(old)
            return count
        request = update_replacing([(iri, _ntriples(triples)) for iri, triples in batch], drop=old)
        if request:
            self.update(request)
        return sum(len(triples) for _, triples in batch)

    def drop_graphs(self, graph_iris: Iterable[str]) -> None:
        """Remove the named graphs ``graph_iris``."""
        for iri in graph_iris:
            self.remove_graph(iri)

    def replace_in_graph(self, graph_iri: str, subjects: Iterable[str] | None, triples: list, *,
                         remove: Iterable = (), marker=None) -> int:
        """In the named graph ``graph_iri``, remove the triples of ``subjects`` (IRIs; None: the whole
        graph) and the triples ``remove``, then add ``triples`` (rdflib terms), in one SPARQL Update
        request, which the endpoint applies as a whole (so ``marker`` is not needed and not written).
        Returns the number of triples added."""
        self._writable()
        request = update_in_graph(graph_iri, None if subjects is None else list(subjects),
                                  _ntriples(triples_of(list(remove))), _ntriples(triples_of(triples)))
        if request:
            self.update(request)
        return len(triples)

    def open_snapshot(self) -> "RemoteStore":
        """A read-only client of the same endpoint. An endpoint keeps no snapshot across
        requests: each query sees a whole state, a later one may see later writes."""
        view = RemoteStore(self.endpoint, **self._options)
        view.read_only = True
        return view

    def open_derived(self, name: str, build) -> "OxigraphStore":
        """A read-only store of the endpoint's content as ``build`` changes it: the endpoint's
        graphs copied into memory for this reader (an endpoint tells no version of its content,
        so nothing is kept for the next one), then ``build`` applied. Close it when done."""
        from kg.store.oxigraph import OxigraphStore

        rows = self.query(stored_query("store_quads"))
        raw = ox.Store()
        raw.bulk_extend(ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows)
        copy = OxigraphStore.wrap(raw)
        build(copy)
        copy.read_only = True
        return copy

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.endpoint}: this client was opened read-only")

    def _replace_request(self, graph_iri: str, triples: list, *, replace: bool = True) -> str:
        return update_replacing([(graph_iri, _ntriples(triples))], replace=replace)

    def remove_graph(self, graph_iri: str) -> None:
        self._writable()
        if self.graph_store:
            response = self._request("DELETE", self.graph_store, params={"graph": graph_iri})
            if response.status_code >= 300 and response.status_code != 404:
                raise self._fail(self.graph_store, response, f"removing graph {graph_iri}")
        else:
            self.update(update_replacing([], drop=[graph_iri]))

    def ensure_schema(self) -> list[str]:
        """Write the ontology, the vocabularies and the reference data, each as its
        own named graph, when the endpoint lacks them or has other versions.

        Returns the graphs written.
        """
        sets = {ONTOLOGY_GRAPH: [resources.ontology_file()], VOCAB_GRAPH: resources.vocab_files(),
                REFERENCE_GRAPH: resources.reference_files()}
        rows = self.query(GRAPH_HASHES,
                          {"meta": URIRef(META_GRAPH), "hashed": URIRef(_HASH)})
        current = {row["graph"].value: row["hash"].value for row in rows}
        digests = {graph: _files_hash(paths) for graph, paths in sets.items()}
        written = []
        for graph, paths in sets.items():
            if current.get(graph) == digests[graph]:
                continue
            triples = []
            for path in paths:
                triples += [ox.Triple(t.subject, t.predicate, t.object)
                            for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
            self.write_quads(graph, triples)
            written.append(graph)
        if written:
            meta = [ox.Triple(ox.NamedNode(g), ox.NamedNode(_HASH), ox.Literal(d)) for g, d in digests.items()]
            self.write_quads(META_GRAPH, meta)
        return written


def _ntriples(triples: list) -> str:
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")


def _root_cause(exc: BaseException) -> str:
    """The innermost reason of a chain of exceptions, in one short line."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    return _one_line(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__, 120)


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def open_remote(endpoint: str, *, update_endpoint: str | None = None, graph_store: str | None = None,
                timeout: float = 60.0, schema: bool = False) -> RemoteStore:
    """A :class:`RemoteStore` for ``endpoint``; credentials from the environment.

    With ``schema=True`` (for writing) the ontology, vocabularies and reference
    data are written first where the endpoint lacks them (:meth:`RemoteStore.ensure_schema`).
    """
    store = RemoteStore(endpoint, update_endpoint=update_endpoint, graph_store=graph_store, timeout=timeout)
    if schema:
        try:
            store.ensure_schema()
        except BaseException:
            store.close()
            raise
    return store


# -- pushing a local store ------------------------------------------------------------------


@dataclass
class PushReport:
    """What :func:`push` wrote."""

    endpoint: str
    graphs: list[str] = field(default_factory=list)
    triples: int = 0

    def summary(self) -> str:
        return f"pushed {len(self.graphs)} graphs ({self.triples:,} triples) to {self.endpoint}"


def push(local, remote: RemoteStore, *, documents_only: bool = False,
         on_graph: Callable[[str, int], None] | None = None) -> PushReport:
    """Copy the named graphs of the embedded store ``local`` to ``remote``, one
    request per graph (each replaces the graph of the same name there).

    The ontology, vocabulary and reference graphs go first, then the documents.
    """
    report = PushReport(remote.endpoint)
    names = [g.value for g in local.raw.named_graphs() if isinstance(g, ox.NamedNode)]
    schema = [g for g in names if not g.startswith(_DOC_PREFIX)]
    documents = sorted(g for g in names if g.startswith(_DOC_PREFIX))
    for graph in ([] if documents_only else sorted(schema)) + documents:
        quads = list(local.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        count = remote.write_quads(graph, quads)
        report.graphs.append(graph)
        report.triples += count
        if on_graph:
            on_graph(graph, count)
    return report

