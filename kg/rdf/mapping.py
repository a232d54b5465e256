"""Map an :class:`~kg.extract.model.Extraction` to RDF. Pure: no store, no I/O.

Every assertion gets ``pol:evidence`` (a ``pol:Evidence`` node with the document,
``oa:start``, ``oa:end`` and ``oa:exact``), ``prov:wasDerivedFrom`` its document
and ``prov:wasGeneratedBy`` the extraction run, which records the extractor's
name and version.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.extract.model import Evidence, Extraction
from kg.namespaces import ACT, ID, OA, OUT, POL, PREFIXES, ST, WD

__all__ = ["to_graph", "date_literal", "KIND_CLASSES"]

KIND_CLASSES = {
    "state": POL.State,
    "government": POL.Government,
    "person": POL.Person,
    "alliance": POL.Alliance,
    "organization": POL.Organization,
    "armed_group": POL.ArmedGroup,
    "party": POL.Party,
    "other": POL.Actor,
}


def date_literal(value: str) -> Literal:
    """``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear`` by the precision of ``value``."""
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}[len(value)]
    return Literal(value, datatype=datatype)


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _evidence(graph: Graph, node: URIRef, doc: URIRef, evidence: Evidence) -> None:
    ev = URIRef(str(node) + "/evidence")
    graph.add((node, POL.evidence, ev))
    graph.add((ev, RDF.type, POL.Evidence))
    graph.add((ev, POL.document, doc))
    graph.add((ev, OA.start, Literal(evidence.start)))
    graph.add((ev, OA.end, Literal(evidence.end)))
    graph.add((ev, OA.exact, Literal(evidence.quote)))
    graph.add((node, PROV.wasDerivedFrom, doc))


def to_graph(extraction: Extraction) -> Graph:
    """The triples of one document's named graph."""
    graph = new_graph()
    info = extraction.document
    doc = URIRef(info.id)
    run = URIRef(info.id + "/extraction")
    agent = ID[f"agent/{extraction.extractor}/{extraction.version}"]

    graph.add((doc, RDF.type, POL.Document))
    if info.title:
        graph.add((doc, DCTERMS.title, Literal(info.title)))
    if info.published:
        graph.add((doc, DCTERMS.date, date_literal(info.published)))
    if info.source:
        graph.add((doc, DCTERMS.source, Literal(info.source)))
    if info.path:
        graph.add((doc, PROV.atLocation, Literal(info.path)))
    if info.content_hash:
        graph.add((doc, POL.contentHash, Literal(info.content_hash)))
    if info.characters is not None:
        graph.add((doc, POL.characters, Literal(info.characters)))
    graph.add((run, RDF.type, PROV.Activity))
    graph.add((run, PROV.used, doc))
    graph.add((run, PROV.wasAssociatedWith, agent))
    graph.add((agent, RDF.type, PROV.SoftwareAgent))
    graph.add((agent, RDFS.label, Literal(f"{extraction.extractor} {extraction.version}")))

    iri: dict[str, URIRef] = {}
    for entity, is_actor in [(a, True) for a in extraction.actors] + [(r, False) for r in extraction.regions]:
        node = URIRef(entity.id)
        iri[entity.name] = node
        graph.add((doc, POL.mentionsActor if is_actor else POL.mentionsRegion, node))
        if not entity.linked:
            graph.add((node, RDF.type, KIND_CLASSES[entity.kind] if is_actor else POL.Region))
            graph.add((node, SKOS.prefLabel, Literal(entity.name, lang="en")))
            graph.add((node, RDFS.label, Literal(entity.name, lang="en")))
            if entity.wikidata:
                graph.add((node, OWL.sameAs, WD[entity.wikidata]))
            graph.add((node, POL.linked, Literal(False)))
            if is_actor:
                graph.add((node, POL.kind, Literal(entity.kind)))
        for span in entity.mentions:
            mention = URIRef(f"{info.id}/mention/{span.start}-{span.end}")
            graph.add((mention, RDF.type, POL.Mention))
            graph.add((mention, POL.refersTo, node))
            graph.add((mention, POL.document, doc))
            graph.add((mention, OA.start, Literal(span.start)))
            graph.add((mention, OA.end, Literal(span.end)))
            graph.add((mention, OA.exact, Literal(span.text)))
    for actor in extraction.actors:
        if actor.speaks_for and actor.speaks_for in iri and not actor.linked:
            graph.add((iri[actor.name], POL.speaksFor, iri[actor.speaks_for]))

    def assertion(node: URIRef, cls: URIRef, evidence: Evidence) -> None:
        graph.add((node, RDF.type, cls))
        graph.add((node, PROV.wasGeneratedBy, run))
        _evidence(graph, node, doc, evidence)

    for s in extraction.statements:
        node = URIRef(s.id)
        assertion(node, POL.Statement, s.evidence)
        graph.add((node, POL.speaker, iri[s.speaker]))
        if s.date:
            graph.add((node, POL.date, date_literal(s.date)))
        if s.via:
            graph.add((node, POL.via, Literal(s.via)))
    for p in extraction.positions:
        node = URIRef(p.id)
        assertion(node, POL.Position, p.evidence)
        graph.add((node, POL.holder, iri[p.holder]))
        graph.add((node, POL.stance, ST[p.stance]))
        graph.add((node, POL.topic, Literal(p.topic)))
        if p.statement:
            graph.add((node, POL.statedIn, URIRef(p.statement)))
    for c in extraction.preconditions:
        node = URIRef(c.id)
        assertion(node, POL.Precondition, c.evidence)
        graph.add((node, POL.demander, iri[c.demander]))
        if c.addressee:
            graph.add((node, POL.addressee, iri[c.addressee]))
        graph.add((node, POL.action, ACT[c.action]))
        graph.add((node, POL.forOutcome, OUT[c.for_]))
        for region in c.regions:
            graph.add((node, POL.region, iri[region]))
        if c.statement:
            graph.add((node, POL.statedIn, URIRef(c.statement)))
    return graph
