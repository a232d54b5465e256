"""``kg serve``: a SPARQL 1.1 Protocol endpoint over the store, with the graph view beside it.

Two processes, one address::

    client ──HTTP──▶ polkg front (http.server, a thread per admitted connection, host:port)
                       /            the graph view (kg.viz.write_html)
                       /sparql      SPARQL 1.1 Protocol: query, and update with a token
                       /store       Graph Store Protocol: read, and write with a token
                         │
                         ▼ loopback, a free port
                     oxigraph serve-read-only | serve  --location <store>/oxigraph

The SPARQL work is Oxigraph's own HTTP server (the ``oxigraph`` command of the
PyPI package, same version as pyoxigraph, so it reads the store polkg wrote).
Oxigraph serves no static files and has no access control, so a small front
server passes the protocol requests through and adds what polkg needs:

* read-only unless started with ``allow_update`` and a token; then updates and
  Graph Store writes need ``Authorization: Bearer <token>``;
* a deadline per request (Oxigraph's ``--timeout-s`` too, but Oxigraph may
  answer ``200`` with a cut-off body when it cancels, so the front checks);
* no request that would make Oxigraph fetch a URL: ``SERVICE`` and ``LOAD`` are
  refused before they reach it, unless ``allow_service`` names the host
  (:mod:`kg.federation`);
* a cap on the size of an answer (Oxigraph has none);
* bounds on what one client can take: a read timeout on the request line,
  headers and body, a cap on the body checked before it is read, caps on open
  connections in all and per address (:class:`_Connections`), strict
  framing (one ``Content-Length``, no ``Transfer-Encoding``), a queue in front
  of Oxigraph with a share per address (:class:`_QuerySlots`), and a limit on
  Oxigraph's heap: past it, or when slow queries hold up a quick or new client
  (for :data:`_STARVED_SECONDS`), Oxigraph is started again and the addresses of
  the slow queries are refused for a while;
* the graph view at ``/``;
* Oxigraph started again if it stops (it can, when the machine runs out of
  threads), unless it stops three times within a minute.

The store's lock (the ``polkg.lock`` file every polkg process takes) is held
for as long as the endpoint runs — by this process and, through an inherited
descriptor, by the Oxigraph process: read-only, a reader's shared lock, so
``kg query`` still runs beside it and ``kg ingest`` is told the store is busy;
with ``allow_update``, the writer's. A store that another process is writing is
reported as busy rather than opened (Oxigraph's read-only mode beside a writer
is undefined).

Oxigraph listens on a loopback port of its own; with ``allow_update`` a local
user who finds that port can write without the token. On a shared machine keep
the endpoint read-only.
"""

from __future__ import annotations

import hmac
import re
import http.client
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from kg.errors import KgError, QueryError, StoreError
from kg.federation import check_federation
from kg.namespaces import declare_prefixes

__all__ = ["EndpointServer", "start_server", "oxigraph_command"]

log = logging.getLogger("kg.serve")

_CANCELLED = b"The SPARQL operation has been cancelled"
_CULPRIT_SECONDS = 1.0  # a request running this long when the engine goes over its memory limit is blamed
_BARRED_SECONDS = 30  # and its address is refused this long
_HEAVY_SECONDS = 1.0  # a request running longer makes its address heavy (_QuerySlots)
_STARVED_SECONDS = 0.2  # a quick or new client waiting this long behind slow queries has Oxigraph restarted,
_PREEMPT_AFTER = 0.5  # when those queries, from addresses not known to be quick, have run this long
_PREEMPT_EVERY = 1.0  # at most this often
_HEAVY_MEMORY_SECONDS = 60.0  # for this long after it ends
_LIGHT_SECONDS = 600.0  # a request answered sooner makes its address light for this long
_FORWARDED_HEADERS = ("Content-Type", "Accept", "Accept-Encoding")


def oxigraph_command() -> str:
    """The ``oxigraph`` executable: beside this Python, else on ``PATH``."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise StoreError("oxigraph: the Oxigraph server is not installed (pip install oxigraph)")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


_MAX_REQUEST_LINE = 65536  # bytes of "GET /sparql?query=... HTTP/1.1" (a GET query lives there)
_MAX_HEADER_BYTES = 32768  # bytes of all the header lines of one request
_TOKEN_CHARS = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 field names
_BAD_VALUE_CHARS = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


class _Connection:
    """One accepted connection as :class:`_Connections` sees it."""

    __slots__ = ("sock", "address", "opened", "deadline", "reading", "timed_out")

    def __init__(self, sock: socket.socket, address: str) -> None:
        self.sock, self.address = sock, address
        self.opened = time.monotonic()
        self.deadline: float | None = None  # while reading from the client
        self.reading = True
        self.timed_out = False


class _Connections:
    """The open connections: at most ``total`` in all and ``per_client`` from one address,
    and a read deadline on each while the server waits for a request or its body.

    One thread (:meth:`reap`) ends every read that passes its deadline, so a client
    that sends its headers a byte at a time is dropped after ``read_timeout``
    seconds, however steadily it sends. When all ``total`` are taken, a new
    connection takes the place of the oldest one still waiting for its request,
    from the address that holds the most; when every connection is busy with a
    request, or its address holds ``per_client`` already, it is refused.
    """

    def __init__(self, *, total: int, per_client: int, read_timeout: float) -> None:
        self.total, self.per_client, self.read_timeout = total, per_client, read_timeout
        self._open: dict[int, _Connection] = {}
        self._per_address: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def admit(self, sock: socket.socket, address: str) -> _Connection | str:
        """The new connection's record, or why it is refused."""
        evicted = None
        with self._lock:
            held = self._per_address.get(address, 0)
            if held >= self.per_client:
                return f"too many connections from {address} (at most {self.per_client})"
            if len(self._open) >= self.total:
                waiting = [c for c in self._open.values() if c.reading]
                if not waiting:
                    return f"too many connections (at most {self.total}, all busy)"
                evicted = max(waiting, key=lambda c: (self._per_address[c.address], -c.opened))
                self._forget(evicted)
                evicted.timed_out = True
            record = _Connection(sock, address)
            record.deadline = record.opened + self.read_timeout
            self._open[id(sock)] = record
            self._per_address[address] = held + 1
        if evicted is not None:
            log.info("%s: connection dropped for a new one (all %d taken)", evicted.address, self.total)
            _shutdown(evicted.sock, socket.SHUT_RDWR)
        return record

    def _forget(self, record: _Connection) -> None:
        if self._open.pop(id(record.sock), None) is record:
            left = self._per_address[record.address] - 1
            if left:
                self._per_address[record.address] = left
            else:
                del self._per_address[record.address]

    def release(self, record: _Connection) -> None:
        with self._lock:
            self._forget(record)

    def reading(self, record: _Connection) -> None:
        """The server waits for the client (a request, or its body): the deadline runs."""
        record.deadline = time.monotonic() + self.read_timeout
        record.reading = True

    def busy(self, record: _Connection) -> None:
        """A request is being answered: no read deadline, and not taken for a newcomer."""
        record.reading = False
        record.deadline = None

    def counts(self) -> tuple[int, int]:
        """Open connections and distinct addresses."""
        with self._lock:
            return len(self._open), len(self._per_address)

    def reap(self, every: float = 0.2) -> None:
        """Until :meth:`stop`: end the reads that passed their deadline."""
        while not self._stopped.wait(every):
            now = time.monotonic()
            with self._lock:
                late = [c for c in self._open.values()
                        if c.reading and c.deadline is not None and c.deadline < now and not c.timed_out]
                for record in late:
                    record.timed_out = True
            for record in late:  # the handler's blocked read returns at once; it answers 408 and closes
                _shutdown(record.sock, socket.SHUT_RD)

    def stop(self) -> None:
        self._stopped.set()


