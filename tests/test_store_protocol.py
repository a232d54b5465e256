"""The one store interface (kg.store.Store), on the embedded store; tests/test_remote.py runs it on an endpoint."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from kg.errors import StoreError
from kg.store import OxigraphStore, Store, open_store
from kg.store.oxigraph import META_GRAPH
from kg.store.remote import RemoteStore

G1, G2, G3 = (f"https://w3id.org/polkg/id/doc/{c * 8}" for c in "abc")
A, B = URIRef("https://w3id.org/polkg/ref/Russia"), URIRef("https://w3id.org/polkg/ontology#demander")


def triples(store, graph: str) -> set:
    rows = store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(graph)})
    return {(r["s"].value, r["p"].value, r["o"].value) for r in rows}


def contents(graph: str, n: int):
    """The same ``n`` triples as each form a store takes."""
    rdf = Graph()
    for i in range(n):
        rdf.add((A, B, Literal(f"value {i}")))
    name = ox.NamedNode(graph)
    quads = [ox.Quad(ox.NamedNode(str(A)), ox.NamedNode(str(B)), ox.Literal(f"value {i}"), name) for i in range(n)]
    return {"rdflib": rdf, "quads": quads, "triples": [ox.Triple(q.subject, q.predicate, q.object) for q in quads],
            "nquads": ox.serialize(quads, format=ox.RdfFormat.N_QUADS)}


def test_store_protocol_both_stores_implement_it():
    with open_store(None) as embedded:
        assert isinstance(embedded, Store)
    remote = RemoteStore("http://127.0.0.1:9/query")  # nothing is sent before a query
    try:
        assert isinstance(remote, Store)
    finally:
        remote.close()


@pytest.mark.parametrize("form", ["rdflib", "quads", "triples", "nquads"])
@pytest.mark.parametrize("n", [3, 6000])  # under and over the bulk loader's threshold
def test_store_protocol_write_graphs_takes_every_form(tmp_path, form, n):
    with open_store(tmp_path / "store") as store:
        assert store.write_graphs([(G1, contents(G1, n)[form])]) == n
        assert len(triples(store, G1)) == n and store.has_graph(G1)


def test_store_protocol_a_write_replaces_graphs_and_leaves_no_marker(tmp_path):
    with open_store(tmp_path / "store") as store:
        store.write_graphs([(G1, contents(G1, 2)["quads"]), (G2, contents(G2, 1)["quads"])])
        assert store.document_graphs() == [G1, G2]
        store.write_graphs([(G3, contents(G3, 4)["nquads"])], replaces={G3: [G1]})
        assert store.document_graphs() == [G2, G3]
        assert not store.query("ASK { GRAPH ?m { ?new ?p ?old } }", {"m": URIRef(META_GRAPH), "old": URIRef(G1)})
        store.write_graphs([(G2, contents(G2, 3)["triples"])])  # a namesake is replaced, not added to
        assert len(triples(store, G2)) == 3
        store.drop_graphs([G2, G3])
        assert store.document_graphs() == []


def test_store_protocol_lists_and_reads_graphs_to_copy_them(tmp_path):
    with open_store(tmp_path / "a") as one, open_store(tmp_path / "b") as other:
        one.write_graphs([(G1, contents(G1, 2)["quads"]), (G2, contents(G2, 3)["nquads"])])
        assert {G1, G2} <= set(one.named_graphs()) and one.named_graphs() == sorted(one.named_graphs())
        assert G1 not in other.named_graphs() and other.graph_triples(G1) == []
        other.write_graphs([(g, one.graph_triples(g)) for g in (G1, G2)])
        assert triples(other, G1) == triples(one, G1) and len(triples(other, G2)) == 3


def test_store_protocol_an_unfinished_replacement_is_finished_by_the_next_writer(tmp_path):
    with open_store(tmp_path / "store") as store:
        store.write_graphs([(G1, contents(G1, 2)["quads"]), (G2, contents(G2, 1)["quads"])])
        store.raw.add(ox.Quad(ox.NamedNode(G2), ox.NamedNode("https://w3id.org/polkg/id/ingest/replaces"),
                              ox.NamedNode(G1), ox.NamedNode(META_GRAPH)))  # as a write that stopped
    with open_store(tmp_path / "store") as store:
        assert store.document_graphs() == [G2]


def test_store_protocol_snapshot_of_a_writer_does_not_see_later_writes(tmp_path):
    with open_store(tmp_path / "store") as store:
        store.write_graphs([(G1, contents(G1, 2)["quads"])])
        with store.open_snapshot() as snapshot:
            assert snapshot.read_only and snapshot.snapshot.is_dir()
            store.write_graphs([(G2, contents(G2, 1)["quads"])])
            assert snapshot.document_graphs() == [G1] and store.document_graphs() == [G1, G2]
            with pytest.raises(StoreError, match="read-only"):
                snapshot.write_graphs([(G3, contents(G3, 1)["quads"])])
            folder = snapshot.snapshot
        assert not folder.exists()  # its last reader removed it
        assert store.document_graphs() == [G1, G2]


def test_store_protocol_snapshot_in_memory_and_of_a_reader(seed_store_path):
    with open_store(None) as store:
        store.write_graphs([(G1, contents(G1, 2)["quads"])])
        with store.open_snapshot() as snapshot:
            store.drop_graphs([G1])
            assert snapshot.document_graphs() == [G1] and store.document_graphs() == []
    with open_store(seed_store_path, read_only=True) as reader:
        with reader.open_snapshot() as snapshot:
            assert snapshot.document_graphs() == reader.document_graphs()
        assert len(reader.document_graphs()) == 1  # closing the view leaves the reader open
