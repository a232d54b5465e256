"""The namespaces of polkg's terms, and the prefixes bound in every graph.

``POL`` is closed (``_fail = True``): a property or class that the ontology does
not define raises ``AttributeError`` at once instead of minting a wrong IRI.
A test keeps this list and ``ontology/polkg.ttl`` identical.
"""

from __future__ import annotations

import re

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

__all__ = ["POL", "REF", "ID", "ACT", "OUT", "ST", "OA", "SCHEMA", "WD", "CORRECTION", "PREFIXES", "QUERY_PREFIXES",
           "BASE", "WIKIDATA_PAGE", "sparql_prefixes", "declare_prefixes",
           "DCTERMS", "FOAF", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "XSD"]

BASE = "https://w3id.org/polkg/"


class POL(DefinedNamespace):
    """The polkg ontology, ``https://w3id.org/polkg/ontology#``."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    Actor: object
    State: object
    Government: object
    Person: object
    Alliance: object
    Organization: object
    ArmedGroup: object
    Party: object
    Region: object
    Document: object
    Evidence: object
    Mention: object
    Assertion: object
    Statement: object
    Position: object
    Precondition: object
    Outcome: object
    Action: object
    Stance: object
    Subdivision: object
    # properties
    wikidata: object
    iso3166: object
    demonym: object
    office: object
    seat: object
    speaksFor: object
    tenure: object
    termStart: object
    termEnd: object
    seatOf: object
    partOf: object
    kind: object
    linked: object
    evidence: object
    document: object
    refersTo: object
    mentions: object
    mentionsActor: object
    mentionsRegion: object
    contentHash: object
    characters: object
    relativePath: object
    speaker: object
    via: object
    date: object
    statedIn: object
    holder: object
    stance: object
    topic: object
    demander: object
    addressee: object
    action: object
    forOutcome: object
    region: object
    concerns: object
    cue: object
    stage: object
    # the claim layer (graph id/graph/claims, kg.claims)
    Claim: object
    ClaimThread: object
    Change: object
    Contradiction: object
    threadKind: object
    claimHolder: object
    threadKey: object
    claimAddressee: object
    claimAction: object
    inThread: object
    claimKind: object
    claimStance: object
    claimTopic: object
    claimOutcome: object
    claimRegion: object
    documentCount: object
    outletCount: object
    unplacedReports: object
    claimSummary: object
    sharesDocumentWith: object
    outlet: object
    reportedIn: object
    firstReported: object
    lastReported: object
    firstSaid: object
    lastSaid: object
    heldFromSaid: object
    heldUntilSaid: object
    heldFromReported: object
    heldUntilReported: object
    inClaim: object
    saidOn: object
    saidUnplaced: object
    reportedOn: object
    changeType: object
    timeBasis: object
    toClaim: object
    toQuote: object
    fromClaim: object
    fromQuote: object
    changeTime: object
    contradictionOf: object
    contradicts: object
    firstClaim: object
    secondClaim: object
    firstOutlets: object
    secondOutlets: object
    covers: object
    updating: object
    layerVersion: object
    # measures written by `kg analyze actors --write` (graph id/graph/analysis)
    degree: object
    betweenness: object
    pagerank: object
    community: object
    contested: object


REF = Namespace(BASE + "ref/")
"""Canonical actors and regions of the reference data."""
ID = Namespace(BASE + "id/")
"""Everything minted from documents: documents, assertions, local entities."""
ACT = Namespace(BASE + "vocab/action/")
OUT = Namespace(BASE + "vocab/outcome/")
ST = Namespace(BASE + "vocab/stance/")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
"""Wikidata's entities (``wd:Q159``)."""
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"
"""Where a Wikidata entity's page is, for people: ``WIKIDATA_PAGE + "Q159"``."""
CORRECTION = Namespace(BASE + "ontology/correction#")
"""The values a reviewer's correction sets (:class:`kg.corrections.COR`), apart from ``pol:``."""

PREFIXES: dict[str, Namespace | str] = {
    "pol": POL._NS,
    "ref": REF,
    "id": ID,
    "act": ACT,
    "out": OUT,
    "st": ST,
    "oa": OA,
    "prov": PROV,
    "skos": SKOS,
    "foaf": FOAF,
    "schema": SCHEMA,
    "wd": WD,
    "dcterms": DCTERMS,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}


def sparql_prefixes(*names: str) -> str:
    """The SPARQL ``PREFIX`` lines for ``names`` (keys of :data:`PREFIXES`), one per line.

    >>> print(sparql_prefixes("pol", "oa"), end="")
    PREFIX pol: <https://w3id.org/polkg/ontology#>
    PREFIX oa: <http://www.w3.org/ns/oa#>
    """
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in names)


QUERY_PREFIXES: dict[str, str] = {name: str(ns) for name, ns in {**PREFIXES, "wd": WD}.items()}
"""The prefixes every SPARQL text may use without declaring them: ``kg query``,
:func:`kg.query` and ``kg serve``'s ``/sparql``. A ``PREFIX`` line of the query
itself wins over these."""


def declare_prefixes(sparql: str) -> str:
    """``sparql`` with a ``PREFIX`` declaration for each of :data:`QUERY_PREFIXES`
    that it uses and does not declare itself, for an engine that cannot be given
    them (a remote endpoint, Oxigraph's server).

    The declarations go in front of the first line, on that line, so the lines of
    a syntax error keep their numbers. A prefix that only looks used (in a
    literal, say) is declared for nothing, which changes no answer.

    >>> declare_prefixes("ASK { ?s a pol:Precondition }")
    'PREFIX pol: <https://w3id.org/polkg/ontology#> ASK { ?s a pol:Precondition }'
    >>> declare_prefixes("PREFIX pol: <urn:x:> ASK { ?s a pol:Precondition }")
    'PREFIX pol: <urn:x:> ASK { ?s a pol:Precondition }'
    """
    missing = [name for name, iri in QUERY_PREFIXES.items()
               if re.search(rf"(?<![\w.-]){name}:", sparql)
               and not re.search(rf"\bPREFIX\s+{name}\s*:", sparql, re.IGNORECASE)]
    return "".join(f"PREFIX {name}: <{QUERY_PREFIXES[name]}> " for name in missing) + sparql
