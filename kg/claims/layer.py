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

import functools
from collections import defaultdict
from urllib.parse import urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from kg.claims.build import (
    build_threads, claim_iri, claim_key, finish_thread, new_claim, position_groups, position_thread_iri,
    shared_documents, thread_of, topic_keys,
)
from kg.claims.model import ClaimLayer, ClaimSummary, Report, TIME_BASES, Thread
from kg.claims.said import said_time
from kg.claims.topics import same_topic
from kg.namespaces import ACT, ID, OUT, POL, ST
from kg.sparql import stored_query, with_values

__all__ = ["CLAIMS_GRAPH", "update_claims", "rebuild_claims", "read_reports", "to_triples", "outlet_of",
           "ClaimUpdate"]

CLAIMS_GRAPH = str(ID["graph/claims"])
_DOC_PREFIX = str(ID["doc/"])
_REPORT_QUERY = stored_query("claims_reports")
_COVERED_QUERY = stored_query("claims_covered")
_CITING_QUERY = stored_query("claims_citing")
_HOLDER_THREADS_QUERY = stored_query("claims_holder_threads")
_THREAD_QUERY = stored_query("claims_thread_members")
_UPDATING_QUERY = stored_query("claims_updating")
_VERSION_QUERY = stored_query("claims_version")

LAYER_VERSION = "2"
"""How the layer is built: an update takes the graph's summaries as its own only when the graph
says it was built the same way; raise it whenever what the layer computes from its reports changes."""


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


def _code(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def read_reports(store, documents=None) -> list[Report]:
    """The positions and preconditions of ``documents`` (IRIs; default: every document) as reports."""
    if documents is not None:
        documents = sorted(set(documents))
        if not documents:
            return []
        # one query per document, its graph bound by the engine: an index lookup, not a scan
        return _read(store, (store.query(_REPORT_QUERY, {"g": URIRef(doc)}) for doc in documents))
    return _read(store, [store.query(_REPORT_QUERY)])


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


@functools.lru_cache(maxsize=65536)
def _date(value: str) -> Literal:
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(value), XSD.string)
    return Literal(value, datatype=datatype)


def to_triples(layer: ClaimLayer, *, leave_out=frozenset()):
    """The triples of ``layer``'s threads, claims, changes and contradictions (and their subjects);
    those of the claims ``leave_out`` (IRIs) apart."""
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
            if claim.iri in leave_out:
                continue
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
            summary = claim.totals
            add((c, POL.documentCount, Literal(summary.documents)))
            add((c, POL.outletCount, Literal(len(summary.outlets))))
            add((c, POL.unplacedReports, Literal(summary.unplaced)))
            add((c, POL.claimSummary, Literal(summary.to_json())))
            for outlet in summary.outlets:
                add((c, POL.outlet, Literal(outlet)))
            for doc in claim.documents:
                add((c, POL.reportedIn, URIRef(doc)))
            for name, value in (("firstReported", summary.first("reported")), ("lastReported", summary.last("reported")),
                                ("firstSaid", summary.first("said")), ("lastSaid", summary.last("said"))):
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
        for a, b in sorted(thread.shared):
            add((URIRef(a), POL.sharesDocumentWith, URIRef(b)))
            add((URIRef(b), POL.sharesDocumentWith, URIRef(a)))
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
    """What :func:`update_claims` did: documents added and removed, threads touched (``rebuilt`` of
    them built again from their reports, the others grown by difference), triples written."""

    def __init__(self, added: int, removed: int, threads: int, triples: int, rebuilt: int = 0) -> None:
        self.added, self.removed, self.threads, self.triples, self.rebuilt = added, removed, threads, triples, rebuilt

    def __repr__(self) -> str:
        return (f"ClaimUpdate(added={self.added}, removed={self.removed}, threads={self.threads}, "
                f"rebuilt={self.rebuilt}, triples={self.triples})")


def _covered(store) -> set[str]:
    return {row["doc"].value for row in store.query(_COVERED_QUERY)}


def rebuild_claims(store) -> ClaimUpdate:
    """Build the claim layer from every document of ``store``, replacing the claim graph."""
    documents = [d for d in store.document_graphs()]
    layer = build_threads(read_reports(store))
    triples = to_triples(layer)
    triples.extend((URIRef(CLAIMS_GRAPH), POL.covers, URIRef(d)) for d in documents)
    triples.append((URIRef(CLAIMS_GRAPH), POL.layerVersion, Literal(LAYER_VERSION)))
    store.replace_in_graph(CLAIMS_GRAPH, None, triples)
    return ClaimUpdate(len(documents), 0, len(layer.threads), len(triples), len(layer.threads))


