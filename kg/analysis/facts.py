"""What the analyses read from the store: entities, documents and assertions, in a few bulk queries.

:func:`read_facts` runs six SPARQL queries (entities, documents, which actors
each document mentions, the evidence of every assertion, the properties of every
assertion, the outcomes' stages) and joins the rows in Python. The large ones
are plain patterns without ``OPTIONAL`` or ``ORDER BY``: the properties of all
assertions come from one ``VALUES`` scan of their predicates, which Oxigraph
answers from its predicate index; with the evidence in one more query, this
took half the time of one join per kind of assertion at a million triples. All
projections of :mod:`kg.analysis.projections` are built from one
:class:`Facts`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from kg.eval import content_words
from kg.sparql import stored_query

__all__ = ["Entity", "Assertion", "Facts", "read_facts", "topic_words", "same_topic"]

ENTITY_QUERY = stored_query("facts_entities")
DOCUMENT_QUERY = stored_query("facts_documents")
MENTION_QUERY = stored_query("facts_mentions")
EVIDENCE_QUERY = stored_query("facts_evidence")
PROPERTY_QUERY = stored_query("facts_properties")
STAGE_QUERY = stored_query("facts_stages")

_GENERIC = {"Actor"}
_ACTOR_CLASSES = {"Actor", "State", "Government", "Person", "Alliance", "Organization", "ArmedGroup", "Party"}

# Words of 4+ letters that carry no topic ("a ceasefire *that would* ..."), as content_words cuts them.
_FUNCTION_WORDS = frozenset(w[:5] for w in """
that this these those there their them they then than with within without from into onto upon over
under about above after before again against along among around because been being both could should
would shall will must have having here when where which while whom whose what very more most much such
some other also only just even ever every each into through towards toward until unless across behind
""".split())


@dataclass(frozen=True)
class Entity:
    """An actor or region: its IRI, preferred label, most specific ontology class, roles."""

    iri: str
    name: str
    type: str
    roles: tuple[str, ...]
    wikidata: str | None = None
    speaks_for: tuple[str, ...] = ()

    @property
    def is_actor(self) -> bool:
        return "actor" in self.roles

    @property
    def is_region(self) -> bool:
        return "region" in self.roles


@dataclass(frozen=True)
class Assertion:
    """One statement, position or precondition with its evidence.

    ``actor`` is the speaker, holder or demander. ``date`` is when it was said, as the
    text places it (its own ``pol:saidOn``, else the date of the statement it was made
    in; for a statement, its own date): ``date_source`` ``statement``; else the
    document's publication date: ``date_source`` ``document``.
    """

    iri: str
    kind: str  # "statement" | "position" | "precondition"
    actor: str
    document: str
    quote: str
    start: int
    end: int
    date: str | None = None
    date_source: str | None = None
    statement: str | None = None
    addressee: str | None = None
    action: str | None = None
    outcome: str | None = None
    regions: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()
    """The actors the demanded action of a precondition is about (``pol:concerns``)."""
    stance: str | None = None
    topic: str | None = None

    @property
    def summary(self) -> str:
        """A short reading: ``supports peace talks``, ``withdraw_forces (for ceasefire)``."""
        if self.kind == "position":
            return f"{self.stance} {self.topic}"
        if self.kind == "precondition":
            return f"{self.action} (for {self.outcome or 'other'})"
        return "statement"


@dataclass
class Facts:
    """Everything the projections need, read once from a store."""

    entities: dict[str, Entity] = field(default_factory=dict)
    assertions: dict[str, Assertion] = field(default_factory=dict)
    documents: dict[str, dict] = field(default_factory=dict)  # doc -> {"date", "title"}
    mentions: dict[str, set[str]] = field(default_factory=dict)  # doc -> actors it mentions
    stages: dict[str, int] = field(default_factory=dict)  # outcome code -> stage
    corrections: int = 0
    """How many reviewers' corrections (:mod:`kg.corrections`) were applied."""

    def name(self, iri: str) -> str:
        """The label of ``iri``, or the last part of the IRI when it has none."""
        entity = self.entities.get(iri)
        return entity.name if entity else iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def side(self, iri: str) -> str:
        """The actor ``iri`` stands for: whom a person speaks for (the first, when several), else itself."""
        entity = self.entities.get(iri)
        if entity and entity.speaks_for:
            return entity.speaks_for[0]
        return iri

    def of_kind(self, kind: str) -> list[Assertion]:
        return [a for a in self.assertions.values() if a.kind == kind]


def _code(iri: str | None) -> str | None:
    return None if iri is None else iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _value(row, name: str):
    term = row[name]
    return None if term is None else term.value


def topic_words(topic: str) -> frozenset[str]:
    """The content words of a topic, as positions are compared.

    Words of four or more letters cut to their first five (the contract's rule,
    :func:`kg.eval.content_words`), without function words such as "that" or
    "would", which say nothing about the topic.

    Examples
    --------
    >>> sorted(topic_words("a ceasefire that would freeze the front line"))
    ['cease', 'freez', 'front', 'line']
    """
    return frozenset(content_words(topic) - _FUNCTION_WORDS)


