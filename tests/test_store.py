import pytest
from rdflib import Literal, URIRef

from kg.errors import StoreError
from kg.store import REFERENCE_GRAPH, open_store


def test_store_seed_has_one_graph_per_document_and_reference(seed_store):
    graphs = seed_store.document_graphs()
    assert len(graphs) == 1 and graphs[0].startswith("https://w3id.org/polkg/id/doc/")
    assert seed_store.has_graph(REFERENCE_GRAPH)


def test_store_reingest_changes_nothing(seed_store):
    from conftest import SEEDS
    from kg.api import ingest

    before = len(seed_store)
    report = ingest([SEEDS], seed_store)
    assert report.ingested == [] and len(report.skipped) == 1
    assert len(seed_store) == before


def test_store_second_writer_is_told_who_holds_it(tmp_path):
    with open_store(tmp_path / "s"):
        with pytest.raises(StoreError, match=r"store is in use by process \d+"):
            open_store(tmp_path / "s")


def test_store_reopens_after_close(tmp_path):
    with open_store(tmp_path / "s") as store:
        n = len(store)
    with open_store(tmp_path / "s") as store:
        assert len(store) == n


def test_store_rdflib_dataset_view(seed_store):
    from kg.namespaces import POL

    dataset = seed_store.dataset()
    preconditions = set(dataset.subjects(URIRef(str(POL.demander)), None))
    assert len(preconditions) == 2


def test_store_sparql_seed_preconditions_with_four_regions(seed_store):
    rows = list(seed_store.query("""
        PREFIX pol: <https://w3id.org/polkg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?p ?action (GROUP_CONCAT(?name; separator="|") AS ?regions) WHERE {
          ?p a pol:Precondition ; pol:action/skos:notation ?action .
          OPTIONAL { ?p pol:region/skos:prefLabel ?name }
        } GROUP BY ?p ?action"""))
    by_action = {r["action"].value: set(filter(None, (r["regions"].value if r["regions"] else "").split("|"))) for r in rows}
    assert by_action == {
        "withdraw_forces": {"Donetsk People's Republic", "Luhansk People's Republic",
                            "Zaporizhzhia Oblast", "Kherson Oblast"},
        "renounce_alliance": set(),
    }


def test_store_bindings_are_literals_not_query_text(seed_store):
    hostile = 'Russia" } ; DROP ALL ; #'
    before = len(seed_store)
    rows = list(seed_store.query(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?x ?name WHERE { ?x skos:prefLabel ?name }",
        {"name": Literal(hostile)}))
    assert rows == [] and len(seed_store) == before
