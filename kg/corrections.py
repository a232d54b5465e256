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

:func:`read_corrections` gives, per assertion, the latest correction;
:func:`kg.viz.to_view_graph` applies them unless asked for the raw view.

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
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DefinedNamespace, Namespace, PROV, RDF, RDFS, XSD

from kg.errors import DataFileError

__all__ = ["COR", "CORRECTIONS_GRAPH", "Correction", "load_corrections", "write_corrections", "read_corrections",
           "FIELDS"]

_ID = "https://w3id.org/polkg/id/"
CORRECTIONS_GRAPH = _ID + "graph/corrections"
"""The named graph that holds every correction, apart from the documents' graphs."""

_POL = "https://w3id.org/polkg/ontology#"


class COR(DefinedNamespace):
    """The values a correction sets, named apart from ``pol:`` so that no query of the extractor's terms sees them."""

    _NS = Namespace("https://w3id.org/polkg/ontology/correction#")
    _fail = True

    Correction: URIRef  # a prov:Activity: one reviewer's correction of one assertion
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


_READ_QUERY = """
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?g ?activity ?assertion ?time ?wrong ?property ?value WHERE {
  GRAPH ?g {
    ?activity prov:used ?assertion ; prov:endedAtTime ?time .
    OPTIONAL { ?assertion prov:wasInvalidatedBy ?activity . BIND(true AS ?wrong) }
    OPTIONAL { ?revision prov:wasGeneratedBy ?activity ; ?property ?value .
               FILTER(STRSTARTS(STR(?property), "https://w3id.org/polkg/ontology/correction#")) }
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
