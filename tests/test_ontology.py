"""Drift: the namespace class, the enums and the SKOS schemes say the same as ontology/."""

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from kg import resources
from kg.extract.model import Action, ActorKind, Outcome, Stance
from kg.gazetteer import CLASS_KINDS, load_vocabulary
from kg.namespaces import POL


def _ontology() -> Graph:
    return Graph().parse(resources.ontology_file(), format="turtle")


def test_ontology_pol_namespace_matches_ontology_file():
    graph = _ontology()
    base = str(POL._NS)
    defined = {
        str(s)[len(base):]
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in graph.subjects(RDF.type, kind)
        if str(s).startswith(base)
    }
    declared = set(POL.__annotations__)
    assert declared == defined


def test_ontology_enums_match_skos_schemes():
    vocabulary = load_vocabulary()
    assert set(vocabulary["action"]) == {a.value for a in Action}
    assert set(vocabulary["outcome"]) == {o.value for o in Outcome}
    assert set(vocabulary["stance"]) == {s.value for s in Stance}


def test_ontology_actor_kinds_have_classes():
    graph = _ontology()
    for local, kind in CLASS_KINDS.items():
        assert (URIRef(str(POL._NS) + local), RDF.type, OWL.Class) in graph
        assert kind in {k.value for k in ActorKind}


def test_ontology_vocab_concepts_have_definitions():
    for path in resources.vocab_files():
        graph = Graph().parse(path, format="turtle")
        for concept in graph.subjects(RDF.type, SKOS.Concept):
            assert graph.value(concept, SKOS.prefLabel) is not None, concept
            assert graph.value(concept, SKOS.definition) is not None, concept


def test_ontology_parses_with_shapes_and_reference():
    for path in [resources.ontology_file(), *resources.shape_files(), *resources.reference_files()]:
        assert len(Graph().parse(path, format="turtle")) > 0
