"""Where the graph lives. Only this package writes to a store, opens a pyoxigraph store
on disk or speaks HTTP to a SPARQL endpoint.

:class:`~kg.store.base.Store` is the one interface; :class:`~kg.store.oxigraph.OxigraphStore`
is the embedded, persistent default (``.kg/`` in the working directory) and
:class:`~kg.store.remote.RemoteStore` a SPARQL 1.1 endpoint.
"""

from kg.store.base import GraphContent, Store
from kg.store.oxigraph import OxigraphStore, open_store, DEFAULT_STORE, REFERENCE_GRAPH, ONTOLOGY_GRAPH, VOCAB_GRAPH

__all__ = ["Store", "GraphContent", "OxigraphStore", "open_store", "DEFAULT_STORE", "REFERENCE_GRAPH",
           "ONTOLOGY_GRAPH", "VOCAB_GRAPH"]