def update_claims(store, *, changed=()) -> ClaimUpdate:
    """Bring the claim layer up to date with the store's documents, touching only the threads that change.

    The reports of documents added join their threads by difference: each claim
    they join takes them into its summary (``pol:claimSummary``), and the thread's
    changes, spans and contradictions are computed again from its claims'
    summaries, so that neither the older reports nor their documents are read.
    A thread is built again from its reports instead when a document it cites is
    removed (it may split), when new positions join it to another thread, or when
    a new report would change its name (a position thread is named after its
    least report). The result is the same, triple for triple, as
    :func:`rebuild_claims`.

    ``changed`` names documents whose graphs were written again in place (the same
    text with other metadata): their old reports go as a removed document's do, and
    their new ones come as an added document's.

    Returns a :class:`ClaimUpdate`. A store whose claim graph covers no document
    yet, whose last update did not finish (``pol:updating``), or that another
    version of the layer built (``pol:layerVersion``, :data:`LAYER_VERSION`), is
    built whole (:func:`rebuild_claims`).
    """
    current = set(store.document_graphs())
    covered = _covered(store)
    versions = {row["v"].value for row in store.query(_VERSION_QUERY)}
    if not covered or store.query(_UPDATING_QUERY) or versions != {LAYER_VERSION}:
        return rebuild_claims(store) if current or covered else ClaimUpdate(0, 0, 0, 0)
    added, removed = current - covered, covered - current
    changed = set(changed) & current & covered
    if not added and not removed and not changed:
        return ClaimUpdate(0, 0, 0, 0)
    new = read_reports(store, added | changed)
    rebuilt: set[str] = set()  # threads built again from their reports
    for chunk in _chunks(sorted(removed | changed)):
        rebuilt |= {row["thread"].value for row in store.query(with_values(_CITING_QUERY, "doc", chunk))}
    joining: dict[str, list[Report]] = defaultdict(list)  # thread -> its new reports
    for report in new:
        if report.kind == "precondition":
            joining[thread_of(report)].append(report)
    components = _position_components(store, [r for r in new if r.kind == "position"])
    states = _thread_states(store, set(joining) | {t for threads, _ in components for t in threads})
    for threads, reports in components:
        if not threads:
            joining[position_thread_iri(reports[0].actor, min(r.iri for r in reports))].extend(reports)
            continue
        (thread, *others) = threads
        state = states.get(thread)
        if others or thread in rebuilt or state is None or not state.claims or min(r.iri for r in reports) < state.head:
            rebuilt |= set(threads)
            joining.setdefault(thread, []).extend(reports)
        else:
            joining[thread].extend(reports)
    rebuilt |= {t for t in joining if t in states and not states[t].claims}  # written before claims had summaries
    slow = [r for t in sorted(rebuilt) for r in joining.pop(t, [])]

    # threads built again: their old triples go, their reports are read from the documents they cite
    subjects: set[str] = set(rebuilt)
    cited: set[str] = set()
    members: set[str] = set()
    for chunk in _chunks(sorted(rebuilt)):
        for row in store.query(with_values(_THREAD_QUERY, "thread", chunk)):
            subjects.add(row["s"].value)
            if row["doc"] is not None:
                cited.add(row["doc"].value)
            if row["member"] is not None:
                members.add(row["member"].value)
    kept = [r for r in read_reports(store, cited - removed - changed) if r.iri in members]
    layer = build_threads(kept + slow)
    triples = to_triples(layer)
    threads = len(layer.threads)

    # threads that new reports join: their claims' summaries take the reports in
    drop = [(URIRef(CLAIMS_GRAPH), POL.covers, URIRef(d)) for d in sorted(removed)]
    # (what the graph holds of such a thread, but its older reports, is what its state gives)
    grown, before = ClaimLayer(), ClaimLayer()
    unchanged: set[str] = set()  # claims no new report joins whose spans stay: their triples stay as they are
    for iri, reports in sorted(joining.items()):
        state = states.get(iri)
        after = grown.threads[iri] = _grow(iri, state, reports)
        if state is not None:
            old_thread = before.threads[iri] = _grow(iri, state, [])
            unchanged |= {c.iri for c in after.claims if not c.reports and all(
                old_thread.spans.get(f"{c.iri}|{basis}") == after.spans.get(f"{c.iri}|{basis}")
                for basis in TIME_BASES)}
    old, now = set(to_triples(before, leave_out=unchanged)), to_triples(grown, leave_out=unchanged)
    drop.extend(t for t in old.difference(now))
    triples.extend(t for t in now if t not in old)
    threads += len(grown.threads)

    triples.extend((URIRef(CLAIMS_GRAPH), POL.covers, URIRef(d)) for d in sorted(added))
    store.replace_in_graph(CLAIMS_GRAPH, sorted(subjects | members), triples, remove=drop,
                           marker=(URIRef(CLAIMS_GRAPH), POL.updating, Literal(True)))
    return ClaimUpdate(len(added), len(removed), threads, len(triples), len(layer.threads))


