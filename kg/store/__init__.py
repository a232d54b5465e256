"""Where the graph lives. Only this package writes to a store.

:class:`~kg.store.oxigraph.OxigraphStore` is the embedded, persistent default
(``.kg/`` in the working directory).
"""

from kg.store.oxigraph import OxigraphStore, open_store, DEFAULT_STORE, REFERENCE_GRAPH, ONTOLOGY_GRAPH, VOCAB_GRAPH

__all__ = ["OxigraphStore", "open_store", "DEFAULT_STORE", "REFERENCE_GRAPH", "ONTOLOGY_GRAPH", "VOCAB_GRAPH"]
