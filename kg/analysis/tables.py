"""The analyses as tables (pandas DataFrames), one function per ``kg analyze`` subcommand.

Each reads the store once (:func:`kg.analysis.facts.read_facts`), builds the
projection it needs and returns plain columns: names, numbers, quotes, IRIs.
"""

from __future__ import annotations

from kg.analysis.alignment import alignment_graph
from kg.analysis.annotate import write_measures
from kg.analysis.centrality import actor_centrality
from kg.analysis.communities import actor_communities, community_index
from kg.analysis.facts import read_facts
from kg.analysis.paths import explain_connection
from kg.analysis.projections import actor_graph, position_graph, region_graph
from kg.analysis.regions import region_demanders
from kg.analysis.timeline import actor_timeline
from kg.errors import QueryError

__all__ = [
    "actor_table",
    "region_table",
    "alignment_table",
    "precondition_table",
    "path_table",
    "timeline_table",
    "claim_timeline_table",
    "changes_table",
    "analyze",
    "ANALYSES",
    "FORMATS",
    "to_text",
]

ANALYSES = {"actors": 0, "regions": 0, "alignment": 0, "preconditions": 0, "path": 2, "timeline": 1, "changes": 1}
"""``kg analyze`` subcommands and how many actor names each takes."""


FORMATS = ("table", "json", "csv")
"""What ``kg analyze --format`` writes: :func:`to_text`, or pandas' JSON records and CSV."""


def to_text(frame) -> str:
    """``frame`` as a plain-text table for people: every value whole (IRIs and quotes
    are not cut), an empty cell where a value is missing (never ``NaN``), and
    ``frame.attrs["empty"]`` (or ``(nothing to analyse)``) when it has no rows.

    >>> import pandas as pd
    >>> print(to_text(pd.DataFrame({"actor": ["Russia", "NATO"], "wikidata": ["Q159", None],
    ...                             "pagerank": [0.5, float("nan")]})))
     actor wikidata pagerank
    Russia     Q159      0.5
      NATO
    """
    if not len(frame):
        return frame.attrs.get("empty", "(nothing to analyse)")
    shown = frame.astype(object).where(frame.notna(), "")
    lines = shown.to_string(index=False).splitlines()
    return "\n".join(line.rstrip() for line in lines)


def _frame(rows: list[dict], columns: list[str]):
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


def actor_table(store, *, write: bool = False):
    """Actors with their centrality and community, most central (PageRank) first.

    Parameters
    ----------
    store : kg.store.OxigraphStore
    write : bool, optional (default=False)
        Also write the measures into the store's analysis graph
        (:mod:`kg.analysis.annotate`), with ``pol:contested`` for regions.

    Returns
    -------
    pandas.DataFrame
        ``actor``, ``type``, ``wikidata``, ``degree``, ``strength``,
        ``betweenness``, ``pagerank``, ``community``, ``documents`` (that
        mention it), ``iri``.
    """
    facts = read_facts(store)
    G = actor_graph(facts)
    centrality = actor_centrality(G)
    communities = community_index(actor_communities(G))
    if write:
        contested = {r: len(e["sides"]) >= 2 for r, e in region_demanders(region_graph(facts)).items()}
        write_measures(store, centrality, communities, contested)
    documents: dict[str, int] = {}
    for mentioned in facts.mentions.values():
        for actor in mentioned:
            documents[actor] = documents.get(actor, 0) + 1
    rows = [
        {"actor": G.nodes[n]["name"], "type": G.nodes[n]["type"], "wikidata": G.nodes[n].get("wikidata"),
         "degree": round(m["degree"], 4), "strength": m["strength"], "betweenness": round(m["betweenness"], 4),
         "pagerank": round(m["pagerank"], 4), "community": communities.get(n), "documents": documents.get(n, 0),
         "iri": n}
        for n, m in centrality.items()
    ]
    frame = _frame(rows, ["actor", "type", "wikidata", "degree", "strength", "betweenness", "pagerank",
                          "community", "documents", "iri"])
    return frame.sort_values(["pagerank", "actor"], ascending=[False, True]).reset_index(drop=True)