class _ThreadState:
    """What the claim graph holds of one thread: its claims' summaries and the claims that share a document."""

    def __init__(self) -> None:
        self.claims: dict[str, ClaimSummary] = {}
        self.shared: set[tuple[str, str]] = set()

    @property
    def head(self) -> str:
        return min(s.head for s in self.claims.values())


_STATE_QUERY = stored_query("claims_thread_states")

def _thread_states(store, threads: set[str]) -> dict[str, _ThreadState]:
    """The state of each of ``threads`` that the claim graph holds (threads it lacks are left out; one
    without claim summaries was written by an older polkg)."""
    states: dict[str, _ThreadState] = {}
    for chunk in _chunks(sorted(threads)):
        for row in store.query(with_values(_STATE_QUERY, "thread", chunk)):
            state = states.setdefault(row["thread"].value, _ThreadState())
            subject = row["s"].value
            if row["summary"] is not None:
                state.claims[subject] = ClaimSummary.from_json(row["summary"].value)
                if row["other"] is not None:
                    state.shared.add(tuple(sorted((subject, row["other"].value))))
    return states


def _grow(iri: str, state: _ThreadState | None, reports: list[Report]) -> Thread:
    """Thread ``iri`` (as ``state`` holds it, or new) with ``reports`` of new documents taken in.

    Its claims carry only the new reports, so its triples leave out those of the older ones; with no
    ``reports``, it is the thread as the graph holds it."""
    by_claim: dict[str, list[Report]] = defaultdict(list)
    summaries = dict(state.claims) if state else {}
    for report in reports:
        by_claim[claim_iri(iri, claim_key(report))].append(report)
    claims = []
    for claim, members in by_claim.items():
        members.sort(key=lambda r: r.iri)
        old = summaries.pop(claim, None)
        claims.append(new_claim(iri, old.add(members) if old else ClaimSummary.of(members), members))
    claims.extend(new_claim(iri, summary, []) for summary in summaries.values())
    kind, actor, _, addressee, action, _, _ = claims[0].totals.what
    shared = shared_documents(claims) | (state.shared if state else set())
    thread = Thread(iri, kind, actor, "", addressee if kind == "precondition" else None, action, claims,
                    shared=shared)
    return finish_thread(thread)


def _position_components(store, positions: list[Report]) -> list[tuple[list[str], list[Report]]]:
    """New positions grouped as the whole layer would group them: per component of ``same_topic``
    among them and the holders' threads in the claim graph, its threads (sorted) and its new reports."""
    if not positions:
        return []
    by_holder: dict[str, list[Report]] = defaultdict(list)
    for report in positions:
        by_holder[report.actor].append(report)
    index: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for chunk in _chunks(sorted(by_holder)):
        for row in store.query(with_values(_HOLDER_THREADS_QUERY, "holder", chunk)):
            holder, topic, thread = row["holder"].value, row["topic"].value, row["thread"].value
            for key in topic_keys(topic):
                index[(holder, key)].add((thread, topic))
    found = []
    for holder, reports in sorted(by_holder.items()):
        for group in position_groups(reports):
            threads: set[str] = set()
            for topic in {r.topic or "" for r in group}:
                for key in topic_keys(topic):
                    for thread, other in index.get((holder, key), ()):
                        if thread not in threads and same_topic(topic, other):
                            threads.add(thread)
            found.append((sorted(threads), group))
    # groups of new reports that join one thread are one component with it
    parent = list(range(len(found)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_group: dict[str, int] = {}
    for i, (threads, _) in enumerate(found):
        for thread in threads:
            j = first_group.setdefault(thread, i)
            parent[find(i)] = find(j)
    components: dict[int, tuple[set[str], list[Report]]] = {}
    for i, (threads, group) in enumerate(found):
        into = components.setdefault(find(i), (set(), []))
        into[0].update(threads)
        into[1].extend(group)
    return [(sorted(threads), group) for threads, group in components.values()]


def _chunks(items: list[str], size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]
