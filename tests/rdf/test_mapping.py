from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from kg.namespaces import OA, POL
from kg.rdf.mapping import date_literal, to_graph
from kg.rdf.validate import validate_graph


def test_mapping_every_assertion_has_evidence_and_provenance(seed_extraction):
    graph = to_graph(seed_extraction)
    doc = URIRef(seed_extraction.document.id)
    assertions = [s for cls in (POL.Statement, POL.Position, POL.Precondition) for s in graph.subjects(RDF.type, cls)]
    assert len(assertions) == (len(seed_extraction.statements) + len(seed_extraction.positions)
                               + len(seed_extraction.preconditions))
    for node in assertions:
        evidence = graph.value(node, POL.evidence)
        assert graph.value(evidence, POL.document) == doc
        assert graph.value(node, PROV.wasDerivedFrom) == doc
        assert graph.value(evidence, OA.exact) is not None
        assert graph.value(graph.value(node, PROV.wasGeneratedBy), PROV.wasAssociatedWith) is not None


def test_mapping_date_literals_by_precision():
    assert date_literal("2024-06-14").datatype == XSD.date
    assert date_literal("2024-06").datatype == XSD.gYearMonth
    assert date_literal("2024").datatype == XSD.gYear


def test_mapping_is_pure_and_stable(seed_extraction):
    from rdflib.compare import isomorphic

    assert isomorphic(to_graph(seed_extraction), to_graph(seed_extraction))


def test_validate_broken_precondition_is_reported(seed_extraction):
    graph = to_graph(seed_extraction)
    node = next(graph.subjects(RDF.type, POL.Precondition))
    graph.remove((node, POL.demander, None))
    graph.add((node, POL.forOutcome, Literal("soon")))
    violations = validate_graph(graph)
    assert any("demander" in v for v in violations)
    assert any("forOutcome" in v for v in violations)


def test_mapping_precondition_concerns_the_alliance(seed_extraction, seed_store_path):
    """renounce_alliance on the seed: pol:concerns NATO, and the store still conforms to the shapes."""
    from kg.namespaces import REF
    from kg.rdf.validate import validate_store
    from kg.store import open_store

    renounce = next(p for p in seed_extraction.preconditions if p.action == "renounce_alliance")
    assert renounce.concerns == ["NATO"]
    assert [p["concerns"] for p in seed_extraction.to_dict()["preconditions"]
            if p["action"] == "renounce_alliance"] == [["NATO"]]   # an extra key of the contract's JSON
    graph = to_graph(seed_extraction)
    assert set(graph.objects(URIRef(renounce.id), POL.concerns)) == {REF.NATO}
    withdraw = next(p for p in seed_extraction.preconditions if p.action == "withdraw_forces")
    assert not set(graph.objects(URIRef(withdraw.id), POL.concerns))
    with open_store(seed_store_path, read_only=True) as store:
        assert validate_store(store).conforms
