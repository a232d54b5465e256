"""Export the store: RDF in the usual serialisations, or a network projection as GraphML or GEXF."""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.errors import KgError

__all__ = ["export", "FORMATS"]

FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}


def export(store, fmt: str, *, documents_only: bool = False, projection: str = "actors") -> bytes:
    """The store in ``fmt``: ``ttl``/``nt`` (all graphs merged), ``trig``/``nq`` (named graphs kept),
    ``jsonld`` (JSON-LD with named graphs), or ``graphml``/``gexf`` (the network ``projection`` of
    :mod:`kg.analysis` — ``actors``, ``regions``, ``positions`` or ``preconditions`` — with its measures)."""
    graphs = store.document_graphs() if documents_only else None
    if fmt in ("graphml", "gexf"):
        from kg.analysis import write_network

        return write_network(store, fmt, projection_name=projection)
    if fmt in ("ttl", "nt"):
        merged = ox.Store()
        source = store.raw
        names = [ox.NamedNode(g) for g in graphs] if graphs is not None else list(source.named_graphs())
        for name in names:
            merged.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                          for q in source.quads_for_pattern(None, None, None, name))
        if fmt == "ttl":
            return merged.dump(format=FORMATS[fmt], from_graph=ox.DefaultGraph(), prefixes=_prefixes())
        return merged.dump(format=FORMATS[fmt], from_graph=ox.DefaultGraph())
    if fmt in ("trig", "nq"):
        return store.dump(FORMATS[fmt], graphs=graphs)
    if fmt == "jsonld":
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(data=store.dump(ox.RdfFormat.N_QUADS, graphs=graphs), format="nquads")
        return dataset.serialize(format="json-ld").encode("utf-8")
    raise KgError(f"export: unknown format {fmt!r}")


def _prefixes() -> dict[str, str]:
    from kg.namespaces import PREFIXES

    # "id:" would need escaped slashes in local names: documents' IRIs stay whole
    return {k: str(v) for k, v in PREFIXES.items() if k != "id"}