def region_table(store, *, min_demanders: int = 2):
    """Regions named in demands: who demands what about them, and whether they are contested.

    Parameters
    ----------
    store : kg.store.OxigraphStore
    min_demanders : int, optional (default=2)
        Fewest sides making demands about a region for it to be ``contested``.

    Returns
    -------
    pandas.DataFrame
        ``region``, ``demanders`` (names, ``"; "``-joined), ``sides`` (how many
        distinct sides: a person counts as the actor they speak for),
        ``contested``, ``demands`` (preconditions), ``documents``, ``actions``,
        ``iri``; contested regions first.
    """
    if min_demanders < 1:
        raise QueryError("regions", f"--min-demanders must be at least 1, got {min_demanders}")
    facts = read_facts(store)
    R = region_graph(facts)
    rows = []
    for region, entry in region_demanders(R).items():
        edges = [d for u, _, d in R.in_edges(region, data=True) if d["kind"] == "demands_about"]
        demands = set().union(*(d["evidence"] for d in edges))
        rows.append({
            "region": facts.name(region),
            "demanders": "; ".join(sorted(facts.name(a) for a in entry["demanders"])),
            "sides": len(entry["sides"]),
            "contested": len(entry["sides"]) >= min_demanders,
            "demands": len(demands),
            "documents": len({facts.assertions[i].document for i in demands}),
            "actions": "; ".join(sorted({a for d in edges for a in d["actions"].split("; ")})),
            "iri": region,
        })
    frame = _frame(rows, ["region", "demanders", "sides", "contested", "demands", "documents", "actions", "iri"])
    return frame.sort_values(["contested", "sides", "demands", "region"],
                             ascending=[False, False, False, True]).reset_index(drop=True)


def alignment_table(store, *, min_shared: int = 1):
    """Pairs of actors that took stances on the same topics: how often they agree and disagree.

    Returns
    -------
    pandas.DataFrame
        ``actor``, ``other``, ``agree``, ``disagree``, ``score`` (-1 to 1),
        ``relation`` (``agree``, ``disagree`` or ``mixed``), ``topics``,
        ``actor_iri``, ``other_iri``; strongest agreement first.

    See Also
    --------
    kg.analysis.alignment_matrix : the same scores as a square matrix.
    """
    A = alignment_graph(position_graph(read_facts(store)), min_shared=min_shared)
    rows = []
    for u, v, d in A.edges(data=True):
        a, b = sorted((u, v), key=lambda n: (A.nodes[n].get("name", n), n))
        rows.append({"actor": A.nodes[a].get("name", a), "other": A.nodes[b].get("name", b),
                     "agree": d["agree"], "disagree": d["disagree"], "score": round(d["score"], 4),
                     "relation": {1: "agree", -1: "disagree", 0: "mixed"}[d["sign"]], "topics": d["topics"],
                     "actor_iri": a, "other_iri": b})
    frame = _frame(rows, ["actor", "other", "agree", "disagree", "score", "relation", "topics",
                          "actor_iri", "other_iri"])
    return frame.sort_values(["score", "actor", "other"], ascending=[False, True, True]).reset_index(drop=True)


