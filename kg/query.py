"""SPARQL over a store: text, a ``.rq`` file, or a named query of ``kg/queries``.

Values are always bound by the engine (pyoxigraph substitutions on the embedded
store; a ``VALUES`` block of validated terms on a remote endpoint), never pasted
into the query text.

A :class:`Result` prints as a table for people, and as the standard formats for
programs: SPARQL 1.1 Query Results JSON, XML, CSV and TSV for ``SELECT`` and
``ASK``; Turtle and N-Triples for ``CONSTRUCT`` and ``DESCRIBE``. The standard
formats are written by Oxigraph's own serialisers.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg import resources
from kg.errors import DataFileError, QueryError
from kg.namespaces import XSD
from kg.sparql import syntax_error

__all__ = [
    "query",
    "run_query",
    "opened_store",
    "Result",
    "FORMATS",
    "FORMAT_SYNONYMS",
    "run_sparql",
    "run_named",
    "collect",
    "order_of",
    "sort_rows",
    "NamedQuery",
    "PARAMETER_KINDS",
    "named_queries",
    "get_query",
    "load_query",
    "syntax_error",
    "sparql_text",
]

FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples")
"""What :meth:`Result.render` writes; ``kg query --format`` offers the same."""
FORMAT_SYNONYMS = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "srj": "json", "srx": "xml"}
"""Other names :meth:`Result.render` takes for :data:`FORMATS` (``kg export`` says ``ttl``)."""

_XSD = str(XSD)
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
                                "unsignedShort", "unsignedByte")}
_FLOATS = {_XSD + t for t in ("decimal", "double", "float")}
_RESULTS_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
_GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}


@dataclass
class Result:
    """The answer to a query.

    ``SELECT``: ``variables`` and ``rows`` (tuples of pyoxigraph terms, ``None``
    where a variable is unbound). ``ASK``: ``boolean``. ``CONSTRUCT`` and
    ``DESCRIBE``: ``triples``, with ``rows`` holding the same as
    ``(subject, predicate, object)``.
    """

    variables: list[str]
    rows: list[tuple]
    boolean: bool | None = None
    triples: list | None = None
    notes: list[str] = field(default_factory=list)
    """How parameters were read, for people ("demander: Felix Tshisekedi speaks for ...")."""

    @property
    def kind(self) -> str:
        """``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT and DESCRIBE)."""
        if self.boolean is not None:
            return "ask"
        return "graph" if self.triples is not None else "select"

    def __len__(self) -> int:
        return len(self.rows)

    # -- for Python ----------------------------------------------------------

    def to_df(self):
        """The rows as a pandas DataFrame of plain Python values (``None`` when unbound).

        Numbers become ``int``/``float``, booleans ``bool``, everything else its
        lexical form or IRI. An ``ASK`` gives one column ``boolean``.
        """
        import pandas as pd

        if self.kind == "ask":
            return pd.DataFrame({"boolean": [self.boolean]})
        return pd.DataFrame([[_plain(v) for v in row] for row in self.rows], columns=self.variables)

    def to_records(self) -> list[dict]:
        """The rows as dictionaries of plain Python values."""
        return [{k: _plain(v) for k, v in zip(self.variables, row)} for row in self.rows]

    # -- the standard formats ------------------------------------------------

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON (``SELECT`` and ``ASK``)."""
        self._need_solutions("json")
        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": self.boolean})
        bindings = [{name: _json_term(value) for name, value in zip(self.variables, row) if value is not None}
                    for row in self.rows]
        return json.dumps({"head": {"vars": self.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)

    def to_xml(self) -> str:
        """SPARQL Query Results XML."""
        return self._standard("xml")

    def to_csv(self) -> str:
        """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends, RFC 4180 quoting."""
        return self._standard("csv")

    def to_tsv(self) -> str:
        """SPARQL 1.1 Query Results TSV: terms in Turtle syntax, a ``?var`` header."""
        return self._standard("tsv")

    def to_turtle(self, prefixes: dict[str, str] | None = None) -> str:
        """The triples of a ``CONSTRUCT``/``DESCRIBE`` as Turtle, with those of
        polkg's prefixes that shorten its IRIs."""
        return self._graph("turtle", self._used_prefixes() if prefixes is None else prefixes)

    def _used_prefixes(self) -> dict[str, str]:
        used = {}
        for triple in self.triples or []:
            for term in (triple.subject, triple.predicate, triple.object,
                         getattr(triple.object, "datatype", None)):
                if isinstance(term, ox.NamedNode):
                    short = _compact(term.value)
                    if short != term.value:
                        prefix = short.split(":", 1)[0]
                        used[prefix] = _prefixes()[prefix]
        return dict(sorted(used.items()))

    def to_ntriples(self) -> str:
        """The triples of a ``CONSTRUCT``/``DESCRIBE`` as N-Triples."""
        return self._graph("ntriples", None)

    def render(self, fmt: str) -> str:
        """The result in one of :data:`FORMATS` (or a name of :data:`FORMAT_SYNONYMS`)."""
        writers = {"table": self.to_table, "csv": self.to_csv, "tsv": self.to_tsv, "json": self.to_json,
                   "xml": self.to_xml, "turtle": self.to_turtle, "ntriples": self.to_ntriples}
        name = FORMAT_SYNONYMS.get(fmt.lower(), fmt.lower())
        if name not in writers:
            raise QueryError("result", f"unknown format {fmt!r} (one of: {', '.join(FORMATS)})")
        return writers[name]()

    def _need_solutions(self, fmt: str) -> None:
        if self.kind == "graph":
            raise QueryError("result", f"a CONSTRUCT or DESCRIBE result is RDF, not {fmt}: use turtle, ntriples or table")

    def _standard(self, fmt: str) -> str:
        self._need_solutions(fmt)
        solutions = ox.parse_query_results(self.to_json(), format=ox.QueryResultsFormat.JSON)
        return solutions.serialize(format=_RESULTS_FORMATS[fmt]).decode("utf-8")

    def _graph(self, fmt: str, prefixes) -> str:
        if self.kind != "graph":
            raise QueryError("result", f"only a CONSTRUCT or DESCRIBE result is RDF; write this one as json, csv or tsv, not {fmt}")
        data = ox.serialize(self.triples, format=_GRAPH_FORMATS[fmt], prefixes=prefixes)
        return (data or b"").decode("utf-8")

    # -- for people ------------------------------------------------------------

    def to_table(self, max_width: int = 60) -> str:
        """A plain-text table; IRIs whole, or as prefixed names with polkg's
        prefixes; text longer than ``max_width`` cut with "…" (the other formats
        give it whole); columns that are unbound in every row left out."""
        if self.kind == "ask":
            return "yes" if self.boolean else "no"
        if not self.rows:
            return "(0 rows)"
        keep = [i for i in range(len(self.variables)) if any(row[i] is not None for row in self.rows)]
        names = [self.variables[i] for i in keep]
        cells = [[_short(row[i], max_width) for i in keep] for row in self.rows]
        widths = [max([len(h)] + [len(r[j]) for r in cells]) for j, h in enumerate(names)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(names, widths)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        lines.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(lines)


@lru_cache(maxsize=1)
def _prefixes() -> dict[str, str]:
    from kg.namespaces import PREFIXES

    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def _plain(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(term.value)
            if datatype in _FLOATS:
                return float(term.value)
        except ValueError:  # an ill-typed literal keeps its lexical form
            return term.value
        if datatype == _XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def _compact(iri: str) -> str:
    best = ""
    for prefix, ns in _prefixes().items():
        if iri.startswith(ns) and len(ns) > len(best) and re.fullmatch(r"[\w.-]*", iri[len(ns):]):
            best, name = ns, prefix
    return f"{name}:{iri[len(best):]}" if best else iri


def _short(term, width: int) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):  # a name to copy: whole, prefixed where a prefix fits
        return _compact(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    text = " ".join(term.value.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def sparql_text(value: str) -> str:
    """The SPARQL that ``value`` stands for: the text of a ``.rq`` file, or ``value``
    itself. A value ending in ``.rq`` is always a file name, never query text.

    Raises
    ------
    InputError
        ``value`` ends in ``.rq`` and is no readable UTF-8 file.
    """
    from kg.errors import InputError

    if not value.strip().endswith(".rq"):
        return value
    path = Path(value.strip())
    if not path.exists():
        raise InputError(path, "no such file")
    if not path.is_file():
        raise InputError(path, "not a file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 (byte 0x{exc.object[exc.start]:02x} at {exc.start})") from exc
    except OSError as exc:
        raise InputError(path, exc.strerror or "cannot be read") from exc


def collect(raw) -> Result:
    """A :class:`Result` from what pyoxigraph's ``query`` returned (or an
    iterable of triples)."""
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows = [tuple(solution[v] for v in variables) for solution in raw]
        return Result(variables, rows)
    if isinstance(raw, ox.QueryBoolean):
        return Result([], [], boolean=bool(raw))
    triples = list(raw)
    return Result(["subject", "predicate", "object"],
                  [(t.subject, t.predicate, t.object) for t in triples], triples=triples)


def _read_answer(raw) -> Result:
    """:func:`collect`, with a failure while the rows are read (a ``SERVICE`` that cannot be
    reached, a store that cannot be read) as a one-line :class:`QueryError`."""
    try:
        return collect(raw)
    except (OSError, RuntimeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise QueryError("query", f"failed while reading the answer: {reason}") from exc


def run_sparql(store, sparql: str, bindings: dict | None = None) -> Result:
    """Run ``sparql`` on ``store`` (embedded or remote) with ``bindings``
    (``{variable name: rdflib term}``) bound by the engine.

    A ``# @order var -var ...`` line in the header sorts the rows afterwards
    (``-`` for descending): Oxigraph compares long strings slowly, so row-level
    queries sort here rather than with ``ORDER BY``.
    """
    result = _read_answer(store.query(sparql, bindings))
    order = order_of(sparql)
    if order and result.kind == "select":
        sort_rows(result, order)
    return result


_ORDER = re.compile(r"^#\s*@order\s+(.+)$")


def order_of(sparql: str) -> list[str]:
    """The ``# @order`` keys of a query's header comment (``[]`` when none)."""
    for line in sparql.lstrip().splitlines():
        if not line.startswith("#"):
            break
        match = _ORDER.match(line.strip())
        if match:
            return [key.lstrip("?") if not key.startswith("-") else "-" + key[1:].lstrip("?")
                    for key in match.group(1).split()]
    return []


def _sort_key(term):
    if term is None:
        return (0, 0.0, "")
    if isinstance(term, ox.BlankNode):
        return (1, 0.0, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, 0.0, term.value)
    if isinstance(term, ox.Literal) and (term.datatype.value in _INTEGERS or term.datatype.value in _FLOATS):
        try:
            return (3, float(term.value), "")
        except ValueError:
            pass
    return (4, 0.0, str(getattr(term, "value", term)))


def sort_rows(result: Result, keys: list[str]) -> None:
    """Sort ``result.rows`` in place by the variables ``keys`` (``-name``: descending).

    Unbound first, then blank nodes, IRIs, numbers, other literals, as
    SPARQL's ``ORDER BY`` does. Keys the result does not have are ignored.
    """
    present = [(result.variables.index(k.lstrip("-")), k.startswith("-")) for k in keys
               if k.lstrip("-") in result.variables]
    if not any(descending for _, descending in present):  # one pass
        indexes = [index for index, _ in present]
        result.rows.sort(key=lambda row: tuple(_sort_key(row[i]) for i in indexes))
        return
    for index, descending in reversed(present):  # stable sorts, last key first
        result.rows.sort(key=lambda row: _sort_key(row[index]), reverse=descending)


def run_named(store, name: str, params: dict[str, str] | None = None) -> Result:
    """Run the named query ``name`` on an open ``store`` (embedded or remote).

    ``params`` are the user's strings, ``{parameter: value}``; each is checked
    and turned into an RDF term as the query's header declares
    (:func:`kg.params.bind_parameters`) and bound by the engine. How a value
    was read, when it is not plain (a person standing for a state), is in
    ``result.notes``.
    """
    from kg.params import bind_parameters

    named = get_query(name)
    notes: list[str] = []
    result = run_sparql(store, named.text, bind_parameters(store, named, params or {}, notes=notes))
    result.notes = notes
    return result


def opened_store(store):
    """An open store and whether it was opened here (and must be closed here).

    ``store`` is a path (``None``: the default ``.kg``), an open
    :class:`~kg.store.OxigraphStore`, or any open store with the same ``query``
    method, such as :class:`kg.store.remote.RemoteStore`.
    """
    if isinstance(store, (str, os.PathLike)) or store is None:
        from kg.store import DEFAULT_STORE, open_store

        return open_store(store if store is not None else DEFAULT_STORE), True
    return store, False


def run_query(store, name: str, params: dict[str, str] | None = None, *, raw: bool = False) -> Result:
    """Run the named query ``name`` on ``store`` (a path or an open store), its
    parameters bound by the engine (:func:`run_named`).

    The reviewers' corrections apply, as in :func:`query`; ``raw=True`` queries the
    extractor's assertions."""
    from kg.corrections import corrected_view

    opened, close = opened_store(store)
    try:
        with corrected_view(opened, raw=raw) as view:
            result = run_named(view, name, params)
            count = getattr(view, "corrections", 0) if view is not opened else 0
        if count:
            result.notes.append(f"With {count} reviewer's correction{'s' if count != 1 else ''} "
                                "(raw=True for the extractor's assertions).")
        return result
    finally:
        if close:
            opened.close()


def query(store, sparql: str, bindings: dict | None = None, *, raw: bool = False) -> Result:
    """Run SPARQL text on ``store`` (a path or an open store); ``bindings`` maps
    variable names to rdflib terms.

    The reviewers' corrections (:func:`kg.corrections.corrected_store`) apply,
    and ``result.notes`` says how many; ``raw=True`` queries the extractor's assertions."""
    from kg.corrections import corrected_view

    opened, close = opened_store(store)
    try:
        with corrected_view(opened, raw=raw) as view:
            result = run_sparql(view, sparql, bindings)
            count = getattr(view, "corrections", 0) if view is not opened else 0
        if count:
            result.notes.append(f"With {count} reviewer's correction{'s' if count != 1 else ''} "
                                "(raw=True for the extractor's assertions).")
        return result
    finally:
        if close:
            opened.close()


PARAMETER_KINDS = {
    "actor": "an actor: any of its labels, or its IRI",
    "region": "a region: any of its labels, or its IRI",
    "entity": "an actor or a region: any of its labels, or its IRI",
    "side": "an actor: any of its labels, or its IRI; a person stands for the actor they speak for",
    "iri": "an IRI",
    "date": "a date, YYYY-MM-DD",
    "action": "an action code of ontology/vocab/actions.ttl",
    "outcome": "an outcome code of ontology/vocab/outcomes.ttl",
    "stance": "a stance code: supports or opposes",
    "integer": "a whole number",
    "string": "a text",
}
"""The kinds a ``# @param NAME KIND description`` line may declare."""


@dataclass
class NamedQuery:
    """A ``.rq`` file of ``kg/queries``: its header says what it answers and what binds."""

    name: str
    description: str
    parameters: dict[str, str]  # name -> kind, one of PARAMETER_KINDS
    text: str
    path: Path
    help: dict[str, str] | None = None  # name -> the description of the @param line


_PARAM = re.compile(r"^#\s*@param\s+(\w+)\s+(\w+)(?:\s+(.*))?$")


def load_query(path: Path) -> NamedQuery:
    """Read a ``.rq`` file with its header.

    The header is the comment lines at the top: the first one says what the
    query answers; each ``# @param NAME KIND description`` line declares a
    variable ``?NAME`` that a caller may bind. The variable must be in the
    ``SELECT`` list (pyoxigraph binds only projected variables). A
    ``# @order var -var`` line sorts the rows after the query (:func:`run_sparql`).

    Raises
    ------
    DataFileError
        No description, or a parameter of unknown kind or declared twice.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    description = ""
    params: dict[str, str] = {}
    notes: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        stripped = line.strip()
        match = _PARAM.match(stripped)
        if match:
            name, kind = match.group(1), match.group(2)
            if kind not in PARAMETER_KINDS:
                raise DataFileError(path, f"parameter {name!r} has unknown kind {kind!r} "
                                          f"(one of: {', '.join(PARAMETER_KINDS)})", line=number)
            if name in params:
                raise DataFileError(path, f"parameter {name!r} is declared twice", line=number)
            params[name] = kind
            notes[name] = (match.group(3) or "").strip()
        elif _ORDER.match(stripped):
            continue
        elif re.match(r"^#\s*@", stripped):
            raise DataFileError(path, f"not a header line '# @param NAME KIND description' or '# @order VAR...': "
                                      f"{stripped!r}", line=number)
        elif not description and stripped.strip("# "):
            description = stripped.strip("# ").strip()
    if not description:
        raise DataFileError(path, "the first comment line must say what the query answers", line=1)
    return NamedQuery(path.stem, description, params, text, path, notes)


@lru_cache(maxsize=64)
def _load_cached(path: Path, mtime_ns: int, size: int) -> NamedQuery:
    return load_query(path)


def named_queries() -> dict[str, NamedQuery]:
    """Every named query of ``kg/queries``, by name."""
    out = {}
    for path in sorted(resources.query_dir().glob("*.rq")):
        stat = path.stat()
        out[path.stem] = _load_cached(path, stat.st_mtime_ns, stat.st_size)
    return out


def get_query(name: str) -> NamedQuery:
    """The named query ``name``.

    Raises
    ------
    QueryError
        There is no such query; the message lists the known ones.
    """
    path = resources.query_dir() / f"{name}.rq"
    if re.fullmatch(r"[\w-]+", name) and path.is_file():
        stat = path.stat()
        return _load_cached(path, stat.st_mtime_ns, stat.st_size)
    known = ", ".join(named_queries()) or "none"
    raise QueryError(name, f"no such named query (known: {known})")
