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

__all__ = ["to_graph", "to_quads", "date_literal", "KIND_CLASSES"]

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


def _said(graph: Graph, node: URIRef, item) -> None:
    """When the assertion was said (``pol:saidOn``), or that the text does not say
    (``pol:saidUnplaced true``); nothing when no said-time was resolved at all."""
    if item.said:
        graph.add((node, POL.saidOn, date_literal(item.said)))
    elif item.said_how == "unresolved":
        graph.add((node, POL.saidUnplaced, Literal(True)))


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
    if info.relative_path:
        graph.add((doc, POL.relativePath, Literal(info.relative_path)))
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
        _said(graph, node, p)
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
        for actor in c.concerns:
            graph.add((node, POL.concerns, iri[actor]))
        if c.statement:
            graph.add((node, POL.statedIn, URIRef(c.statement)))
        _said(graph, node, c)
    return graph


# -- straight to the store's terms -------------------------------------------------
#
# ``to_quads`` gives the quads of ``to_graph`` without building an rdflib Graph: the
# ingest path writes pyoxigraph terms, so making rdflib ones first and converting them
# cost about as much as the extraction itself. It must stay quad-for-quad identical
# to ``to_graph`` (tests/rdf/test_quads.py compares them on the dev corpus).


def _ox_terms():
    import pyoxigraph as ox

    nn = ox.NamedNode
    terms = {name: nn(str(term)) for name, term in {
        "type": RDF.type, "label": RDFS.label, "prefLabel": SKOS.prefLabel, "sameAs": OWL.sameAs,
        "title": DCTERMS.title, "ddate": DCTERMS.date, "source": DCTERMS.source,
        "atLocation": PROV.atLocation, "Activity": PROV.Activity, "used": PROV.used,
        "wasAssociatedWith": PROV.wasAssociatedWith, "SoftwareAgent": PROV.SoftwareAgent,
        "wasGeneratedBy": PROV.wasGeneratedBy, "wasDerivedFrom": PROV.wasDerivedFrom,
        "start": OA.start, "end": OA.end, "exact": OA.exact,
    }.items()}
    for name in ("Document", "contentHash", "characters", "relativePath", "mentionsActor", "mentionsRegion", "Region",
                 "linked", "kind", "Mention", "refersTo", "document", "speaksFor", "evidence", "Evidence",
                 "Statement", "speaker", "date", "via", "Position", "holder", "stance", "topic", "statedIn",
                 "Precondition", "demander", "addressee", "action", "forOutcome", "region", "concerns", "saidOn",
                 "saidUnplaced"):
        terms[name] = nn(str(POL[name]))
    terms["kinds"] = {kind: nn(str(cls)) for kind, cls in KIND_CLASSES.items()}
    terms["integer"] = nn(str(XSD.integer))
    terms["dates"] = {10: nn(str(XSD.date)), 7: nn(str(XSD.gYearMonth)), 4: nn(str(XSD.gYear))}
    terms["false"] = ox.Literal("false", datatype=nn(str(XSD.boolean)))
    terms["true"] = ox.Literal("true", datatype=nn(str(XSD.boolean)))
    return terms


_OX: dict | None = None


