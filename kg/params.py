"""Parameters of named queries: from the user's strings to typed RDF terms.

A parameter declared ``actor``, ``region`` or ``entity`` takes any label of the
entity (its ``skos:prefLabel`` or an ``skos:altLabel``, in any letter case, or
the text of one of its mentions) or its IRI (also as ``ref:Russia``). Labels
are looked up with bound queries, never pasted in; an IRI is checked before it
becomes a term. Codes (``action``, ``outcome``, ``stance``) must be codes of
the vocabularies, dates ISO dates.
"""

from __future__ import annotations

import re
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import QueryError
from kg.namespaces import ACT, OUT, POL, PREFIXES, SKOS, ST
from kg.sparql import check_iri, stored_query

__all__ = ["bind_parameters", "resolve_entity", "side_of", "check_iri", "close_names"]

_PREFIXED = re.compile(r"^([A-Za-z][\w-]*):([\w.-]*)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_REGION = str(POL.Region)

# Exact labels first: one index lookup each, whatever the size of the store. (A UNION
# or a property path here would be slow: pyoxigraph 0.5 does not push a substituted
# value into them, and scans.)
_BY_LABEL = stored_query("param_by_label")

_BY_MENTION = stored_query("param_by_mention")

# Then any letter case: a scan over the labels (not the mentions).
_BY_LABEL_ANY_CASE = stored_query("param_by_label_any_case")

_PREF = str(SKOS.prefLabel)

# Every label, for suggestions when a name matches none.
_ALL_LABELS = stored_query("param_labels")


def close_names(name: str, labels, *, limit: int = 3, cutoff: float = 80) -> list[str]:
    """The ``labels`` most like ``name`` (rapidfuzz's ratio, ignoring case), best first;
    none when no label scores ``cutoff`` (of 100) or more.

    ``labels`` are strings, or ``(label, key)`` pairs: then one label per key (its best)
    is given, so an entity with several close labels is suggested once.

    >>> close_names("Rusia", ["Russia", "Prussia", "Norway"])
    ['Russia', 'Prussia']
    >>> close_names("Nowhere", ["Russia", "Norway", "other"])
    []
    """
    from rapidfuzz import fuzz, process, utils

    pairs = [item if isinstance(item, tuple) else (item, item) for item in labels]
    scored = process.extract(name, [label for label, _ in pairs], scorer=fuzz.ratio, processor=utils.default_process,
                             score_cutoff=cutoff, limit=None)
    best: dict = {}
    for label, score, index in sorted(scored, key=lambda item: (-item[1], item[0])):
        best.setdefault(pairs[index][1], label)
    return list(best.values())[:limit]


def _suggestions(store, value: str, kind: str) -> str:
    """`` (did you mean A, B?)`` with the labels of entities of ``kind`` closest to ``value``, or ``""``."""
    labels = [(r["label"].value, r["entity"].value) for r in store.query(_ALL_LABELS)
              if kind == "entity" or (r["class"].value == _REGION) == (kind == "region")]
    close = close_names(value, labels)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _looks_like_iri(value: str) -> bool:
    match = _PREFIXED.match(value)
    return value.startswith(("http://", "https://", "urn:")) or bool(match and match.group(1) in PREFIXES)


def _pick(rows: list[tuple[str, str, bool]], kind: str) -> list[str]:
    """The candidate IRIs, best first: of the wanted kind, by preferred label,
    from the reference data."""
    def fits(cls: str) -> bool:
        return kind == "entity" or (cls == _REGION) == (kind == "region")

    fitting = [r for r in rows if fits(r[1])] or rows
    preferred = [r for r in fitting if r[2]] or fitting
    iris = sorted({r[0] for r in preferred})
    canonical = [iri for iri in iris if "/ref/" in iri]
    return canonical or iris


_BY_DEMONYM = stored_query("param_by_demonym")

_GOVERNMENT = re.compile(r"^(?:the\s+)?(?:(?P<of>.+?)(?:'s|’s)?\s+government|government\s+of\s+(?:the\s+)?(?P<after>.+))$",
                         re.IGNORECASE)


def _government_of(store, value: str, name: str) -> URIRef | None:
    """The state that "the Congolese government", "Rwanda's government" or "the
    Government of Uganda" names (by demonym or label), or None."""
    match = _GOVERNMENT.match(value)
    if not match:
        return None
    place = (match.group("of") or match.group("after")).strip()
    states = sorted({r["entity"].value for r in store.query(_BY_DEMONYM, {"wanted": Literal(place)})})
    if len(states) == 1:
        return URIRef(states[0])
    try:
        return resolve_entity(store, place, name, "actor")
    except QueryError:
        return None


def resolve_entity(store, value: str, name: str = "parameter", kind: str = "entity") -> URIRef:
    """An entity's IRI from one of its labels (any letter case) or from its IRI.

    ``kind`` (``actor``, ``region`` or ``entity``) breaks ties between an actor
    and a region of the same name. A government that no label names ("the
    Congolese government", "the Government of Rwanda") is its state's.

    Raises
    ------
    QueryError
        No entity has that label, or several equally good ones do.
    """
    if _looks_like_iri(value):
        return check_iri(value, name)
    value = value.strip()
    rows = []
    for label in (Literal(value, lang="en"), Literal(value)):  # labels are English; a plain one second
        rows = [(r["entity"].value, r["class"].value, r["property"].value == _PREF)
                for r in store.query(_BY_LABEL, {"label": label})]
        if rows:
            break
    if not rows:
        rows = [(r["entity"].value, r["class"].value, r["property"].value == _PREF)
                for r in store.query(_BY_LABEL_ANY_CASE, {"wanted": Literal(value)})]
    if not rows:
        rows = [(r["entity"].value, r["class"].value, False) for r in store.query(_BY_MENTION, {"label": Literal(value)})]
    if not rows and kind != "region":
        state = _government_of(store, value, name)
        if state is not None:
            return state
    if not rows:
        raise QueryError(name, f"no actor or region is called {value!r}{_suggestions(store, value, kind)}")
    found = _pick(rows, kind)
    if len(found) > 1:
        shown = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
        raise QueryError(name, f"{value!r} names {len(found)} entities ({shown}): give the IRI")
    return URIRef(found[0])


def _date(value: str, name: str) -> Literal:
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise QueryError(name, f"not a date (YYYY-MM-DD): {value!r}") from exc
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise QueryError(name, f"not a date (YYYY-MM-DD): {value!r}")
    return Literal(value, datatype=XSD.date)


def _code(value: str, name: str, vocabulary) -> str:
    codes = [member.value for member in vocabulary]
    if value not in codes:
        raise QueryError(name, f"not a code of this vocabulary: {value!r} (one of: {', '.join(codes)})")
    return value


def _codes(enum: str):
    """The code enum ``Action``, ``Outcome`` or ``Stance`` of :mod:`kg.codes`."""
    from kg import codes

    return getattr(codes, enum)


_SIDE = stored_query("param_side")


def side_of(store, iri: URIRef, name: str = "parameter", notes: list[str] | None = None) -> URIRef:
    """The actor the person ``iri`` speaks for (``pol:speaksFor``), or ``iri`` itself
    when it is no person or speaks for no one or for several; a line saying so is
    added to ``notes``."""
    rows = list(store.query(_SIDE, {"person": iri}))
    if len({r["side"].value for r in rows}) != 1:
        return iri
    row = rows[0]
    if notes is not None:
        who = row["personName"].value if row["personName"] is not None else str(iri)
        side = row["sideName"].value if row["sideName"] is not None else row["side"].value
        notes.append(f"{name}: {who} speaks for {side}")
    return URIRef(row["side"].value)


def bind_parameters(store, query, params: dict[str, str], *, notes: list[str] | None = None) -> dict:
    """``{variable: term}`` for the engine, from ``{name: string}``.

    A parameter of kind ``side`` that names a person stands for the actor the
    person speaks for; ``notes``, when given, gets a line saying so.

    Raises
    ------
    QueryError
        A parameter the query does not declare, or a value that does not fit
        its kind.
    """
    unknown = set(params) - set(query.parameters)
    if unknown:
        known = ", ".join(query.parameters) or "none"
        raise QueryError(query.name, f"unknown parameter {sorted(unknown)[0]!r} (this query takes: {known})")
    bindings = {}
    for name, value in params.items():
        kind = query.parameters[name]
        if not isinstance(value, str):
            raise QueryError(name, f"a parameter value is a string, got {type(value).__name__}")
        if not value.strip():
            raise QueryError(name, "empty value")
        if _CONTROL.search(value):
            raise QueryError(name, f"control characters are not allowed: {value!r}")
        if kind in ("actor", "region", "entity"):
            bindings[name] = resolve_entity(store, value, name, kind)
        elif kind == "side":
            bindings[name] = side_of(store, resolve_entity(store, value, name, "actor"), name, notes)
        elif kind == "iri":
            bindings[name] = check_iri(value, name)
        elif kind == "date":
            bindings[name] = _date(value, name)
        elif kind == "action":
            bindings[name] = ACT[_code(value, name, _codes("Action"))]
        elif kind == "outcome":
            bindings[name] = OUT[_code(value, name, _codes("Outcome"))]
        elif kind == "stance":
            bindings[name] = ST[_code(value, name, _codes("Stance"))]
        elif kind == "integer":
            if not re.fullmatch(r"[+-]?\d+", value.strip()):
                raise QueryError(name, f"not an integer: {value!r}")
            bindings[name] = Literal(int(value))
        else:
            bindings[name] = Literal(value)
    return bindings
