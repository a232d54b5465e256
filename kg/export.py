"""Export the store: RDF in the usual serialisations, or the actor network as GraphML."""

from __future__ import annotations

import io
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


def export(store, fmt: str, *, documents_only: bool = False) -> bytes:
    """The store in ``fmt``: ``ttl``/``nt`` (all graphs merged), ``trig``/``nq`` (named graphs kept),
    ``jsonld`` (JSON-LD with named graphs), or ``graphml`` (the actor–region network)."""
    graphs = store.document_graphs() if documents_only else None
    if fmt == "graphml":
        import networkx as nx

        from kg.analysis import to_networkx

        G = to_networkx(store)
        for _, data in G.nodes(data=True):
            data["roles"] = ",".join(data.get("roles", ()))
            if data.get("wikidata") is None:
                data["wikidata"] = ""
        out = io.BytesIO()
        nx.write_graphml(G, out)
        return out.getvalue()
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
