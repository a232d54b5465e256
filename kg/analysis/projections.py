"""From the store to networkx: one function per projection.

Each projection takes an open store (or the :class:`~kg.analysis.facts.Facts`
already read from it, to read the store once for several projections) and
returns a networkx graph whose nodes are keyed by IRI. Node attributes are
``name``, ``type`` (the ontology class's local name), ``roles`` and, where
known, ``wikidata`` and ``side`` (the actor a person speaks for). Aggregated
edges carry ``assertions`` (how many assertions support them), ``documents``
(how many documents) and ``weight`` (= ``documents``, what the measures use).

================================  ==========================================  =====================================
function                          nodes                                       edges
================================  ==========================================  =====================================
:func:`actor_graph`               actors                                      demands_of, addresses, speaks_for,
                                                                              co_mentioned
:func:`region_graph`              actors and regions (bipartite)              demands_about, position_about
:func:`position_graph`            actors and position topics (bipartite)      stance of an actor on a topic
:func:`precondition_graph`        demanders, actions, addressees, outcomes    demander → action → addressee →
                                                                              outcome (a DAG)
:func:`to_networkx`               actors and regions                          one edge per assertion (the viewer)
================================  ==========================================  =====================================
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import networkx as nx

from kg.analysis.facts import Facts, read_facts, topic_words
from kg.namespaces import ID
from kg.sparql import stored_query

__all__ = [
    "to_networkx",
    "actor_graph",
    "region_graph",
    "position_graph",
    "precondition_graph",
    "facts_of",
    "ACTOR_RELATIONS",
    "EVIDENCE_RELATIONS",
    "TOPIC_BASE",
    "EDGE_QUERY",
]

ACTOR_RELATIONS = ("demands_of", "concerns", "addresses", "speaks_for", "co_mentioned")
"""The kinds of edges of :func:`actor_graph`."""
EVIDENCE_RELATIONS = ("demands_of", "concerns", "addresses", "speaks_for")
"""The actor relations that rest on assertions with a quote (co-mentions rest on documents only)."""
TOPIC_BASE = str(ID["topic/"])
"""Position topics are keyed ``TOPIC_BASE + their content words``."""
LAYERS = ("demander", "action", "addressee", "outcome")
"""The layers of :func:`precondition_graph`, in the order its edges run."""

EDGE_QUERY = stored_query("projection_edges")
"""One row per edge of :func:`to_networkx` (positions excepted), for SPARQL users."""


def facts_of(store) -> Facts:
    """``store`` itself when it is already :class:`Facts`, else what :func:`read_facts` reads from it."""
    return store if isinstance(store, Facts) else read_facts(store)


def _add_entity(G: nx.Graph, facts: Facts, iri: str, **extra) -> None:
    if iri in G:
        return
    entity = facts.entities.get(iri)
    data = {"name": facts.name(iri), "type": entity.type if entity else "Actor",
            "roles": entity.roles if entity else ("actor",), "side": facts.side(iri)}
    if entity and entity.wikidata:
        data["wikidata"] = entity.wikidata
    G.add_node(iri, **data, **extra)


class _Tally:
    """Assertions and documents behind each aggregated edge."""

    def __init__(self) -> None:
        self.assertions: dict[tuple, set[str]] = defaultdict(set)
        self.documents: dict[tuple, set[str]] = defaultdict(set)

    def add(self, key: tuple, assertion: str | None, document: str) -> None:
        if assertion is not None:
            self.assertions[key].add(assertion)
        self.documents[key].add(document)

    def keys(self) -> list[tuple]:
        return sorted(self.documents)

    def attributes(self, key: tuple) -> dict:
        documents = len(self.documents[key])
        return {"assertions": len(self.assertions[key]), "documents": documents, "weight": float(documents),
                "evidence": tuple(sorted(self.assertions[key]))}


def actor_graph(store, *, relations: tuple[str, ...] = ACTOR_RELATIONS) -> nx.MultiDiGraph:
    """Return the actor–actor graph: who demands of, addresses, speaks for, or appears with whom.

    Parameters
    ----------
    store : kg.store.OxigraphStore or kg.analysis.facts.Facts
        An open store, or the facts already read from it.
    relations : tuple of str, optional (default= :data:`ACTOR_RELATIONS`)
        Which edges to build:

        ``demands_of``
            demander → addressee, from preconditions.
        ``concerns``
            demander → an actor the demanded action is about (``pol:concerns``:
            "Russia demands that Ukraine renounce joining NATO" links Russia to NATO).
        ``addresses``
            speaker → the addressee of a demand made in their statement
            (``pol:statedIn``), unless the speaker speaks for the addressee;
            supported by the demand and the statement.
        ``speaks_for``
            person → the actor they speak for (reference data or extraction),
            supported by the person's statements and the documents naming them.
        ``co_mentioned``
            two actors named in the same document; stored once, from the smaller
            IRI to the larger, with ``directed=False``.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes are the actors mentioned in documents. Edges are keyed by their
        kind (``G.edges[u, v, "demands_of"]``) and carry ``kind``,
        ``assertions``, ``documents``, ``weight`` (= ``documents``),
        ``directed`` and ``evidence`` (the IRIs of the supporting assertions,
        a tuple). ``G.graph["assertions"]`` maps those IRIs to their
        :class:`~kg.analysis.facts.Assertion` (quote, document, offsets, date).

    See Also
    --------
    kg.analysis.actor_centrality, kg.analysis.actor_communities, kg.analysis.explain_connection

    Examples
    --------
    >>> from kg.analysis.facts import Facts, Entity
    >>> facts = Facts(entities={"A": Entity("A", "A", "State", ("actor",)),
    ...                         "B": Entity("B", "B", "State", ("actor",))},
    ...               mentions={"doc1": {"A", "B"}})
    >>> G = actor_graph(facts)
    >>> G.edges["A", "B", "co_mentioned"]["documents"]
    1
    """
    facts = facts_of(store)
    unknown = set(relations) - set(ACTOR_RELATIONS)
    if unknown:
        raise ValueError(f"unknown actor relation {sorted(unknown)[0]!r}; known: {', '.join(ACTOR_RELATIONS)}")
    G = nx.MultiDiGraph(projection="actors", assertions=facts.assertions)
    actors = sorted({a for mentioned in facts.mentions.values() for a in mentioned}
                    | {e.iri for e in facts.entities.values() if e.is_actor})
    for iri in actors:
        _add_entity(G, facts, iri)
    tally = _Tally()
    for item in facts.assertions.values():
        if item.kind == "precondition" and "concerns" in relations:
            for actor in item.concerns:
                if actor != item.actor:
                    tally.add((item.actor, actor, "concerns"), item.iri, item.document)
        if item.kind != "precondition" or not item.addressee:
            continue
        if "demands_of" in relations and item.addressee != item.actor:
            tally.add((item.actor, item.addressee, "demands_of"), item.iri, item.document)
        said = facts.assertions.get(item.statement) if item.statement else None
        if "addresses" in relations and said is not None and said.actor not in (item.addressee, item.actor):
            entity = facts.entities.get(said.actor)
            if item.addressee not in (entity.speaks_for if entity else ()):
                tally.add((said.actor, item.addressee, "addresses"), item.iri, item.document)
                tally.add((said.actor, item.addressee, "addresses"), said.iri, said.document)
    if "speaks_for" in relations:
        for item in facts.of_kind("statement"):
            entity = facts.entities.get(item.actor)
            for actor in entity.speaks_for if entity else ():
                tally.add((item.actor, actor, "speaks_for"), item.iri, item.document)
        for doc, mentioned in facts.mentions.items():
            for person in mentioned:
                entity = facts.entities.get(person)
                for actor in entity.speaks_for if entity else ():
                    tally.add((person, actor, "speaks_for"), None, doc)
    if "co_mentioned" in relations:
        for doc, mentioned in facts.mentions.items():
            for a, b in combinations(sorted(mentioned), 2):
                tally.add((a, b, "co_mentioned"), None, doc)
    for u, v, kind in tally.keys():
        _add_entity(G, facts, u)
        _add_entity(G, facts, v)
        G.add_edge(u, v, key=kind, kind=kind, directed=kind != "co_mentioned", **tally.attributes((u, v, kind)))
    return G


def region_graph(store) -> nx.MultiDiGraph:
    """Return the bipartite actor–region graph: who makes demands (or takes positions) about which region.

    Parameters
    ----------
    store : kg.store.OxigraphStore or kg.analysis.facts.Facts

    Returns
    -------
    networkx.MultiDiGraph
        Actor nodes have ``bipartite=0``, region nodes ``bipartite=1``. An edge
        ``actor -> region`` keyed ``demands_about`` aggregates the preconditions
        of that demander naming that region (``actions`` and ``addressees``
        list their codes and names, ``"; "``-joined); ``position_about`` does
        the same for positions stated about a region (``pol:region`` on a
        position), which is how a claim to or control of a region is recorded
        when the data states one. Regions mentioned in documents without any
        such assertion are nodes without edges.

    See Also
    --------
    kg.analysis.contested_regions
    """
    facts = facts_of(store)
    G = nx.MultiDiGraph(projection="regions")
    for entity in sorted(facts.entities.values(), key=lambda e: e.iri):
        if entity.is_region:
            _add_entity(G, facts, entity.iri, bipartite=1)
    tally = _Tally()
    detail: dict[tuple, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for item in facts.assertions.values():
        kind = {"precondition": "demands_about", "position": "position_about"}.get(item.kind)
        for region in item.regions if kind else ():
            key = (item.actor, region, kind)
            tally.add(key, item.iri, item.document)
            if item.kind == "precondition":
                detail[key]["actions"].add(item.action)
                if item.addressee:
                    detail[key]["addressees"].add(facts.name(item.addressee))
            else:
                detail[key]["stances"].add(f"{item.stance} {item.topic}")
    for u, v, kind in tally.keys():
        _add_entity(G, facts, u, bipartite=0)
        _add_entity(G, facts, v, bipartite=1)
        extra = {name: "; ".join(sorted(values)) for name, values in detail[(u, v, kind)].items()}
        G.add_edge(u, v, key=kind, kind=kind, **tally.attributes((u, v, kind)), **extra)
    return G


def topic_key(topic: str) -> str:
    """The node key of a position topic: :data:`TOPIC_BASE` and its sorted content words.

    >>> topic_key("Peaceful negotiations")
    'https://w3id.org/polkg/id/topic/negot-peace'
    """
    words = sorted(topic_words(topic)) or [topic.casefold().strip()]
    return TOPIC_BASE + "-".join(words)


def position_graph(store) -> nx.DiGraph:
    """Return the bipartite actor–position graph: which actor supports or opposes which topic.

    Topics with the same content words (:func:`kg.analysis.facts.topic_words`)
    are one node.

    Parameters
    ----------
    store : kg.store.OxigraphStore or kg.analysis.facts.Facts

    Returns
    -------
    networkx.DiGraph
        Actor nodes (``bipartite=0``) point to topic nodes (``bipartite=1``,
        ``type="Topic"``, ``name`` the topic's most frequent wording, ``words``
        its content words space-joined). An edge carries ``supports`` and
        ``opposes`` (counts of positions), ``stance`` (``supports``,
        ``opposes`` or ``mixed``), ``sign`` (+1, -1 or 0), ``assertions``,
        ``documents``, ``weight`` and ``evidence``.

    See Also
    --------
    kg.analysis.alignment_graph
    """
    facts = facts_of(store)
    G = nx.DiGraph(projection="positions")
    tally = _Tally()
    stances: dict[tuple, dict[str, int]] = defaultdict(lambda: {"supports": 0, "opposes": 0})
    wordings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in sorted(facts.of_kind("position"), key=lambda a: a.iri):
        key = topic_key(item.topic)
        wordings[key][item.topic] += 1
        tally.add((item.actor, key), item.iri, item.document)
        if item.stance in ("supports", "opposes"):
            stances[(item.actor, key)][item.stance] += 1
    for key, counts in sorted(wordings.items()):
        name = max(counts, key=lambda t: (counts[t], -len(t), t))
        G.add_node(key, name=name, type="Topic", roles=("topic",), bipartite=1,
                   words=" ".join(sorted(topic_words(name))))
    for actor, key in tally.keys():
        _add_entity(G, facts, actor, bipartite=0)
        counts = stances[(actor, key)]
        sign = (counts["supports"] > counts["opposes"]) - (counts["supports"] < counts["opposes"])
        stance = {1: "supports", -1: "opposes", 0: "mixed"}[sign]
        G.add_edge(actor, key, supports=counts["supports"], opposes=counts["opposes"], stance=stance, sign=sign,
                   **tally.attributes((actor, key)))
    return G


def precondition_graph(store) -> nx.DiGraph:
    """Return the precondition graph, a DAG: demander → action → addressee → outcome.

    Read a path as "*demander* demands that *addressee* do *action*, as a
    condition of *outcome*". Every node belongs to one layer of
    :data:`LAYERS` and every edge runs to a later layer, so the graph is
    acyclic even when two actors make demands of each other.

    Parameters
    ----------
    store : kg.store.OxigraphStore or kg.analysis.facts.Facts

    Returns
    -------
    networkx.DiGraph
        Node keys are ``"demander:" + IRI``, ``"action:" + code + "|" +
        addressee IRI + "|" + region IRIs``, ``"addressee:" + IRI`` and
        ``"outcome:" + code``; nodes carry ``layer``, ``layer_index`` (0-3),
        ``name`` and ``iri`` (actors), ``action`` with ``regions`` (region
        names, ``"; "``-joined), or ``outcome`` with ``stage`` (its place in
        a peace process). An action node is one demanded action of one
        addressee about one set of regions. Edges carry ``preconditions``
        (count), ``documents``, ``weight`` and ``evidence``. A precondition
        without addressee goes from its action straight to its outcome.

    Examples
    --------
    >>> from kg.analysis.facts import Facts, Assertion
    >>> pre = Assertion("p1", "precondition", "Russia", "doc1", "...", 0, 3, addressee="Ukraine",
    ...                 action="withdraw_forces", outcome="ceasefire")
    >>> D = precondition_graph(Facts(assertions={"p1": pre}))
    >>> nx.dag_longest_path(D)  # doctest: +NORMALIZE_WHITESPACE
    ['demander:Russia', 'action:withdraw_forces|Ukraine|', 'addressee:Ukraine', 'outcome:ceasefire']
    """
    facts = facts_of(store)
    D = nx.DiGraph(projection="preconditions")
    tally = _Tally()
    for item in sorted(facts.of_kind("precondition"), key=lambda a: a.iri):
        outcome = item.outcome or "other"
        demander, action_node = "demander:" + item.actor, "action:" + "|".join(
            [item.action, item.addressee or "", ",".join(item.regions)])
        outcome_node = "outcome:" + outcome
        D.add_node(demander, layer="demander", layer_index=0, name=facts.name(item.actor), iri=item.actor,
                   type=facts.entities[item.actor].type if item.actor in facts.entities else "Actor")
        regions = "; ".join(facts.name(r) for r in item.regions)
        D.add_node(action_node, layer="action", layer_index=1, action=item.action, regions=regions,
                   name=item.action + (f" ({regions})" if regions else ""), type="Action")
        D.add_node(outcome_node, layer="outcome", layer_index=3, outcome=outcome, name=outcome, type="Outcome",
                   stage=facts.stages.get(outcome, 9))
        chain = [demander, action_node]
        if item.addressee:
            addressee = "addressee:" + item.addressee
            D.add_node(addressee, layer="addressee", layer_index=2, name=facts.name(item.addressee),
                       iri=item.addressee,
                       type=facts.entities[item.addressee].type if item.addressee in facts.entities else "Actor")
            chain.append(addressee)
        chain.append(outcome_node)
        for u, v in zip(chain, chain[1:]):
            tally.add((u, v), item.iri, item.document)
    for u, v in tally.keys():
        attributes = tally.attributes((u, v))
        D.add_edge(u, v, preconditions=attributes.pop("assertions"), **attributes)
    return D


def to_networkx(store, *, positions: bool = False) -> nx.MultiDiGraph:
    """Return the actor–region graph of the store, one edge per assertion (what the viewer draws).

    Parameters
    ----------
    store : kg.store.OxigraphStore or kg.analysis.facts.Facts
    positions : bool, optional (default=False)
        Also draw each position as an edge from its holder to a topic node.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes are actors and regions (IRI keys) with ``name``, ``type`` (the
        ontology class's local name), ``role`` (``actor``/``region``),
        ``roles`` and ``wikidata``. Each edge is one assertion: ``kind`` is
        ``demands_of`` (demander → addressee), ``demands_about`` (demander →
        region), ``concerns`` (demander → an actor the demanded action is
        about), ``speaks_for`` (speaker → the actor they speak for, one per
        statement) or, with ``positions=True``, ``position`` (holder → topic
        node); it carries ``label``, ``quote``, ``document``, ``start``,
        ``end`` and ``assertion``.
    """
    facts = facts_of(store)
    G = nx.MultiDiGraph(projection="assertions")

    def node(iri: str) -> None:
        if iri in G:
            return
        entity = facts.entities.get(iri)
        roles = entity.roles if entity else ("actor",)
        G.add_node(iri, name=facts.name(iri), type=entity.type if entity else "Actor", role=roles[0], roles=roles,
                   wikidata=entity.wikidata if entity else None, side=facts.side(iri))

    for entity in sorted(facts.entities.values(), key=lambda e: e.iri):
        node(entity.iri)

    def edge(source: str, target: str, kind: str, label: str, item) -> None:
        node(source)
        node(target)
        G.add_edge(source, target, key=f"{item.iri}#{kind}", kind=kind, label=label, quote=item.quote,
                   document=item.document, start=item.start, end=item.end, assertion=item.iri)

    for item in sorted(facts.assertions.values(), key=lambda a: a.iri):
        if item.kind == "precondition":
            if item.addressee:
                edge(item.actor, item.addressee, "demands_of", item.action, item)
            for region in item.regions:
                edge(item.actor, region, "demands_about", item.action, item)
            for actor in item.concerns:
                edge(item.actor, actor, "concerns", item.action, item)
        elif item.kind == "statement":
            entity = facts.entities.get(item.actor)
            for actor in entity.speaks_for if entity else ():
                edge(item.actor, actor, "speaks_for", "speaks for", item)
        elif item.kind == "position" and positions:
            key = topic_key(item.topic)
            if key not in G:
                G.add_node(key, name=item.topic, type="Topic", role="topic", roles=("topic",), wikidata=None)
            edge(item.actor, key, "position", f"{item.stance} {item.topic}", item)
    return G