def precondition_table(store, *, outcome: str | None = None):
    """What must happen before each outcome: every precondition, earliest stage of a peace process first.

    Parameters
    ----------
    store : kg.store.OxigraphStore
    outcome : str, optional
        Only the preconditions of this outcome code (``ceasefire``,
        ``negotiations``, ``agreement``, ``normalization``, ``other``).

    Returns
    -------
    pandas.DataFrame
        ``outcome``, ``stage``, ``demander``, ``action``, ``addressee``,
        ``regions``, ``date``, ``quote``, ``document``, ``assertion``.
    """
    facts = read_facts(store)
    if outcome is not None and facts.stages and outcome not in facts.stages:
        raise QueryError("preconditions", f"unknown outcome {outcome!r} (known: {', '.join(sorted(facts.stages))})")
    rows = []
    for item in facts.of_kind("precondition"):
        code = item.outcome or "other"
        if outcome is not None and code != outcome:
            continue
        rows.append({"outcome": code, "stage": facts.stages.get(code, 9), "demander": facts.name(item.actor),
                     "action": item.action, "addressee": facts.name(item.addressee) if item.addressee else None,
                     "regions": "; ".join(facts.name(r) for r in item.regions), "date": item.date,
                     "quote": item.quote, "document": item.document, "assertion": item.iri})
    frame = _frame(rows, ["outcome", "stage", "demander", "action", "addressee", "regions", "date", "quote",
                          "document", "assertion"])
    return frame.sort_values(["stage", "demander", "action", "assertion"]).reset_index(drop=True)


def _actor(store, facts, value: str, where: str) -> str:
    from kg.params import resolve_entity

    iri = str(resolve_entity(store, value, "actor", "actor"))
    entity = facts.entities.get(iri)
    if entity is None or not entity.is_actor:
        raise QueryError(where, f"{value!r} is not an actor named in any document")
    return iri


def path_table(store, source: str, target: str):
    """How ``source`` is connected to ``target``: the assertions on the shortest path between them.

    Parameters
    ----------
    store : kg.store.OxigraphStore
    source, target : str
        Actors, by any label or IRI (:func:`kg.params.resolve_entity`).

    Returns
    -------
    pandas.DataFrame
        One row per assertion: ``hop``, ``from``, ``relation`` (with ``(reverse)``
        when it runs against the path), ``to``, ``quote``, ``document``,
        ``start``, ``end``, ``assertion`` (these five empty for a link of the
        reference data, such as a person speaking for a state); empty when they
        are not connected, with ``frame.attrs["empty"]`` saying so.
    """
    facts = read_facts(store)
    a, b = _actor(store, facts, source, "path"), _actor(store, facts, target, "path")
    G = actor_graph(facts)
    rows = []
    for link in explain_connection(G, a, b):
        frm, to = (link.source, link.target) if link.forward else (link.target, link.source)
        hop = {"hop": link.hop, "from": facts.name(frm), "relation": link.kind, "to": facts.name(to)}
        # a link from the reference data (a person speaks for a state) has no quote, but is a hop
        for item in link.assertions or (None,):
            rows.append({**hop, "quote": item and item.quote, "document": item and item.document,
                         "start": item and item.start, "end": item and item.end, "assertion": item and item.iri})
    frame = _frame(rows, ["hop", "from", "relation", "to", "quote", "document", "start", "end", "assertion"])
    frame = frame.astype({"start": "Int64", "end": "Int64"})  # whole numbers, empty where there is no quote
    if not rows:
        frame.attrs["empty"] = f"no connection between {facts.name(a)} and {facts.name(b)} in the graph"
    return frame


def timeline_table(store, actor: str):
    """The positions and preconditions of ``actor`` (any label or IRI), by date (undated last).

    Returns
    -------
    pandas.DataFrame
        ``date``, ``date_source`` (``statement`` or ``document``), ``kind``,
        ``role``, ``actor`` (holder or demander), ``summary``, ``addressee``,
        ``regions``, ``quote``, ``document``, ``assertion``.
    """
    facts = read_facts(store)
    iri = _actor(store, facts, actor, "timeline")
    rows = [
        {"date": e.date, "date_source": e.date_source, "kind": e.kind, "role": e.role, "actor": facts.name(e.actor),
         "summary": e.summary, "addressee": facts.name(e.counterpart) if e.counterpart else None,
         "regions": "; ".join(facts.name(r) for r in e.regions), "quote": e.quote, "document": e.document,
         "assertion": e.assertion}
        for e in actor_timeline(facts, iri)
    ]
    return _frame(rows, ["date", "date_source", "kind", "role", "actor", "summary", "addressee", "regions", "quote",
                         "document", "assertion"])


