"""A reviewer's corrections of what the extractor asserted, kept apart from it.

The viewer lets a reviewer mark an assertion wrong, or fix its demander,
addressee, action, regions, outcome or stance, and exports the corrections as
JSON. :func:`write_corrections` (``kg correct FILE``) checks them against the
store and writes them into a named graph of their own,
:data:`CORRECTIONS_GRAPH`, in PROV-O: each correction is a ``prov:Activity``
associated with its author (a ``prov:Agent``), ended at its time, that
``prov:used`` the assertion it amends; marking wrong says
``<assertion> prov:wasInvalidatedBy <correction>``; a fix generates a
``prov:Entity`` that ``prov:wasRevisionOf`` the assertion and carries the new
values (``cor:demander`` ...). The extractor's document graphs are never
touched, so re-ingesting a document keeps its corrections (its assertions keep
their IRIs), and the new values use properties of their own so that no query
of the extractor's ``pol:`` terms sees them.

:func:`read_corrections` gives, per assertion, the latest correction; readers of
facts (:func:`kg.analysis.read_facts`, :func:`kg.viz.to_view_graph`) apply them as they
read, unless asked for the raw view. SPARQL (``kg query``, ``kg serve``, the claim layer
the analyses read) runs on :func:`corrected_store`: a copy of the store with the
corrections applied and its claim layer brought up to date, which the store makes once
per version of its content (``kg correct`` and ``kg ingest`` make it as they finish) and
keeps beside the database, so that a query opens it rather than copying the store.

The file, as the page writes it::

    {"format": "polkg-corrections", "version": 1, "author": "A. Reviewer",
     "corrections": [
       {"assertion": IRI, "time": "2026-12-02T20:00:00Z", "wrong": true, "note": "..."},
       {"assertion": IRI, "time": ..., "set": {"demander": IRI, "addressee": [IRI], "action": IRI,
                                                "region": [IRI], "forOutcome": IRI, "stance": IRI}}]}
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DefinedNamespace, Namespace, PROV, RDF, RDFS, XSD

from kg.errors import DataFileError, StoreError
from kg.namespaces import CORRECTION, ID, POL, sparql_prefixes
from kg.sparql import stored_query

__all__ = ["COR", "CORRECTIONS_GRAPH", "Correction", "load_corrections", "write_corrections", "read_corrections",
           "FIELDS", "apply_corrections", "ExtractorView", "uses_corrections", "corrected_store", "extractor_store",
           "corrected_view", "prepare_corrected_view", "is_corrected_view", "VIEW"]

_ID = str(ID)
CORRECTIONS_GRAPH = _ID + "graph/corrections"
"""The named graph that holds every correction, apart from the documents' graphs."""

_POL = str(POL)


class COR(DefinedNamespace):
    """The values a correction sets, named apart from ``pol:`` so that no query of the extractor's terms sees them."""

    _NS = CORRECTION
    _fail = True

    Correction: URIRef  # a prov:Activity: one reviewer's correction of one assertion
    applied: URIRef  # <corrections graph> cor:applied true: in a corrected view, where they are applied
    Revision: URIRef  # a prov:Entity: the assertion as corrected
    demander: URIRef
    addressee: URIRef
    action: URIRef
    region: URIRef
    forOutcome: URIRef
    stance: URIRef


FIELDS = {"demander": False, "addressee": True, "action": False, "region": True, "forOutcome": False,
          "stance": False}
"""The fields a correction may set, and whether each takes a list."""

# what each field's value must be in the store: a pol: class (or SKOS scheme member) of that name
_VALUE_CLASS = {"demander": "Actor", "addressee": "Actor", "region": "Region", "action": "Action",
                "forOutcome": "Outcome", "stance": "Stance"}
_FIELD_OF = {"demander": "Precondition", "addressee": "Precondition", "action": "Precondition",
             "region": "Precondition", "forOutcome": "Precondition", "stance": "Position"}
_IRI = re.compile(r"https://w3id\.org/polkg/[A-Za-z0-9_./#:%()'-]+")
_MAX_TEXT = 2000


@dataclass(frozen=True)
class Correction:
    """One reviewer's correction of one assertion."""

    assertion: str
    author: str
    time: str
    wrong: bool = False
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    note: str = ""

    @property
    def iri(self) -> str:
        """The same correction (assertion, author, time) gets the same IRI, so writing it twice adds nothing."""
        digest = hashlib.sha256("\x1f".join((self.assertion, self.author, self.time)).encode("utf-8")).hexdigest()
        return f"{_ID}correction/{digest[:16]}"


