"""The claim layer in the store: the named graph ``id:graph/claims``, kept up to date incrementally.

:func:`update_claims` compares the documents the claim graph covers
(``<id:graph/claims> pol:covers <doc>``) with the documents in the store. For
documents added it reads their positions and preconditions; for documents
removed it finds the claims that cite them (``pol:reportedIn``). Only the threads
these touch are built again (a new position joins the threads of its holder whose
topics are equivalent, which may merge them; a removal may split one), from the
documents they cite, and only their triples in the claim graph are replaced.
:func:`rebuild_claims` builds the whole layer from every document.

What the graph holds, per thread (``pol:ClaimThread``): its holder, addressee and
action; per claim (``pol:Claim``): ``prov:wasDerivedFrom`` every assertion behind
it, ``pol:reportedIn`` each document, ``pol:documentCount``, ``pol:outletCount``,
``pol:outlet``, ``pol:firstReported``/``pol:lastReported`` (publication dates),
``pol:firstSaid``/``pol:lastSaid`` (said-times), ``pol:unplacedReports`` (how
many reports the text does not date), and per basis the span it held; per change
(``pol:Change``) its type, basis, time, the two claims and their quotes; per
contradiction (``pol:Contradiction``) the two claims and their outlets, with
``pol:contradicts`` between the claims. Each assertion behind a claim has
``pol:saidOn`` (or ``pol:saidUnplaced true``) and ``pol:reportedOn``.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from kg.claims.build import build_threads, thread_of
from kg.claims.model import ClaimLayer, Report, TIME_BASES
from kg.claims.said import said_time
from kg.claims.topics import same_topic
from kg.namespaces import ACT, ID, OUT, POL, ST, sparql_prefixes

__all__ = ["CLAIMS_GRAPH", "update_claims", "rebuild_claims", "read_reports", "to_triples", "outlet_of",
           "ClaimUpdate"]

CLAIMS_GRAPH = str(ID["graph/claims"])
_DOC_PREFIX = str(ID["doc/"])
_PREFIXES = sparql_prefixes("pol", "oa", "dcterms", "prov")
_CLAIMS = f"<{CLAIMS_GRAPH}>"

_REPORT_QUERY = _PREFIXES + """
SELECT ?g ?s ?p ?o WHERE {
  %s
  GRAPH ?g {
    VALUES ?p { pol:holder pol:stance pol:topic pol:demander pol:addressee pol:action pol:forOutcome pol:region
                pol:statedIn pol:date pol:saidOn pol:saidUnplaced oa:exact oa:start oa:end dcterms:date dcterms:source pol:speaker }
    ?s ?p ?o }
}
"""

_COVERED_QUERY = _PREFIXES + "SELECT ?doc WHERE { GRAPH " + _CLAIMS + " { " + _CLAIMS + " pol:covers ?doc } }"

_CITING_QUERY = _PREFIXES + """
SELECT DISTINCT ?thread WHERE { %s GRAPH """ + _CLAIMS + """ { ?claim pol:reportedIn ?doc ; pol:inThread ?thread } }
"""

_HOLDER_THREADS_QUERY = _PREFIXES + """
SELECT ?thread ?holder ?topic WHERE { %s GRAPH """ + _CLAIMS + """ { ?thread pol:claimHolder ?holder ; pol:threadKind "position" .
  ?claim pol:inThread ?thread ; pol:claimTopic ?topic } }
"""

_THREAD_QUERY = _PREFIXES + """
SELECT ?s ?doc ?member WHERE { %s GRAPH """ + _CLAIMS + """ { ?s pol:inThread ?thread .
  OPTIONAL { ?s pol:reportedIn ?doc } OPTIONAL { ?s prov:wasDerivedFrom ?member } } }