def claim_timeline_table(store, actor: str, *, basis: str = "said"):
    """The claims of ``actor`` (any label or IRI), ordered by said-time or reported-time (``basis``).

    Returns
    -------
    pandas.DataFrame
        ``basis``, ``first``, ``last`` (times on the basis), ``held_from``, ``held_until``,
        ``kind``, ``summary``, ``addressee``, ``regions``, ``documents``, ``outlets``,
        ``unplaced`` (reports the text does not date), ``quote``, ``claim``, ``thread``.
    """
    from kg.analysis.claims import claim_timeline

    facts = read_facts(store)
    iri = _actor(store, facts, actor, "timeline")
    rows = [{"basis": e.basis, "first": e.first, "last": e.last, "held_from": e.held_from, "held_until": e.held_until,
             "kind": e.kind, "summary": e.summary, "addressee": facts.name(e.addressee) if e.addressee else None,
             "regions": "; ".join(facts.name(r) for r in e.regions), "documents": e.documents, "outlets": e.outlets,
             "unplaced": e.unplaced, "quote": e.quote, "claim": e.claim, "thread": e.thread}
            for e in claim_timeline(store, iri, basis=basis)]
    return _frame(rows, ["basis", "first", "last", "held_from", "held_until", "kind", "summary", "addressee",
                         "regions", "documents", "outlets", "unplaced", "quote", "claim", "thread"])


def changes_table(store, actor: str, *, basis: str = "said"):
    """How the claims of ``actor`` (any label or IRI) changed, in order of said-time or reported-time.

    Returns
    -------
    pandas.DataFrame
        ``basis``, ``time``, ``type``, ``thread`` (its key: topic or action), ``from_quote``,
        ``to_quote``, ``from_claim``, ``to_claim``.
    """
    from kg.analysis.claims import claim_changes, claim_layer

    facts = read_facts(store)
    iri = _actor(store, facts, actor, "changes")
    layer = claim_layer(store)
    rows = [{"basis": c.basis, "time": c.time, "type": c.type, "thread": layer.threads[c.thread].key,
             "from_quote": c.before_quote, "to_quote": c.after_quote, "from_claim": c.before, "to_claim": c.after}
            for c in claim_changes(layer, actor=iri, basis=basis)]
    return _frame(rows, ["basis", "time", "type", "thread", "from_quote", "to_quote", "from_claim", "to_claim"])


def analyze(store, what: str, names: tuple[str, ...] = (), *, write: bool = False, outcome: str | None = None,
            min_demanders: int = 2, basis: str | None = None):
    """Run the analysis ``what`` (a key of :data:`ANALYSES`) and return its table.

    ``names`` are the actors ``path`` (two), ``timeline`` and ``changes`` (one) take;
    ``write`` goes with ``actors``, ``outcome`` with ``preconditions``,
    ``min_demanders`` with ``regions``; ``basis`` (``said`` or ``reported``) makes
    ``timeline`` one of claims (:func:`claim_timeline_table`) and orders ``changes``
    (default ``said``).

    Raises
    ------
    QueryError
        Unknown analysis, wrong number of names, or a name that is not an actor.
    """
    if what not in ANALYSES:
        raise QueryError("analyze", f"unknown analysis {what!r} (known: {', '.join(ANALYSES)})")
    if len(names) != ANALYSES[what]:
        wanted = {0: "no actor names", 1: "one actor name", 2: "two actor names"}[ANALYSES[what]]
        raise QueryError(what, f"takes {wanted}, got {len(names)}")
    if what == "actors":
        return actor_table(store, write=write)
    if what == "regions":
        return region_table(store, min_demanders=min_demanders)
    if what == "alignment":
        return alignment_table(store)
    if what == "preconditions":
        return precondition_table(store, outcome=outcome)
    if what == "path":
        return path_table(store, *names)
    if what == "changes":
        return changes_table(store, *names, basis=basis or "said")
    if basis is not None:
        return claim_timeline_table(store, *names, basis=basis)
    return timeline_table(store, *names)