def same_topic(a: str, b: str, *, min_shared: int = 1) -> bool:
    """Whether two topics share at least ``min_shared`` content words (:func:`topic_words`).

    Examples
    --------
    >>> same_topic("peaceful negotiations", "negotiations with Kyiv")
    True
    >>> same_topic("peaceful negotiations", "sanctions relief")
    False
    """
    return len(topic_words(a) & topic_words(b)) >= min_shared


def read_facts(store) -> Facts:
    """Read entities, documents and assertions of ``store`` for the analyses.

    Parameters
    ----------
    store : kg.store.OxigraphStore
        An open store; only its ``query`` method is used. The reviewers'
        corrections (:mod:`kg.corrections`) are applied, unless ``store`` is a
        :class:`kg.corrections.ExtractorView`: a fix replaces the fields it sets,
        an assertion marked wrong is left out.

    Returns
    -------
    Facts
        Actors and regions mentioned in documents (and those their people speak
        for), with label, class and Wikidata QID; every statement, position and
        precondition with its evidence and date; which actors each document
        mentions.
    """
    facts = Facts()
    classes: dict[str, set[str]] = defaultdict(set)
    roles: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, set[tuple[bool, str]]] = defaultdict(set)
    wikidata: dict[str, str] = {}
    speaks: dict[str, set[str]] = defaultdict(set)
    for row in store.query(ENTITY_QUERY):
        iri = row["entity"].value
        roles[iri].add(row["role"].value)
        if row["class"] is not None:
            classes[iri].add(_code(row["class"].value))
        if row["label"] is not None:
            labels[iri].add((row["label"].language not in (None, "en"), row["label"].value))
        if row["wikidata"] is not None:
            wikidata[iri] = row["wikidata"].value
        if row["speaksFor"] is not None:
            speaks[iri].add(row["speaksFor"].value)
    for iri, found in roles.items():
        cls = classes[iri]
        if cls & _ACTOR_CLASSES:
            found.add("actor")
        if "Region" in cls:
            found.add("region")
        specific = sorted(cls & _ACTOR_CLASSES - _GENERIC)
        kind = (specific[0] if specific else "Actor") if "actor" in found else "Region"
        name = min(labels[iri])[1] if labels[iri] else _code(iri)
        facts.entities[iri] = Entity(iri, name, kind, tuple(sorted(found)), wikidata.get(iri),
                                     tuple(sorted(speaks[iri])))

    for row in store.query(DOCUMENT_QUERY):
        facts.documents[row["doc"].value] = {"date": _value(row, "date"), "title": _value(row, "title")}
    for row in store.query(MENTION_QUERY):
        facts.mentions.setdefault(row["doc"].value, set()).add(row["entity"].value)
    for row in store.query(STAGE_QUERY):
        facts.stages[_code(row["outcome"].value)] = int(row["stage"].value)

    evidence = {
        row["assertion"].value: {"document": row["doc"].value, "quote": row["quote"].value,
                                 "start": int(row["start"].value), "end": int(row["end"].value)}
        for row in store.query(EVIDENCE_QUERY)
    }
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in store.query(PROPERTY_QUERY):
        if row["assertion"].value in evidence:
            values[row["assertion"].value][_code(row["property"].value)].append(row["value"].value)
    from kg.corrections import apply_corrections, read_corrections, uses_corrections

    if uses_corrections(store):  # the reviewers' corrections, unless the store is an ExtractorView
        corrections = read_corrections(store)
        for iri in apply_corrections(values, corrections):
            evidence.pop(iri, None)
        facts.corrections = len(corrections)

    def one(found: dict[str, list[str]], name: str) -> str | None:
        return min(found[name]) if found.get(name) else None

    for iri, found in values.items():
        common = {"iri": iri, "statement": one(found, "statedIn"), "regions": tuple(sorted(set(found["region"]))),
                  **evidence[iri]}
        if found.get("speaker"):
            item = Assertion(kind="statement", actor=one(found, "speaker"), **common)
        elif found.get("holder") and found.get("topic"):
            item = Assertion(kind="position", actor=one(found, "holder"), stance=_code(one(found, "stance")),
                             topic=one(found, "topic"), **common)
        elif found.get("demander") and found.get("action"):
            item = Assertion(kind="precondition", actor=one(found, "demander"), addressee=one(found, "addressee"),
                             action=_code(one(found, "action")), outcome=_code(one(found, "forOutcome")),
                             concerns=tuple(sorted(set(found["concerns"]))), **common)
        else:
            continue
        facts.assertions[iri] = item

    for iri, item in list(facts.assertions.items()):
        date, source = None, None
        stated = values.get(item.statement or iri, {})
        own = values.get(iri, {}).get("saidOn")
        if own:
            date, source = min(own), "statement"
        elif stated.get("date"):
            date, source = min(stated["date"]), "statement"
        elif facts.documents.get(item.document, {}).get("date"):
            date, source = facts.documents[item.document]["date"], "document"
        facts.assertions[iri] = replace(item, date=date, date_source=source)
    return facts