"""

_UPDATING_QUERY = _PREFIXES + "ASK { GRAPH " + _CLAIMS + " { " + _CLAIMS + " pol:updating true } }"


def outlet_of(source: str | None, document: str) -> str:
    """The outlet of a document: the host of its source URL (without ``www.``), its source, else the document.

    >>> outlet_of("https://www.state.gov/briefings/x", "d1")
    'state.gov'
    >>> outlet_of(None, "https://w3id.org/polkg/id/doc/ab12")
    'https://w3id.org/polkg/id/doc/ab12'
    """
    if source:
        parts = urlsplit(source)
        if parts.scheme in ("http", "https") and parts.hostname:
            return parts.hostname.removeprefix("www.")
        return source
    return document


def _values(name: str, iris) -> str:
    """A ``VALUES`` block of IRIs that came from the store itself, each checked and written with ``.n3()``."""
    terms = []
    for iri in iris:
        term = URIRef(iri)
        if any(c in iri for c in '<>"{}|^`\\ \n'):
            raise ValueError(f"not an IRI: {iri!r}")
        terms.append(term.n3())
    return f"VALUES ?{name} {{ {' '.join(terms)} }}"


def _code(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def read_reports(store, documents=None) -> list[Report]:
    """The positions and preconditions of ``documents`` (IRIs; default: every document) as reports."""
    if documents is not None:
        documents = sorted(set(documents))
        if not documents:
            return []
        # one query per document, its graph bound by the engine: an index lookup, not a scan
        return _read(store, (store.query(_REPORT_QUERY % "", {"g": URIRef(doc)}) for doc in documents))
    return _read(store, [store.query(_REPORT_QUERY % "")])


def _read(store, results) -> list[Report]:
    props: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for row in (row for result in results for row in result):
        g = row["g"].value
        if not g.startswith(_DOC_PREFIX):
            continue
        props[g][row["s"].value][_code(row["p"].value)].append(row["o"].value)
    reports = []
    for doc, subjects in props.items():
        meta = subjects.get(doc, {})
        reported = min(meta["date"]) if meta.get("date") else None
        outlet = outlet_of(min(meta["source"]) if meta.get("source") else None, doc)
        spans = {}
        for iri, p in subjects.items():
            ev = subjects.get(iri + "/evidence", {})
            if ev.get("start") and ev.get("end"):
                spans[iri] = (int(ev["start"][0]), int(ev["end"][0]))
        dated = sorted((spans[iri], min(p["date"])) for iri, p in subjects.items()
                       if p.get("speaker") and p.get("date") and iri in spans)
        for iri, p in subjects.items():
            kind = "position" if p.get("holder") else "precondition" if p.get("demander") else None
            if kind is None:
                continue
            quote = subjects.get(iri + "/evidence", {}).get("exact", [""])[0]
            statement = subjects.get(p["statedIn"][0], {}) if p.get("statedIn") else {}
            placed = p.get("saidOn") or None  # the extractor's said-time, resolved with the parse
            said = min(placed) if placed else min(statement["date"]) if statement.get("date") else None
            if p.get("saidUnplaced"):
                pass  # the extractor found no date the text gives: said so, no guess from the quote
            elif said is None and iri in spans:
                start, end = spans[iri]
                said = next((date for (s0, e0), date in dated if s0 < end and start < e0), None)
            if said is None and not p.get("saidUnplaced"):
                said = said_time(quote, reported)
            common = dict(iri=iri, kind=kind, document=doc, outlet=outlet, quote=quote, said=said, reported=reported)
            if kind == "position":
                reports.append(Report(actor=min(p["holder"]), stance=_code(min(p.get("stance", ["?"]))),
                                      topic=min(p.get("topic", [""])), **common))
            else:
                reports.append(Report(actor=min(p["demander"]),
                                      addressee=min(p["addressee"]) if p.get("addressee") else None,
                                      action=_code(min(p.get("action", ["other"]))),
                                      outcome=_code(min(p.get("forOutcome", ["other"]))),
                                      regions=tuple(sorted(set(p.get("region", [])))), **common))
    return reports


def _date(value: str) -> Literal:
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(value), XSD.string)
    return Literal(value, datatype=datatype)


def to_triples(layer: ClaimLayer):
    """The triples of ``layer``'s threads, claims, changes and contradictions (and their subjects)."""
    triples = []
    add = triples.append
    for thread in layer.threads.values():
        t = URIRef(thread.iri)
        add((t, RDF.type, POL.ClaimThread))
        add((t, POL.threadKind, Literal(thread.kind)))
        add((t, POL.claimHolder, URIRef(thread.actor)))
        add((t, POL.threadKey, Literal(thread.key)))
        if thread.addressee:
            add((t, POL.claimAddressee, URIRef(thread.addressee)))
        if thread.kind == "precondition" and thread.action:
            add((t, POL.claimAction, ACT[thread.action]))
        for claim in thread.claims:
            c = URIRef(claim.iri)
            add((c, RDF.type, POL.Claim))
            add((c, POL.inThread, t))
            add((c, POL.claimHolder, URIRef(claim.actor)))
            add((c, POL.claimKind, Literal(claim.kind)))
            if claim.kind == "position":
                add((c, POL.claimStance, ST[claim.stance]))
                add((c, POL.threadKey, Literal(claim.topic or "")))
                for topic in claim.topics:
                    add((c, POL.claimTopic, Literal(topic)))
            else:
                if claim.addressee:
                    add((c, POL.claimAddressee, URIRef(claim.addressee)))
                add((c, POL.claimAction, ACT[claim.action or "other"]))
                add((c, POL.claimOutcome, OUT[claim.outcome or "other"]))
                for region in claim.regions:
                    add((c, POL.claimRegion, URIRef(region)))
            add((c, POL.documentCount, Literal(len(claim.documents))))
            add((c, POL.outletCount, Literal(len(claim.outlets))))
            add((c, POL.unplacedReports, Literal(claim.unplaced)))
            for outlet in claim.outlets:
                add((c, POL.outlet, Literal(outlet)))
            for doc in claim.documents:
                add((c, POL.reportedIn, URIRef(doc)))
            for name, value in (("firstReported", claim.first("reported")), ("lastReported", claim.last("reported")),
                                ("firstSaid", claim.first("said")), ("lastSaid", claim.last("said"))):
                if value:
                    add((c, POL[name], _date(value)))
            for basis in TIME_BASES:
                start, until = thread.spans.get(f"{claim.iri}|{basis}", (None, None))
                if start:
                    add((c, POL.heldFromSaid if basis == "said" else POL.heldFromReported, _date(start)))
                if until:
                    add((c, POL.heldUntilSaid if basis == "said" else POL.heldUntilReported, _date(until)))
            for report in claim.reports:
                a = URIRef(report.iri)
                add((c, PROV.wasDerivedFrom, a))
                add((a, POL.inClaim, c))
                if report.said:
                    add((a, POL.saidOn, _date(report.said)))
                else:
                    add((a, POL.saidUnplaced, Literal(True)))
                if report.reported:
                    add((a, POL.reportedOn, _date(report.reported)))
        for change in thread.changes:
            ch = URIRef(change.iri)
            add((ch, RDF.type, POL.Change))
            add((ch, POL.inThread, t))
            add((ch, POL.changeType, Literal(change.type)))
            add((ch, POL.timeBasis, Literal(change.basis)))
            add((ch, POL.toClaim, URIRef(change.after)))
            add((ch, POL.toQuote, Literal(change.after_quote)))
            if change.before:
                add((ch, POL.fromClaim, URIRef(change.before)))
                add((ch, POL.fromQuote, Literal(change.before_quote or "")))
            if change.time:
                add((ch, POL.changeTime, _date(change.time)))
        for con in thread.contradictions:
            x = URIRef(con.iri)
            add((x, RDF.type, POL.Contradiction))
            add((x, POL.inThread, t))
            add((x, POL.contradictionOf, URIRef(con.first)))
            add((x, POL.contradictionOf, URIRef(con.second)))
            for outlet in sorted(set(con.first_outlets) | set(con.second_outlets)):
                add((x, POL.outlet, Literal(outlet)))
            add((x, POL.firstClaim, URIRef(con.first)))
            add((x, POL.secondClaim, URIRef(con.second)))
            add((x, POL.firstOutlets, Literal("; ".join(con.first_outlets))))
            add((x, POL.secondOutlets, Literal("; ".join(con.second_outlets))))
            add((URIRef(con.first), POL.contradicts, URIRef(con.second)))
            add((URIRef(con.second), POL.contradicts, URIRef(con.first)))
    return triples