def _shutdown(sock: socket.socket, how: int) -> None:
    try:
        sock.shutdown(how)
    except OSError:
        pass


class _Front(HTTPServer):
    """The front server: a thread per admitted connection, as many as :class:`_Connections` allows."""

    request_queue_size = 1024  # the listen backlog: bursts of connects wait here, not reset
    allow_reuse_address = True

    def __init__(self, address, endpoint: "EndpointServer") -> None:
        self.endpoint = endpoint
        self.connections = _Connections(total=endpoint.max_connections, per_client=endpoint.max_connections_per_client,
                                        read_timeout=endpoint.read_timeout)
        super().__init__(address, _Handler)
        self._reaper = threading.Thread(target=self.connections.reap, name="kg-serve-reaper", daemon=True)
        self._reaper.start()

    def process_request(self, request, client_address) -> None:
        admitted = self.connections.admit(request, client_address[0])
        if isinstance(admitted, str):
            return self._refuse(request, client_address[0], admitted)
        try:
            threading.Thread(target=self._serve_connection, args=(request, client_address, admitted),
                             name="kg-serve-connection", daemon=True).start()
        except RuntimeError:  # the system will not start another thread
            self.connections.release(admitted)
            self._refuse(request, client_address[0], "too many connections (no thread to serve this one)")

    def _serve_connection(self, request, client_address, record: _Connection) -> None:
        try:
            self.RequestHandlerClass(request, client_address, self, record)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.connections.release(record)
            self.shutdown_request(request)

    def _refuse(self, request: socket.socket, address: str, reason: str) -> None:
        """Answer 503 at once, without a thread and without waiting on the client."""
        log.info("%s: refused: %s", address, reason)
        body = f"kg serve: {reason}; try again later\n".encode("utf-8")
        answer = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
                  + body)
        try:
            request.setblocking(False)
            try:
                request.recv(65536)  # what already came, so that closing does not reset the answer
            except OSError:
                pass
            request.send(answer)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        """One line, never a traceback: clients that go away are normal."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, _TimedOut)):
            log.debug("%s: connection ended: %s", client_address[0], exc)
        else:
            log.warning("%s: request failed: %s: %s", client_address[0], type(exc).__name__, exc,
                        exc_info=log.isEnabledFor(logging.DEBUG))

    def server_close(self) -> None:
        self.connections.stop()
        super().server_close()


class _TimedOut(Exception):
    """The client did not send its request (or its body) within the read timeout."""


class _HeadersTooLarge(http.client.HTTPException):
    """More than :data:`_MAX_HEADER_BYTES` of header lines (answered 431 by the base class)."""


class _HeaderLines:
    """``rfile`` while the headers are read: keeps each raw line for the strict checks
    and stops at :data:`_MAX_HEADER_BYTES`."""

    def __init__(self, rfile, record: _Connection) -> None:
        self._rfile, self._record = rfile, record
        self.left = _MAX_HEADER_BYTES
        self.lines: list[bytes] = []

    def readline(self, limit: int = -1) -> bytes:
        if self.left <= 0:
            raise _HeadersTooLarge("Too many header bytes")
        line = self._rfile.readline(self.left + 1 if limit < 0 else min(limit, self.left + 1))
        if self._record.timed_out:
            raise _TimedOut
        self.left -= len(line)
        if self.left < 0:
            raise _HeadersTooLarge("Too many header bytes")
        self.lines.append(line)
        return line


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "polkg"
    server: _Front

    # -- plumbing ------------------------------------------------------------------------

    def __init__(self, request, client_address, server, record: _Connection) -> None:
        self.record = record
        self._checked: bool | None = None  # the headers passed the strict checks (None: not yet made)
        self._length = 0
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        # each blocking read and write (a client that does not read its answer); the reaper, which
        # bounds the sum of the reads, acts first
        self.timeout = self.server.endpoint.read_timeout + 1
        super().setup()
        # headers and body go out in separate writes: without this, Nagle's algorithm and
        # delayed ACKs add ~40 ms to every keep-alive request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        log.info("%s %s", self.address_string(), format % args)

    def handle_one_request(self) -> None:
        """The base class's, with a deadline on the request line and headers, a cap on their
        size, strict header checks, and 408 for a client that sends too slowly."""
        connections, record = self.server.connections, self.record
        connections.reading(record)
        self._checked, self._length, self.raw_requestline = None, 0, b""
        try:
            self.raw_requestline = self.rfile.readline(_MAX_REQUEST_LINE + 1)
            if record.timed_out:
                raise _TimedOut
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > _MAX_REQUEST_LINE:
                self.requestline, self.request_version, self.command = "", "", ""
                self.send_error(414)
                self.close_connection = True
                return
            plain = self.rfile
            self._header_lines = self.rfile = _HeaderLines(plain, record)
            try:
                parsed = self.parse_request()
            finally:
                self.rfile = plain
            if not parsed:
                return
            if not self._checked and not self._check_headers():
                return
            if self._length == 0:
                connections.busy(record)
            method = getattr(self, "do_" + self.command, None)
            if method is None:
                self.send_error(501, f"Unsupported method ({self.command!r})")
                return
            method()
            self.wfile.flush()
        except _TimedOut:
            self.close_connection = True
            if self.raw_requestline:  # a request had begun: say why it ends
                self._late()
        except TimeoutError:
            self.close_connection = True
            if self.raw_requestline:
                self._late()

    def _late(self) -> None:
        body = f"kg serve: the request did not arrive within {self.server.endpoint.read_timeout:g} s\n".encode()
        try:
            self.wfile.write(b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
                             b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        except OSError:
            pass

    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue``: refuse a body too large (or bad headers) before it is sent."""
        return self._check_headers() and super().handle_expect_100()

    def _check_headers(self) -> bool:
        """Strict HTTP/1.1 framing, so that no proxy in front reads the request otherwise:
        each header line ends in CRLF and is ``name: value`` (no folding, no space before
        the colon, no control characters), at most one ``Host`` and one ``Content-Length``
        (digits only), no ``Transfer-Encoding``, and a body only where one is read, no
        larger than the cap. Answers 400, 411 or 413 (and closes) otherwise."""
        self._checked = False
        names: dict[bytes, list[bytes]] = {}
        for line in self._header_lines.lines:
            if line in (b"\r\n", b"\n", b""):
                break
            if not line.endswith(b"\r\n"):
                return self._refuse(400, "header lines must end in CRLF")
            name, colon, value = line[:-2].partition(b":")
            if not colon or not _TOKEN_CHARS.match(name):
                return self._refuse(400, f"malformed header line {line[:60].decode('latin-1')!r}")
            if _BAD_VALUE_CHARS.search(value):
                return self._refuse(400, f"control characters in the {name.decode()} header")
            names.setdefault(name.lower(), []).append(value.strip(b" \t"))
        if len(names.get(b"host", ())) > 1:
            return self._refuse(400, "more than one Host header")
        lengths = names.get(b"content-length", [])
        if len(lengths) > 1:
            return self._refuse(400, "more than one Content-Length header")
        if b"transfer-encoding" in names:
            if lengths:
                return self._refuse(400, "both Transfer-Encoding and Content-Length")
            return self._refuse(411, "send a Content-Length (chunked requests are not accepted)")
        declared = lengths[0].decode("latin-1") if lengths else "0"
        if not declared.isascii() or not declared.isdigit() or len(declared) > 18:
            return self._refuse(400, "Content-Length must be a whole number of bytes")
        length = int(declared)
        if length and self.command in ("GET", "HEAD", "DELETE", "OPTIONS"):
            return self._refuse(400, f"a {self.command} request has no body")
        cap = self.server.endpoint.max_request_bytes
        if length > cap:
            return self._refuse(413, f"request body larger than {cap:,} bytes (the cap is --max-body)")
        self._length, self._checked = length, True
        return True

    def _refuse(self, status: int, message: str) -> bool:
        # a body left unread would be taken for the next request: refusals close the connection
        self.close_connection = True
        self._error(status, f"kg serve: {message}", {"Connection": "close"})
        return False

    def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8",
              headers: dict | None = None) -> None:
        self.server.connections.busy(self.record)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict | None = None) -> None:
        self._send(status, (message + "\n").encode("utf-8"), headers=headers)

    def _body(self) -> bytes:
        """The body the headers announced, read before its deadline (the reaper ends a slow one)."""
        if not self._length:
            return b""
        connections = self.server.connections
        connections.reading(self.record)
        body = self.rfile.read(self._length)
        if self.record.timed_out or len(body) < self._length:
            raise _TimedOut
        connections.busy(self.record)
        return body

    # -- routes -----------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._route()

    def do_HEAD(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def do_PUT(self) -> None:
        self._route()

    def do_DELETE(self) -> None:
        self._route()

    def _route(self) -> None:
        endpoint = self.server.endpoint
        if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in self.path):
            self.close_connection = True
            return self._error(400, "kg serve: control characters in the request target")
        path = urlsplit(self.path).path
        body = self._body()
        if path in ("/", "/graph.html"):
            if self.command not in ("GET", "HEAD"):
                return self._error(405, "kg serve: the graph view is read-only", {"Allow": "GET, HEAD"})
            if endpoint.page is None:
                return self._error(404, "kg serve: no graph view (started without a page)")
            return self._send(200, endpoint.page, "text/html; charset=utf-8")
        if path == "/sparql":
            kind = self._sparql_kind(body)
            if kind is None:
                return
            if kind == "update" and not self._may_write():
                return
            if self._fetches_a_url(body):
                return
            query_string, body = self._declare_prefixes(body)
            return self._forward("/update" if kind == "update" else "/query", body, query_string)
        if path == "/store":
            if self.command not in ("GET", "HEAD") and not self._may_write():
                return
            return self._forward("/store", body)
        self._error(404, "kg serve: not found; the SPARQL endpoint is /sparql, the graph view /")

    def _sparql_kind(self, body: bytes) -> str | None:
        """``"query"`` or ``"update"`` as the SPARQL 1.1 Protocol tells them apart."""
        query_string = urlsplit(self.path).query
        if self.command in ("GET", "HEAD"):
            if "update" in parse_qs(query_string):
                self._error(405, "kg serve: send updates with POST", {"Allow": "POST"})
                return None
            return "query"
        if self.command != "POST":
            self._error(405, "kg serve: /sparql takes GET and POST", {"Allow": "GET, HEAD, POST"})
            return None
        media = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            return "update"
        if media == "application/sparql-query":
            return "query"
        if media == "application/x-www-form-urlencoded":
            fields = parse_qs(body.decode("utf-8", "replace"))
            if "update" in fields:
                return "update"
            if "query" in fields:
                return "query"
        self._error(400, "kg serve: send a query (application/sparql-query, or a query= form field) "
                         "or an update (application/sparql-update, or an update= form field)")
        return None

    def _sparql_texts(self, body: bytes) -> list[tuple[str, bool]] | None:
        """Every query or update text of the request, wherever it is — the URL's fields,
        a form body, a raw body — each with whether it is an update; None (answered
        400) when a body is not UTF-8."""
        fields = parse_qsl(urlsplit(self.path).query, keep_blank_values=True, errors="replace")
        media = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            fields += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, errors="replace")
        texts = [(value, "update" in key.lower()) for key, value in fields
                 if "query" in key.lower() or "update" in key.lower()]
        if media in ("application/sparql-query", "application/sparql-update"):
            try:
                texts.append((body.decode("utf-8"), media.endswith("update")))
            except UnicodeDecodeError:
                self._error(400, "kg serve: the SPARQL text is not UTF-8")
                return None
        return texts

    def _fetches_a_url(self, body: bytes) -> bool:
        """Answer 400 and return True when the request's SPARQL would make Oxigraph send a
        request of its own (``SERVICE``, ``LOAD``) to a host not allowed by ``allow_service``
        (:func:`kg.federation.check_federation`), before anything reaches Oxigraph."""
        texts = self._sparql_texts(body)
        if texts is None:
            return True
        for text, update in texts:
            try:
                check_federation(text, update=update, allowed_hosts=self.server.endpoint.allow_service)
            except QueryError as exc:
                self._error(400, f"kg serve: {exc}")
                return True
        return False

    def _declare_prefixes(self, body: bytes) -> tuple[str, bytes]:
        """The request's query string and body with a declaration of each prefix of
        :data:`kg.namespaces.QUERY_PREFIXES` that its SPARQL uses and does not declare
        (:func:`kg.namespaces.declare_prefixes`): Oxigraph's server knows none. The
        user's own text follows unchanged, so its ``PREFIX`` lines still win."""
        def rewrite(fields: str) -> str:
            pairs = parse_qsl(fields, keep_blank_values=True)
            changed = [(k, declare_prefixes(v) if k in ("query", "update") else v) for k, v in pairs]
            return urlencode(changed) if changed != pairs else fields

        query_string = rewrite(urlsplit(self.path).query)
        media = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            if media == "application/x-www-form-urlencoded":
                body = rewrite(body.decode("utf-8")).encode("utf-8")
            elif media in ("application/sparql-query", "application/sparql-update"):
                body = declare_prefixes(body.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:  # passed on as it came; Oxigraph answers it
            pass
        return query_string, body

    def _may_write(self) -> bool:
        endpoint = self.server.endpoint
        if not endpoint.allow_update:
            self._error(403, "kg serve: the endpoint is read-only (start it with --allow-update --token TOKEN)")
            return False
        sent = self.headers.get("Authorization", "")
        scheme, _, token = sent.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), endpoint.token.encode()):
            self._error(401, "kg serve: updates need 'Authorization: Bearer <token>'",
                        {"WWW-Authenticate": 'Bearer realm="polkg"'})
            return False
        return True

    def _forward(self, upstream_path: str, body: bytes, query_string: str | None = None) -> None:
        endpoint = self.server.endpoint
        if query_string is None:
            query_string = urlsplit(self.path).query
        target = upstream_path + ("?" + query_string if query_string else "")
        headers = {k: self.headers[k] for k in _FORWARDED_HEADERS if self.headers.get(k)}
        headers["Accept-Encoding"] = "identity"
        if upstream_path in ("/query", "/update") and "Content-Type" in headers:
            # the bare media type: Oxigraph reads the body as the UTF-8 text that was checked
            headers["Content-Type"] = headers["Content-Type"].split(";")[0].strip()
        if self.command not in ("GET", "HEAD", "DELETE"):
            headers["Content-Length"] = str(len(body))
        started = time.monotonic()
        deadline = started + endpoint.timeout
        address = self.client_address[0]
        try:
            slot = endpoint.slots.acquire(address, deadline)
        except _Barred as barred:
            return self._error(503, f"kg serve: a request from {address} held the query engine too long or took it "
                                    f"over its memory limit; this address may ask again in {barred.seconds:.0f} s",
                               {"Retry-After": str(max(1, round(barred.seconds)))})
        if slot is None:
            return self._error(503, f"kg serve: busy: {endpoint.slots.describe()}; none came free within "
                                    f"{endpoint.timeout:g} s", {"Retry-After": "1"})
        try:
            for attempt in (1, 2, 3):
                try:
                    status, reason, upstream_headers, data = endpoint.upstream(
                        self.command, target, body, headers, deadline=deadline, address=address)
                    break
                except ConnectionError as exc:  # refused, reset: it had stopped; again on the new one
                    safe = self.command in ("GET", "HEAD") or upstream_path == "/query"
                    if attempt == 3 or not (safe or isinstance(exc, ConnectionRefusedError)) \
                            or not endpoint.wait_for_oxigraph():
                        raise
                    time.sleep(0.05 * attempt)
        except _Stopped as stopped:
            return self._error(503, f"kg serve: the query engine was restarted ({stopped}); the longest-running "
                                    f"requests were stopped, and {self.client_address[0]} may ask again in "
                                    f"{_BARRED_SECONDS} s (ask for less)", {"Retry-After": str(_BARRED_SECONDS)})
        except TimeoutError:
            return self._error(504, f"kg serve: no answer within {endpoint.timeout:g} s (the query timeout)")
        except _TooLarge:
            return self._error(500, f"kg serve: the answer is larger than the cap of {endpoint.max_result_bytes:,} "
                                    "bytes; ask for less (LIMIT) or raise --max-result-mb")
        except OSError as exc:
            return self._error(502, f"kg serve: the Oxigraph server did not answer ({exc})")
        finally:
            endpoint.slots.release(slot)
        if _CANCELLED in data[-200:]:
            return self._error(504, f"kg serve: the query was cancelled after {time.monotonic() - started:.1f} s "
                                    f"(the timeout is {endpoint.timeout:g} s)")
        extra = {k: v for k, v in upstream_headers if k.lower() in ("vary", "allow", "location")}
        content_type = dict((k.lower(), v) for k, v in upstream_headers).get("content-type", "text/plain")
        self.server.connections.busy(self.record)
        self.send_response(status, reason)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class _TooLarge(Exception):
    pass


