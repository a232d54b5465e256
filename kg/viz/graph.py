"""The graph the viewer draws, read from the store with SPARQL.

:func:`kg.analysis.to_networkx` projects the store onto actors and regions.
The viewer needs more: the documents, and each position and precondition as a
node of its own, so that every edge can say which sentence of which document it
comes from. :func:`to_view_graph` builds that graph; :func:`query_graph` draws
the result of a CONSTRUCT query instead; :func:`neighbourhood` and
:func:`keep_central` cut either down to what a page can show.

Nodes carry ``name``, ``type`` (an ontology class's local name, see
:data:`kg.viz.styles.NODE_STYLES`), ``labels`` (every name it goes by),
``wikidata``, ``documents`` (the documents it comes from), ``date`` and, for
an assertion, ``quote``, ``document``, ``start``, ``end`` and ``facts``
(label/value pairs for the details panel). Edges carry ``kind``, ``label`` and
the same provenance fields. ``G.graph["documents"]`` maps each document IRI to
its ``title``, ``date``, ``source`` and ``path``.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

from kg.corrections import read_corrections
from kg.errors import QueryError
from kg.namespaces import DCTERMS, POL, RDF, RDFS, SKOS
from kg.sparql import stored_query, with_values
from kg.store import REFERENCE_GRAPH

__all__ = [
    "to_view_graph",
    "query_graph",
    "neighbourhood",
    "keep_central",
    "centrality",
    "find_nodes",
    "LeftOut",
]

_POL = str(POL)

# Queries are shaped for Oxigraph on disk: few joins each, the rest joined in Python
# (one query joining mentions, classes and labels took 8x as long at a million triples).
DOCUMENT_QUERY = stored_query("view_documents")
MENTION_QUERY = stored_query("view_mentions")
ENTITY_QUERY = stored_query("view_entities")
ALT_LABEL_QUERY = stored_query("view_alt_labels")
ASSERTION_QUERY = stored_query("view_assertions")
EVIDENCE_QUERY = stored_query("view_evidence")
ROLE_QUERY = stored_query("view_roles")
VOCAB_QUERY = stored_query("view_vocabulary")
CONCEPT_QUERY = stored_query("view_concepts")
SPEAKS_FOR_QUERY = stored_query("view_speaks_for")
NAME_QUERY = stored_query("view_names")

_ASSERTION_TYPES = {"Statement", "Position", "Precondition"}


def shown_path(relative: str | None, location: str | None) -> str | None:
    """What the viewer shows of where a document was read: its path relative to the folder it
    was ingested from; for a store written before that was recorded, the path as given when it
    is relative, else only the file's name (never the machine's absolute path).

    >>> shown_path("2024/a.txt", "/srv/news/2024/a.txt"), shown_path(None, "/srv/news/a.txt:3")
    ('2024/a.txt', 'a.txt:3')
    >>> shown_path(None, "seeds/b.txt"), shown_path(None, None)
    ('seeds/b.txt', None)
    """
    if relative:
        return relative
    if not location:
        return None
    if location.startswith(("/", "~", "\\")) or (len(location) > 2 and location[1] == ":" and location[2] in "\\/"):
        return location.replace("\\", "/").rsplit("/", 1)[-1]
    return location


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]


def _value(term) -> str | None:
    return None if term is None else term.value


def _english_first(rows, key: str) -> str | None:
    """The English (or language-less) value first, else any."""
    values = [row[key] for row in rows if row[key] is not None]
    for term in values:
        if getattr(term, "language", None) in (None, "en"):
            return term.value
    return values[0].value if values else None


def _add_unique(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)


def to_view_graph(store, *, raw: bool = False) -> nx.MultiDiGraph:
    """The graph of the viewer: actors, regions, documents, positions, preconditions, outcomes.

    Parameters
    ----------
    store : kg.store.OxigraphStore
        An open store.
    raw : bool, optional (default=False)
        Draw what the extractor asserted, without the reviewers' corrections
        (:mod:`kg.corrections`); by default a correction replaces the fields it
        sets and an assertion marked wrong is left out.

    Returns
    -------
    networkx.MultiDiGraph
        A node per actor or region mentioned in a document, per document, per
        position and precondition, and per outcome a precondition is for. A
        statement is an edge ``speaker -> document`` (``kind="statement"``); a
        position is reached by ``holder -> position`` (``kind="holds"``); a
        precondition by ``demander -> precondition`` (``demands``) and left by
        ``-> addressee`` (``addressee``), ``-> region`` (``about``), ``-> actor``
        the demanded action is about (``concerns``) and
        ``-> outcome`` (``for``); each assertion points to its document
        (``in``). ``speaks_for`` edges link a person to the actor they speak for.
    """
    G = nx.MultiDiGraph()
    documents: dict[str, dict] = {}
    for row in store.query(DOCUMENT_QUERY):
        iri = row["document"].value
        documents[iri] = {
            "title": _value(row["title"]), "date": _value(row["date"]),
            "source": _value(row["source"]), "path": shown_path(_value(row["relative"]), _value(row["path"])),
        }
    G.graph["documents"] = documents
    for iri, info in documents.items():
        name = info["title"] or (info["path"] or "").rsplit("/", 1)[-1] or _local(iri)
        G.add_node(iri, name=name, type="Document", labels=[name], documents=[iri], date=info["date"],
                   wikidata=None, facts=[])

    _add_entities(store, G)
    concepts = {row["concept"].value: row["label"].value for row in store.query(CONCEPT_QUERY)}
    vocab: dict[str, dict[str, str]] = {}
    for row in store.query(VOCAB_QUERY):
        vocab.setdefault(_local(row["class"].value), {})[row["concept"].value] = row["label"].value
    G.graph["vocab"] = {kind: sorted(items.items(), key=lambda item: item[1]) for kind, items in vocab.items()}
    corrections = {} if raw else read_corrections(store)
    G.graph["corrections"] = len(corrections)
    _add_assertions(store, G, documents, concepts, corrections)

    for row in store.query(SPEAKS_FOR_QUERY):
        person, actor, graph = row["person"].value, row["actor"].value, row["graph"].value
        if person in G and actor in G and G.nodes[person]["type"] == "Person":
            if G.has_edge(person, actor, key="speaks_for"):
                continue
            source = "reference data" if graph == REFERENCE_GRAPH else None
            G.add_edge(person, actor, key="speaks_for", kind="speaks_for", label="speaks for",
                       document=graph if graph in documents else None, source=source,
                       quote=None, start=None, end=None, date=None)
    return G


def _add_entities(store, G: nx.MultiDiGraph) -> None:
    mentioned: dict[str, dict[str, None]] = {}  # node -> its documents, in order
    roles: dict[str, set[str]] = {}
    for row in store.query(MENTION_QUERY):
        node = row["node"].value
        mentioned.setdefault(node, {})[row["document"].value] = None
        roles.setdefault(node, set()).add(row["role"].value)
    rows_by_node: dict[str, list] = {}
    for row in store.query(ENTITY_QUERY):
        if row["node"].value in mentioned:
            rows_by_node.setdefault(row["node"].value, []).append(row)
    for iri, docs in mentioned.items():
        rows = rows_by_node.get(iri, [])
        classes = sorted({_local(row["class"].value) for row in rows})
        # an entity that is both an actor and a region (Kosovo) is drawn as the actor
        specific = [c for c in classes if c not in ("Actor", "Region")]
        kind = (specific or (["Actor"] if "actor" in roles[iri] else ["Region"]))[0]
        name = _english_first(rows, "name") or _local(iri)
        G.add_node(iri, name=name, type=kind, labels=[name], wikidata=_english_first(rows, "wikidata"),
                   documents=list(docs), date=None, facts=[("Role", " and ".join(sorted(roles[iri])))])
    for row in store.query(ALT_LABEL_QUERY):
        node = row["node"].value
        if node in G:
            _add_unique(G.nodes[node]["labels"], row["label"].value)


def _add_assertions(store, G: nx.MultiDiGraph, documents: dict, concepts: dict[str, str],
                    corrections: dict[str, dict]) -> None:
    types = {row["assertion"].value: _local(row["class"].value) for row in store.query(ASSERTION_QUERY)}
    evidence: dict[str, dict] = {}
    for row in store.query(EVIDENCE_QUERY):
        assertion = row["assertion"].value
        if assertion in types:
            evidence[assertion] = {
                "type": types[assertion], "quote": row["quote"].value, "document": row["document"].value,
                "start": int(row["start"].value), "end": int(row["end"].value),
            }
    roles: dict[str, dict[str, list[str]]] = {}
    for row in store.query(ROLE_QUERY):
        by_role = roles.setdefault(row["assertion"].value, {})
        by_role.setdefault(_local(row["role"].value), []).append(row["value"].value)
    # a reviewer's correction replaces the fields it sets; one marked wrong is left out
    for assertion, correction in corrections.items():
        if correction["wrong"]:
            evidence.pop(assertion, None)
        elif assertion in evidence:
            roles.setdefault(assertion, {}).update(correction["values"])

    def name(node: str) -> str:
        return G.nodes[node]["name"] if node in G else _local(node)

    def first(assertion: str, role: str) -> str | None:
        values = roles.get(assertion, {}).get(role)
        return sorted(values)[0] if values else None

    def ensure(node: str, kind: str) -> None:
        if node not in G:
            label = concepts.get(node, _local(node))
            G.add_node(node, name=label, type=kind, labels=[label], wikidata=None, documents=[], date=None, facts=[])

    outcome_documents: dict[str, dict[str, None]] = {}

    def connect(u: str, v: str, key: str, kind: str, label: str, prov: dict, date: str | None) -> None:
        G.add_edge(u, v, key=key, kind=kind, label=label, quote=prov["quote"], document=prov["document"],
                   start=prov["start"], end=prov["end"], date=date)
        if kind == "for":  # an outcome comes from the documents of the preconditions it is the goal of
            outcome_documents.setdefault(v, {})[prov["document"]] = None

    for assertion in sorted(evidence):
        prov = evidence[assertion]
        kind = prov["type"]
        doc = prov["document"]
        doc_date = documents.get(doc, {}).get("date")
        statement = first(assertion, "statedIn")
        said_on = first(statement, "date") if statement else None
        date = first(assertion, "date") or said_on or doc_date
        if kind == "Statement":
            speaker = first(assertion, "speaker")
            if speaker is None or doc not in G:
                continue
            ensure(speaker, "Actor")
            via = first(assertion, "via")
            G.add_edge(speaker, doc, key=assertion, kind="statement", label="said", quote=prov["quote"],
                       document=doc, start=prov["start"], end=prov["end"], date=date, via=via)
            continue
        facts: list[tuple[str, str]] = []
        if assertion in corrections:
            facts.append(("Corrected", corrections[assertion]["time"]))
        if statement and first(statement, "speaker"):
            facts.append(("Voiced by", name(first(statement, "speaker"))))
        if kind == "Position":
            holder, topic = first(assertion, "holder"), first(assertion, "topic") or ""
            stance = _local(first(assertion, "stance") or "stance")
            label = f"{stance} {topic}".strip()
            facts[:0] = [("Holder", name(holder) if holder else "?"), ("Stance", stance), ("Topic", topic)]
            G.add_node(assertion, name=label, type="Position", labels=[label, topic], wikidata=None,
                       documents=[doc], date=date, facts=facts, holder=holder, stance=stance, topic=topic,
                       stance_iri=first(assertion, "stance"), corrected=assertion in corrections,
                       speaker=first(statement, "speaker") if statement else None, **_prov_fields(prov))
            if holder:
                ensure(holder, "Actor")
                connect(holder, assertion, assertion + "#holds", "holds", stance, prov, date)
        else:
            action = first(assertion, "action")
            label = concepts.get(action, _local(action)) if action else "precondition"
            outcome = first(assertion, "forOutcome")
            demander = first(assertion, "demander")
            addressees = sorted(roles.get(assertion, {}).get("addressee", []))
            regions = sorted(roles.get(assertion, {}).get("region", []))
            concerned = sorted(roles.get(assertion, {}).get("concerns", []))
            facts[:0] = [("Demander", name(demander) if demander else "?")]
            if addressees:
                facts.append(("Addressee", ", ".join(name(a) for a in addressees)))
            if regions:
                facts.append(("Regions", ", ".join(name(r) for r in regions)))
            if concerned:
                facts.append(("Concerns", ", ".join(name(a) for a in concerned)))
            if outcome:
                facts.append(("For", concepts.get(outcome, _local(outcome))))
            G.add_node(assertion, name=label, type="Precondition", labels=[label], wikidata=None,
                       documents=[doc], date=date, facts=facts, demander=demander, addressees=addressees,
                       regions=regions, action=label, action_code=_local(action) if action else None,
                       action_iri=action, outcome_iri=outcome, corrected=assertion in corrections,
                       outcome=concepts.get(outcome, _local(outcome)) if outcome else None,
                       speaker=first(statement, "speaker") if statement else None, **_prov_fields(prov))
            if demander:
                ensure(demander, "Actor")
                connect(demander, assertion, assertion + "#demander", "demands", "demands", prov, date)
            for addressee in addressees:
                ensure(addressee, "Actor")
                connect(assertion, addressee, assertion + "#addressee/" + addressee, "addressee", "addressed to",
                        prov, date)
            for region in regions:
                ensure(region, "Region")
                connect(assertion, region, assertion + "#region/" + region, "about", "about", prov, date)
            for actor in concerned:
                ensure(actor, "Actor")
                connect(assertion, actor, assertion + "#concerns/" + actor, "concerns", "concerns", prov, date)
            if outcome:
                ensure(outcome, "Outcome")
                connect(assertion, outcome, assertion + "#for", "for", "for", prov, date)
        if doc in G:
            connect(assertion, doc, assertion + "#in", "in", "in", prov, date)
    for outcome, docs in outcome_documents.items():
        G.nodes[outcome]["documents"] = list(docs)


def _prov_fields(prov: dict) -> dict:
    return {"quote": prov["quote"], "document": prov["document"], "start": prov["start"], "end": prov["end"]}


def query_graph(store, sparql: str) -> nx.MultiDiGraph:
    """The graph a CONSTRUCT (or DESCRIBE) query returns, ready to draw.

    Each IRI or blank node becomes a node and each triple between two of them
    an edge labelled with the predicate's local name; a triple with a literal
    object becomes a fact of its subject (``skos:prefLabel``, ``dcterms:title``
    and ``rdfs:label`` name it). Nodes the store knows are named and typed as
    in :func:`to_view_graph`, and an assertion's node and edges carry its quote.

    Raises
    ------
    kg.errors.QueryError
        The query does not parse, or is not a CONSTRUCT or DESCRIBE query.
    """
    import pyoxigraph as ox

    try:
        result = store.query(sparql)
    except QueryError as exc:  # parser messages run over several lines
        raise QueryError(exc.name, exc.reason.strip().splitlines()[0]) from exc
    if not isinstance(result, ox.QueryTriples):
        raise QueryError("query", "draw a CONSTRUCT or DESCRIBE query; SELECT and ASK return no graph")
    G = nx.MultiDiGraph()
    named_by = {str(SKOS.prefLabel), str(DCTERMS.title), str(RDFS.label)}
    rdf_type = str(RDF.type)
    literals: dict[str, list[tuple[str, str]]] = {}
    classes: dict[str, str] = {}
    names: dict[str, str] = {}
    terms: dict[str, object] = {}

    def node_key(term) -> str:
        key = term.value if isinstance(term, ox.NamedNode) else "_:" + term.value
        if key not in G:
            G.add_node(key)
            terms[key] = term
        return key

    for index, triple in enumerate(result):
        subject = node_key(triple.subject)
        predicate = triple.predicate.value
        obj = triple.object
        if isinstance(obj, ox.Literal):
            if predicate in named_by and subject not in names:
                names[subject] = obj.value
            else:
                literals.setdefault(subject, []).append((_local(predicate), obj.value))
        elif predicate == rdf_type and isinstance(obj, ox.NamedNode) and obj.value.startswith(_POL):
            classes.setdefault(subject, _local(obj.value))
        else:
            target = node_key(obj)
            G.add_edge(subject, target, key=f"t{index}", kind=_local(predicate), label=_local(predicate),
                       predicate=predicate, quote=None, document=None, start=None, end=None, date=None)

    known = _describe_nodes(store, [t for t in terms.values() if isinstance(t, ox.NamedNode)])
    view = None
    if any(info.get("class") in _ASSERTION_TYPES | {"Document"} for info in known.values()):
        view = to_view_graph(store)
        G.graph["documents"] = view.graph["documents"]
    for node in G.nodes:
        info = known.get(node, {})
        data = dict(view.nodes[node]) if view is not None and node in view else {}
        name = names.get(node) or data.get("name") or info.get("name") or _local(node)
        kind = classes.get(node) or data.get("type") or info.get("class") or "Other"
        facts = list(data.get("facts", [])) + literals.get(node, [])
        labels = list(data.get("labels", [])) or [name]
        _add_unique(labels, name)
        G.nodes[node].update(
            name=name, type=kind, labels=labels, wikidata=data.get("wikidata") or info.get("wikidata"),
            documents=list(data.get("documents", [])), date=data.get("date"), facts=facts,
            quote=data.get("quote"), document=data.get("document"), start=data.get("start"), end=data.get("end"),
        )
    for u, _v, attrs in G.edges(data=True):
        source = G.nodes[u]
        if source.get("quote"):
            attrs.update(quote=source["quote"], document=source["document"], start=source["start"],
                         end=source["end"], date=source["date"])
    return G


def _describe_nodes(store, terms: list) -> dict[str, dict]:
    """Name, ontology class and Wikidata id of IRIs, as the store knows them.

    The IRIs come from pyoxigraph terms, which are valid IRIs by construction;
    ``str()`` of a ``NamedNode`` is its N-Triples form.
    """
    out: dict[str, dict] = {}
    for start in range(0, len(terms), 500):
        for row in store.query(with_values(NAME_QUERY, "node", terms[start:start + 500])):
            info = out.setdefault(row["node"].value, {})
            if row["name"] is not None:
                info.setdefault("name", row["name"].value)
            if row["class"] is not None:
                local = _local(row["class"].value)
                if info.get("class") in (None, "Actor", "Region"):
                    info["class"] = local
            if row["wikidata"] is not None:
                info.setdefault("wikidata", row["wikidata"].value)
    return out


def centrality(G: nx.MultiDiGraph) -> dict[str, float]:
    """PageRank of each node of ``G`` over its undirected links; documents get 0.

    The walk goes through documents, so that a speaker, linked to the
    documents they were quoted in, gains from them; but documents would be
    the hubs of every view, so they rank last (size and :func:`keep_central`).
    Parallel edges count once each.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("a", "b"), ("a", "c")])
    >>> ranks = centrality(G)
    >>> ranks["a"] > ranks["b"]
    True
    """
    simple = nx.Graph()
    simple.add_nodes_from(G)
    for u, v in G.edges():
        if u != v:
            weight = simple[u][v]["weight"] + 1 if simple.has_edge(u, v) else 1
            simple.add_edge(u, v, weight=weight)
    ranks = nx.pagerank(simple, weight="weight") if len(simple) else {}
    return {node: 0.0 if kind == "Document" else ranks[node] for node, kind in G.nodes(data="type")}


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("’", "'").split())


_NAMED_TYPES = frozenset({"Actor", "State", "Government", "Person", "Alliance", "Organization", "ArmedGroup", "Party",
                          "Region"})
"""The node types whose labels are suggested for a name that matches nothing."""


def find_nodes(G: nx.MultiDiGraph, name: str) -> list[str]:
    """The nodes one of whose labels (or whose IRI) is ``name``, ignoring case.

    Raises
    ------
    kg.errors.QueryError
        No node goes by that name; the message suggests the actors and regions
        with the closest labels (:func:`kg.params.close_names`).
    """
    wanted = _normal(name)
    found = [node for node, data in G.nodes(data=True)
             if node == name or any(_normal(label) == wanted for label in data.get("labels") or [data.get("name", "")])]
    if not found:
        from kg.params import close_names

        labels = sorted((label, node) for node, data in G.nodes(data=True) if data.get("type") in _NAMED_TYPES
                        for label in data.get("labels") or [data.get("name", "")])
        close = close_names(name, labels)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise QueryError("focus", f"no node is named {name!r}{hint}")
    return sorted(found)


def neighbourhood(G: nx.MultiDiGraph, name: str, *, hops: int = 2) -> nx.MultiDiGraph:
    """The nodes within ``hops`` links of the node(s) named ``name``, in either direction.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        From :func:`to_view_graph` or :func:`query_graph`.
    name : str
        Any label of the node (``"Russia"``, ``"Kremlin"``) or its IRI.
    hops : int, optional (default=2)
        Largest number of links from the focus; must be >= 0.

    Raises
    ------
    kg.errors.QueryError
        ``hops`` is negative, or no node is named ``name``.
    """
    if hops < 0:
        raise QueryError("hops", f"must be 0 or more, got {hops}")
    centres = find_nodes(G, name)
    undirected = G.to_undirected(as_view=True)
    keep: set[str] = set()
    for centre in centres:
        keep.update(nx.single_source_shortest_path_length(undirected, centre, cutoff=hops))
    H = G.subgraph(keep).copy()
    H.graph["focus"] = centres
    return H


@dataclass
class LeftOut:
    """What :func:`keep_central` left out of a graph."""

    nodes: int = 0
    edges: int = 0
    kept_nodes: int = 0
    total_nodes: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.nodes > 0

    def summary(self) -> str:
        """One sentence, or "" when nothing was left out."""
        if not self.nodes:
            return ""
        kinds = ", ".join(f"{count:,} {kind}" for kind, count in self.by_type.items())
        return (f"showing the {self.kept_nodes:,} most central of {self.total_nodes:,} nodes; "
                f"left out {self.nodes:,} nodes ({kinds}) and {self.edges:,} edges")


def keep_central(G: nx.MultiDiGraph, max_nodes: int | None) -> tuple[nx.MultiDiGraph, LeftOut]:
    """The ``max_nodes`` most central nodes of ``G`` (by :func:`centrality`) and what was left out.

    The nodes of ``G.graph["focus"]`` are always kept; ties keep the first
    node in sorted order, so the cut is the same on every run.

    Raises
    ------
    kg.errors.QueryError
        ``max_nodes`` is less than 1.
    """
    total = G.number_of_nodes()
    if max_nodes is None or total <= max_nodes:
        return G, LeftOut(kept_nodes=total, total_nodes=total)
    if max_nodes < 1:
        raise QueryError("max-nodes", f"must be at least 1, got {max_nodes}")
    ranks = centrality(G)
    focus = set(G.graph.get("focus", ()))
    order = sorted(G.nodes, key=lambda n: (n not in focus, -ranks[n], n))
    keep = set(order[:max_nodes])
    H = G.subgraph(keep).copy()
    dropped = Counter(G.nodes[n].get("type", "Other") for n in order[max_nodes:])
    left = LeftOut(nodes=total - len(keep), edges=G.number_of_edges() - H.number_of_edges(),
                   kept_nodes=len(keep), total_nodes=total, by_type=dict(dropped.most_common()))
    return H, left