def to_quads(extraction: Extraction) -> list:
    """The quads of one document's named graph as :class:`pyoxigraph.Quad`, the graph
    named by the document's IRI: the triples of :func:`to_graph`, without rdflib."""
    import pyoxigraph as ox

    global _OX
    if _OX is None:
        _OX = _ox_terms()
    t = _OX
    NamedNode, Lit, Quad = ox.NamedNode, ox.Literal, ox.Quad
    integer, rdf_type, dates = t["integer"], t["type"], t["dates"]
    info = extraction.document
    doc = NamedNode(info.id)
    g = doc
    out: list = []
    add = out.append

    def number(value: int):
        return Lit(str(value), datatype=integer)

    def date(value: str):
        return Lit(value, datatype=dates[len(value)])

    def said(node, item) -> None:  # as _said
        if item.said:
            add(Quad(node, t["saidOn"], date(item.said), g))
        elif item.said_how == "unresolved":
            add(Quad(node, t["saidUnplaced"], t["true"], g))

    run = NamedNode(info.id + "/extraction")
    agent = NamedNode(f"{ID}agent/{extraction.extractor}/{extraction.version}")
    add(Quad(doc, rdf_type, t["Document"], g))
    if info.title:
        add(Quad(doc, t["title"], Lit(info.title), g))
    if info.published:
        add(Quad(doc, t["ddate"], date(info.published), g))
    if info.source:
        add(Quad(doc, t["source"], Lit(info.source), g))
    if info.path:
        add(Quad(doc, t["atLocation"], Lit(info.path), g))
    if info.relative_path:
        add(Quad(doc, t["relativePath"], Lit(info.relative_path), g))
    if info.content_hash:
        add(Quad(doc, t["contentHash"], Lit(info.content_hash), g))
    if info.characters is not None:
        add(Quad(doc, t["characters"], number(info.characters), g))
    add(Quad(run, rdf_type, t["Activity"], g))
    add(Quad(run, t["used"], doc, g))
    add(Quad(run, t["wasAssociatedWith"], agent, g))
    add(Quad(agent, rdf_type, t["SoftwareAgent"], g))
    add(Quad(agent, t["label"], Lit(f"{extraction.extractor} {extraction.version}"), g))

    start, end, exact, document = t["start"], t["end"], t["exact"], t["document"]
    mention_cls, refers_to = t["Mention"], t["refersTo"]
    iri: dict = {}
    for entity, is_actor in [(a, True) for a in extraction.actors] + [(r, False) for r in extraction.regions]:
        node = NamedNode(entity.id)
        iri[entity.name] = node
        add(Quad(doc, t["mentionsActor"] if is_actor else t["mentionsRegion"], node, g))
        if not entity.linked:
            add(Quad(node, rdf_type, t["kinds"][entity.kind] if is_actor else t["Region"], g))
            name = Lit(entity.name, language="en")
            add(Quad(node, t["prefLabel"], name, g))
            add(Quad(node, t["label"], name, g))
            if entity.wikidata:
                add(Quad(node, t["sameAs"], NamedNode(str(WD) + entity.wikidata), g))
            add(Quad(node, t["linked"], t["false"], g))
            if is_actor:
                add(Quad(node, t["kind"], Lit(entity.kind), g))
        for span in entity.mentions:
            mention = NamedNode(f"{info.id}/mention/{span.start}-{span.end}")
            add(Quad(mention, rdf_type, mention_cls, g))
            add(Quad(mention, refers_to, node, g))
            add(Quad(mention, document, doc, g))
            add(Quad(mention, start, number(span.start), g))
            add(Quad(mention, end, number(span.end), g))
            add(Quad(mention, exact, Lit(span.text), g))
    for actor in extraction.actors:
        if actor.speaks_for and actor.speaks_for in iri and not actor.linked:
            add(Quad(iri[actor.name], t["speaksFor"], iri[actor.speaks_for], g))

    generated, derived, evidence_p, evidence_cls = t["wasGeneratedBy"], t["wasDerivedFrom"], t["evidence"], t["Evidence"]

    def assertion(node, cls, evidence: Evidence) -> None:
        add(Quad(node, rdf_type, cls, g))
        add(Quad(node, generated, run, g))
        ev = NamedNode(node.value + "/evidence")
        add(Quad(node, evidence_p, ev, g))
        add(Quad(ev, rdf_type, evidence_cls, g))
        add(Quad(ev, document, doc, g))
        add(Quad(ev, start, number(evidence.start), g))
        add(Quad(ev, end, number(evidence.end), g))
        add(Quad(ev, exact, Lit(evidence.quote), g))
        add(Quad(node, derived, doc, g))

    for s in extraction.statements:
        node = NamedNode(s.id)
        assertion(node, t["Statement"], s.evidence)
        add(Quad(node, t["speaker"], iri[s.speaker], g))
        if s.date:
            add(Quad(node, t["date"], date(s.date), g))
        if s.via:
            add(Quad(node, t["via"], Lit(s.via), g))
    for p in extraction.positions:
        node = NamedNode(p.id)
        assertion(node, t["Position"], p.evidence)
        add(Quad(node, t["holder"], iri[p.holder], g))
        add(Quad(node, t["stance"], NamedNode(str(ST) + p.stance), g))
        add(Quad(node, t["topic"], Lit(p.topic), g))
        if p.statement:
            add(Quad(node, t["statedIn"], NamedNode(p.statement), g))
        said(node, p)
    for c in extraction.preconditions:
        node = NamedNode(c.id)
        assertion(node, t["Precondition"], c.evidence)
        add(Quad(node, t["demander"], iri[c.demander], g))
        if c.addressee:
            add(Quad(node, t["addressee"], iri[c.addressee], g))
        add(Quad(node, t["action"], NamedNode(str(ACT) + c.action), g))
        add(Quad(node, t["forOutcome"], NamedNode(str(OUT) + c.for_), g))
        for region in c.regions:
            add(Quad(node, t["region"], iri[region], g))
        for actor in c.concerns:
            add(Quad(node, t["concerns"], iri[actor], g))
        if c.statement:
            add(Quad(node, t["statedIn"], NamedNode(c.statement), g))
        said(node, c)
    return list(dict.fromkeys(out))  # a set of triples, like the Graph: no quad twice