class _Stopped(Exception):
    """Oxigraph was stopped on purpose (its memory, or slow queries holding it) while answering this request."""


class _QuerySlots:
    """At most ``total`` requests at Oxigraph at once, ``per_client`` from one address,
    and ``heavy_share`` from addresses not known to be light.

    The others wait in one queue; a waiter that may not run yet lets the next
    one pass. An address is *light* once a request of its
    finished within :data:`_HEAVY_SECONDS` (for :data:`_LIGHT_SECONDS`), and
    *heavy* while a request of its has run longer, and for
    :data:`_HEAVY_MEMORY_SECONDS` after; a new address is neither. Light
    addresses go first, then new ones (the address first seen latest goes first), then heavy ones. Heavy ones hold at most
    ``heavy_share - 1`` slots (at least one), heavy and new ones together at most
    ``heavy_share + 1`` (a new address may take one over the share) and never the
    last one. So clients
    sending heavy queries from one address hold at most ``heavy_share - 1`` of
    Oxigraph's threads and a newcomer finds a slot at once; from many addresses,
    at most ``heavy_share + 1`` while each is new; a client whose queries are
    quick finds a slot at once. An address can also be barred for
    a while (:meth:`bar_long_running`): its requests are refused.
    """

    def __init__(self, *, total: int, per_client: int, heavy_share: int | None = None) -> None:
        self.total, self.per_client = total, per_client
        self.heavy_share = heavy_share if heavy_share is not None else max(1, total // 2)
        self.acquired = 0  # slots given out so far
        self._per_address: dict[str, int] = {}
        self._running: dict[object, tuple[str, float]] = {}
        self._queue: list[tuple[object, str]] = []
        self._waiting_since: dict[object, float] = {}
        self._barred: dict[str, float] = {}
        self._light_until: dict[str, float] = {}
        self._heavy_until: dict[str, float] = {}
        self._first_seen: dict[str, float] = {}  # when each address first asked (for new addresses' turns)
        self._changed = threading.Condition()

    @property
    def running(self) -> int:
        return len(self._running)

    def _kind(self, address: str, now: float) -> int:
        """0 light, 1 not known yet, 2 heavy."""
        if self._heavy_until.get(address, 0) > now:
            return 2
        if any(a == address and now - started > _HEAVY_SECONDS for a, started in self._running.values()):
            return 2
        return 0 if self._light_until.get(address, 0) > now else 1

    def _next(self) -> object | None:
        """The waiter that may run next: light addresses first (in the order they came), then new
        ones (the address first seen latest first), then heavy ones (in the order they came)."""
        if len(self._running) >= self.total:
            return None
        now = time.monotonic()
        running = [self._kind(address, now) for address, _ in self._running.values()]
        not_light, heavy = sum(1 for k in running if k), sum(1 for k in running if k == 2)
        kinds = {address: self._kind(address, now) for _, address in self._queue}
        for rank in (0, 1, 2):
            if rank == 1 and not_light >= min(self.heavy_share + 1, self.total - 1):  # one over the share,
                return None  # for a new address, and never the last slot
            if rank == 2 and (not_light >= self.heavy_share or heavy >= max(1, self.heavy_share - 1)):
                return None
            # new addresses last seen, first served: during an attack from many new addresses the client
            # that arrives after them is not the last let in, however often the attackers ask again
            queue = self._queue
            if rank == 1:
                queue = sorted(queue, key=lambda waiter: -self._first_seen.get(waiter[1], now))
            for ticket, address in queue:
                if kinds[address] == rank and self._per_address.get(address, 0) < self.per_client:
                    return ticket
        return None

    def acquire(self, address: str, deadline: float) -> object | None:
        """Wait for a slot until ``deadline``: the slot (give it to :meth:`release`), or
        None if none came free; ``_Barred`` if the address is barred."""
        ticket = object()
        with self._changed:
            self._queue.append((ticket, address))
            self._waiting_since[ticket] = time.monotonic()
            self._first_seen.setdefault(address, self._waiting_since[ticket])
            try:
                while True:
                    until = self._barred.get(address)
                    if until is not None:  # checked again after each wait: it may be barred meanwhile
                        if until > time.monotonic():
                            raise _Barred(until - time.monotonic())
                        del self._barred[address]
                    if self._next() is ticket:
                        break
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return None
                    self._changed.wait(min(left, 0.5))  # marks expire with time, too
                self._running[ticket] = (address, time.monotonic())
                self.acquired += 1
                self._per_address[address] = self._per_address.get(address, 0) + 1
                return ticket
            finally:
                self._queue.remove((ticket, address))
                del self._waiting_since[ticket]
                self._changed.notify_all()

    def release(self, ticket: object) -> None:
        with self._changed:
            address, started = self._running.pop(ticket)
            now = time.monotonic()
            if now - started > _HEAVY_SECONDS:
                self._heavy_until[address] = max(self._heavy_until.get(address, 0), now + _HEAVY_MEMORY_SECONDS)
                self._light_until.pop(address, None)
            elif self._heavy_until.get(address, 0) <= now:
                self._heavy_until.pop(address, None)
                self._light_until[address] = now + _LIGHT_SECONDS
            if len(self._light_until) + len(self._heavy_until) + len(self._first_seen) > 4096:  # forget the expired
                for marks in (self._light_until, self._heavy_until):
                    for key in [k for k, until in marks.items() if until <= now]:
                        del marks[key]
                waiting = {a for _, a in self._queue} | {a for a, _ in self._running.values()}
                for key in [k for k, seen in self._first_seen.items()
                            if now - seen > _LIGHT_SECONDS and k not in waiting]:
                    del self._first_seen[key]
            left = self._per_address[address] - 1
            if left:
                self._per_address[address] = left
            else:
                del self._per_address[address]
            self._changed.notify_all()

    def is_barred(self, address: str) -> bool:
        with self._changed:
            return self._barred.get(address, 0) > time.monotonic()

    def starved(self, *, waited: float, running: float) -> bool:
        """Whether a light or new address has waited more than ``waited`` seconds while
        slots it may not use are held by requests of other addresses, not known to be light,
        that have run longer than ``running`` seconds. A waiter held back by its own
        address's share (:attr:`per_client`) is not counted."""
        now = time.monotonic()
        with self._changed:
            slow = {address for address, started in self._running.values()
                    if now - started > running and self._kind(address, now)}
            if not slow:
                return False
            first = self._next()
            return any(ticket is not first and now - self._waiting_since[ticket] > waited
                       and self._kind(address, now) < 2 and address not in slow
                       and self._per_address.get(address, 0) < self.per_client for ticket, address in self._queue)

    def bar_long_running(self, *, longer_than: float, seconds: float, not_light: bool = False) -> list[str]:
        """Bar for ``seconds`` the addresses with a request running for more than
        ``longer_than`` seconds and at least half as long as the longest (with ``not_light``,
        only from addresses not known to be light); the addresses barred. They count as
        heavy until :data:`_HEAVY_MEMORY_SECONDS` after the bar ends."""
        now = time.monotonic()
        with self._changed:
            ages = [(now - started, address) for address, started in self._running.values()
                    if not (not_light and self._kind(address, now) == 0)]
            longest = max((age for age, _ in ages), default=0.0)
            found = sorted({a for age, a in ages if age > longer_than and age >= longest / 2})
            for address in found:
                self._barred[address] = now + seconds
                self._heavy_until[address] = now + seconds + _HEAVY_MEMORY_SECONDS
                self._light_until.pop(address, None)
            return found

    def describe(self) -> str:
        with self._changed:
            return (f"{len(self._running)} requests running (at most {self.total}, {self.per_client} per client, "
                    f"{self.heavy_share} from clients with slow queries), {len(self._queue)} waiting")


class _Barred(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class _Watchdogs:
    """Keeps Oxigraph's timeout threads under what the system allows.

    With ``--timeout-s T`` Oxigraph starts one thread per request that sleeps
    ``T`` seconds, however fast the request is answered. Measured with
    oxigraph 0.5.13: a client sending cheap queries as fast as it can (600/s on
    2 cores) piles up T x 600 sleeping threads, about four memory maps each,
    and past ``vm.max_map_count`` (65,530 by default) Oxigraph fails to start
    threads and aborts. The front paces requests with a token bucket so that no
    more than ``budget`` pass in any ``T`` seconds: bursts of ``budget / 8``,
    then a steady rate; a request waits for its turn until its deadline.
    """

    def __init__(self, seconds: float) -> None:
        try:
            with open("/proc/sys/vm/max_map_count", encoding="ascii") as fh:
                maps = int(fh.read().strip())
        except (OSError, ValueError):
            maps = 65530
        self.budget = max(256, min(16384, (maps - 8192) // 5))
        self.burst = self.budget / 8
        self.rate = (self.budget - self.burst) / (seconds + 0.5)
        self._tokens = self.burst
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def admit(self, deadline: float) -> None:
        """Wait until one more Oxigraph thread fits; ``TimeoutError`` if not before ``deadline``."""
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                ready = now + (1 - self._tokens) / self.rate
            if ready > deadline:
                raise TimeoutError
            time.sleep(max(0.001, ready - now))


class EndpointServer:
    """The front server and the Oxigraph process behind it, over the store at ``store``.

    Use :func:`start_server` (or ``with EndpointServer(...) as server``), read
    :attr:`url`, and :meth:`stop` when done.

    Parameters
    ----------
    store : path
        The store directory (as for :func:`kg.open_store`).
    host, port : str, int
        Where to listen; ``127.0.0.1`` by default, port ``0`` for any free one.
    allow_update : bool
        Accept SPARQL updates and Graph Store writes that carry ``token``.
    token : str
        The bearer token writes need (required with ``allow_update``).
    timeout : float
        Seconds a request may take.
    max_result_bytes : int
        Largest answer passed on.
    page : path or None
        Where to write the graph view (``kg.viz.write_html``) before serving it;
        ``None`` serves no view.
    wait : float
        Seconds to wait for another process holding the store.
    allow_service : tuple of str
        Hosts (``host`` or ``host:port``, lower case; :func:`kg.federation.parse_hosts`)
        that ``SERVICE`` may call; empty (the default), every ``SERVICE`` and ``LOAD``
        is refused before it reaches Oxigraph.
    read_timeout : float
        Seconds a client has to send a request's line and headers (counted from when
        the connection opens or the previous answer went out), and again its body.
    max_request_bytes : int
        Largest request body (a query, an update, a Graph Store write); a larger one
        is refused with 413 before it is read.
    max_connections, max_connections_per_client : int
        Open connections in all and from one address (:class:`_Connections`).
    max_queries, max_queries_per_client : int
        Requests at Oxigraph at once, in all and from one address; the rest wait in a
        queue until their deadline (:class:`_QuerySlots`).
    max_memory_bytes : int
        Heap memory (anonymous resident memory) the Oxigraph process may take; above
        it Oxigraph is stopped and started again, and the requests it was answering
        get 503. ``0``: no limit.
    """

    def __init__(self, store, *, host: str = "127.0.0.1", port: int = 7878, allow_update: bool = False,
                 token: str | None = None, timeout: float = 30.0, max_result_bytes: int = 64 * 2**20,
                 max_request_bytes: int = 2**20, page: str | os.PathLike | None = "out/graph.html",
                 wait: float = 0, allow_service: tuple[str, ...] = (), read_timeout: float = 10.0,
                 max_connections: int = 256, max_connections_per_client: int = 32, max_queries: int = 4,
                 max_queries_per_client: int = 2, max_memory_bytes: int = 2**30, raw: bool = False) -> None:
        if allow_update and not token:
            raise KgError("kg serve: --allow-update needs --token (or POLKG_SERVE_TOKEN)")
        if token is not None and not token.strip():
            raise KgError("kg serve: the token is blank; give one of at least 8 characters")
        if token is not None and any(ch.isspace() or not ch.isprintable() for ch in token):
            raise KgError("kg serve: the token must not contain spaces or control characters")
        if token is not None and len(token) < 8:
            raise KgError("kg serve: the token must be at least 8 characters")
        if timeout <= 0:
            raise KgError(f"kg serve: the timeout must be positive, got {timeout}")
        if read_timeout <= 0:
            raise KgError(f"kg serve: the read timeout must be positive, got {read_timeout}")
        for name, value in (("max_connections", max_connections), ("max_connections_per_client",
                            max_connections_per_client), ("max_queries", max_queries),
                            ("max_queries_per_client", max_queries_per_client), ("max_request_bytes", max_request_bytes)):
            if value < 1:
                raise KgError(f"kg serve: --{name.replace('_', '-')} must be at least 1, got {value}")
        if max_memory_bytes < 0:
            raise KgError(f"kg serve: the memory limit must not be negative, got {max_memory_bytes}")
        self.read_timeout = read_timeout
        self.max_connections, self.max_connections_per_client = max_connections, max_connections_per_client
        self.max_memory_bytes = max_memory_bytes
        self.slots = _QuerySlots(total=max_queries, per_client=max_queries_per_client)
        self._engine_stops = 0  # times Oxigraph was stopped on purpose (memory, or slow queries holding it)
        self._stop_reason = ""
        self._last_preemption = 0.0
        self._acquired_at_start = 0
        self.store = Path(store)
        self.raw_view = raw
        self.corrections = 0
        """How many reviewers' corrections the endpoint's answers carry (0 with ``raw``)."""
        self._location = self.store / "oxigraph"
        self._view = None  # the corrected view served, held open (and so kept) while the endpoint runs
        self.host, self.port = host, port
        self.allow_update, self.token = allow_update, token or ""
        self.timeout = timeout
        self.max_result_bytes, self.max_request_bytes = max_result_bytes, max_request_bytes
        self.page_path = Path(page) if page is not None else None
        self.wait = wait
        self.allow_service = tuple(allow_service)
        self.page: bytes | None = None
        self.graph_info: dict | None = None
        self._lock = None
        self._process: subprocess.Popen | None = None
        self._log = None
        self._front: _Front | None = None
        self._thread: threading.Thread | None = None
        self._local = threading.local()
        self._restarts: list[float] = []
        self._generation = 0  # bumped at each start of Oxigraph: older connections are stale
        self._started = threading.Condition()
        self._stopping = threading.Event()
        self._gave_up = False
        self._gave_up_reason: str | None = None
        self._supervisor: threading.Thread | None = None
        self.oxigraph_port: int | None = None
        self._watchdogs = _Watchdogs(max(1, round(self.timeout)))

    # -- life cycle -------------------------------------------------------------------------

    def __enter__(self) -> "EndpointServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL; the SPARQL endpoint is ``url + "/sparql"``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> "EndpointServer":
        """Take the store's lock, write the view, start Oxigraph and the front server.

        Read-only, the lock is shared: ``kg query`` and other readers still run,
        ``kg ingest`` waits. With ``allow_update`` it is the writer's lock.
        """
        from kg.store.oxigraph import _Lock

        if not (self.store / "oxigraph" / "CURRENT").exists():
            raise StoreError(f"{self.store}: no store here; ingest documents first")
        if not self.allow_update:
            # a store written by an older polkg gets a version of its content here (a writer gives it
            # one, while no one holds the store), so that its corrected view can be kept and served
            from kg.store import open_store

            try:
                _Lock(self.store, shared=True).release()
            except StoreError:
                pass  # a writer has it: said below
            else:
                open_store(self.store, read_only=True).close()
        try:
            if self.allow_update:
                self._write_page(read_only=False)  # as the writer: loads a changed ontology first
                self._lock = _Lock(self.store, wait=self.wait)
            else:
                self._lock = _Lock(self.store, wait=self.wait, shared=True)
                self._write_page(read_only=True)
            self._start_supervisor()
            try:
                self._front = _Front((self.host, self.port), self)
            except OSError as exc:
                raise StoreError(f"{self.host}:{self.port}: cannot listen ({exc.strerror or exc})") from exc
        except BaseException:
            self.stop()
            raise
        self.port = self._front.server_address[1]
        self._thread = threading.Thread(target=self._front.serve_forever, name="kg-serve", daemon=True)
        self._thread.start()
        return self

    def _write_page(self, *, read_only: bool) -> None:
        """Write the graph view, and find what Oxigraph serves: the store's corrected view (made
        once per version of the store, :func:`kg.corrections.corrected_store`) unless ``raw``."""
        from kg.corrections import CORRECTIONS_GRAPH, corrected_store, extractor_store
        from kg.store import open_store

        with open_store(self.store, wait=self.wait, read_only=read_only) as store:
            if not self.raw_view and store.has_graph(CORRECTIONS_GRAPH):
                if not read_only:
                    raise KgError(f"kg serve: {self.store} holds the reviewers' corrections, and a writable "
                                  "endpoint serves the store itself: add --raw to serve the extractor's assertions "
                                  "for writing, or leave out --allow-update to serve the corrected view")
                view = corrected_store(store)
                if view is not store:
                    if view.derived is None:
                        view.close()
                        raise StoreError(f"{self.store}: the corrected view could not be kept beside the store "
                                         "(a write is under way, or there is no room); try again, or serve it "
                                         "with --raw")
                    self._view, self._location, self.corrections = view, view.derived, view.corrections
            elif self.raw_view:
                extractor_store(store)
            if self.page_path is not None:
                from kg.viz import write_html

                self.graph_info = write_html(store, self.page_path, raw=self.raw_view)
                self.page = self.page_path.read_bytes()

    def _start_oxigraph(self) -> None:
        mode = "serve" if self.allow_update else "serve-read-only"
        if self._log is not None:
            self._log.close()
        self._log = tempfile.TemporaryFile()
        for _ in range(3):
            self.oxigraph_port = _free_port()
            command = [oxigraph_command(), mode, "--location", str(self._location),
                       "--bind", f"127.0.0.1:{self.oxigraph_port}", "--union-default-graph",
                       "--timeout-s", str(max(1, round(self.timeout)))]
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                pass_fds=(self._lock.fh.fileno(),), preexec_fn=_die_with_parent if sys.platform == "linux" else None)
            if self._wait_ready():
                self._generation += 1
                self._acquired_at_start = self.slots.acquired
                return
            if "address" not in self._log_tail().lower():
                break
        tail = self._log_tail() or f"exit status {self._process.returncode}"
        raise StoreError(f"{self.store}: the Oxigraph server did not start ({tail})")

    def _log_tail(self) -> str:
        self._log.seek(0)
        lines = [line for line in self._log.read().decode("utf-8", "replace").splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""

    def _wait_ready(self, seconds: float = 30.0) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.oxigraph_port, timeout=2)
                connection.request("GET", "/query?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
                ready = connection.getresponse().status == 200
                connection.close()
                if ready:
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Stop both servers and release the store."""
        self._stopping.set()
        if self._front is not None:
            self._front.shutdown()
            self._front.server_close()
            self._front = None
        if self._supervisor is not None:  # before Oxigraph stops, lest it be started again
            self._supervisor.join()
            self._supervisor = None
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._view is not None:
            self._view.close()
            self._view = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def serve_forever(self, poll: float = 0.5) -> None:
        """Block until the front server stops (or ``KeyboardInterrupt``)."""
        while self._thread is not None and self._thread.is_alive():
            if self._gave_up:
                raise StoreError(self._gave_up_reason or f"{self.store}: the Oxigraph server keeps stopping "
                                                          f"({self._log_tail() or 'no message'})")
            self._thread.join(poll)

    # -- keeping Oxigraph running -------------------------------------------------------------

    def _start_supervisor(self) -> None:
        """Start Oxigraph here, and a thread that starts it again should it stop.

        A child started with PR_SET_PDEATHSIG is told to stop when the *thread* that
        started it ends: restarts come from the watching thread, which lives as long
        as the server (and the first one, should its thread end, is restarted).
        """
        self._start_oxigraph()
        self._supervisor = threading.Thread(target=self._supervise, name="kg-serve-oxigraph", daemon=True)
        self._supervisor.start()

    def _supervise(self) -> None:
        while not self._stopping.wait(0.1):
            process = self._process
            if process is None:
                continue
            if process.poll() is None:
                if self.max_memory_bytes and _heap_bytes(process.pid) > self.max_memory_bytes:
                    if self._restart_over_memory(process):
                        continue
                elif self._starved():
                    if self._restart_for_others(process):
                        continue
                else:
                    continue
            elif self._revive():
                continue
            self._gave_up = True
            with self._started:
                self._started.notify_all()
            return

    def _starved(self) -> bool:
        now = time.monotonic()
        return (now - self._last_preemption > _PREEMPT_EVERY
                and self.slots.starved(waited=_STARVED_SECONDS, running=_PREEMPT_AFTER))

    def _restart_for_others(self, process: subprocess.Popen) -> bool:
        """Oxigraph cannot stop one query: to let a waiting client run when slow queries hold
        the slots, stop it, refuse the addresses of the slow queries for a while, and start
        it again (quick requests it was answering are sent again)."""
        self._last_preemption = time.monotonic()
        barred = self.slots.bar_long_running(longer_than=_PREEMPT_AFTER, seconds=_BARRED_SECONDS, not_light=True)
        if not barred:
            return True
        return self._stop_and_start_again(
            process, "to let other clients' queries run",
            "slow queries held the query engine while others waited: started it again, refusing %s for %d s",
            ", ".join(barred), _BARRED_SECONDS)

    def _restart_over_memory(self, process: subprocess.Popen) -> bool:
        """Stop Oxigraph, over its memory limit, and start it again: not counted as a failure
        when requests had run, else (the limit is below what Oxigraph needs to start)
        counted as :meth:`_revive` counts, and False on the third time in a minute."""
        used = _heap_bytes(process.pid)
        if not self.slots.running and self.slots.acquired == self._acquired_at_start:  # no request since it started
            now = time.monotonic()
            self._restarts = [t for t in self._restarts if now - t < 60]
            if len(self._restarts) >= 3:
                process.kill()
                process.wait()
                self._gave_up_reason = (f"{self.store}: the Oxigraph server takes {used / 2**20:.0f} MB with no "
                                        f"request running, over --max-memory-mb {self.max_memory_bytes // 2**20}; "
                                        "raise it (or 0 for no limit)")
                return False
            self._restarts.append(now)
        barred = self.slots.bar_long_running(longer_than=_CULPRIT_SECONDS, seconds=_BARRED_SECONDS)
        return self._stop_and_start_again(
            process, f"over its memory limit of {self.max_memory_bytes // 2**20:,} MB",
            "the Oxigraph server took %d MB, over its limit of %d MB: stopped and started again; %s for %d s",
            used // 2**20, self.max_memory_bytes // 2**20,
            f"refusing {', '.join(barred)}" if barred else "no request ran long enough to blame", _BARRED_SECONDS)

    def _stop_and_start_again(self, process: subprocess.Popen, reason: str, message: str, *args) -> bool:
        """Stop Oxigraph on purpose (the requests it was answering learn ``reason``), log
        ``message % args`` and start it again (:meth:`_start_again`)."""
        self._engine_stops += 1
        self._stop_reason = reason
        process.kill()
        process.wait()
        if self._stopping.is_set():
            return True
        log.warning(message, *args)
        return self._start_again()

    def _start_again(self) -> bool:
        """Start Oxigraph and wake the requests waiting for it; False (logged) if it does not start."""
        try:
            self._start_oxigraph()
        except StoreError as exc:
            log.warning("%s", exc)
            return False
        with self._started:
            self._started.notify_all()
        return True

    def _revive(self) -> bool:
        """Start Oxigraph again (it can stop when the machine runs out of threads);
        False when it stopped three times within a minute."""
        if self._stopping.is_set():
            return True
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < 60]
        if len(self._restarts) >= 3:
            return False
        self._restarts.append(now)
        log.warning("the Oxigraph server stopped (%s); starting it again", self._log_tail() or "no message")
        return self._start_again()

    def wait_for_oxigraph(self, seconds: float = 15.0) -> bool:
        """After a refused connection: wait until Oxigraph runs again; False if it does not."""
        generation = self._generation
        with self._started:
            return self._started.wait_for(
                lambda: self._gave_up or self._generation != generation
                or (self._process is not None and self._process.poll() is None and self._ready_now()),
                timeout=seconds) and not self._gave_up

    def _ready_now(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.oxigraph_port), timeout=1):
                return True
        except OSError:
            return False

    # -- talking to Oxigraph ------------------------------------------------------------------

    def upstream(self, method: str, target: str, body: bytes, headers: dict, *, deadline: float | None = None,
                 address: str | None = None):
        """One request to Oxigraph: ``(status, reason, headers, body)``, the body read
        whole but no further than the cap; ``TimeoutError`` past the deadline (by default
        :attr:`timeout` from now); ``_Stopped`` if Oxigraph was stopped on purpose meanwhile
        and this request's ``address`` is blamed (a ``ConnectionResetError``, to send it
        again, if not)."""
        if deadline is None:
            deadline = time.monotonic() + self.timeout
        engine_stops = self._engine_stops
        self._watchdogs.admit(deadline)
        safe = method in ("GET", "HEAD") or target.startswith("/query")
        if not safe:  # a write goes on a fresh connection and is never sent twice
            self._drop_connection()
        for attempt in (1, 2):
            connection = getattr(self._local, "connection", None)
            if connection is not None and (getattr(self._local, "generation", None) != self._generation
                                           or connection.port != self.oxigraph_port):  # a new one is starting
                self._drop_connection()
                connection = None
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", self.oxigraph_port, timeout=self.timeout)
                self._local.connection, self._local.generation = connection, self._generation
            try:
                connection.request(method, target, body=body or None, headers=headers)
                response = connection.getresponse()
                chunks, size = [], 0
                while True:
                    if time.monotonic() > deadline:
                        raise TimeoutError
                    chunk = response.read1(65536) if method != "HEAD" else b""
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > self.max_result_bytes:
                        raise _TooLarge
                    chunks.append(chunk)
                if response.will_close:
                    self._drop_connection()
                return response.status, response.reason, response.getheaders(), b"".join(chunks)
            except (_TooLarge, TimeoutError):
                self._drop_connection()
                raise
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady, http.client.IncompleteRead):
                self._drop_connection()
                if self._engine_stops != engine_stops:  # stopped on purpose: its culprits are told, others sent again
                    if address is None or self.slots.is_barred(address):
                        raise _Stopped(self._stop_reason) from None
                    raise ConnectionResetError("the query engine was restarted") from None
                if attempt == 2 or not safe:  # else a kept-alive connection had gone stale: once more
                    raise
        raise OSError("no answer")

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def _heap_bytes(pid: int) -> int:
    """Anonymous resident memory of ``pid`` (what its allocations hold, not the files it maps)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def start_server(store, **options) -> EndpointServer:
    """Start :class:`EndpointServer` over ``store`` and return it (running)."""
    return EndpointServer(store, **options).start()