def _text(value, where: str, path, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise DataFileError(path, f"{where}: must be a non-empty string")
    if len(value) > _MAX_TEXT:
        raise DataFileError(path, f"{where}: longer than {_MAX_TEXT} characters")
    return value.strip()


def _iri(value, where: str, path) -> str:
    if not isinstance(value, str) or not _IRI.fullmatch(value):
        raise DataFileError(path, f"{where}: not a polkg IRI: {str(value)[:80]!r}")
    return value


def load_corrections(path: str | os.PathLike) -> list[Correction]:
    """The corrections of a file the viewer exported, checked for shape (not yet against a store).

    Raises
    ------
    kg.errors.DataFileError
        Not JSON, not a corrections file, or a correction is malformed; the
        message names the correction.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(path, f"not a JSON corrections file ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict) or data.get("format") != "polkg-corrections" or data.get("version") != 1:
        raise DataFileError(path, 'not a corrections file (want "format": "polkg-corrections", "version": 1)')
    author = _text(data.get("author"), "author", path)
    items = data.get("corrections")
    if not isinstance(items, list):
        raise DataFileError(path, "corrections: must be a list")
    out = []
    for number, item in enumerate(items, 1):
        where = f"correction {number}"
        if not isinstance(item, dict):
            raise DataFileError(path, f"{where}: must be an object")
        unknown = set(item) - {"assertion", "time", "wrong", "set", "note"}
        if unknown:
            raise DataFileError(path, f"{where}: unknown keys {sorted(unknown)}")
        assertion = _iri(item.get("assertion"), f"{where}: assertion", path)
        time = _text(item.get("time"), f"{where}: time", path)
        try:
            datetime.fromisoformat(time.replace("Z", "+00:00"))
        except ValueError as exc:
            raise DataFileError(path, f"{where}: time: not an ISO 8601 date-time: {time[:40]!r}") from exc
        wrong = item.get("wrong", False)
        if not isinstance(wrong, bool):
            raise DataFileError(path, f"{where}: wrong: must be true or false")
        values: dict[str, tuple[str, ...]] = {}
        changes = item.get("set") or {}
        if not isinstance(changes, dict):
            raise DataFileError(path, f"{where}: set: must be an object")
        for key, value in changes.items():
            if key not in FIELDS:
                raise DataFileError(path, f"{where}: set: unknown field {key!r} (known: {', '.join(FIELDS)})")
            listed = value if FIELDS[key] else [value]
            if not isinstance(listed, list) or (not FIELDS[key] and value is None):
                raise DataFileError(path, f"{where}: set: {key}: must be {'a list of IRIs' if FIELDS[key] else 'an IRI'}")
            values[key] = tuple(_iri(v, f"{where}: set: {key}", path) for v in listed)
        if wrong == bool(values):
            raise DataFileError(path, f"{where}: mark it wrong or set a field, one of the two")
        out.append(Correction(assertion=assertion, author=author, time=time, wrong=wrong, values=values,
                              note=_text(item.get("note"), f"{where}: note", path, required=False)))
    return out


_CLASS_QUERY = """
SELECT ?node ?class WHERE { ?node a ?class }
"""


def _classes(store, iri: str) -> set[str]:
    return {row["class"].value.rsplit("#", 1)[-1] for row in store.query(_CLASS_QUERY, {"node": URIRef(iri)})
            if row["class"].value.startswith(_POL)}


_ACTOR_CLASSES = {"Actor", "State", "Government", "Person", "Alliance", "Organization", "ArmedGroup", "Party"}


def _check(store, corrections: list[Correction], path) -> None:
    for number, c in enumerate(corrections, 1):
        where = f"correction {number}"
        kinds = _classes(store, c.assertion) & {"Precondition", "Position", "Statement"}
        if not kinds:
            raise DataFileError(path, f"{where}: no assertion {c.assertion} in the store")
        for key, values in c.values.items():
            if _FIELD_OF[key] not in kinds:
                raise DataFileError(path, f"{where}: {key} is not a field of a {next(iter(kinds))}")
            want = _VALUE_CLASS[key]
            for value in values:
                found = _classes(store, value)
                ok = found & _ACTOR_CLASSES if want == "Actor" else want in found
                if not ok:
                    raise DataFileError(path, f"{where}: {key}: {value} is no {want} in the store")


def to_graph(corrections: list[Correction]) -> Graph:
    """The PROV-O triples of ``corrections``."""
    g = Graph()
    for c in corrections:
        activity = URIRef(c.iri)
        agent = URIRef(_ID + "agent/" + hashlib.sha256(c.author.encode("utf-8")).hexdigest()[:16])
        assertion = URIRef(c.assertion)
        g.add((agent, RDF.type, PROV.Agent))
        g.add((agent, RDFS.label, Literal(c.author)))
        g.add((activity, RDF.type, PROV.Activity))
        g.add((activity, RDF.type, COR.Correction))
        g.add((activity, PROV.wasAssociatedWith, agent))
        g.add((activity, PROV.endedAtTime, Literal(c.time, datatype=XSD.dateTime)))
        g.add((activity, PROV.used, assertion))
        if c.note:
            g.add((activity, RDFS.comment, Literal(c.note)))
        if c.wrong:
            g.add((assertion, PROV.wasInvalidatedBy, activity))
        else:
            revision = URIRef(c.iri + "/revision")
            g.add((revision, RDF.type, PROV.Entity))
            g.add((revision, RDF.type, COR.Revision))
            g.add((revision, PROV.wasRevisionOf, assertion))
            g.add((revision, PROV.wasGeneratedBy, activity))
            for key, values in c.values.items():
                for value in values:
                    g.add((revision, COR[key], URIRef(value)))
    return g


def write_corrections(store, path: str | os.PathLike) -> list[Correction]:
    """Check the corrections of ``path`` against ``store`` and add them to :data:`CORRECTIONS_GRAPH`.

    All or nothing: one bad correction and none is written. Writing the same
    file twice adds nothing (a correction's IRI is its assertion, author and time).

    Raises
    ------
    kg.errors.DataFileError
        The file is malformed, or names an assertion or a value the store does not have.
    """
    corrections = load_corrections(path)
    _check(store, corrections, path)
    g = to_graph(corrections)
    store.write_graph(CORRECTIONS_GRAPH, g, replace=False)
    return corrections


_READ_QUERY = "\n" + sparql_prefixes("prov") + "PREFIX cor: <" + str(CORRECTION) + ">\n" + """SELECT ?g ?activity ?assertion ?time ?wrong ?property ?value WHERE {
  GRAPH ?g {
    ?activity prov:used ?assertion ; prov:endedAtTime ?time .
    OPTIONAL { ?assertion prov:wasInvalidatedBy ?activity . BIND(true AS ?wrong) }
    OPTIONAL { ?revision prov:wasGeneratedBy ?activity ; ?property ?value .
               FILTER(STRSTARTS(STR(?property), STR(cor:))) }
  }
}
"""


def read_corrections(store) -> dict[str, dict]:
    """Assertion -> its latest correction: ``{"wrong": bool, "values": {field: [IRI, ...]}, "time": str}``.

    Only :data:`CORRECTIONS_GRAPH` is read.
    """
    found: dict[str, dict] = {}
    for row in store.query(_READ_QUERY, {"g": URIRef(CORRECTIONS_GRAPH)}):
        activity = row["activity"].value
        entry = found.setdefault(activity, {"assertion": row["assertion"].value, "time": row["time"].value,
                                            "wrong": False, "values": {}})
        if row["wrong"] is not None:
            entry["wrong"] = True
        if row["property"] is not None:
            key = row["property"].value.rsplit("#", 1)[-1]
            values = entry["values"].setdefault(key, [])
            if row["value"].value not in values:
                values.append(row["value"].value)
    latest: dict[str, dict] = {}
    for activity, entry in sorted(found.items(), key=lambda item: (item[1]["time"], item[0])):
        latest[entry["assertion"]] = {"wrong": entry["wrong"], "values": entry["values"], "time": entry["time"],
                                      "correction": activity}
    return latest


_PROPERTY = {key: _POL + key for key in FIELDS}
"""The extractor's property each field of a correction replaces."""


def apply_corrections(values: dict[str, dict[str, list[str]]], corrections: dict[str, dict]) -> set[str]:
    """Apply :func:`read_corrections` to assertion -> property local name -> values, in place.

    A correction replaces the values of the fields it sets; an assertion marked
    wrong is removed. Returns the assertions marked wrong (removed or not
    present), so that a caller can leave out whatever else it read of them.

    >>> values = {"a": {"demander": ["x"], "action": ["y"]}, "b": {"holder": ["h"]}}
    >>> apply_corrections(values, {"a": {"wrong": False, "values": {"demander": ["z"]}},
    ...                            "b": {"wrong": True, "values": {}}})
    {'b'}
    >>> values
    {'a': {'demander': ['z'], 'action': ['y']}}
    """
    wrong = set()
    for assertion, correction in corrections.items():
        if correction["wrong"]:
            wrong.add(assertion)
            values.pop(assertion, None)
        elif assertion in values:
            values[assertion].update({key: list(found) for key, found in correction["values"].items()})
    return wrong


class ExtractorView:
    """``store`` as the extractor wrote it: readers that apply the reviewers' corrections by
    default (:func:`kg.analysis.read_facts`) leave them out. Everything else is the store's."""

    use_corrections = False

    def __init__(self, store) -> None:
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._store.__exit__(*exc)


def uses_corrections(store) -> bool:
    """Whether a reader of ``store`` should apply the reviewers' corrections (not an :class:`ExtractorView`)."""
    return getattr(store, "use_corrections", True)


VIEW = "corrected-1"
"""The name under which a store keeps its corrected view (:meth:`kg.store.Store.open_derived`);
a new name when the way corrections apply changes, so that no copy made the old way is read."""



def is_corrected_view(store) -> bool:
    """Whether ``store`` is a corrected view already (a copy :func:`corrected_store` made, or an
    endpoint that ``kg serve`` runs over one): its corrections are applied, the extractor's
    triples they replace are not there."""
    return bool(list(store.query(stored_query("corrections_applied"), {"g": URIRef(CORRECTIONS_GRAPH), "applied": COR.applied})))


def corrected_store(store):
    """The store as the reviewers corrected it, for SPARQL: ``store`` itself when it holds no
    correction (or is a corrected view already), else a read-only store in which each
    correction is applied (close it when done), with ``corrections`` set to their number.

    In it, a corrected field's triples of the extractor are replaced by the correction's
    values (in the assertion's own graph), every triple about an assertion marked wrong is
    gone (its ``prov:wasInvalidatedBy`` record in :data:`CORRECTIONS_GRAPH` apart), and the
    claim layer, where there is one, is brought up to date for the documents they touch. The
    store itself keeps the extractor's triples.

    The embedded store makes this view once per version of its content (after ``kg correct``
    or any other write) and keeps it beside the database, so that a query opens it rather
    than copying the store (:meth:`kg.store.OxigraphStore.open_derived`); an endpoint's
    graphs are copied for each query that needs them.
    """
    if not store.has_graph(CORRECTIONS_GRAPH) or is_corrected_view(store):
        return store
    view = store.open_derived(VIEW, apply_to_copy)
    view.corrections = len(read_corrections(view))
    return view


def extractor_store(store):
    """``store`` itself, for reading the extractor's assertions (``--raw``).

    Raises
    ------
    kg.errors.StoreError
        ``store`` is a corrected view (an endpoint ``kg serve`` runs over the corrected
        view): the extractor's triples are not in it.
    """
    if store.has_graph(CORRECTIONS_GRAPH) and is_corrected_view(store):
        raise StoreError(f"{store.path}: serves the reviewers' corrected view, without the extractor's "
                         "assertions they replace (kg serve --raw serves those)")
    return store


def apply_to_copy(copy) -> None:
    """Apply the corrections of ``copy`` (a writable copy of a store) to its graphs, in place."""
    from kg.claims import CLAIMS_GRAPH, update_claims

    corrections = read_corrections(copy)
    evidence = URIRef(_POL + "evidence")
    removed: dict[str, set[str]] = {}  # graph -> the assertions marked wrong whose triples it loses
    dropped: dict[str, list] = {}  # graph -> the extractor's triples a fix replaces
    added: dict[str, list] = {}  # graph -> the fix's triples
    for assertion, correction in corrections.items():
        subject = URIRef(assertion)
        rows = [(row["g"].value, row["p"].value, row["o"]) for row in
                copy.query(stored_query("corrections_assertion"), {"assertion": subject}) if row["g"].value != CORRECTIONS_GRAPH]
        if correction["wrong"]:
            for graph, _, _ in rows:
                removed.setdefault(graph, set()).add(assertion)
            continue
        graphs = sorted({graph for graph, predicate, _ in rows if predicate == str(evidence)})
        if not graphs:  # the assertion is no longer in the store
            continue
        for key, values in correction["values"].items():
            predicate = URIRef(_PROPERTY[key])
            dropped_here = [(graph, (subject, predicate, o)) for graph, p, o in rows if p == str(predicate)]
            for graph, triple in dropped_here:
                dropped.setdefault(graph, []).append(triple)
            for graph in graphs:
                added.setdefault(graph, []).extend((subject, predicate, URIRef(v)) for v in values)
    for graph in sorted(set(removed) | set(dropped) | set(added)):
        copy.replace_in_graph(graph, sorted(removed.get(graph, ())), added.get(graph, []),
                              remove=dropped.get(graph, []))
    documents = {g for g in set(removed) | set(dropped) | set(added) if g.startswith(_ID + "doc/")}
    if documents and copy.has_graph(CLAIMS_GRAPH):
        update_claims(copy, changed=documents)
    copy.replace_in_graph(CORRECTIONS_GRAPH, [], [(URIRef(CORRECTIONS_GRAPH), COR.applied, Literal(True))])


def prepare_corrected_view(store) -> None:
    """Make the corrected view of ``store`` now, when it holds corrections, so that the next
    query finds it made (``kg correct`` and ``kg ingest`` call this after writing)."""
    if store.has_graph(CORRECTIONS_GRAPH):
        view = corrected_store(store)
        if view is not store:
            view.close()


@contextmanager
def corrected_view(store, *, raw: bool = False):
    """:func:`corrected_store` (or, with ``raw``, :func:`extractor_store`) as a context manager
    that closes only what it opened."""
    view = extractor_store(store) if raw else corrected_store(store)
    try:
        yield view
    finally:
        if view is not store:
            view.close()


_LABEL_QUERY = """
SELECT ?node ?label WHERE { ?node skos:prefLabel ?label }
"""


def correct_extraction(extraction, corrections: dict[str, dict], names: dict[str, str]):
    """``extraction`` (a :class:`kg.extract.model.Extraction`) as the reviewers corrected it, for
    :func:`kg.api.evaluate_gold`: what is marked wrong is left out, a fix sets its fields.

    An assertion is found by its IRI, which the same document and extractor give
    again; an actor or region a fix names gets the name the extraction gives it,
    else ``names[iri]`` (the store's label), else the last part of its IRI. The
    new values of ``action``, ``forOutcome`` and ``stance`` are the codes of
    their vocabulary IRIs. Returns a new extraction; ``extraction`` is unchanged.
    """
    from dataclasses import replace

    if not corrections:
        return extraction
    known = {entity.id: entity.name for entity in [*extraction.actors, *extraction.regions]}

    def name(iri: str) -> str:
        return known.get(iri) or names.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1]

    def code(iri: str) -> str:
        return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def fixed(item):
        correction = corrections.get(item.id)
        if correction is None:
            return item
        if correction["wrong"]:
            return None
        values, changes = correction["values"], {}
        if "demander" in values:
            changes["demander"] = name(values["demander"][0])
        if "addressee" in values:
            changes["addressee"] = name(sorted(values["addressee"])[0]) if values["addressee"] else None
        if "region" in values:
            changes["regions"] = sorted(name(v) for v in values["region"])
        if "action" in values:
            changes["action"] = code(values["action"][0])
        if "forOutcome" in values:
            changes["for_"] = code(values["forOutcome"][0])
        if "stance" in values:
            changes["stance"] = code(values["stance"][0])
        return replace(item, **changes)

    def kept(items):
        return [item for item in (fixed(i) for i in items) if item is not None]

    return replace(extraction, statements=kept(extraction.statements), positions=kept(extraction.positions),
                   preconditions=kept(extraction.preconditions))


def store_labels(store) -> dict[str, str]:
    """IRI -> its ``skos:prefLabel`` (English first) in ``store``, for :func:`correct_extraction`."""
    out: dict[str, str] = {}
    for row in store.query(_LABEL_QUERY):
        iri, label = row["node"].value, row["label"]
        if iri not in out or getattr(label, "language", None) in (None, "en"):
            out[iri] = label.value
    return out
