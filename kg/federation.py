"""Whether a SPARQL request would make the engine fetch a URL, and whether that is allowed.

SPARQL 1.1 Federated Query (``SERVICE <url> { ... }``) and SPARQL Update's
``LOAD <url>`` make the engine send HTTP requests of its own. Behind an
endpoint that is server-side request forgery: whoever can send a query can make
the server call addresses only it can reach. :func:`check_federation` refuses
both unless every URL's host is in an allow-list, and it is built to fail
closed:

1. Nothing to check unless the text contains ``service`` (or ``load``, for an
   update) somewhere, in any case, in the text as sent or after SPARQL's
   ``\\uXXXX``/``\\UXXXXXXXX`` escapes are replaced (the grammar applies them to
   the whole text; Oxigraph 0.5 does not, polkg checks both readings).
2. A scanner that knows SPARQL's comments, strings, IRIs, variables and
   prefixed names finds the keyword uses and what each calls: a variable, an
   IRI whose host cannot be told, or a host not allowed is refused.
3. Oxigraph's own parser then confirms that no other use is hidden: the text
   with every uncounted ``service``/``load`` made harmless (same length), and
   each counted ``SERVICE`` call rewritten as ``GRAPH``, must still parse. A
   real keyword made harmless leaves a syntax error, so a use the scanner
   missed (a differential between the scanner and the engine) is refused.
   ``ASK`` is parsed as an equivalent ``SELECT``, so nothing is evaluated;
   updates, which Oxigraph evaluates as it parses them, are checked on an
   empty in-memory store.

The word in a string literal, an IRI, a comment, a variable or a prefixed name
(``"customer service"``, ``<https://example.org/service>``, ``?service``) is not
a call and is not refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from kg.errors import QueryError
from kg.sparql import ASK_AS_SELECT

__all__ = ["check_federation", "parse_hosts", "unescape_codepoints"]

_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                   r"[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")
_TARGET = re.compile(r"^https?://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>\d{1,5}))?"
                     r"(?:[/?][^\s\\@<>\"{}|^`]*)?$")
_SPACE = " \t\r\n"
_NAME_CHAR = re.compile(r"[\w\-\u00B7\u0300-\u036F\u203F\u2040%\\:]")
_NEUTRAL = {"s": "x", "S": "X", "l": "x", "L": "X"}  # first letters, swapped: "service" -> "xervice"
_WORDS = {"service": re.compile(r"service", re.IGNORECASE), "load": re.compile(r"load", re.IGNORECASE)}


def parse_hosts(text: str | None) -> tuple[str, ...]:
    """``HOST[,HOST:PORT]...`` of ``--allow-service`` as lower-case entries.

    Raises
    ------
    QueryError
        An entry that is not a host name, an IPv4 address or a bracketed IPv6
        address (with an optional port).
    """
    hosts = []
    for entry in (text or "").split(","):
        entry = entry.strip().lower()
        if not entry:
            continue
        host, _, port = entry.rpartition(":") if not entry.endswith("]") and entry.count(":") == 1 else (entry, "", "")
        if not _HOST.match(host) or (port and (not port.isdigit() or not 0 < int(port) < 65536)):
            raise QueryError("--allow-service", f"not a host or host:port: {entry!r}")
        hosts.append(entry)
    return tuple(hosts)


def unescape_codepoints(text: str) -> str:
    """``text`` with SPARQL's ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes replaced, in one
    pass as the grammar says (an invalid escape is left as it is)."""
    if "\\u" not in text and "\\U" not in text:
        return text

    def replace(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return match.group(0) if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF else chr(code)

    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", replace, text)


@dataclass
class _Call:
    keyword: str  # "SERVICE" or "LOAD"
    start: int  # where the keyword starts
    end: int  # where the keyword and its SILENT end
    target: str | None  # the IRI called, None when it cannot be told (a variable, an unknown prefix)
    shown: str  # the target as written, for messages


def _skip_space(text: str, at: int) -> int:
    while at < len(text):
        if text[at] in _SPACE:
            at += 1
        elif text[at] == "#":
            while at < len(text) and text[at] not in "\r\n":
                at += 1
        else:
            break
    return at


def _string_end(text: str, at: int) -> int:
    """End of the string literal starting at ``at`` (the end of the text if it never ends)."""
    quote = text[at]
    if text.startswith(quote * 3, at):
        at += 3
        while at < len(text):
            if text[at] == "\\":
                at += 2
            elif text.startswith(quote * 3, at):
                return at + 3
            else:
                at += 1
        return len(text)
    at += 1
    while at < len(text):
        if text[at] == "\\":
            at += 2
        elif text[at] == quote:
            return at + 1
        elif text[at] in "\r\n":
            return at  # short strings end at a line break: the engine refuses the text
        else:
            at += 1
    return len(text)


def _iri_end(text: str, at: int) -> int | None:
    """End of an IRI ``<...>`` starting at ``at``, or None when ``<`` is an operator."""
    close = text.find(">", at + 1)
    if close < 0:
        return None
    inside = text[at + 1:close]
    if any(ch in '<"{}|^`\\' or ord(ch) <= 0x20 for ch in inside):
        return None
    return close + 1


def _tokens(text: str):
    """``(kind, start, end)`` for each token outside comments: ``string``, ``iri``,
    ``var``, ``word`` (keywords and prefixed names; a dot splits words) and ``punct``."""
    at = 0
    while True:
        at = _skip_space(text, at)
        if at >= len(text):
            return
        ch = text[at]
        if ch in "\"'":
            end = _string_end(text, at)
            yield "string", at, end
        elif ch == "<" and (end := _iri_end(text, at)) is not None:
            yield "iri", at, end
        elif ch in "?$":
            end = at + 1
            while end < len(text) and (text[end].isalnum() or text[end] in "_\u00B7" or 0x300 <= ord(text[end]) <= 0x36F):
                end += 1
            yield "var", at, end
        elif _NAME_CHAR.match(ch):
            end = at + 1
            while end < len(text) and _NAME_CHAR.match(text[end]):
                end += 2 if text[end] == "\\" else 1
            yield "word", at, min(end, len(text))
        else:
            end = at + 1
            yield "punct", at, end
        at = end


def _calls(text: str, words: tuple[str, ...]) -> list[_Call]:
    """The keyword uses the scanner finds in ``text``, with what each would call.

    A word outside strings, IRIs and comments that starts with the keyword, in any
    case, is a use: the engine matches keywords by their letters alone, so
    ``SERVICEex:name`` calls ``ex:name`` and ``SERVICESILENT<...>`` is
    ``SERVICE SILENT <...>``. The target is an IRI, or a prefixed name resolved
    with the ``PREFIX`` lines read so far; anything else (a variable) is None.
    """
    tokens = list(_tokens(text))
    prefixes: dict[str, str] = {}
    calls: list[_Call] = []
    declaring = -1
    for index, (kind, start, end) in enumerate(tokens):
        if kind != "word" or index == declaring:
            continue
        token = text[start:end]
        upper = token.upper()
        if upper == "PREFIX" and index + 2 < len(tokens) and tokens[index + 1][0] == "word":
            declaring = index + 1
            name = text[tokens[index + 1][1]:tokens[index + 1][2]]
            iri = tokens[index + 2]
            if name.endswith(":") and iri[0] == "iri":
                prefixes[name[:-1]] = text[iri[1] + 1:iri[2] - 1]
            continue
        if ":" in token and token.partition(":")[0] in prefixes:
            continue  # a prefixed name such as service:x; if the engine reads a call there, the parse check says so
        keyword = next((w.upper() for w in words if upper.startswith(w.upper())), None)
        if keyword is None:
            continue
        rest = token[len(keyword):]
        if rest.upper().startswith("SILENT"):
            rest = rest[len("SILENT"):]
        if rest and ":" not in rest:
            continue  # "services", "loaded": not a keyword; the parse check decides
        call_end = start + len(keyword)
        if rest:
            target_kind, target_text = "word", rest
        else:
            position = index + 1
            if position < len(tokens) and tokens[position][0] == "word" and \
                    text[tokens[position][1]:tokens[position][2]].upper() == "SILENT":
                call_end = tokens[position][2]
                position += 1
            if position < len(tokens):
                target_kind, target_text = tokens[position][0], text[tokens[position][1]:tokens[position][2]]
            else:
                target_kind, target_text = "none", ""
        target = None
        if target_kind == "iri":
            target = target_text[1:-1]
        elif target_kind == "word" and ":" in target_text:
            prefix, _, local = target_text.partition(":")
            if prefix in prefixes and "\\" not in local:
                target = prefixes[prefix] + local
        calls.append(_Call(keyword, start, call_end, target, target_text or "(nothing)"))
    return calls


def _allowed(target: str | None, hosts: tuple[str, ...]) -> bool:
    if target is None or not hosts:
        return False
    match = _TARGET.match(target)
    if not match:
        return False
    host = match.group("host").lower()
    port = match.group("port")
    return host in hosts or (port is not None and f"{host}:{port}" in hosts)


def _neutralise(text: str, words: tuple[str, ...], keep: list[_Call]) -> str:
    """``text`` with every occurrence of ``words`` made harmless (same length), except
    the calls in ``keep``, which become ``GRAPH`` (same grammar: a name, then a group)."""
    chars = list(text)
    kept = set()
    for call in keep:
        if call.keyword == "SERVICE":
            chars[call.start:call.end] = list("GRAPH".ljust(call.end - call.start))
            kept.update(range(call.start, call.end))
    for word in words:
        for match in _WORDS[word].finditer(text):
            if match.start() not in kept:
                chars[match.start()] = _NEUTRAL.get(text[match.start()], "x")
    return "".join(chars)


def _parses(text: str, *, update: bool) -> str | None:
    """None when Oxigraph parses ``text``; else its syntax error. Nothing is fetched:
    ``text`` has no ``SERVICE`` or ``LOAD`` left, a query is never evaluated, an update
    runs on an empty in-memory store."""
    import pyoxigraph as ox

    try:
        if update:
            ox.Store().update(text)
        else:
            ox.Store().query(_ask_as_select(text))
    except SyntaxError as exc:
        return str(exc)
    except (OSError, RuntimeError, ValueError):
        return None  # parsed, then failed to run on an empty store: not a syntax question
    return None


def _ask_as_select(text: str) -> str:
    """An ``ASK`` query as the ``SELECT`` of the same pattern (``ASK`` is evaluated at
    once; a ``SELECT`` only when its rows are read)."""
    for kind, start, end in _tokens(text):
        if kind != "word":
            continue
        word = text[start:end].upper()
        if word in ("SELECT", "CONSTRUCT", "DESCRIBE"):
            return text
        if word == "ASK":
            return text[:start] + ASK_AS_SELECT + text[end:]
    return text


def check_federation(text: str, *, update: bool = False, allowed_hosts: tuple[str, ...] = ()) -> None:
    """Refuse ``text`` if it would make the engine fetch a URL whose host is not allowed.

    Parameters
    ----------
    text : str
        A SPARQL query, or an update with ``update=True`` (then ``LOAD`` counts too).
    update : bool, optional (default=False)
    allowed_hosts : tuple of str, optional
        Lower-case ``host`` or ``host:port`` entries (:func:`parse_hosts`); empty:
        every ``SERVICE`` (and ``LOAD``) is refused.

    Raises
    ------
    QueryError
        One line naming what was refused and how to allow it.

    Examples
    --------
    >>> check_federation('SELECT * { ?s ?p "customer service" }')
    >>> check_federation('SELECT * { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }')
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: SERVICE: federated queries are refused: <http://10.0.0.1/sparql> would make the server send a request (start kg serve with --allow-service HOST to allow a host)
    """
    words = ("service", "load") if update else ("service",)
    readings = [text]
    unescaped = unescape_codepoints(text)
    if unescaped != text:
        readings.append(unescaped)
    for reading in readings:
        if not any(_WORDS[w].search(reading) for w in words):
            continue
        if "\x00" in reading:
            raise QueryError("query", "NUL characters are not allowed in SPARQL text")
        calls = _calls(reading, words)
        for call in calls:
            if call.keyword == "LOAD" or not _allowed(call.target, allowed_hosts):
                raise _refusal(call, allowed_hosts)
        error = _parses(_neutralise(reading, words, calls), update=update)
        if error is not None:
            raise QueryError(words[0].upper(), "refused: the text uses the word "
                             f"{'/'.join(w.upper() for w in words)} in a way that cannot be told apart from a call "
                             f"to another server (without it: {error})")


def _refusal(call: _Call, hosts: tuple[str, ...]) -> QueryError:
    shown = call.shown if len(call.shown) <= 120 else call.shown[:117] + "..."
    if call.keyword == "LOAD":
        return QueryError("LOAD", f"refused: LOAD {shown} would make the server fetch a URL "
                                  "(load files with kg ingest, or kg push to an endpoint)")
    if call.target is None:
        reason = f"the target {shown} is not an IRI polkg can check"
    elif hosts:
        reason = f"{shown} is not on a host allowed by --allow-service ({', '.join(hosts)})"
    else:
        reason = f"{shown} would make the server send a request"
    return QueryError("SERVICE", f"federated queries are refused: {reason} "
                                    "(start kg serve with --allow-service HOST to allow a host)")
