"""SPARQL text: the one module that builds it, apart from the named queries of ``kg/queries/``.

What is read from outside (a user's value, a document's words) never becomes query
text: it is bound by the engine, or checked and written as a term (``check_iri``,
then ``.n3()``). This module also turns the engine's syntax errors into one line.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import URIRef

from kg.errors import QueryError
from kg.namespaces import PREFIXES

__all__ = ["syntax_error", "check_iri"]

_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_PREFIXED = re.compile(r"^([A-Za-z][\w-]*):([\w.-]*)$")

_POSITION = re.compile(r"^error at (\d+):(\d+):\s*")
_CHAR_CLASS = re.compile(r"\[[^\[\]]*(?:'|\.\.=|_)[^\[\]]*\]")
_PNAME_BEFORE = re.compile(r"(?:^|[^\w.:-])([A-Za-z][\w.-]*)?:[\w.%-]*\s*$")


def syntax_error(sparql: str, message: str) -> str:
    """One line for the parser's ``message`` about ``sparql``: the position
    (line:column), the message without its lists of character ranges, and an
    unknown prefix by name.

    >>> syntax_error("ASK { ?s a foo:Bar }", "error at 1:19: expected one of Prefix not found, ['%'], ['.']")
    "SPARQL syntax error at 1:19: unknown prefix 'foo:'"
    >>> syntax_error("SELEC ?s", "error at 1:9: expected one of DESCRIBE, [_]")
    'SPARQL syntax error at 1:9: expected one of DESCRIBE'
    """
    text = " ".join(message.split())
    match = _POSITION.match(text)
    where = ""
    if match:
        where = f" at {match.group(1)}:{match.group(2)}"
        text = text[match.end():]
    if "Prefix not found" in text:
        prefix = None
        if match:
            lines = sparql.splitlines() or [""]
            number, column = int(match.group(1)), int(match.group(2))
            line = lines[number - 1] if 0 < number <= len(lines) else ""
            found = _PNAME_BEFORE.search(line[: max(column - 1, 0)])
            prefix = found.group(1) or "" if found else None
        text = f"unknown prefix '{prefix}:'" if prefix is not None else "unknown prefix"
    else:
        text = _CHAR_CLASS.sub("", text)
        text = re.sub(r"(,\s*)+", ", ", text).strip(" ,")
        if len(text) > 120:
            text = text[:120].rsplit(",", 1)[0] + ", ..."
    return f"SPARQL syntax error{where}: {text or 'not SPARQL'}"


def check_iri(value: str, name: str = "parameter") -> URIRef:
    """``value`` as an IRI term, or ``ref:Name``-style with one of polkg's prefixes.

    Raises
    ------
    QueryError
        Not an absolute IRI (spaces, quotes, angle brackets, braces... or no scheme).
    """
    match = _PREFIXED.match(value)
    if match and match.group(1) in PREFIXES:
        value = str(PREFIXES[match.group(1)]) + match.group(2)
    if not _IRI.match(value):
        raise QueryError(name, f"not a valid IRI: {value!r}")
    try:
        ox.NamedNode(value)  # RFC 3987, as strictly as the engine reads it
    except ValueError as exc:
        raise QueryError(name, f"not a valid IRI: {value!r} ({exc})") from None
    return URIRef(value)