class ClaimUpdate:
    """What :func:`update_claims` did: documents added and removed, threads rebuilt."""

    def __init__(self, added: int, removed: int, threads: int, triples: int) -> None:
        self.added, self.removed, self.threads, self.triples = added, removed, threads, triples

    def __repr__(self) -> str:
        return (f"ClaimUpdate(added={self.added}, removed={self.removed}, threads={self.threads}, "
                f"triples={self.triples})")


def _covered(store) -> set[str]:
    return {row["doc"].value for row in store.query(_COVERED_QUERY)}


def rebuild_claims(store) -> ClaimUpdate:
    """Build the claim layer from every document of ``store``, replacing the claim graph."""
    documents = [d for d in store.document_graphs()]
    layer = build_threads(read_reports(store))
    triples = to_triples(layer)
    triples.extend((URIRef(CLAIMS_GRAPH), POL.covers, URIRef(d)) for d in documents)
    store.replace_in_graph(CLAIMS_GRAPH, None, triples)
    return ClaimUpdate(len(documents), 0, len(layer.threads), len(triples))


def update_claims(store, *, changed=()) -> ClaimUpdate:
    """Bring the claim layer up to date with the store's documents, touching only the threads that change.

    ``changed`` names documents whose assertions changed in place (the reviewers'
    corrections applied to them): their claims are built again, as if they had been
    removed and added. Returns a :class:`ClaimUpdate`. A store whose claim graph covers
    no document yet, or whose last update did not finish (``pol:updating``), is built
    whole (:func:`rebuild_claims`).
    """
    current = set(store.document_graphs())
    covered = _covered(store)
    if not covered or store.query(_UPDATING_QUERY):
        return rebuild_claims(store) if current or covered else ClaimUpdate(0, 0, 0, 0)
    added, removed = current - covered, covered - current
    changed = set(changed) & current & covered
    if not added and not removed and not changed:
        return ClaimUpdate(0, 0, 0, 0)
    new = read_reports(store, added | changed)
    affected: set[str] = set()
    for chunk in _chunks(sorted(removed | changed)):
        affected |= {row["thread"].value for row in store.query(_CITING_QUERY % _values("doc", chunk))}
    affected |= {thread_of(r) for r in new if r.kind == "precondition"}
    affected |= _equivalent_threads(store, [r for r in new if r.kind == "position"])
    # the old triples of the affected threads, the documents their claims cite, the assertions behind them
    subjects: set[str] = set(affected)
    cited: set[str] = set()
    members: set[str] = set()
    for chunk in _chunks(sorted(affected)):
        for row in store.query(_THREAD_QUERY % _values("thread", chunk)):
            subjects.add(row["s"].value)
            if row["doc"] is not None:
                cited.add(row["doc"].value)
            if row["member"] is not None:
                members.add(row["member"].value)
    kept = [r for r in read_reports(store, cited - removed - changed) if r.iri in members]
    layer = build_threads(kept + new)
    triples = to_triples(layer)
    triples.extend((URIRef(CLAIMS_GRAPH), POL.covers, URIRef(d)) for d in sorted(added))
    drop = [(URIRef(CLAIMS_GRAPH), POL.covers, URIRef(d)) for d in sorted(removed)]
    store.replace_in_graph(CLAIMS_GRAPH, sorted(subjects | members), triples, remove=drop,
                           marker=(URIRef(CLAIMS_GRAPH), POL.updating, Literal(True)))
    return ClaimUpdate(len(added), len(removed), len(layer.threads), len(triples))


def _equivalent_threads(store, positions: list[Report]) -> set[str]:
    """The position threads of the same holders whose topics are equivalent to one of ``positions``."""
    from kg.claims.topics import topic_actions, topic_lemmas

    holders = sorted({r.actor for r in positions})
    index: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for chunk in _chunks(holders):
        for row in store.query(_HOLDER_THREADS_QUERY % _values("holder", chunk)):
            holder, topic, thread = row["holder"].value, row["topic"].value, row["thread"].value
            for key in _topic_keys(topic, topic_lemmas, topic_actions):
                index[(holder, key)].add((thread, topic))
    found = set()
    for report in positions:
        topic = report.topic or ""
        for key in _topic_keys(topic, topic_lemmas, topic_actions):
            for thread, other in index.get((report.actor, key), ()):
                if thread not in found and same_topic(topic, other):
                    found.add(thread)
    return found


def _topic_keys(topic, topic_lemmas, topic_actions) -> set[str]:
    return {"l:" + w for w in topic_lemmas(topic)} | {"a:" + a for a in topic_actions(topic)}


def _chunks(items: list[str], size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]
